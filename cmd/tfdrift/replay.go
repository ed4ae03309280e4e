package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tfdrift/tfdrift/app"
	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

func init() {
	register("replay", command{summary: "run audit events from files through the detector", run: runReplay})
}

// detectorFlags are shared by replay, serve and demo.
type detectorFlags struct {
	configFile string
	states     stringList
	repo, dir  string
	ignoreFile string
	format     string
}

func runReplay(ctx context.Context, env *cmdEnv, args []string) error {
	fs := newFlagSet(env, "replay", "replay [flags] FILE... | -", `
Runs audit events through the detector and prints the drifts found.

Each input may be a CloudTrail log file ({"Records":[...]}, plain or .gz), a
single CloudTrail record, NDJSON, an EventBridge envelope, a Falco alert
(http_output or falcosidekick; sources aws_cloudtrail and gcp_auditlog), a GCP
audit LogEntry or a Pub/Sub push message — detected record by record. "-"
reads standard input.

Drifts go to stdout; diagnostics to stderr. A bad record is reported with its
file and record number and skipped; the rest still run and the exit status
is 1.

Exit status: 0 ok (or, with --detailed-exitcode, no drift); 2 drift found
(--detailed-exitcode only); 1 error or bad records.

Examples:
  tfdrift replay --state terraform.tfstate cloudtrail/*.json.gz
  tfdrift replay --config tfdrift.yaml --repo ../infra --format json events.ndjson
  aws s3 cp s3://trail/...json.gz - | tfdrift replay --state prod.tfstate -
  tfdrift replay --config tfdrift.yaml --notify events.json   # try your Slack/Jira set-up`)
	var f detectorFlags
	fs.StringVar(&f.configFile, "config", "", "config file (rules, state sources, notifications)")
	fs.Var(&f.states, "state", "Terraform state file (repeatable; one per account, workspace or stack)")
	fs.StringVar(&f.repo, "repo", "", "infra repository: adds file, line and module to each drift and honours lifecycle.ignore_changes and .tfdriftignore")
	fs.StringVar(&f.dir, "dir", "", "root module directory inside --repo (default: the repo root)")
	fs.StringVar(&f.ignoreFile, "ignore-file", "", "ignore file (default: .tfdriftignore in --repo)")
	fs.StringVar(&f.format, "format", "", "output: text (a readable alert) or json (one drift per line); default: the config's output.mode, else text")
	detailed := fs.Bool("detailed-exitcode", false, "exit 2 when drift is found, 0 when none")
	notify := fs.Bool("notify", false, "also deliver drifts through the sinks configured in --config")
	progress := fs.Duration("progress", 0, "print progress to stderr at this interval (e.g. 5s)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	inputs := fs.Args()
	if len(inputs) == 0 {
		fmt.Fprintln(env.stderr, "tfdrift replay: no input files (use - for standard input)")
		return exitError{1}
	}
	cfg, err := loadConfig(env, f.configFile, false)
	if err != nil {
		return err
	}
	var notifyFn func(context.Context, *drift.Drift) error
	if *notify {
		if cfg == nil {
			return errors.New("--notify needs --config with notifications configured")
		}
		n, err := app.BuildNotices(cfg)
		if err != nil {
			return err
		}
		defer n.Close()
		notifyFn = func(ctx context.Context, d *drift.Drift) error {
			return n.SendNow(ctx, d, func(t *ticket.Notice, err error) {
				if err != nil {
					fmt.Fprintf(env.stderr, "tfdrift: notify %s → %s: FAILED: %v\n", d.Title(), t.Sink, err)
					return
				}
				fmt.Fprintf(env.stderr, "tfdrift: notify %s → %s: sent\n", d.Title(), t.Sink)
			})
		}
	}
	det, err := app.NewDetector(ctx, app.DetectorOptions{
		Config: cfg, StateFiles: f.states, RepoDir: f.repo, RootDir: f.dir,
		IgnoreFile: f.ignoreFile, Diag: env.stderr,
	})
	if err != nil {
		return err
	}
	format := f.format
	if format == "" && cfg != nil {
		format = cfg.Output.Mode
	}
	out, err := app.NewOutput(format, env.stdout)
	if err != nil {
		return err
	}
	st, err := app.Replay(ctx, app.ReplayOptions{
		Inputs: inputs, Stdin: env.stdin, Engine: det.Engine, Output: out,
		Diag: env.stderr, Progress: *progress, Notify: notifyFn,
	})
	fmt.Fprintf(env.stderr, "tfdrift: %d records from %d inputs in %s: %d drifts, %d repeats, %d bad records\n",
		st.Records, st.Inputs, st.Elapsed.Round(time.Millisecond), st.Drifts, st.Repeats, st.Failed)
	if err != nil {
		if errors.Is(err, app.ErrBadRecords) {
			return exitError{1}
		}
		return err
	}
	if *detailed && st.Drifts > 0 {
		return exitError{2}
	}
	return nil
}

// loadConfig loads --config when given. allowMissingEnv turns unset ${VAR}
// references into warnings (for config validate on a laptop).
func loadConfig(env *cmdEnv, path string, allowMissingEnv bool) (*config.Config, error) {
	if path == "" {
		return nil, nil
	}
	opts := []config.Option{config.WithEnv(env.lookupEnv)}
	if allowMissingEnv {
		opts = append(opts, config.AllowMissingEnv())
	}
	cfg, err := config.Load(path, opts...)
	if err != nil {
		return nil, err
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(env.stderr, "tfdrift: warning: %s\n", w.String())
	}
	return cfg, nil
}
