// Package terraform holds the end-to-end tests of gitops/terraform: the
// Runner's confirm, accept, revert, refresh-only plans, guards and state
// locks against real Terraform and the test provider. Tests only.
package terraform
