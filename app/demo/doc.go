// Package demo is the demo job: the whole detector end to end on the
// embedded scenario (app/demo/scenario), with no cloud and no account.
// The replay half runs the scenario's recorded events and prints the
// coverage of the example state (the events that can change each of its
// resource types, as `tfdrift catalog --coverage` does); the live half
// starts the daemon on a loopback port and posts the same writes to it as
// Falco alerts, printing each drift's detection latency.
//
// Exit status (Run's error, see job.Status): 0 the demo ran; 1 it could
// not (the scenario could not be written, the loopback port not bound).
//
// It imports app/job, app/wiring, app/daemon, the scenario and the
// detector's catalog, never another job package.
package demo
