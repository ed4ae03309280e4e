package main

import (
	"context"

	"github.com/tfdrift/tfdrift/app/check"
)

func init() {
	register("check", command{summary: "find drift with a refresh-only plan per root module (CI, the GitHub Action)", run: runCheck})
}

func runCheck(ctx context.Context, env *cmdEnv, args []string) error {
	fs := newFlagSet(env, "check", "check [--dir D]... [--config F] [--fail-on SEVERITY] [--json F] [--sarif F] [flags]", `
Finds drift without a daemon: for each root module, terraform init (with the
-backend-config of its .tfdrift.yml entry and of --backend-config), then
terraform plan -refresh-only -json -lock=false, which changes nothing and
never takes the state lock. Each resource Terraform finds changed goes
through the daemon's pipeline: .tfdriftignore and the ignore: lines of
.tfdrift.yml, lifecycle.ignore_changes, the drift_rules of --config for
severity and tags, and the code for module, file and line (of each changed
attribute where the code writes it). Roots run in parallel, --parallel at a
time; a root that fails is reported with its error and the others still are.

Roots: --dir, repeatable, directories or globs (quote them: --dir 'envs/*')
relative to --repo; without --dir, every root listed in .tfdrift.yml, else
--repo itself.

Outputs: a summary on stdout; --json one drift record per line (the record of
replay --format json); --sarif SARIF 2.1.0, one result per drifted attribute
at its line, for GitHub code scanning. With GITHUB_ACTIONS=true also the
Markdown job summary ($GITHUB_STEP_SUMMARY), ::error/::warning/::notice
annotations by severity, and the step outputs has-drift, drift-count,
max-severity, report-json and report-sarif ($GITHUB_OUTPUT), always written.

Exit status: 0 no drift at or above --fail-on; 2 drift at or above --fail-on;
1 an error (bad flags or config, a root that could not be checked, a report
that could not be written; an error wins over drift). --fail-on none never
fails on drift.

Examples:
  tfdrift check
  tfdrift check --dir envs/prod --dir envs/staging --config tfdrift.yaml --fail-on critical
  tfdrift check --dir 'envs/*' --sarif drift.sarif --json drift.ndjson
  tfdrift check --dir . --backend-config bucket=acme-tf --backend-config key=prod.tfstate --binary tofu`)
	var a check.Args
	var dirs, backend stringList
	fs.StringVar(&a.RepoDir, "repo", ".", "the repository: .tfdrift.yml and .tfdriftignore are read there, report paths are relative to it")
	fs.Var(&dirs, "dir", "root module directory or glob, relative to --repo (repeatable; default: .tfdrift.yml's roots, else --repo)")
	fs.StringVar(&a.ConfigFile, "config", "", "tfdrift config: drift_rules for severity and tags, ignore_file, terraform.binary")
	fs.StringVar(&a.FailOn, "fail-on", check.DefaultFailOn, "lowest severity that fails the check (exit 2): none, info, low, medium, high or critical")
	fs.StringVar(&a.JSONFile, "json", "", "write the drift records to this file, one per line")
	fs.StringVar(&a.SARIFFile, "sarif", "", "write SARIF 2.1.0 to this file")
	fs.StringVar(&a.Binary, "binary", "", "terraform or tofu, on PATH or a path (default: the config's terraform.binary, else terraform)")
	fs.IntVar(&a.Parallel, "parallel", 0, "root modules checked at once (default: the number of CPUs)")
	fs.Var(&backend, "backend-config", "KEY=VALUE or a file, passed to every root's terraform init as -backend-config (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitError{1}
	}
	a.Dirs, a.BackendConfig, a.Version = dirs, backend, version
	code, err := check.Run(ctx, check.Env{
		Stdout: env.stdout, Stderr: env.stderr, Getenv: env.getenv, LookupEnv: env.lookupEnv,
	}, a)
	if err != nil {
		return err
	}
	if code != 0 {
		return exitError{code}
	}
	return nil
}
