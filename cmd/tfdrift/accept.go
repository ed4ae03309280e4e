package main

import (
	"context"
	"fmt"
	"os/exec"

	"github.com/tfdrift/tfdrift/app"
	"github.com/tfdrift/tfdrift/gitops/edit"
	"github.com/tfdrift/tfdrift/gitops/workspace"
)

func init() {
	register("accept", command{summary: "edit the Terraform code to match the cloud (the opposite of revert)", run: runAccept})
}

func runAccept(ctx context.Context, env *cmdEnv, args []string) (err error) {
	fs := newFlagSet(env, "accept", "accept --repo DIR [--dir ROOT] --state F [--dry-run] EVENTS...", `
Accepts drift: the events are run through the detector, and for every drifted
attribute the .tf source is rewritten so that the code produces the value the
cloud now has. Comments and formatting are kept. Values set through a
variable, a local, a tfvars file or a module argument are followed to the
literal that sets them. Where the code cannot be edited safely (conditionals,
function calls other than jsonencode, references to other resources, dynamic
blocks, remote modules, code shared by several instances) there is no edit
and the reason is printed with the expression and its file:line. See
docs/accept.md.

After an accept, a normal terraform plan shows no changes for the resource.

With --confirm, terraform itself supplies the values (a targeted
refresh-only plan in a fresh working copy), and after the edit a normal
plan in that copy must show no changes for each resource: the proof is
printed. The working copy is thrown away; only the repo is edited.

Exit status: 0 every drift was accepted (or there was none); 3 some drifts
or attributes could not be accepted (explained on stderr); 4 --confirm's
plan after the edit was not clean; 1 an error.

Examples:
  tfdrift accept --repo infra --state prod.tfstate --dry-run cloudtrail.json
  tfdrift accept --repo infra --dir envs/prod --state prod.tfstate events.ndjson`)
	var f detectorFlags
	fs.StringVar(&f.configFile, "config", "", "config file (rules, trusted actors, ignore file)")
	fs.Var(&f.states, "state", "Terraform state file (repeatable)")
	fs.StringVar(&f.repo, "repo", ".", "infra repository to edit")
	fs.StringVar(&f.dir, "dir", "", "root module directory inside --repo")
	fs.StringVar(&f.ignoreFile, "ignore-file", "", "ignore file (default: .tfdriftignore in --repo)")
	dryRun := fs.Bool("dry-run", false, "print the edit as a unified diff instead of writing it")
	tfBin := fs.String("terraform", "terraform", "terraform (or tofu) binary: `fmt` of edited files, and --confirm")
	confirmFlag := fs.Bool("confirm", false, "ask terraform: a targeted refresh-only plan supplies the values, and a normal plan after the edit (in a working copy) must be clean")
	mirror := fs.String("plugin-mirror", "", "with --confirm: filesystem mirror of providers")
	tfWorkspace := fs.String("workspace", "default", "with --confirm: Terraform workspace")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(env.stderr, "tfdrift accept: no event files (use - for standard input)")
		return exitError{1}
	}
	cfg, err := loadConfig(env, f.configFile, false)
	if err != nil {
		return err
	}
	det, err := app.NewDetector(ctx, app.DetectorOptions{
		Config: cfg, StateFiles: f.states, RepoDir: f.repo, RootDir: f.dir, IgnoreFile: f.ignoreFile, Diag: env.stderr,
	})
	if err != nil {
		return err
	}
	var pluginCache string
	if cfg != nil {
		applyTerraformConfig(fs, cfg.Terraform, tfBin, mirror, &pluginCache, nil)
	}
	var ws *workspace.Workspace
	var confirm app.ConfirmFunc
	if *confirmFlag {
		opts := workspaceOptions(env, *tfBin, *mirror)
		if pluginCache != "" {
			opts = append(opts, workspace.PluginCacheDir(pluginCache))
		}
		m, err := workspace.NewManager(opts...)
		if err != nil {
			return err
		}
		ws, err = m.TryOpen(ctx, workspace.Spec{Repo: f.repo, Dir: f.dir, Workspace: *tfWorkspace, AllowLocalState: true, Job: "tfdrift accept"})
		if err != nil {
			return err
		}
		defer ws.Close()
		confirm = func(reqs []edit.Request, skipped *[]string) ([]edit.Request, error) {
			return app.ConfirmRequests(ctx, ws.Runner(), reqs, skipped)
		}
	}
	res, err := app.PlanAccept(ctx, det, f.repo, fs.Args(), env.stdin, env.stderr, confirm)
	if err != nil {
		return err
	}
	if ws != nil {
		proofs, err := app.ProveAccept(ctx, ws, res.Requests)
		if err != nil {
			return err
		}
		for _, pr := range proofs {
			mark := "✔"
			if !pr.Clean {
				mark = "✘"
			}
			fmt.Fprintf(env.stdout, "%s %s: terraform plan after the edit: %s\n", mark, pr.Address, pr.Summary)
			if !pr.Clean {
				defer func() { err = exitError{4} }()
			}
		}
	}
	p := res.Plan
	for _, s := range res.Skipped {
		fmt.Fprintf(env.stderr, "not accepted: %s\n", s)
	}
	for _, r := range p.Refusals {
		fmt.Fprintf(env.stderr, "refused %s\n", r)
	}
	if *dryRun {
		fmt.Fprint(env.stdout, p.Diff())
	} else if len(p.Edits) > 0 {
		var opts []edit.ApplyOption
		if path, err := exec.LookPath(*tfBin); err == nil {
			opts = append(opts, edit.FmtWith(path))
		}
		opts = append(opts, edit.WithContext(ctx))
		if err := p.Apply(f.repo, opts...); err != nil {
			return err
		}
	}
	for _, e := range p.Edits {
		for _, n := range e.Notes {
			fmt.Fprintf(env.stderr, "edit %s:%d: %s\n", e.File, n.Line, n.Text)
		}
	}
	verb := "edited"
	if *dryRun {
		verb = "would edit"
	}
	fmt.Fprintf(env.stderr, "tfdrift accept: %d drifts; %s %d files; %d refused, %d not accepted\n",
		res.Drifts, verb, len(p.Edits), len(p.Refusals), len(res.Skipped))
	if len(p.Refusals) > 0 || len(res.Skipped) > 0 {
		return exitError{3}
	}
	return nil
}
