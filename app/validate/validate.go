package validate

import (
	"bytes"
	"context"
	"flag"
	"fmt"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/wiring"
)

// Args are the validate job's inputs, one field per flag.
type Args struct {
	// StrictEnv makes an unset ${VAR} an error, as serve does; without it
	// the file is checked as far as it can be without its secrets.
	StrictEnv bool
	// File is the config file.
	File string
}

// RegisterFlags binds every command-line flag of config validate to a.
func (a *Args) RegisterFlags(fs *flag.FlagSet) {
	fs.BoolVar(&a.StrictEnv, "strict-env", false, "treat unset ${VAR} references as errors")
}

// ExitUsage is the status of a call without a file.
const ExitUsage = 2

// ErrUsage is returned without a file to check. Exit status 2.
var ErrUsage = job.Usage(ExitUsage, "config validate: give one config file")

// InvalidError is a config that does not load; its problems were printed
// on stderr, one per line. Exit status 1.
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }

// Unwrap returns app/config's *ValidationError (or the read error).
func (e *InvalidError) Unwrap() error { return e.Err }

// ExitCode is 1.
func (e *InvalidError) ExitCode() int { return 1 }

// Run validates a.File: its summary goes to env.Stdout, warnings and
// problems to env.Stderr.
func Run(ctx context.Context, env job.Env, a Args) error {
	env = env.Complete()
	if a.File == "" {
		return ErrUsage
	}
	// Rendering the templates is bounded (wiring.TemplateCheckTimeout
	// each), but a signal ends the check at once.
	type loaded struct {
		cfg *config.Config
		err error
	}
	var warnings bytes.Buffer
	done := make(chan loaded, 1)
	go func() {
		cfg, err := wiring.LoadConfig(a.File, env.LookupEnv, &warnings, !a.StrictEnv)
		done <- loaded{cfg, err}
	}()
	var cfg *config.Config
	var err error
	select {
	case l := <-done:
		cfg, err = l.cfg, l.err
	case <-ctx.Done():
		return fmt.Errorf("config validate %s: interrupted: %w", a.File, ctx.Err())
	}
	env.Stderr.Write(warnings.Bytes())
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return job.Reported(&InvalidError{Err: err})
	}
	_, err = fmt.Fprint(env.Stdout, cfg.Summary())
	return err
}
