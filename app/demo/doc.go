// Package demo is the demo job: the whole detector end to end on the
// embedded scenario (app/demo/scenario), with no cloud and no account.
// The replay half runs the scenario's recorded events and prints the
// coverage of the example state (the events that can change each of its
// resource types, as `tfdrift catalog --coverage` does) and what GitHub
// would show of the drifts (the GitHub App's drift issue and accept pull
// request, its comment commands, `tfdrift check`'s job summary; the
// README's GitHub App section holds the same, kept equal by a test); the
// live half
// starts the daemon on a loopback port and posts the same writes to it as
// Falco alerts, printing each drift's detection latency.
//
// Exit status (Run's error, see job.Status): 0 the demo ran; 1 it could
// not (the scenario could not be written, the loopback port not bound).
//
// It imports app/job, app/wiring, app/daemon, the scenario, the
// detector's catalog, and for the previews app/githubapp, app/reconcile
// and action; never another job package.
package demo
