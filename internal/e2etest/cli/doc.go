// Package cli holds the end-to-end tests of the tfdrift binary: it is
// built from ./cmd/tfdrift and run as a user would run accept, accept
// --confirm and revert, against real Terraform and the test provider.
// Tests only.
package cli
