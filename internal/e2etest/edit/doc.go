// Package edit holds the end-to-end tests of gitops/edit: accepted edits
// proved by a real Terraform plan showing no changes, and Apply with a
// real `terraform fmt`. Tests only.
package edit
