package serve

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"testing"

	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/job"
)

// result is what a run printed and its exit status.
type result struct {
	code           int
	stdout, stderr string
}

// runArgs parses a serve command line as cmd/tfdrift does, lets hook set
// the in-process fields (Started, Deliver), runs serve, and returns the
// exit status, printing the error's message as the binary would.
func runArgs(ctx context.Context, env job.Env, argv []string, hook func(*Args)) int {
	var a Args
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(env.Complete().Stderr)
	a.RegisterFlags(fs)
	if err := job.Parse(fs, argv); err != nil {
		return 2
	}
	if hook != nil {
		hook(&a)
	}
	return exitStatus(env, Run(ctx, env, a))
}

func exitStatus(env job.Env, err error) int {
	code, msg := job.Status(err)
	if msg != "" {
		fmt.Fprintf(env.Complete().Stderr, "tfdrift: %s\n", msg)
	}
	return code
}

// runServe runs serve to its end with argv, for the runs that must not
// start.
func runServe(t *testing.T, argv ...string) result {
	t.Helper()
	return runJob(t, func(env job.Env) error {
		if code := runArgs(context.Background(), env, argv, nil); code != 0 {
			return job.Exit(code)
		}
		return nil
	})
}

// runJob runs one job with buffers for its output.
func runJob(t *testing.T, fn func(env job.Env) error) result {
	t.Helper()
	var out, errb bytes.Buffer
	env := job.Env{Stdout: &out, Stderr: &errb}
	code := exitStatus(env, fn(env))
	return result{code, out.String(), errb.String()}
}

func extract(t *testing.T) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
