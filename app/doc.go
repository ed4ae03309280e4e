// Package app is the room of tfdrift's jobs. It holds no code: each job
// is a subpackage with the same shape (see app/job), and the command line
// (cmd/tfdrift) and the GitHub App run the same jobs.
//
// Jobs, one package each: app/replay, app/accept, app/revert, app/serve
// and app/demo, and the small ones app/catalog, app/locate,
// app/validate (config validate), app/drifts, app/notices and
// app/falcorules (falco-rules). The check job of the GitHub Action joins
// them as app/check. Each job decides and documents its own exit
// statuses.
//
// Shared by the jobs: app/job (Env, exit statuses, the flag grammar),
// app/wiring (the detector, backends, inputs, notices and outputs built
// from a config), app/config (the config file), app/store (drift records
// and the notice outbox), app/ingest (live inputs and the crash journal)
// and app/daemon (the long-running pipeline serve runs).
//
// Import direction: cmd → app/<job> → app/wiring → {detector, gitops,
// ticket}. No job imports another job; app/wiring and app/daemon import
// no job; nothing under detector, gitops or ticket imports app.
package app
