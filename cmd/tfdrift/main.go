// Command tfdrift detects infrastructure changed outside Terraform.
//
// It only parses command lines: each command's flags bind to the Args of
// a job package under app/ (app/replay, app/serve, …), which does the
// work and decides the exit status. Run `tfdrift help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
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
	go func() {
		// The first signal asks the command to stop; a second one, should
		// it still be running, ends the process the default way.
		<-ctx.Done()
		stop()
	}()
	// A closed output pipe (tfdrift demo | head) makes writes fail with
	// EPIPE instead of killing the process, so that commands clean up
	// (demo's temporary folder) before they exit; see status.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
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
			if args[1] == "version" {
				fmt.Fprint(env.Stdout, versionHelp)
				return 0
			}
			fmt.Fprintf(env.Stderr, "tfdrift: help: unknown command %q\n\n", args[1])
			usage(env.Stderr)
			return 1
		}
		usage(env.Stdout)
		return 0
	}
	if args[0] == "version" || args[0] == "--version" {
		if len(args) > 1 {
			if args[1] == "--help" || args[1] == "-h" || args[1] == "-help" {
				fmt.Fprint(env.Stdout, versionHelp)
				return 0
			}
			fmt.Fprintf(env.Stderr, "tfdrift: version takes no arguments, got %q\n\n%s", args[1:], versionHelp)
			return 2
		}
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

// exitBrokenPipe is the status of a command whose output pipe closed:
// 128 + SIGPIPE, what a shell reports for a process SIGPIPE killed.
const exitBrokenPipe = 141

// status prints what a job's error still has to say and returns its exit
// status (job.Status).
func status(err error, env job.Env) int {
	if errors.Is(err, syscall.EPIPE) {
		// The reader went away: exit as a killed-by-SIGPIPE process
		// would, with nothing more to say.
		return exitBrokenPipe
	}
	code, msg := job.Status(err)
	if msg != "" {
		fmt.Fprintf(env.Stderr, "tfdrift: %s\n", msg)
	}
	return code
}

const versionHelp = `Usage: tfdrift version

Prints the version of this binary ("tfdrift v1.2.3", or "tfdrift dev" for a
build without a version stamp).

Exit status: 0; 2 usage.
`

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

// newFlagSet builds a FlagSet for a command. Its usage text is printed by
// printUsage: to stdout for --help, to stderr with an error.
func newFlagSet(env job.Env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {} // jobCommand prints it, knowing where to
	return fs
}

// printUsage writes a command's usage text and flags to w.
func printUsage(w io.Writer, fs *flag.FlagSet, synopsis, body string) {
	fmt.Fprintf(w, "Usage: tfdrift %s\n\n%s\n\nFlags:\n", synopsis, strings.TrimSpace(body))
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
}

// flagBinder is a job's *Args: RegisterFlags binds every flag to it.
type flagBinder[A any] interface {
	*A
	RegisterFlags(fs *flag.FlagSet)
}

// usageError asks for the command's usage text and exits with code.
type usageError int

func (e usageError) Error() string { return fmt.Sprintf("usage (exit status %d)", int(e)) }

// verbError is a missing or unknown subcommand ("drifts bogus"): it is
// named, the usage text follows on stderr, and the exit status is code.
type verbError struct {
	command, verb string
	verbs         []string
	code          int
}

func (e verbError) Error() string {
	want := strings.Join(e.verbs[:len(e.verbs)-1], ", ") + " or " + e.verbs[len(e.verbs)-1]
	if len(e.verbs) == 1 {
		want = e.verbs[0]
	}
	if e.verb == "" {
		return fmt.Sprintf("%s: give a subcommand: %s", e.command, want)
	}
	return fmt.Sprintf("%s: unknown subcommand %q (want %s)", e.command, e.verb, want)
}

// verb checks args[0] against verbs, returning a verbError if it is
// missing or not one of them.
func verb(command string, args, verbs []string, code int) error {
	if len(args) > 0 && slices.Contains(verbs, args[0]) {
		return nil
	}
	e := verbError{command: command, verbs: verbs, code: code}
	if len(args) > 0 {
		e.verb = args[0]
	}
	return e
}

// jobCommand is the whole of a command: bind the job's flags, parse them
// (before or after the arguments), hand the positional arguments to
// positional, and run the job. positional returns usageError to print the
// usage text and exit with that status, or verbError.
func jobCommand[A any, P flagBinder[A]](name, synopsis, help string, positional func(a *A, args []string) error, runJob func(context.Context, job.Env, A) error) func(context.Context, job.Env, []string) error {
	return func(ctx context.Context, env job.Env, args []string) error {
		var a A
		fs := newFlagSet(env, name)
		P(&a).RegisterFlags(fs)
		if err := job.Parse(fs, args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printUsage(env.Stdout, fs, synopsis, help)
				return nil
			}
			// The flag package has printed the error; the usage follows.
			// A bad flag exits 1, as any error (2 means drift to replay).
			fmt.Fprintln(env.Stderr)
			printUsage(env.Stderr, fs, synopsis, help)
			return job.Reported(err)
		}
		if positional != nil {
			if err := positional(&a, fs.Args()); err != nil {
				var ve verbError
				switch {
				case errors.As(err, &ve):
					fmt.Fprintf(env.Stderr, "tfdrift: %v\n\n", ve)
					printUsage(env.Stderr, fs, synopsis, help)
					return job.Exit(ve.code)
				case errors.As(err, new(usageError)):
					printUsage(env.Stderr, fs, synopsis, help)
					return job.Exit(int(err.(usageError)))
				}
				return err
			}
		} else if fs.NArg() > 0 {
			return fmt.Errorf("%s takes no arguments, got %q", name, fs.Args())
		}
		return runJob(ctx, env, a)
	}
}
