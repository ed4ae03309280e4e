// Package action renders the result of `tfdrift check` for people and for
// GitHub Actions: a readable summary for the terminal, the drift records
// one per line, SARIF 2.1.0 for code scanning, the Markdown job summary,
// workflow-command annotations and the step outputs (has-drift,
// drift-count, max-severity, report-json, report-sarif).
//
// A Report is what the check found, root module by root module; each
// format is one Output implementation with one method, Write(*Report).
// Rendering is pure: nothing here runs Terraform, reads the environment or
// decides an exit status (app/check does all three).
//
// The directory also holds what the composite action (action.yml at the
// repository root) runs: scripts/ (installing tfdrift, running the check)
// and examples/ (workflows that use the action).
//
// The package imports detector/drift and the standard library. It must not
// import app, gitops or ticket: app/check builds the Report and imports it.
package action
