package accept

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os/exec"
	"strings"

	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/gitops/edit"
	"github.com/tfdrift/tfdrift/gitops/workspace"
)

// Args are the accept job's inputs, one field per flag.
type Args struct {
	// ConfigFile holds rules, trusted actors, the ignore file and the
	// terraform block; optional.
	ConfigFile string
	// States are local state files.
	States []string
	// Repo is the infra repository to edit ("" means "."); Dir the root
	// module inside it.
	Repo, Dir string
	// IgnoreFile overrides .tfdriftignore in Repo.
	IgnoreFile string
	// DryRun prints the edit as a unified diff instead of writing it.
	DryRun bool
	// Confirm asks terraform for the values and proves the edit.
	Confirm bool
	// Binary is terraform or tofu (fmt of edited files, and Confirm);
	// "" means the config's terraform.binary, else terraform.
	Binary string
	// PluginMirror is a filesystem mirror of providers for Confirm; ""
	// means the config's terraform.plugin_mirror.
	PluginMirror string
	// Workspace is the Terraform workspace of Confirm ("" means default).
	Workspace string
	// Inputs are the event files; "-" is standard input.
	Inputs []string
}

// RegisterShared binds the flags a "/tfdrift accept" comment may carry:
// none names a path or a binary of the machine the job runs on.
func (a *Args) RegisterShared(fs *flag.FlagSet) {
	fs.BoolVar(&a.DryRun, "dry-run", false, "print the edit as a unified diff instead of writing it")
	fs.BoolVar(&a.Confirm, "confirm", false, "ask terraform: a targeted refresh-only plan supplies the values, and a normal plan after the edit (in a working copy) must be clean")
}

// RegisterFlags binds every command-line flag of accept to a.
func (a *Args) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.ConfigFile, "config", "", "config file (rules, trusted actors, ignore file, terraform block)")
	fs.Var((*job.StringList)(&a.States), "state", "Terraform state file (repeatable)")
	fs.StringVar(&a.Repo, "repo", ".", "infra repository to edit")
	fs.StringVar(&a.Dir, "dir", "", "root module directory inside --repo")
	fs.StringVar(&a.IgnoreFile, "ignore-file", "", "ignore file (default: .tfdriftignore in --repo)")
	a.RegisterShared(fs)
	usage := "terraform or tofu binary, for fmt of the edited files and for --confirm (default: the config's terraform.binary, else terraform)"
	fs.StringVar(&a.Binary, "binary", "", usage)
	fs.StringVar(&a.Binary, "terraform", "", "the same as --binary")
	fs.StringVar(&a.PluginMirror, "plugin-mirror", "", "with --confirm: filesystem mirror of providers (default: the config's terraform.plugin_mirror)")
	fs.StringVar(&a.Workspace, "workspace", "default", "with --confirm: Terraform workspace")
}

// Exit statuses of accept besides 0 and 1.
const (
	ExitNotAccepted = 3
	ExitProofFailed = 4
)

// ErrNoInputs is returned when Args.Inputs is empty.
var ErrNoInputs = errors.New("accept: no event files (use - for standard input)")

// NotAcceptedError says some drifts (Skipped) or attributes (Refused)
// could not be accepted; each was explained on stderr. Exit status 3.
type NotAcceptedError struct{ Refused, Skipped int }

func (e *NotAcceptedError) Error() string {
	return fmt.Sprintf("accept: %d attributes refused, %d drifts not accepted", e.Refused, e.Skipped)
}

// ExitCode is ExitNotAccepted.
func (e *NotAcceptedError) ExitCode() int { return ExitNotAccepted }

// ProofError says that, with Confirm, a normal plan after the edit still
// showed changes for these resources. Exit status 4.
type ProofError struct{ Addresses []string }

func (e *ProofError) Error() string {
	return fmt.Sprintf("accept: terraform plan after the edit is not clean for %s: the edit does not make the code match the cloud (the plan summary is above)", strings.Join(e.Addresses, ", "))
}

// ExitCode is ExitProofFailed.
func (e *ProofError) ExitCode() int { return ExitProofFailed }

