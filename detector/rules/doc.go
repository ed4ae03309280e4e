// Package rules gives drifts their severity, tags and actions: the
// drift_rules of the configuration (docs/semantics.md).
//
// A Rule matches a drift on resource type (exact, "*" or a glob such as
// "aws_iam_*"), on the changed attributes it watches, on conditions over the
// drift's actual values, on filters (account, region, provider, instance
// type) and on the actor not being excluded. A Set holds the rules in
// configuration order; Set.Apply gives a drift the highest severity of the
// rules that match and the union of their tags, and Set.Matched returns the
// matching rules so the notices layer can run their actions.
//
// The rules here are already typed and compiled (regular expressions,
// severities); reading and validating YAML is app/config's job.
//
// It imports only detector/drift, detector/change and the standard library,
// so the detector can use it without pulling in the app.
package rules
