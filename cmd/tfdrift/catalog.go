package main

import "github.com/tfdrift/tfdrift/app/catalog"

func init() {
	register("catalog", command{summary: "list every mapped audit event and what it writes",
		run: jobCommand("catalog", "catalog [--format text|json|markdown] [--provider aws|gcp]", catalogHelp, nil, catalog.Run)})
}

const catalogHelp = `
Lists every audit event tfdrift maps: the provider, the event (CloudTrail
eventName or GCP methodName, without version affixes), the Terraform
resource types it touches, how each is identified in state, and the
attributes the call sets. Events not listed are ignored cheaply.

Exit status: 0 listed; 1 an unknown format or provider.

Examples:
  tfdrift catalog
  tfdrift catalog --format json | jq '.[] | select(.provider=="gcp")'
  tfdrift catalog --format markdown > docs/catalog.md`