// Run accepts the drifts found in a.Inputs. The diff (DryRun) and proofs
// (Confirm) go to env.Stdout; notes, refusals and a summary line to
// env.Stderr. See the package doc for the exit statuses: an error that
// stops the job wins over *ProofError, which wins over *NotAcceptedError.
func Run(ctx context.Context, env job.Env, a Args) error {
	env = env.Complete()
	if len(a.Inputs) == 0 {
		return ErrNoInputs
	}
	if a.Repo == "" {
		a.Repo = "."
	}
	cfg, err := wiring.LoadConfig(a.ConfigFile, env.LookupEnv, env.Stderr, false)
	if err != nil {
		return err
	}
	det, err := wiring.NewDetector(ctx, wiring.DetectorOptions{
		Config: cfg, StateFiles: a.States, RepoDir: a.Repo, RootDir: a.Dir, IgnoreFile: a.IgnoreFile, Diag: env.Stderr,
	})
	if err != nil {
		return err
	}
	tf := wiring.Terraform{Binary: a.Binary, PluginMirror: a.PluginMirror}.Resolve(cfg)
	// terraform fmt formats the edited files. A binary that was asked for
	// (--binary, --terraform, the config) must exist: nothing is edited
	// otherwise. The default, missing from PATH, only costs the exact
	// terraform fmt layout, and says so.
	fmtBinary, lookErr := exec.LookPath(tf.Binary)
	if lookErr != nil && !a.DryRun {
		if a.Binary != "" || (cfg != nil && cfg.Terraform.Binary != "") {
			return fmt.Errorf("accept: terraform binary %q: %w (nothing was edited; fix --binary/--terraform or the config's terraform.binary)", tf.Binary, lookErr)
		}
		fmt.Fprintf(env.Stderr, "tfdrift: warning: %s is not on PATH: the edited files are formatted by tfdrift (hclwrite), not by terraform fmt\n", tf.Binary)
	}
	var ws *workspace.Workspace
	var confirm ConfirmFunc
	if a.Confirm {
		m, err := tf.Manager(env.Stderr)
		if err != nil {
			return err
		}
		name := a.Workspace
		if name == "" {
			name = "default"
		}
		ws, err = m.TryOpen(ctx, workspace.Spec{Repo: a.Repo, Dir: a.Dir, Workspace: name, AllowLocalState: true, Job: "tfdrift accept"})
		if err != nil {
			return err
		}
		defer ws.Close()
		confirm = func(reqs []edit.Request, skipped *[]string) ([]edit.Request, error) {
			return wiring.ConfirmRequests(ctx, ws.Runner(), reqs, skipped)
		}
	}
	res, err := Plan(ctx, det, a.Repo, a.Inputs, env.Stdin, env.Stderr, confirm)
	if err != nil {
		return err
	}
	var unclean []string
	if ws != nil {
		proofs, err := wiring.ProveEdit(ctx, ws, res.Requests)
		if err != nil {
			return err
		}
		for _, pr := range proofs {
			mark := "✔"
			if !pr.Clean {
				mark = "✘"
				unclean = append(unclean, pr.Address)
			}
			fmt.Fprintf(env.Stdout, "%s %s: terraform plan after the edit: %s\n", mark, pr.Address, pr.Summary)
		}
	}
	p := res.Plan
	for _, s := range res.Skipped {
		fmt.Fprintf(env.Stderr, "not accepted: %s\n", s)
	}
	for _, r := range p.Refusals {
		fmt.Fprintf(env.Stderr, "refused %s\n", r)
	}
	if a.DryRun {
		fmt.Fprint(env.Stdout, p.Diff())
	} else if len(p.Edits) > 0 {
		opts := []edit.ApplyOption{edit.WithContext(ctx)}
		if lookErr == nil {
			opts = append(opts, edit.FmtWith(fmtBinary))
		}
		if err := p.Apply(a.Repo, opts...); err != nil {
			return fmt.Errorf("accept: writing the edit: %w", err)
		}
	}
	for _, e := range p.Edits {
		for _, n := range e.Notes {
			fmt.Fprintf(env.Stderr, "edit %s:%d: %s\n", e.File, n.Line, n.Text)
		}
	}
	verb := "edited"
	if a.DryRun {
		verb = "would edit"
	}
	fmt.Fprintf(env.Stderr, "tfdrift accept: %s; %s %s; %d refused, %d not accepted\n",
		job.Count(res.Drifts, "drift"), verb, job.Count(len(p.Edits), "file"), len(p.Refusals), len(res.Skipped))
	switch {
	case len(unclean) > 0:
		return &ProofError{Addresses: unclean}
	case len(p.Refusals) > 0 || len(res.Skipped) > 0:
		return job.Reported(&NotAcceptedError{Refused: len(p.Refusals), Skipped: len(res.Skipped)})
	}
	return nil
}
