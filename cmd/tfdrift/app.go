package main

import (
	"context"
	"fmt"

	"github.com/tfdrift/tfdrift/app/ghappcmd"
	"github.com/tfdrift/tfdrift/app/job"
)

func init() {
	subs := map[string]func(context.Context, job.Env, []string) error{
		"manifest": jobCommand("app manifest", "app manifest --url BASE [--name NAME]", appManifestHelp, nil, ghappcmd.Manifest),
		"setup":    jobCommand("app setup", "app setup --url BASE [--listen 127.0.0.1:3000] [--org ORG] [--github-url https://github.com]", appSetupHelp, nil, ghappcmd.Setup),
		"status":   jobCommand("app status", "app status --config F [--database DSN]", appStatusHelp, nil, ghappcmd.Status),
	}
	register("app", command{summary: "the GitHub App: its manifest, its setup, what it sees (app manifest|setup|status)",
		run: func(ctx context.Context, env job.Env, args []string) error {
			if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
				fmt.Fprint(env.Stdout, appHelp)
				if len(args) == 0 {
					return job.Exit(ghappcmd.ExitUsage)
				}
				return nil
			}
			sub, ok := subs[args[0]]
			if !ok {
				fmt.Fprintf(env.Stderr, "tfdrift: app: unknown subcommand %q\n\n%s", args[0], appHelp)
				return job.Exit(ghappcmd.ExitUsage)
			}
			return sub(ctx, env, args[1:])
		}})
}

const appHelp = `Usage: tfdrift app manifest|setup|status [flags]

The GitHub App opens one issue per drifted resource on the repository that
holds its code (docs/github-app.md).

  manifest   print the App's manifest (permissions, events, webhook URL)
  setup      create the App with GitHub's manifest flow, from a local page
  status     list what the App sees: installations, repositories, roots,
             states, .tfdrift.yml problems, states no repository claims

Exit status: 0 done; 1 it could not run; 2 usage; 3 (status) something to
fix is listed. Run 'tfdrift app <subcommand> --help' for its flags, exit
status and examples.
`

const appManifestHelp = `
Prints the GitHub App manifest as JSON: the permissions tfdrift needs
(contents, issues, pull_requests and checks write; metadata read), the
events it takes (installation, installation_repositories, push, issues,
issue_comment, pull_request) and the webhook at BASE/webhooks/github.
Register the App by hand with it, or let 'tfdrift app setup' do it.

Exit status: 0 printed; 1 a bad --url; 2 usage.

Examples:
  tfdrift app manifest --url https://tfdrift.example.com
  tfdrift app manifest --url https://tfdrift.example.com --name acme-tfdrift > manifest.json`

const appSetupHelp = `
Creates the GitHub App with GitHub's manifest flow:

  1. open the page it serves (--listen) in a browser on this machine;
  2. its button posts the manifest to GITHUB-URL/settings/apps/new (or the
     organisation's page with --org), where you confirm;
  3. GitHub sends the browser back with a code, which is exchanged at
     POST API-URL/app-manifests/{code}/conversions for the App's ID, key
     and webhook secret;
  4. the key goes to --key-file and the secret to --secret-file, both mode
     0600 (neither may exist yet), and the github: block for tfdrift's
     config is printed. The key and the secret are never printed.

--url is where GitHub will reach tfdrift serve: the App's webhook is
URL/webhooks/github. It waits for the browser until interrupted.

Exit status: 0 the App is created; 1 it could not be (a file already
there, the exchange refused, interrupted); 2 usage.

Examples:
  tfdrift app setup --url https://tfdrift.example.com
  tfdrift app setup --url https://tfdrift.example.com --org acme --name acme-tfdrift
  tfdrift app setup --url https://tfdrift.acme.internal --github-url https://github.acme.internal`

const appStatusHelp = `
Lists what the GitHub App of --config sees, as serve would, without
writing anything to GitHub: each installation's repositories; for each
repository with a .tfdrift.yml, the commit in use, its roots, the state
each names and from which severity it opens issues; the .tfdrift.yml
files (or code) that do not load, at their line; roots that name no
configured state; and the configured states no repository claims, whose
drifts open no issue. With --database, also the open drifts no repository
claims.

Exit status: 0 nothing to fix; 1 it could not run (a bad config, GitHub
unreachable); 2 usage; 3 something to fix is listed.

Examples:
  tfdrift app status --config /etc/tfdrift/tfdrift.yaml
  tfdrift app status --config tfdrift.yaml --database sqlite:///var/lib/tfdrift/tfdrift.db`
