// Package catalog is the catalog job: it lists every audit event tfdrift
// maps (detector/catalog), as text, JSON or the Markdown of
// docs/catalog.md, and renders the README's supported-events table
// (make docs).
//
// Exit status (Run's error, see job.Status): 0 listed; 1 an unknown format
// or provider.
//
// It imports app/job and the detector's catalog, never another job
// package.
package catalog
