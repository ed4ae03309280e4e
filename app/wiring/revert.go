package wiring

import (
	"errors"

	"github.com/tfdrift/tfdrift/gitops/terraform"
	"github.com/tfdrift/tfdrift/gitops/workspace"
)

// RevertFailure is what kind of failure stopped a revert, decided from the
// typed errors of gitops/terraform and gitops/workspace. `tfdrift revert`
// turns it into an exit status, the GitHub App into a sentence: both read
// the same outcome.
type RevertFailure int

// The kinds, in the order ClassifyRevert checks them (docs/revert.md).
const (
	// RevertError is anything else: bad arguments, an address not found,
	// a local state in the copy, Terraform failing during apply.
	RevertError RevertFailure = iota
	// RevertUnsupportedBinary: *terraform.VersionError.
	RevertUnsupportedBinary
	// RevertLocked: *terraform.LockHeldError or *workspace.LockedError.
	RevertLocked
	// RevertCredentials: *terraform.AuthError.
	RevertCredentials
	// RevertStalePlan: *terraform.StalePlanError; nothing was applied.
	RevertStalePlan
	// RevertRefused: a guard refused the plan
	// (*terraform.UnexpectedChangesError, *terraform.DestructiveChangeError);
	// nothing was applied.
	RevertRefused
)

// ClassifyRevert says which kind of failure err is; the first match wins,
// in the order of the constants.
func ClassifyRevert(err error) RevertFailure {
	var (
		ve *terraform.VersionError
		lh *terraform.LockHeldError
		le *workspace.LockedError
		ae *terraform.AuthError
		se *terraform.StalePlanError
		ue *terraform.UnexpectedChangesError
		de *terraform.DestructiveChangeError
	)
	switch {
	case errors.As(err, &ve):
		return RevertUnsupportedBinary
	case errors.As(err, &lh), errors.As(err, &le):
		return RevertLocked
	case errors.As(err, &ae):
		return RevertCredentials
	case errors.As(err, &se):
		return RevertStalePlan
	case errors.As(err, &ue), errors.As(err, &de):
		return RevertRefused
	}
	return RevertError
}
