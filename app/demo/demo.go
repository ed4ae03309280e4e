package demo

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector/catalog"
)

// Args are the demo job's inputs, one field per flag.
type Args struct {
	// Format is text or json ("" means text).
	Format string
	// Keep leaves the extracted scenario in place and prints its path.
	Keep bool
	// ReplayOnly skips the live half.
	ReplayOnly bool
}

// RegisterFlags binds every command-line flag of demo to a.
func (a *Args) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.Format, "format", "text", "output: text or json")
	fs.BoolVar(&a.Keep, "keep", false, "keep the extracted scenario and print its path")
	fs.BoolVar(&a.ReplayOnly, "replay-only", false, "skip the live half (serve on loopback fed by Falco alerts)")
}

// Run extracts the scenario to a temporary directory and runs it: drifts
// to env.Stdout, the story around them to env.Stderr.
func Run(ctx context.Context, env job.Env, a Args) error {
	env = env.Complete()
	dir, err := os.MkdirTemp("", "tfdrift-demo-")
	if err != nil {
		return err
	}
	if !a.Keep {
		defer os.RemoveAll(dir)
	}
	sc, err := scenario.Extract(dir)
	if err != nil {
		return err
	}
	rel := func(p string) string {
		if r, err := filepath.Rel(dir, p); err == nil {
			return r
		}
		return p
	}
	fmt.Fprintf(env.Stderr, "tfdrift demo: replaying %d event files against %s (state) and %s (code)\n\n", len(sc.Events), rel(sc.State), rel(sc.Repo))
	cfg, err := wiring.LoadConfig(sc.Config, env.LookupEnv, env.Stderr, false)
	if err != nil {
		return err
	}
	det, err := wiring.NewDetector(ctx, wiring.DetectorOptions{Config: cfg, StateFiles: []string{sc.State}, RepoDir: sc.Repo, Diag: env.Stderr})
	if err != nil {
		return err
	}
	out, err := wiring.NewOutput(a.Format, env.Stdout)
	if err != nil {
		return err
	}
	st, err := wiring.Replay(ctx, wiring.ReplayOptions{Inputs: sc.Events, Engine: det.Engine, Output: out, Diag: env.Stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "tfdrift demo: %s → %s (%s suppressed)\n", job.Count(st.Records, "record"), job.Count(st.Drifts, "drift"), job.Count(st.Repeats, "repeat"))
	fmt.Fprintf(env.Stderr, "  filtered: %s\n", outcomeSummary(st))
	if err := coverage(ctx, env, sc.State, rel(sc.State)); err != nil {
		return err
	}
	gh, err := previewGitHub(ctx, sc, cfg)
	if err != nil {
		return fmt.Errorf("github preview: %w", err)
	}
	writeGitHub(env.Stderr, gh)
	if !a.ReplayOnly {
		if err := live(ctx, env, sc, cfg); err != nil {
			return fmt.Errorf("live demo: %w", err)
		}
	}
	if a.Keep {
		fmt.Fprintf(env.Stderr, "\nThe scenario is in %s. Try:\n  tfdrift replay --config %s --state %s --repo %s %s/events/*\n  tfdrift locate --repo %s module.iam.aws_iam_role_policy.app_policy\n",
			dir, sc.Config, sc.State, sc.Repo, dir, sc.Repo)
	}
	return nil
}

// coverage prints what the catalog sees of the example state: the events
// that can change each of its resource types, and the types none covers
// (tfdrift catalog --coverage).
func coverage(ctx context.Context, env job.Env, statePath, name string) error {
	uses, err := wiring.StateTypes(ctx, []string{statePath})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "\ntfdrift demo: what serve can see of %s (tfdrift catalog --coverage --state %s)\n\n", name, name)
	return catalog.WriteCoverage(env.Stderr, []string{name}, catalog.Default().Coverage(uses))
}

// outcomeSummary says what the detector filtered out, in a fixed order.
func outcomeSummary(st wiring.ReplayStats) string {
	var parts []string
	for _, k := range []string{"read_only", "failed_call", "terraform_actor", "trusted_actor", "duplicate_event", "ignored", "no_change", "not_in_state", "unmapped"} {
		for o, n := range st.Outcomes {
			if string(o) == k && n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, k))
			}
		}
	}
	if st.Skipped > 0 {
		parts = append(parts, fmt.Sprintf("%d reads or unmapped calls skipped before decoding", st.Skipped))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}
