// Command tfdrift detects infrastructure changed outside Terraform.
//
// Run `tfdrift help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// exitError carries an exit status through run.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// command is one subcommand. run gets the arguments after the command name.
type command struct {
	summary string
	run     func(ctx context.Context, env *cmdEnv, args []string) error
}

// cmdEnv is the process environment, injectable for tests.
type cmdEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	lookupEnv      func(string) (string, bool)
}

var commands = map[string]command{}

func register(name string, c command) { commands[name] = c }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &cmdEnv{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, lookupEnv: os.LookupEnv}
	code := run(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes a command line and returns the exit status.
func run(ctx context.Context, env *cmdEnv, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return status(c.run(ctx, env, []string{"--help"}), env)
			}
		}
		usage(env.stdout)
		return 0
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintf(env.stdout, "tfdrift %s\n", version)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.stderr, "tfdrift: unknown command %q\n\n", args[0])
		usage(env.stderr)
		return 1
	}
	return status(c.run(ctx, env, args[1:]), env)
}

func status(err error, env *cmdEnv) int {
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(env.stderr, "tfdrift: %v\n", err)
	return 1
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

Run 'tfdrift <command> --help' for a command's flags and examples.
`)
}

// newFlagSet builds a FlagSet whose --help prints the given usage text.
func newFlagSet(env *cmdEnv, name, synopsis, body string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		w := env.stdout
		fmt.Fprintf(w, "Usage: tfdrift %s\n\n%s\n\nFlags:\n", synopsis, strings.TrimSpace(body))
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(env.stderr)
	}
	return fs
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
