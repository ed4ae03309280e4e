package main

import "github.com/tfdrift/tfdrift/app/falcorules"

func init() {
	register("falco-rules", command{summary: "print the Falco rules, Falco chart values or EventBridge pattern for the catalog",
		run: jobCommand("falco-rules", "falco-rules [--format rules|values|eventbridge] [--url URL] [--provider aws|gcp]", falcoRulesHelp, nil, falcorules.Run)})
}

const falcoRulesHelp = `
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

Exit status: 0 printed; 1 an unknown format or provider.

Examples:
  tfdrift falco-rules > /etc/falco/rules.d/tfdrift_rules.yaml
  tfdrift falco-rules --provider aws > tfdrift_rules.yaml
  tfdrift falco-rules --format values \
    --url 'https://tfdrift.example.com/falco/${TFDRIFT_FALCO_SECRET}' > falco-values.yaml
  tfdrift falco-rules --format eventbridge > eventbridge-pattern.json`
