// Package spool is a durable journal in front of the daemon's in-memory
// pipeline, for inputs that cannot redeliver: Falco's http_output and gRPC
// outputs never retry, so an alert answered 202 and then lost in a crash
// (kill -9, OOM, power cut) before its drift was recorded would be gone.
//
// Wrap puts the spool in front of a Handler. For each message it
//
//  1. appends an entry (source, ID, received time, body) to the current
//     segment file and waits until it is fsynced: a committer goroutine
//     writes everything buffered with one write and one fsync (group
//     commit), so concurrent callers share the fsync;
//  2. passes the message on with Done wrapped: when the pipeline reports its
//     verdict, a small mark is appended (batched with the next write);
//  3. if the pipeline refuses the message (ErrOverloaded), marks it refused.
//
// At start-up, before serving, Recover redelivers in order every entry
// that has no settling mark, each to the consumer of its source
// (Consumers): Falco alerts to the drift pipeline, and journaled messages
// of other kinds (GitHub webhook deliveries) to their own consumer. An
// entry whose source has no consumer in this run stays journaled,
// undelivered and uncounted. Done(nil) marks it done; Done(err) marks it
// failed, because the pipeline has given its verdict (an alert it cannot
// decode, or a store error it logged and counted) and replaying it at every
// restart would neither change that nor let its segment be deleted.
//
// # Refused is refused, not dropped
//
// When the pipeline is full the client is answered 503 and the entry is
// marked refused, so it is not replayed later. Falco does not retry, so an
// alert refused under overload is lost, but visibly: the sender saw 503, and
// the daemon counts it. Replaying it anyway would deliver alerts that the
// sender was told were refused, and a retrying sender (falcosidekick)
// would cause a duplicate for each retry. The spool's promise concerns
// what was accepted: every 202 is either recorded or redelivered.
//
// # Crash safety
//
// Format: a segment is a header and frames of length, CRC-32C (over the
// length and the payload) and payload; entries carry a sequence number that
// increases across segments, and marks name the entry's sequence number.
// Payloads are bounded (MaxRecordBytes), so a bad length cannot make the
// reader allocate without limit.
//
//   - A caller is released only after the fsync covering its entry has
//     returned, and only then is the message passed on. So a message that
//     got a 202 is on disk, and its mark can never precede its entry.
//   - Frames are written in order, by one goroutine, one write per batch.
//     A batch holding entries is fsynced before its callers go on; a batch
//     of marks alone is synced by the next fsync (the next entries, the
//     rotation that seals the segment, or Close). Only the tail after the
//     last fsync of the newest segment can therefore be incomplete after a
//     crash: a kill during write(2) leaves a prefix (a short frame at the
//     end), and a power cut leaves the unsynced tail missing or
//     zero-filled (file systems that order data before size updates, such
//     as ext4 and xfs, never expose stale blocks there). Open recognises
//     exactly those shapes, a frame running past the end, a bad checksum on
//     the very last frame, or zeros to the end, and cuts them off. Nobody
//     was told those bytes were durable. Any other bad frame (bad checksum
//     with more data after it, bad length, a bad frame in an older
//     segment, a bad segment header) is damage: Open skips it, resuming at
//     the next frame whose length, kind, checksum and content verify, and
//     reports each skipped stretch (Damaged, Stats.Damaged) with its
//     segment and offset. One bad byte costs the frame it is in, never the
//     intact messages around it; damage never stops the spool from
//     opening.
//   - Each run starts a fresh segment; older ones are never written again,
//     so "newest segment" is also "the one a crash can have torn".
//   - After a failed write or fsync the spool stops (Err): retrying an
//     fsync is unsafe (the kernel may have dropped the dirty pages), and
//     writing more frames after a partial one would turn a torn tail into
//     damage in the middle. Every new message is then refused (503).
//   - A mark lost in a crash, or one reported after Close, leaves its entry
//     unsettled: it is replayed. Losing marks costs duplicates, never
//     messages, and the store de-duplicates drifts by fingerprint.
//   - A segment is deleted when all its entries are settled and every
//     older segment whose entries it settles is gone. Deleting it earlier
//     would make those entries look unsettled after a restart.
//   - Recover journals an attempt mark (synced) before each redelivery and
//     gives up a message delivered MaxDeliveries times, so a message that
//     crashes the daemon cannot crash-loop it forever.
//   - One process per spool directory: Open takes a flock on dir/LOCK,
//     which the kernel releases when the process dies, kill -9 included.
//
// Cost: every 202 waits for one fsync, shared by all the callers that
// arrived while the previous one ran. On local disk an fsync takes about
// 0.2 ms; under load, batches grow and the cost per message falls
// (BenchmarkAppendParallel: about one fsync per 8 messages from 8 callers).
//
// The spool keeps counters (Stats) but does not export metrics or log:
// the daemon does. It imports only app/ingest and the standard library;
// never the detector, the store or the daemon.
package spool
