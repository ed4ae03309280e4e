package main

import (
	"context"
	"fmt"

	"github.com/tfdrift/tfdrift/app/falcorules"
	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
)

func init() {
	register("falco-rules", command{summary: "print the Falco rules, Falco chart values or EventBridge pattern for the catalog", run: runFalcoRules})
}

func runFalcoRules(_ context.Context, env *cmdEnv, args []string) error {
	fs := newFlagSet(env, "falco-rules", "falco-rules [--format rules|values|eventbridge] [--url URL] [--provider aws|gcp]", `
Prints what an upstream event source needs to forward every audit event in
tfdrift's catalog, generated from the catalog so that it cannot fall behind:

  rules        a Falco rules file for the cloudtrail and gcpaudit plugins:
               one rule per cloud service, matching every catalog event
               (and its API-versioned spellings), whose output carries the
               request, response and identity fields tfdrift decodes.
  values       values for the falcosecurity/falco Helm chart: the plugins,
               JSON http_output to tfdrift's /falco endpoint,
               append_output.extra_fields, and the rules embedded.
  eventbridge  the EventBridge event pattern for the EventBridge -> SQS input.

deploy/falco/ and deploy/aws/ hold the output for the built-in catalog.

Examples:
  tfdrift falco-rules > /etc/falco/rules.d/tfdrift_rules.yaml
  tfdrift falco-rules --provider aws > tfdrift_rules.yaml
  tfdrift falco-rules --format values \
    --url 'https://tfdrift.example.com/falco/${TFDRIFT_FALCO_SECRET}' > falco-values.yaml
  tfdrift falco-rules --format eventbridge > eventbridge-pattern.json`)
	format := fs.String("format", "rules", "output: rules, values or eventbridge")
	url := fs.String("url", "", "http_output URL in the values (default "+falcorules.DefaultURL+")")
	var providers stringList
	fs.Var(&providers, "provider", "only this provider's rules (aws or gcp; repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("falco-rules takes no arguments, got %q", fs.Args())
	}
	opts := falcorules.Options{Format: falcorules.Format(*format), URL: *url}
	for _, p := range providers {
		opts.Providers = append(opts.Providers, change.Provider(p))
	}
	out, err := falcorules.Generate(catalog.Default(), opts)
	if err != nil {
		return err
	}
	_, err = env.stdout.Write(out)
	return err
}
