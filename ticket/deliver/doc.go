// Package deliver runs the outbox's workers: it claims queued notices
// under a lease, hands each to its sink, and settles it: delivered; failed
// with a retry time (exponential backoff with jitter, or the sink's
// Retry-After); or dead with a reason (a *ticket.PermanentError, an
// undecodable row, an unknown sink, or too many attempts).
//
// Delivery is at least once: a worker that dies after sending but before
// settling leaves the notice to be claimed again when its lease expires.
// Sinks that deduplicate (PagerDuty's dedup_key, the Jira marker, the
// webhook Idempotency-Key) make that exactly once at the destination.
// Within one Deliverer, notices about the same resource for the same sink
// are sent one after another in claim order, never concurrently.
//
// A sink's Receipt (the Jira key, the PagerDuty dedup key) is passed to
// Queue.Delivered as ticket.Refs and kept; a queue that is also a
// RefFinder hands each notice the receipts of its resources just before
// it is sent (Notice.Refs), after the previous notice of the same key
// finished, so a resolve knows what its drift's notice left.
//
// Queue is the small interface the store implements (app's adapter maps
// app/store's ClaimNotices, MarkDelivered, MarkFailed, MarkDead onto it
// and translates the store's ErrLeaseLost into this package's); MemQueue
// is an in-memory Queue for tests and for replays that deliver without a
// store. Both pass queuetest, the one conformance suite of Queue.
//
// It imports ticket and the standard library; never app.
package deliver
