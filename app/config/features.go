package config

// features are the parts of tfdrift this build can run that a config may
// ask for. A config that asks for one that is off is refused with a
// message saying it is not available yet: never accepted and ignored.
//
// The GitHub App turns GitHub on here, in one line, in the change that
// adds its github: block and sink (and lists that sink in
// configuredSinks, so that rules may name it).
var features = struct {
	// GitHub is the GitHub issue sink: "channels: [github]" in an alert
	// action and "system: github" in a create_ticket action.
	GitHub bool
	// AutoRevert is the auto_revert rule action: the GitHub App runs
	// the guarded revert of a matching drift without a command
	// (app/reconcile).
	AutoRevert bool
}{
	GitHub:     false,
	AutoRevert: true,
}

// Messages for what is not available, in one place so that they stay the
// same wherever the config asks for it.
const (
	githubNotAvailable     = "the GitHub App (an issue per drift) is not available in this version of tfdrift yet, so nothing would be sent; remove it"
	autoRevertNotAvailable = "auto_revert is not available in this version of tfdrift yet, so nothing would be reverted; remove the action and run `tfdrift revert` (docs/revert.md)"
)
