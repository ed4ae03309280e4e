// Package wiring builds, from a loaded config and a job's flags, the parts
// every job assembles: the detector (state backends, the index, code
// locations, the ignore file, rules), the live inputs, the notices (sinks
// and the router; the GitHub App's channel when serve hands it over with
// UseGitHub), the drift outputs, the terraform working copies, the loop
// that runs recorded events through an engine, and the Lifecycle that
// resolves the drifts that went away by themselves (accepted in state,
// reverted in the cloud).
//
// It holds no job: it does not decide exit codes, read flags or print
// summaries. The jobs (app/replay, app/accept, app/revert, app/serve,
// app/demo, …) import it; it must import none of them, nor app/daemon
// (serve hands what wiring built to the daemon), nor cmd.
package wiring
