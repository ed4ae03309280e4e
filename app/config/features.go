package config

// features are the parts of tfdrift this build can run that a config may
// ask for. A config that asks for one that is off is refused with a
// message saying it is not available yet: never accepted and ignored.
//
// The GitHub App's sink, once behind a switch here, is on: its github:
// block configures it (configuredSinks lists it, so rules may name it).
var features = struct {
	// AutoRevert is the auto_revert rule action: the GitHub App runs
	// the guarded revert of a matching drift without a command
	// (app/reconcile).
	AutoRevert bool
}{
	AutoRevert: true,
}

// Messages for what is not available, in one place so that they stay the
// same wherever the config asks for it.
const (
	autoRevertNotAvailable = "auto_revert is not available in this version of tfdrift yet, so nothing would be reverted; remove the action and run `tfdrift revert` (docs/revert.md)"
)
