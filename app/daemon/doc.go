// Package daemon runs `tfdrift serve`: live inputs (Falco HTTP, Falco gRPC,
// SQS) feed one bounded pipeline that decodes, detects, records each drift
// durably and only then reports it; the state index is kept fresh by the
// refresher; /healthz, /readyz and /metrics expose its health.
//
// Backpressure: inputs hand messages to Pipeline.Handle, which never
// blocks. When the queue is full it answers ingest.ErrOverloaded, which
// the HTTP input turns into 503 with Retry-After and SQS into a later
// redelivery. Nothing is dropped silently: every refusal is counted.
//
// The package imports app (detector set-up, outputs), app/store and the
// inputs; nothing imports it but cmd.
package daemon
