// Package workspace holds the end-to-end tests of gitops/workspace: git
// worktrees, copies and snapshots opened, initialised and applied with
// real Terraform. Tests only.
package workspace
