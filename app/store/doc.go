// Package store is tfdrift's durable state: one record per drift
// fingerprint with its lifecycle, the outbox of notices to deliver, and the
// log of input event IDs already seen. `tfdrift serve` writes it; `tfdrift
// notices` and the drift commands read and administer it.
//
// # Engines
//
// Open picks the engine from the DSN:
//
//   - SQLite (the default: a file path or sqlite:///path) via
//     modernc.org/sqlite, pure Go, no setup. WAL mode; one writer
//     connection whose transactions are BEGIN IMMEDIATE, so writes queue
//     inside the process and wait (busy_timeout) for other processes such
//     as the CLI; a small read-only pool beside it. Commits are fsynced
//     (synchronous=FULL) unless the DSN says synchronous=normal. Open runs
//     PRAGMA quick_check first and refuses a damaged file (*CorruptError)
//     before writing to it; MustExist refuses to create a missing store.
//   - Postgres (postgres://…) via pgx's database/sql adapter, for several
//     serve replicas sharing one database.
//
// Both share one implementation over database/sql and one set of SQL
// (queries.go); the dialect rewrites placeholders and adds Postgres's row
// locks. Times are integer Unix microseconds in SQLite and timestamptz in
// Postgres; every time comes from the store's clock (WithClock), not the
// database's.
//
// Migrations are embedded (migrations/<engine>/NNNN_name.sql), applied in
// order, each in its own transaction with its schema_migrations row (and
// a checksum: an edited, already-applied migration is an error, as is a
// schema newer than the binary). Replicas starting at once serialise on a
// Postgres advisory lock.
//
// # Guarantees
//
// A drift is unique by fingerprint: RecordDrift is an INSERT … ON CONFLICT
// upsert, and the notices of a drift are written in the same transaction
// only by the call that opened the record. A re-delivered event, or the
// same event handled by two replicas, therefore yields one record and one
// set of notices. Notices are further unique by (idempotency key, episode),
// where the episode counts reopenings. RecordDrifts does the same for a
// batch in one transaction (group commit: one fsync for many drifts), in
// fingerprint order so that overlapping batches of two replicas cannot
// deadlock. Transition enqueues the notices of a move (a resolve) in the
// transaction that makes it.
//
// Lifecycle: open → acknowledged → resolved | ignored, and open → resolved
// | ignored directly (Transition; anything else is a *TransitionError).
// Resolved is final for people; ignored goes back to open only when a
// person reopens the drift's GitHub issue (the App moves it). A resolved
// fingerprint that is
// detected again reopens: status open, ReopenedCount+1, and its notices are
// enqueued again (the change came back, so someone must hear about it). An
// ignored fingerprint stays ignored and is only counted.
//
// Storm control runs in the same transaction, for the notices that carry a
// StormRule, and only for a record the call opened: a redelivery is never
// counted twice. Its counts and windows are rows (storm_*), so replicas
// share them and a crash loses no held drift; a window falls due at its
// end and is flushed by claim (ClaimStorms, FlushStorm), like a notice.
//
// Receipts (what a delivered notice left at its destination) are kept per
// fingerprint, sink and target, written in MarkDelivered's transaction,
// found by fingerprint, by resource or by what they name at the
// destination (ReceiptsByExternalID: the drifts one GitHub issue tracks,
// indexed by migration 0005).
//
// For reconciliation (the GitHub App's accept pull requests and comment
// commands) it keeps named leases that replicas share (Locks: a revert's
// per-root lock, taken with an INSERT … ON CONFLICT that only replaces an
// expired lease), the drifted values people chose to ignore (Ignores),
// and the accept pull requests with the drifts each holds (Pulls).
//
// The outbox is at-least-once with leases. ClaimNotices leases due notices
// (Postgres: SELECT … FOR UPDATE SKIP LOCKED inside one UPDATE; SQLite: the
// same UPDATE … RETURNING under its single writer); a worker that dies
// loses nothing, because an expired lease makes the notice claimable
// again. A notice is delivered twice only if a worker delivered it and died
// before MarkDelivered, which is why sinks dedup by Key.
//
// The detector's shadow (Shadows, shadow.go) is kept here for serve: per
// state source, workspace, resource address and attribute, the cloud's
// last known value as JSON, tagged with the state serial it was learnt
// against. A restarted serve and every replica on the database build the
// next write's drift on it; a state reload deletes what its serial
// accounts for (Drop).
//
// # Imports
//
// store imports detector/drift (and through it detector/change), detector
// for the Shadow interface it implements, and its two database drivers. It must not import app, ticket, gitops or any
// input: they use the store, not the other way round.
package store
