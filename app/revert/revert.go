package revert

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/gitops/terraform"
	"github.com/tfdrift/tfdrift/gitops/workspace"
)

// Args are the revert job's inputs, one field per flag.
type Args struct {
	// Repo is a git checkout ("" means "."): the job uses a worktree of
	// it at Commit ("" means HEAD; uncommitted changes are never used).
	Repo, Commit string
	// Dir is the root module inside the repo; Workspace its Terraform
	// workspace ("" means default).
	Dir, Workspace string
	// DryRun plans and checks the guards, prints the plan and applies
	// nothing.
	DryRun bool
	// AllowDestroy and AllowReplace lift the guards against deleting or
	// replacing a target.
	AllowDestroy, AllowReplace bool
	// Binary, PluginMirror, PluginCache and LockTimeout set up terraform;
	// a zero value means the config's terraform block, else the default
	// (terraform, none, none, 30s).
	Binary, PluginMirror, PluginCache string
	LockTimeout                       time.Duration
	// ConfigFile is read for its terraform block only.
	ConfigFile string
	// Addresses are the resources to revert.
	Addresses []string
}

// RegisterShared binds the flags a "/tfdrift revert" comment may carry:
// the guards and the dry run, never a path or binary of this machine.
func (a *Args) RegisterShared(fs *flag.FlagSet) {
	fs.BoolVar(&a.DryRun, "dry-run", false, "plan and check the guards, print the plan, apply nothing")
	fs.BoolVar(&a.AllowDestroy, "allow-destroy", false, "allow the plan to delete a target")
	fs.BoolVar(&a.AllowReplace, "allow-replace", false, "allow the plan to replace a target")
}

// RegisterFlags binds every command-line flag of revert to a.
func (a *Args) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.Repo, "repo", ".", "infra repository (a git checkout: the job uses a worktree at --commit)")
	fs.StringVar(&a.Dir, "dir", "", "root module directory inside the repo")
	fs.StringVar(&a.Workspace, "workspace", "default", "Terraform workspace")
	fs.StringVar(&a.Commit, "commit", "", "commit to check out (default HEAD; uncommitted changes are never used)")
	a.RegisterShared(fs)
	fs.StringVar(&a.Binary, "binary", "", "terraform or tofu binary (default: the config's terraform.binary, else terraform)")
	fs.StringVar(&a.Binary, "terraform", "", "the same as --binary")
	fs.StringVar(&a.PluginMirror, "plugin-mirror", "", "filesystem mirror of providers (offline installs; default: the config's terraform.plugin_mirror)")
	fs.StringVar(&a.PluginCache, "plugin-cache", "", "shared provider plugin cache directory (default: the config's terraform.plugin_cache_dir)")
	fs.DurationVar(&a.LockTimeout, "lock-timeout", 0, "how long to wait for Terraform's state lock (default: the config's terraform.lock_timeout, else 30s)")
	fs.StringVar(&a.ConfigFile, "config", "", "config file: its terraform block (binary, plugin_cache_dir, plugin_mirror, lock_timeout) sets the defaults of these flags")
}

// Exit statuses of revert besides 0 and 1.
const (
	ExitChanges           = 2
	ExitRefused           = 3
	ExitLocked            = 4
	ExitCredentials       = 5
	ExitUnsupportedBinary = 6
	ExitStalePlan         = 7
)

// ErrNoAddresses is returned when Args.Addresses is empty.
var ErrNoAddresses = errors.New("revert: no resource addresses to revert")

// Error is a revert that failed for a reason with its own exit status;
// Err is the typed error of gitops/terraform or gitops/workspace that
// decided it.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return "revert: " + e.Err.Error() }

// Unwrap returns the typed error.
func (e *Error) Unwrap() error { return e.Err }

// ExitCode is the status docs/revert.md gives Err's kind.
func (e *Error) ExitCode() int { return e.Code }

// ChangesError is DryRun's answer when the plan has changes that pass the
// guards; the plan was printed. Exit status 2.
type ChangesError struct{ Changes int }

func (e *ChangesError) Error() string {
	return fmt.Sprintf("revert: the plan would change %s", job.Count(e.Changes, "resource"))
}

// ExitCode is ExitChanges.
func (e *ChangesError) ExitCode() int { return ExitChanges }

// exitCodes maps each kind of failure to the status docs/revert.md gives
// it.
var exitCodes = map[wiring.RevertFailure]int{
	wiring.RevertError:             1,
	wiring.RevertUnsupportedBinary: ExitUnsupportedBinary,
	wiring.RevertLocked:            ExitLocked,
	wiring.RevertCredentials:       ExitCredentials,
	wiring.RevertStalePlan:         ExitStalePlan,
	wiring.RevertRefused:           ExitRefused,
}

// classify wraps err in an *Error with the exit status of its kind
// (wiring.ClassifyRevert, in the order docs/revert.md documents).
func classify(err error) error {
	return &Error{Code: exitCodes[wiring.ClassifyRevert(err)], Err: err}
}

// Run reverts a.Addresses. The plan (DryRun) and the result go to
// env.Stdout, terraform's progress to env.Stderr. See the package doc for
// the exit statuses.
func Run(ctx context.Context, env job.Env, a Args) error {
	env = env.Complete()
	if len(a.Addresses) == 0 {
		return ErrNoAddresses
	}
	// The grammar first (docs/revert.md): a typo costs no working copy
	// and no terraform init.
	if err := terraform.CheckAddresses(a.Addresses); err != nil {
		return classify(err)
	}
	cfg, err := wiring.LoadConfig(a.ConfigFile, env.LookupEnv, env.Stderr, true)
	if err != nil {
		return err
	}
	tf := wiring.Terraform{Binary: a.Binary, PluginMirror: a.PluginMirror, PluginCacheDir: a.PluginCache, LockTimeout: a.LockTimeout}.Resolve(cfg)
	m, err := tf.Manager(env.Stderr)
	if err != nil {
		return err
	}
	repo, ws := a.Repo, a.Workspace
	if repo == "" {
		repo = "."
	}
	if ws == "" {
		ws = "default"
	}
	w, err := m.TryOpen(ctx, workspace.Spec{Repo: repo, Dir: a.Dir, Workspace: ws, Commit: a.Commit, Job: "tfdrift revert"})
	if err != nil {
		return classify(err)
	}
	defer w.Close()
	opts := []terraform.RevertOption{terraform.AllowDestroy(a.AllowDestroy), terraform.AllowReplace(a.AllowReplace),
		terraform.LockTimeout(tf.LockTimeout), terraform.Output(env.Stderr)}
	if a.DryRun {
		plan, err := w.Runner().PlanRevert(ctx, a.Addresses, opts...)
		if plan != nil {
			fmt.Fprintln(env.Stdout, plan.Rendered)
		}
		if err != nil {
			return classify(err)
		}
		if len(plan.Changes) > 0 {
			return job.Reported(&ChangesError{Changes: len(plan.Changes)})
		}
		return nil
	}
	res, err := w.Runner().Revert(ctx, a.Addresses, opts...)
	if err != nil {
		return classify(err)
	}
	if res.Applied {
		fmt.Fprintf(env.Stdout, "Reverted %s: %s\n", job.Count(len(res.Plan.Changes), "resource"), res.Plan.Summary())
	} else {
		fmt.Fprintln(env.Stdout, "Nothing to revert: the cloud already matches the code for these addresses.")
	}
	return nil
}
