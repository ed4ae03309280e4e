package main

import (
	"context"

	"github.com/tfdrift/tfdrift/app"
	"github.com/tfdrift/tfdrift/detector/catalog"
)

func init() {
	register("catalog", command{summary: "list every mapped audit event and what it writes", run: runCatalog})
}

func runCatalog(_ context.Context, env *cmdEnv, args []string) error {
	fs := newFlagSet(env, "catalog", "catalog [--format text|json|markdown] [--provider aws|gcp]", `
Lists every audit event tfdrift maps: the provider, the event (CloudTrail
eventName or GCP methodName, without version affixes), the Terraform
resource types it touches, how each is identified in state, and the
attributes the call sets. Events not listed are ignored cheaply.

Examples:
  tfdrift catalog
  tfdrift catalog --format json | jq '.[] | select(.provider=="gcp")'
  tfdrift catalog --format markdown > docs/catalog.md`)
	format := fs.String("format", "text", "output format: text, json or markdown")
	provider := fs.String("provider", "", "only this provider (aws or gcp)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return app.WriteCatalog(env.stdout, catalog.Default(), *format, *provider)
}
