package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tfdrift/tfdrift/app"
	"github.com/tfdrift/tfdrift/app/demo"
)

func init() {
	register("demo", command{summary: "run the detector end to end on an embedded example (no cloud needed)", run: runDemo})
}

func runDemo(ctx context.Context, env *cmdEnv, args []string) error {
	fs := newFlagSet(env, "demo", "demo [--format text|json] [--keep]", `
Runs the whole detector on an embedded scenario: an example infra repo with
modules, its Terraform state, the seed's drift rules, and a morning of audit
events in three formats (a CloudTrail log file, a Falco alert and a GCP audit
entry). Console edits become drifts with expected/actual values, severity,
tags, who did it from where, and the file and line in the repo. Reads, failed
calls, Terraform's own apply, ignored attributes and a redelivered event are
filtered out.

Then the live half: tfdrift serve starts on a loopback port, the same
CloudTrail writes arrive as Falco alerts on POST /falco, and the drifts
stream out as they are detected, each with its detection latency.

Nothing leaves the machine. The scenario is written to a temporary
directory; --keep leaves it there so you can re-run the printed command.`)
	format := fs.String("format", "text", "output: text or json")
	keep := fs.Bool("keep", false, "keep the extracted scenario and print its path")
	replayOnly := fs.Bool("replay-only", false, "skip the live half (serve on loopback fed by Falco alerts)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "tfdrift-demo-")
	if err != nil {
		return err
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}
	sc, err := demo.Extract(dir)
	if err != nil {
		return err
	}
	rel := func(p string) string {
		if r, err := filepath.Rel(dir, p); err == nil {
			return r
		}
		return p
	}
	fmt.Fprintf(env.stderr, "tfdrift demo: replaying %d event files against %s (state) and %s (code)\n\n", len(sc.Events), rel(sc.State), rel(sc.Repo))
	cfg, err := loadConfig(env, sc.Config, false)
	if err != nil {
		return err
	}
	det, err := app.NewDetector(ctx, app.DetectorOptions{Config: cfg, StateFiles: []string{sc.State}, RepoDir: sc.Repo, Diag: env.stderr})
	if err != nil {
		return err
	}
	out, err := app.NewOutput(*format, env.stdout)
	if err != nil {
		return err
	}
	st, err := app.Replay(ctx, app.ReplayOptions{Inputs: sc.Events, Engine: det.Engine, Output: out, Diag: env.stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stderr, "tfdrift demo: %d records → %d drifts (%d repeats suppressed)\n", st.Records, st.Drifts, st.Repeats)
	fmt.Fprintf(env.stderr, "  filtered: %s\n", outcomeSummary(st))
	if !*replayOnly {
		if err := demoLive(ctx, env, sc); err != nil {
			return fmt.Errorf("live demo: %w", err)
		}
	}
	if *keep {
		fmt.Fprintf(env.stderr, "\nThe scenario is in %s. Try:\n  tfdrift replay --config %s --state %s --repo %s %s/events/*\n  tfdrift locate --repo %s module.iam.aws_iam_role_policy.app_policy\n",
			dir, sc.Config, sc.State, sc.Repo, dir, sc.Repo)
	}
	return nil
}

func outcomeSummary(st app.ReplayStats) string {
	s := ""
	for _, k := range []string{"read_only", "failed_call", "terraform_actor", "trusted_actor", "duplicate_event", "ignored", "no_change", "not_in_state", "unmapped"} {
		for o, n := range st.Outcomes {
			if string(o) == k && n > 0 {
				if s != "" {
					s += ", "
				}
				s += fmt.Sprintf("%d %s", n, k)
			}
		}
	}
	if st.Skipped > 0 {
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("%d reads or unmapped calls skipped before decoding", st.Skipped)
	}
	if s == "" {
		s = "nothing"
	}
	return s
}
