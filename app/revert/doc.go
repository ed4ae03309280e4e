// Package revert is the revert job: the opposite of accept. The code is
// applied to the given resources only: a targeted plan (refreshing first)
// in a fresh working copy at a commit, checked by guards, then exactly
// that saved plan is applied (gitops/terraform, gitops/workspace).
//
// Exit status (Run's error, see job.Status), in the order docs/revert.md
// gives them:
//
//	0  reverted, or nothing to change
//	1  anything else
//	2  DryRun, and the plan has changes that pass the guards (*ChangesError)
//	3  refused by a guard (*Error wrapping terraform.UnexpectedChangesError
//	   or terraform.DestructiveChangeError)
//	4  a lock is held (terraform.LockHeldError, workspace.LockedError)
//	5  credentials (terraform.AuthError)
//	6  an unsupported terraform binary (terraform.VersionError)
//	7  the state changed between plan and apply (terraform.StalePlanError)
//
// It imports app/job and app/wiring, never another job package or
// app/daemon.
package revert
