package replay

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

// Args are the replay job's inputs, one field per flag.
type Args struct {
	// ConfigFile holds rules, state sources and notifications; optional.
	ConfigFile string
	// States are local state files (one per account, workspace or stack).
	States []string
	// Repo is the infra repository: file, line and module for each drift,
	// and lifecycle.ignore_changes. Dir is the root module inside it.
	Repo, Dir string
	// IgnoreFile overrides .tfdriftignore in Repo.
	IgnoreFile string
	// Format is text or json; empty means the config's output.mode, else
	// text.
	Format string
	// DetailedExitcode makes drift exit 2 (*DriftFoundError).
	DetailedExitcode bool
	// Notify also delivers each drift through the config's sinks.
	Notify bool
	// Progress, when positive, prints a progress line this often.
	Progress time.Duration
	// Inputs are the files to read; "-" is standard input.
	Inputs []string
}

// RegisterFlags binds every command-line flag of replay to a.
func (a *Args) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.ConfigFile, "config", "", "config file (rules, state sources, notifications)")
	fs.Var((*job.StringList)(&a.States), "state", "Terraform state file (repeatable; one per account, workspace or stack)")
	fs.StringVar(&a.Repo, "repo", "", "infra repository: adds file, line and module to each drift and honours lifecycle.ignore_changes and .tfdriftignore")
	fs.StringVar(&a.Dir, "dir", "", "root module directory inside --repo (default: the repo root)")
	fs.StringVar(&a.IgnoreFile, "ignore-file", "", "ignore file (default: .tfdriftignore in --repo)")
	fs.StringVar(&a.Format, "format", "", "output: text (a readable alert) or json (one drift per line); default: the config's output.mode, else text")
	fs.BoolVar(&a.DetailedExitcode, "detailed-exitcode", false, "exit 2 when drift is found, 0 when none")
	fs.BoolVar(&a.Notify, "notify", false, "also deliver drifts through the sinks configured in --config")
	fs.DurationVar(&a.Progress, "progress", 0, "print progress to stderr at this interval (e.g. 5s)")
}

// Exit statuses of replay besides 0 and 1.
const ExitDrift = 2

// ErrNoInputs is returned when Args.Inputs is empty.
var ErrNoInputs = errors.New("replay: no input files (use - for standard input)")

// BadRecordsError says some records could not be decoded; every other
// record was processed. Exit status 1.
type BadRecordsError struct{ Failed, Records, BadInputs int }

func (e *BadRecordsError) Error() string {
	s := fmt.Sprintf("replay: %d of %s could not be decoded", e.Failed, job.Count(e.Records, "record"))
	if e.BadInputs > 0 {
		s += fmt.Sprintf(", %s could not be read", job.Count(e.BadInputs, "input"))
	}
	return s
}

// ExitCode is 1.
func (e *BadRecordsError) ExitCode() int { return 1 }

// DriftFoundError is returned with DetailedExitcode when drift was found.
// Exit status 2.
type DriftFoundError struct{ Drifts int }

func (e *DriftFoundError) Error() string {
	return fmt.Sprintf("replay: %s found", job.Count(e.Drifts, "drift"))
}

// ExitCode is ExitDrift.
func (e *DriftFoundError) ExitCode() int { return ExitDrift }

// Run replays a.Inputs. Drifts go to env.Stdout, diagnostics and a closing
// summary line to env.Stderr. A bad record is reported with its file and
// record number and skipped. See the package doc for the exit statuses;
// the typed errors are returned already reported (job.Reported).
func Run(ctx context.Context, env job.Env, a Args) error {
	env = env.Complete()
	if len(a.Inputs) == 0 {
		return ErrNoInputs
	}
	cfg, err := wiring.LoadConfig(a.ConfigFile, env.LookupEnv, env.Stderr, false)
	if err != nil {
		return err
	}
	var notify func(context.Context, *drift.Drift) error
	if a.Notify {
		if cfg == nil {
			return errors.New("replay: --notify needs --config with notifications configured")
		}
		n, err := wiring.BuildNotices(cfg)
		if err != nil {
			return err
		}
		defer n.Close()
		notify = func(ctx context.Context, d *drift.Drift) error {
			return n.SendNow(ctx, d, func(t *ticket.Notice, err error) {
				if err != nil {
					fmt.Fprintf(env.Stderr, "tfdrift: notify %s → %s: FAILED: %v\n", d.Title(), t.Sink, err)
					return
				}
				fmt.Fprintf(env.Stderr, "tfdrift: notify %s → %s: sent\n", d.Title(), t.Sink)
			})
		}
	}
	det, err := wiring.NewDetector(ctx, wiring.DetectorOptions{
		Config: cfg, StateFiles: a.States, RepoDir: a.Repo, RootDir: a.Dir,
		IgnoreFile: a.IgnoreFile, Diag: env.Stderr,
	})
	if err != nil {
		return err
	}
	format := a.Format
	if format == "" && cfg != nil {
		format = cfg.Output.Mode
	}
	out, err := wiring.NewOutput(format, env.Stdout)
	if err != nil {
		return err
	}
	st, err := wiring.Replay(ctx, wiring.ReplayOptions{
		Inputs: a.Inputs, Stdin: env.Stdin, Engine: det.Engine, Output: out,
		Diag: env.Stderr, Progress: a.Progress, Notify: notify,
	})
	fatal := err != nil && !errors.Is(err, wiring.ErrBadRecords) && !errors.Is(err, errNotify)
	if fatal {
		// The error first, then how far the replay got (its drifts are on
		// stdout already).
		if ctx.Err() != nil {
			err = fmt.Errorf("replay interrupted: %w", err)
		}
		fmt.Fprintf(env.Stderr, "tfdrift: %v\n", err)
		fmt.Fprintf(env.Stderr, "tfdrift: stopped after %s\n", summary(st))
		return job.Reported(err)
	}
	fmt.Fprintf(env.Stderr, "tfdrift: %s\n", summary(st))
	if st.UnsupportedTotal() > 0 {
		fmt.Fprintf(env.Stderr, "tfdrift: skipped as unsupported (not cloud API calls): %s\n", st.UnsupportedSummary())
	}
	if err != nil {
		if errors.Is(err, wiring.ErrBadRecords) {
			return job.Reported(&BadRecordsError{Failed: st.Failed, Records: st.Records, BadInputs: st.BadInputs})
		}
		return err
	}
	if a.DetailedExitcode && st.Drifts > 0 {
		return job.Reported(&DriftFoundError{Drifts: st.Drifts})
	}
	return nil
}

// errNotify is matched by a failed --notify delivery (wiring wraps it
// with "notify:"): reported per drift already, not fatal.
var errNotify = wiring.ErrNotify

// summary is the closing line: "13 records from 1 input in 6ms: 7
// drifts, 0 repeats, 2 unsupported records skipped, 1 bad record".
func summary(st wiring.ReplayStats) string {
	s := fmt.Sprintf("%s from %s in %s: %s, %s",
		job.Count(st.Records, "record"), job.Count(st.Inputs, "input"), st.Elapsed.Round(time.Millisecond),
		job.Count(st.Drifts, "drift"), job.Count(st.Repeats, "repeat"))
	if n := st.UnsupportedTotal(); n > 0 {
		s += ", " + job.Count(n, "unsupported record") + " skipped"
	}
	s += ", " + job.Count(st.Failed, "bad record")
	if st.BadInputs > 0 {
		s += ", " + job.Count(st.BadInputs, "unreadable input")
	}
	return s
}
