// Package reconcile is what the GitHub App does about a drift once the
// drift issue exists: the accept pull request (the code follows the
// cloud), the revert (the cloud follows the code), ignore and recheck,
// and the lifecycle around them (a merged accept pull request resolves
// its drifts as accepted and closes the issue; a new drift updates an
// open pull request; auto_revert and mode: pr act without a command).
//
// A Reconciler is built once per server (New) from the store, the
// snapshot cache of repository trees, the terraform working copies (nil
// without a terraform: block) and the rule set. Its methods take plain
// requests (AcceptRequest, RevertRequest, …) naming the repository, the
// drifted resource (its state source and address, the drift issue's
// marker) and who asked, and return a Result whose Reply is the Markdown
// the comment thread gets. Parsing comments, checking the commenter's
// permission and reacting are the webhook side's (app/githubapp), which
// calls these methods through a small adapter; this package never reads
// a webhook.
//
// accept builds the edit with gitops/edit on the snapshot of the default
// branch head, for every open drift of the resource (folded: the later
// drift's value of an attribute wins, and the detector's shadow makes the
// last drift hold every change), writes it as one commit through the Git
// data API (gitops/ghapi.CommitFiles) on tfdrift/accept/<address>-<fp>,
// and opens or force-updates the pull request. With terraform, a working
// copy of the same snapshot (gitops/workspace, no git binary) gives the
// values (a targeted refresh-only plan) and proves the edit (a targeted
// plan after it must be clean); the proof is the check run "tfdrift
// proof". revert runs the guarded revert (gitops/terraform) in such a
// working copy under a per-root lease in the store, so two replicas
// never run one root at once.
//
// HonourIgnores is the pipeline's hook for "/tfdrift ignore": a Recorder
// wrapper that drops ignored values before a drift is recorded.
//
// It imports app/config, app/store and app/wiring (the accept and revert
// steps the jobs share), gitops and ticket; it must not import another
// job, app/githubapp, app/daemon or cmd.
package reconcile
