// Package serve is the serve job: the long-running detector. It builds
// the detector, the state refresher's backends, the live inputs, the
// store, the notice outbox and its workers and the crash journal (spool)
// from the config and flags, and runs them with app/daemon until ctx ends.
// With a store it also runs the lifecycle (drifts accepted in state or
// reverted in the cloud are resolved) and the status page at /, behind
// /falco's rules; with a github: block, the GitHub App (app/githubapp):
// its webhook route and journal consumer, its code index after --repo's,
// and its issue sink and own channel in the notices.
//
// The detector's shadow (what successive writes left in the cloud) is the
// store's (--database, by default tfdrift.db), so a restart and every
// replica on the database build the next write's drift on the same cloud;
// with --database memory it is one in-memory shadow that configuration
// reloads keep.
//
// Exit status (Run's error, see job.Status):
//
//	0  stopped by ctx (SIGTERM, SIGINT) after draining in-flight events
//	1  it could not start (a bad flag or config, a state that cannot be
//	   read, a public listener without a secret, a port in use), or the
//	   HTTP server failed
//
// It imports app/job, app/wiring, app/daemon, app/githubapp and
// app/statuspage, never another job package.
package serve
