// Command tfdrift detects infrastructure changed outside Terraform.
//
// It only parses command lines: each command's flags bind to the Args of
// a job package under app/ (app/replay, app/serve, …), which does the
// work and decides the exit status. Run `tfdrift help` for the commands.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/tfdrift/tfdrift/app/job"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand. run gets the arguments after the command name.
type command struct {
	summary string
	run     func(ctx context.Context, env job.Env, args []string) error
}

var commands = map[string]command{}

func register(name string, c command) { commands[name] = c }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, job.OS(), os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes a command line and returns the exit status.
func run(ctx context.Context, env job.Env, args []string) int {
	env = env.Complete()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return status(c.run(ctx, env, []string{"--help"}), env)
			}
		}
		usage(env.Stdout)
		return 0
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintf(env.Stdout, "tfdrift %s\n", version)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "tfdrift: unknown command %q\n\n", args[0])
		usage(env.Stderr)
		return 1
	}
	return status(c.run(ctx, env, args[1:]), env)
}

// status prints what a job's error still has to say and returns its exit
// status (job.Status).
func status(err error, env job.Env) int {
	code, msg := job.Status(err)
	if msg != "" {
		fmt.Fprintf(env.Stderr, "tfdrift: %s\n", msg)
	}
	return code
}

func usage(w io.Writer) {
	fmt.Fprint(w, `tfdrift notices infrastructure changed outside Terraform.

It reads cloud audit events (CloudTrail, EventBridge, Falco alerts, GCP audit
logs), compares each write with Terraform state, and reports attribute-level
drift with who did it, from where, and where the resource lives in your code.

Usage: tfdrift <command> [flags]

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, `  version          print the version

Flags may come before or after a command's arguments.
Run 'tfdrift <command> --help' for a command's flags, exit status and examples.
`)
}

// newFlagSet builds a FlagSet whose --help prints the given usage text.
func newFlagSet(env job.Env, name, synopsis, body string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		w := env.Stdout
		fmt.Fprintf(w, "Usage: tfdrift %s\n\n%s\n\nFlags:\n", synopsis, strings.TrimSpace(body))
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(env.Stderr)
	}
	return fs
}

// flagBinder is a job's *Args: RegisterFlags binds every flag to it.
type flagBinder[A any] interface {
	*A
	RegisterFlags(fs *flag.FlagSet)
}

// usageError asks for the command's usage text and exits with code.
type usageError int

func (e usageError) Error() string { return fmt.Sprintf("usage (exit status %d)", int(e)) }

// jobCommand is the whole of a command: bind the job's flags, parse them
// (before or after the arguments), hand the positional arguments to
// positional, and run the job. positional returns usageError to print the
// usage text and exit with that status.
func jobCommand[A any, P flagBinder[A]](name, synopsis, help string, positional func(a *A, args []string) error, runJob func(context.Context, job.Env, A) error) func(context.Context, job.Env, []string) error {
	return func(ctx context.Context, env job.Env, args []string) error {
		var a A
		fs := newFlagSet(env, name, synopsis, help)
		P(&a).RegisterFlags(fs)
		if err := job.Parse(fs, args); err != nil {
			// The flag package has printed the error and the usage; a bad
			// flag exits 1, as any error (2 means drift to replay).
			return job.Reported(err)
		}
		if positional != nil {
			if err := positional(&a, fs.Args()); err != nil {
				if u, ok := err.(usageError); ok {
					fs.Usage()
					return job.Exit(int(u))
				}
				return err
			}
		} else if fs.NArg() > 0 {
			return fmt.Errorf("%s takes no arguments, got %q", name, fs.Args())
		}
		return runJob(ctx, env, a)
	}
}
