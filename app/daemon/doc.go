// Package daemon runs the long-running detector that the serve job
// assembles: live inputs (Falco HTTP, Falco gRPC, SQS) feed one bounded
// pipeline that decodes, detects, records each drift durably and only
// then reports it; the state index is kept fresh by the refresher;
// /healthz, /readyz and /metrics expose its health.
//
// Backpressure: inputs hand messages to Pipeline.Handle, which never
// blocks. When the queue is full it answers ingest.ErrOverloaded, which
// the HTTP input turns into 503 with Retry-After and SQS into a later
// redelivery. Nothing is dropped silently: every refusal is counted.
//
// Nothing is decided before every state source has loaded once (gate.go):
// /falco's alerts are journaled and held (without a spool, refused with
// ErrNotLoaded, 503), the pulling inputs start only then, and the spool's
// replay waits too. Until then each state not loaded is logged every 10 s.
//
// What the detector cannot see is counted, not ignored: writes no catalog
// entry maps go to tfdrift_events_unmapped_total and each new one is
// logged once (unmapped.go). The detector's shadow (Options.Shadow) is
// shared by every engine a reload builds; the refresher drops what each
// new state version accounts for, and tfdrift_shadow_errors_total counts
// its failures across reloads (shadow.go).
//
// Seams for other jobs: Options.Routes mounts extra endpoints (the GitHub
// App's POST /webhooks/github), each authenticating its own requests;
// Options.Consumers receives, after a crash, the journaled messages of
// those routes, so that the spool replays each source to its own consumer.
// An input is journaled when it implements ingest.Journaled, not by name.
//
// The package imports app/ingest and its inputs, app/store (the Recorder's
// types) and the detector. It must not import the app root, app/wiring or
// any job package: the serve job hands it what wiring built.
package daemon
