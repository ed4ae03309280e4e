package check

import (
	"context"
	"flag"
	"fmt"

	"github.com/tfdrift/tfdrift/app/job"
)

// RegisterFlags binds every command-line flag of check to a.
func (a *Args) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.RepoDir, "repo", ".", "the repository: .tfdrift.yml and .tfdriftignore are read there, report paths are relative to it")
	fs.Var((*job.StringList)(&a.Dirs), "dir", "root module directory or glob, relative to --repo (repeatable; default: .tfdrift.yml's roots, else --repo)")
	fs.StringVar(&a.ConfigFile, "config", "", "tfdrift config: drift_rules for severity and tags, ignore_file, terraform.binary")
	fs.StringVar(&a.FailOn, "fail-on", DefaultFailOn, "lowest severity that fails the check (exit 2): none, info, low, medium, high or critical")
	fs.StringVar(&a.JSONFile, "json", "", "write the drift records to this file, one per line")
	fs.StringVar(&a.SARIFFile, "sarif", "", "write SARIF 2.1.0 to this file")
	fs.StringVar(&a.Binary, "binary", "", "terraform or tofu, on PATH or a path (default: the config's terraform.binary, else terraform)")
	fs.StringVar(&a.Binary, "terraform", "", "the same as --binary")
	fs.IntVar(&a.Parallel, "parallel", 0, "root modules checked at once (default: the number of CPUs)")
	fs.Var((*job.StringList)(&a.BackendConfig), "backend-config", "KEY=VALUE or a file, passed to every root's terraform init as -backend-config (repeatable)")
	fs.BoolVar(&a.OpenIssues, "open-issues", false, "open or update one GitHub issue per drifted resource in $GITHUB_REPOSITORY, and close those of resources found in sync (needs $GITHUB_TOKEN)")
}

// DriftError is Run's error when drift at or above --fail-on was found:
// exit status 2. The drifts are in the reports already.
type DriftError struct {
	Drifts int
	FailOn string
}

func (e *DriftError) Error() string {
	return fmt.Sprintf("check: %d drifts at or above %s", e.Drifts, e.FailOn)
}

// ExitCode is ExitDrift.
func (e *DriftError) ExitCode() int { return ExitDrift }

// Run is Check as a job: the command line's entry point. Its error
// carries the exit status (job.Status): nil is 0, a *DriftError 2, any
// other error 1.
func Run(ctx context.Context, env job.Env, a Args) error {
	env = env.Complete()
	code, err := Check(ctx, Env{Stdout: env.Stdout, Stderr: env.Stderr, Getenv: env.Getenv, LookupEnv: env.Lookup}, a)
	switch {
	case err != nil:
		return err
	case code == ExitDrift:
		return job.Reported(&DriftError{FailOn: a.FailOn})
	case code != ExitOK:
		return job.Exit(code)
	}
	return nil
}
