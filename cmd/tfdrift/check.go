package main

import (
	"fmt"

	"github.com/tfdrift/tfdrift/app/check"
)

func init() {
	register("check", command{summary: "find drift with a refresh-only plan per root module (CI, the GitHub Action)",
		run: jobCommand("check", "check [--dir D]... [--config F] [--fail-on SEVERITY] [--json F] [--sarif F] [--open-issues] [flags]", checkHelp,
			func(a *check.Args, args []string) error {
				if len(args) > 0 {
					return fmt.Errorf("check: unexpected argument %q (give root modules with --dir)", args[0])
				}
				a.Version = version
				return nil
			}, check.Run)})
}

const checkHelp = `
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

Issues: --open-issues opens or updates one GitHub issue per drifted resource
in $GITHUB_REPOSITORY, with $GITHUB_TOKEN (a token that may write issues;
the API is $GITHUB_API_URL, default https://api.github.com; permalinks use
$GITHUB_SERVER_URL and $GITHUB_SHA). It is the GitHub App's issue: the same
title, labels, body and hidden marker, so a pipeline and the App keep one
issue per resource. A resource's first drift opens its issue; a later run
that finds the same drift writes nothing; a changed drift adds a comment and
updates the issue's table. At 50 open drift issues the rest are listed in
one "tfdrift: drifts over the limit" issue. Writes are paced (a second
apart) below GitHub's limits.

Exit status: 0 no drift at or above --fail-on; 2 drift at or above --fail-on;
1 an error (bad flags or config, a root that could not be checked, a report
that could not be written, with --open-issues a missing GITHUB_TOKEN or
GITHUB_REPOSITORY or an issue that could not be written; an error wins over
drift, and the reports are written all the same). --fail-on none never fails
on drift.

Examples:
  tfdrift check
  tfdrift check --dir envs/prod --dir envs/staging --config tfdrift.yaml --fail-on critical
  tfdrift check --dir 'envs/*' --sarif drift.sarif --json drift.ndjson
  tfdrift check --dir . --backend-config bucket=acme-tf --backend-config key=prod.tfstate --binary tofu
  GITHUB_TOKEN=… GITHUB_REPOSITORY=acme/infra tfdrift check --open-issues`
