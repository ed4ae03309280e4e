package main

import "github.com/tfdrift/tfdrift/app/accept"

func init() {
	register("accept", command{summary: "edit the Terraform code to match the cloud (the opposite of revert)",
		run: jobCommand("accept", "accept --repo DIR [--dir ROOT] --state F [--dry-run] [--confirm] EVENTS...", acceptHelp,
			func(a *accept.Args, args []string) error { a.Inputs = args; return nil }, accept.Run)})
}

const acceptHelp = `
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

--binary and --terraform are the same flag; the config's terraform block
gives the default of --binary and --plugin-mirror.

Exit status: 0 every drift was accepted (or there was none); 3 some drifts
or attributes could not be accepted (explained on stderr); 4 --confirm's
plan after the edit was not clean (the repo is still edited); 1 an error,
such as the edit failing to be written, which takes precedence over 3 and 4.

Examples:
  tfdrift accept --repo infra --state prod.tfstate --dry-run cloudtrail.json
  tfdrift accept --repo infra --dir envs/prod --state prod.tfstate events.ndjson
  tfdrift accept --repo infra --state prod.tfstate --confirm --binary tofu events.ndjson`
