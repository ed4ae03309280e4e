package main

import "github.com/tfdrift/tfdrift/app/catalog"

func init() {
	register("catalog", command{summary: "list every mapped audit event and what it writes",
		run: jobCommand("catalog", "catalog [--format text|json|markdown] [--provider aws|gcp] [--coverage --state FILE...]", catalogHelp, nil, catalog.Run)})
}

const catalogHelp = `
Lists every audit event tfdrift maps: the provider, the event (CloudTrail
eventName or GCP methodName, without version affixes), the Terraform
resource types it touches, how each is identified in state, and the
attributes the call sets. Events not listed are ignored cheaply.

With --coverage it reads Terraform state files instead and lists every
resource type in them with the mapped events that can create, change or
delete it. A type no mapped event covers is marked "no real-time coverage":
serve cannot see its changes, so run tfdrift check on a schedule for it; so is
a type that mapped events only create or delete. Resources of providers
without an audit log (random, tls, terraform_data) are listed as nothing to
watch. --format text (the default) or json.

Exit status: 0 listed; 1 an unknown format or provider, --coverage without
--state, or a state file that cannot be read.

Examples:
  tfdrift catalog
  tfdrift catalog --format json | jq '.[] | select(.provider=="gcp")'
  tfdrift catalog --format markdown > docs/catalog.md
  tfdrift catalog --coverage --state prod.tfstate --state net.tfstate
  tfdrift catalog --coverage --state prod.tfstate --format json | jq '.types[] | select(.audited and (.covered | not)) | .type'`
