// Package catalog is the catalog job: it lists every audit event tfdrift
// maps (detector/catalog), as text, JSON or the Markdown of
// docs/catalog.md, and renders the README's supported-events table
// (make docs). With --coverage it reads Terraform state files and lists
// every resource type in them with the mapped events that can change it,
// marking the types no mapped event covers: a detector that silently
// ignores what it cannot map looks like a quiet cloud.
//
// Exit status (Run's error, see job.Status): 0 listed; 1 an unknown format
// or provider, --coverage without a state, or a state that cannot be read.
//
// It imports app/job, app/wiring (to read states) and the detector's
// catalog, never another job package.
package catalog
