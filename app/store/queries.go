package store

// The SQL both engines share. Placeholders are ?, and {{lock}} /
// {{skip_locked}} mark the Postgres row locks; dialect.sql rewrites them
// once, in newQueries. ON CONFLICT, RETURNING and partial indexes exist in
// both engines (SQLite ≥ 3.35), which is what keeps this to one set.

const driftCols = `id, fingerprint, status, change_type, provider, account_id, region,
	resource_type, resource_id, resource_address, severity, first_seen, last_seen,
	seen_count, episode_count, reopened_count, record, raw_event,
	status_changed_at, status_actor, status_note`

const noticeCols = `id, fingerprint, episode, sink, idempotency_key, payload, status,
	attempts, next_attempt_at, last_error, lease_owner, lease_until,
	created_at, updated_at, delivered_at`

// upsertDriftSQL inserts a new fingerprint, or records another sighting of
// a known one. A resolved record reopens: status open, reopened_count+1 and
// episode_count back to 1. SET expressions all see the row as it was, so
// the CASEs test the old status. The caller learns that its call opened the
// record from episode_count = 1 in the returned row; the row lock (Postgres)
// or the single writer (SQLite) makes that true for exactly one caller.
const upsertDriftSQL = `INSERT INTO drifts (fingerprint, status, change_type, provider, account_id, region,
	resource_type, resource_id, resource_address, severity, severity_rank, first_seen, last_seen,
	seen_count, episode_count, reopened_count, record, raw_event, status_changed_at, status_actor, status_note)
VALUES (?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, 0, ?, ?, ?, 'tfdrift', 'detected')
ON CONFLICT (fingerprint) DO UPDATE SET
	last_seen = excluded.last_seen,
	seen_count = drifts.seen_count + 1,
	severity = excluded.severity,
	severity_rank = excluded.severity_rank,
	record = excluded.record,
	raw_event = excluded.raw_event,
	episode_count = CASE WHEN drifts.status = 'resolved' THEN 1 ELSE drifts.episode_count + 1 END,
	reopened_count = CASE WHEN drifts.status = 'resolved' THEN drifts.reopened_count + 1 ELSE drifts.reopened_count END,
	status_changed_at = CASE WHEN drifts.status = 'resolved' THEN excluded.last_seen ELSE drifts.status_changed_at END,
	status_actor = CASE WHEN drifts.status = 'resolved' THEN 'tfdrift' ELSE drifts.status_actor END,
	status_note = CASE WHEN drifts.status = 'resolved' THEN 'detected again after resolution' ELSE drifts.status_note END,
	status = CASE WHEN drifts.status = 'resolved' THEN 'open' ELSE drifts.status END
RETURNING ` + driftCols

const insertHistorySQL = `INSERT INTO drift_history (fingerprint, at, from_status, to_status, actor, note)
VALUES (?, ?, ?, ?, ?, ?)`

const insertNoticeSQL = `INSERT INTO notices (fingerprint, episode, sink, idempotency_key, payload, status,
	attempts, next_attempt_at, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
ON CONFLICT (idempotency_key, episode) DO NOTHING`

// claimSQL leases due notices. On Postgres the inner SELECT locks its rows
// and skips rows another claimer holds, so concurrent claimers split the
// queue instead of queueing behind each other; a row claimed and committed
// meanwhile is re-checked against the WHERE and dropped. On SQLite the
// statement runs alone (one writer). An inflight notice whose lease ran out
// is due again: its worker died or hung.
const claimSQL = `UPDATE notices SET status = 'inflight', lease_owner = ?, lease_until = ?,
	attempts = attempts + 1, updated_at = ?
WHERE id IN (
	SELECT id FROM notices
	WHERE (status = 'pending' AND next_attempt_at <= ?)
	   OR (status = 'inflight' AND lease_until <= ?)
	ORDER BY id
	LIMIT ? {{skip_locked}})
RETURNING ` + noticeCols

// The settle statements only touch a notice the caller still holds.
const (
	markDeliveredSQL = `UPDATE notices SET status = 'delivered', delivered_at = ?, updated_at = ?, lease_until = NULL
WHERE id = ? AND status = 'inflight' AND lease_owner = ?`
	markFailedSQL = `UPDATE notices SET status = 'pending', next_attempt_at = ?, last_error = ?, updated_at = ?, lease_until = NULL
WHERE id = ? AND status = 'inflight' AND lease_owner = ?`
	markDeadSQL = `UPDATE notices SET status = 'dead', last_error = ?, updated_at = ?, lease_until = NULL
WHERE id = ? AND status = 'inflight' AND lease_owner = ?`
)

const retryNoticeSQL = `UPDATE notices SET status = 'pending', next_attempt_at = ?, attempts = 0, updated_at = ?, lease_until = NULL
WHERE id = ? AND status IN ('dead', 'pending')
RETURNING ` + noticeCols

const receiptCols = `fingerprint, sink, target, resource_key, system, external_id, url,
	COALESCE(notice_id, 0), created_at, updated_at`

// upsertReceiptSQL keeps one receipt per (fingerprint, sink, target): the
// latest delivery's value, with the first one's created_at.
const upsertReceiptSQL = `INSERT INTO receipts (fingerprint, sink, target, resource_key, system, external_id, url,
	notice_id, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (fingerprint, sink, target) DO UPDATE SET
	resource_key = excluded.resource_key,
	system = excluded.system,
	external_id = excluded.external_id,
	url = excluded.url,
	notice_id = excluded.notice_id,
	updated_at = excluded.updated_at`

// The storm statements (storms.go). stormLockSQL is an upsert so that it
// takes the key's row lock on Postgres even for a new key; on SQLite the
// single writer serialises decisions anyway.
const (
	stormLockSQL = `INSERT INTO storm_keys (storm_key, touched_at) VALUES (?, ?)
ON CONFLICT (storm_key) DO UPDATE SET touched_at = excluded.touched_at`
	stormOpenWindowSQL = `SELECT id FROM storm_windows
WHERE storm_key = ? AND status = 'open' AND due_at > ? ORDER BY id DESC LIMIT 1`
	// stormJoinSQL re-checks the window under its row lock: a claimer may
	// have taken it (a replica whose clock is ahead) since it was read.
	stormJoinSQL = `UPDATE storm_windows SET last_at = ? WHERE id = ? AND status = 'open' AND due_at > ?`
	stormOpenSQL = `INSERT INTO storm_windows (storm_key, sink, status, opened_at, due_at, last_at)
VALUES (?, ?, 'open', ?, ?, ?) RETURNING id`
	stormAddMemberSQL = `INSERT INTO storm_members (window_id, fingerprint, episode, at, sink, idempotency_key, payload)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (window_id, fingerprint) DO NOTHING`
	// stormClaimSQL is claimSQL for windows: due open windows and expired
	// leases, locked and skipped like notices on Postgres.
	stormClaimSQL = `UPDATE storm_windows SET status = 'flushing', lease_owner = ?, lease_until = ?,
	attempts = attempts + 1
WHERE id IN (
	SELECT id FROM storm_windows
	WHERE (status = 'open' AND due_at <= ?)
	   OR (status = 'flushing' AND lease_until <= ?)
	ORDER BY id
	LIMIT ? {{skip_locked}})
RETURNING id, storm_key, sink, opened_at, due_at, attempts`
	stormFlushSQL = `UPDATE storm_windows SET status = 'flushed', flushed_at = ?, lease_until = NULL, released = ?
WHERE id = ? AND status = 'flushing' AND lease_owner = ?`
)

// queries holds the shared SQL rewritten for one engine.
type queries struct {
	upsertDrift, insertHistory, insertNotice                string
	selectDrift, selectDriftStatus, updateStatus, history   string
	episodeOf                                               string
	claim, markDelivered, markFailed, markDead, noticeState string
	retryNotice, retryDead, retryDeadSink                   string
	countNotices, pruneNotices                              string
	recordEvent, pruneEvents                                string
	upsertReceipt, receiptsFor, receiptsByExternal          string

	stormLock, stormPrune, stormArrive, stormCount           string
	stormOpenWindow, stormJoin, stormOpen, stormAddMember    string
	stormClaim, stormFlush, stormState, stormEmptyMembers    string
	pruneStormMembers, pruneStormWindows, pruneStormArrivals string

	tryLock, lockHolder, renewLock, unlock         string
	addIgnore, activeIgnores, pruneIgnores         string
	upsertPull, getPull, openPullFor, openPulls    string
	shadowGet, shadowPut, shadowForget, shadowDrop string
}

func newQueries(d dialect) queries {
	return queries{
		upsertDrift:       d.sql(upsertDriftSQL),
		insertHistory:     d.sql(insertHistorySQL),
		insertNotice:      d.sql(insertNoticeSQL),
		selectDrift:       d.sql(`SELECT ` + driftCols + ` FROM drifts WHERE fingerprint = ?`),
		selectDriftStatus: d.sql(`SELECT status, reopened_count FROM drifts WHERE fingerprint = ? {{lock}}`),
		updateStatus: d.sql(`UPDATE drifts SET status = ?, status_changed_at = ?, status_actor = ?, status_note = ?
WHERE fingerprint = ?`),
		history: d.sql(`SELECT at, from_status, to_status, actor, note FROM drift_history
WHERE fingerprint = ? ORDER BY id`),
		// {{lock}}: a concurrent reopen must not change the episode between
		// reading it and enqueueing into it.
		episodeOf:     d.sql(`SELECT reopened_count FROM drifts WHERE fingerprint = ? {{lock}}`),
		claim:         d.sql(claimSQL),
		markDelivered: d.sql(markDeliveredSQL),
		markFailed:    d.sql(markFailedSQL),
		markDead:      d.sql(markDeadSQL),
		noticeState:   d.sql(`SELECT status, lease_owner FROM notices WHERE id = ?`),
		retryNotice:   d.sql(retryNoticeSQL),
		retryDead: d.sql(`UPDATE notices SET status = 'pending', next_attempt_at = ?, attempts = 0, updated_at = ?
WHERE status = 'dead'`),
		retryDeadSink: d.sql(`UPDATE notices SET status = 'pending', next_attempt_at = ?, attempts = 0, updated_at = ?
WHERE status = 'dead' AND sink = ?`),
		countNotices: `SELECT sink, status, COUNT(*) FROM notices GROUP BY sink, status ORDER BY sink, status`,
		pruneNotices: d.sql(`DELETE FROM notices WHERE status = 'delivered' AND delivered_at < ?`),
		recordEvent: d.sql(`INSERT INTO seen_events (source, event_id, created_at) VALUES (?, ?, ?)
ON CONFLICT (source, event_id) DO NOTHING`),
		pruneEvents: d.sql(`DELETE FROM seen_events WHERE created_at < ?`),

		upsertReceipt: d.sql(upsertReceiptSQL),
		receiptsFor:   d.sql(`SELECT ` + receiptCols + ` FROM receipts WHERE fingerprint = ? ORDER BY updated_at DESC, id DESC`),
		receiptsByExternal: d.sql(`SELECT ` + receiptCols + ` FROM receipts WHERE system = ? AND external_id = ?
			ORDER BY updated_at DESC, id DESC LIMIT 1000`),

		stormLock:         d.sql(stormLockSQL),
		stormPrune:        d.sql(`DELETE FROM storm_arrivals WHERE storm_key = ? AND at <= ?`),
		stormArrive:       d.sql(`INSERT INTO storm_arrivals (storm_key, at, fingerprint) VALUES (?, ?, ?)`),
		stormCount:        d.sql(`SELECT COUNT(*) FROM storm_arrivals WHERE storm_key = ? AND at > ?`),
		stormOpenWindow:   d.sql(stormOpenWindowSQL),
		stormJoin:         d.sql(stormJoinSQL),
		stormOpen:         d.sql(stormOpenSQL),
		stormAddMember:    d.sql(stormAddMemberSQL),
		stormClaim:        d.sql(stormClaimSQL),
		stormFlush:        d.sql(stormFlushSQL),
		stormState:        d.sql(`SELECT status, lease_owner FROM storm_windows WHERE id = ?`),
		stormEmptyMembers: d.sql(`UPDATE storm_members SET payload = ? WHERE window_id = ?`),
		pruneStormMembers: d.sql(`DELETE FROM storm_members WHERE window_id IN (
	SELECT id FROM storm_windows WHERE status = 'flushed' AND flushed_at < ?)`),
		pruneStormWindows:  d.sql(`DELETE FROM storm_windows WHERE status = 'flushed' AND flushed_at < ?`),
		pruneStormArrivals: d.sql(`DELETE FROM storm_arrivals WHERE at < ?`),

		tryLock:    d.sql(tryLockSQL),
		lockHolder: d.sql(`SELECT holder, acquired_at, expires_at FROM locks WHERE name = ?`),
		renewLock: d.sql(`UPDATE locks SET expires_at = ? WHERE name = ? AND token = ? AND expires_at > ?
RETURNING acquired_at`),
		unlock: d.sql(`DELETE FROM locks WHERE name = ? AND token = ?`),

		addIgnore: d.sql(`INSERT INTO drift_ignores (resource_key, attribute, value_hash, fingerprint, actor, note, created_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		activeIgnores: d.sql(`SELECT ` + ignoreCols + ` FROM drift_ignores
WHERE resource_key = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY id`),
		pruneIgnores: d.sql(`DELETE FROM drift_ignores WHERE expires_at IS NOT NULL AND expires_at < ?`),

		upsertPull:   d.sql(upsertPullSQL),
		getPull:      d.sql(`SELECT ` + pullCols + ` FROM reconcile_pulls WHERE repo = ? AND number = ?`),
		openPullFor:  d.sql(`SELECT ` + pullCols + ` FROM reconcile_pulls WHERE repo = ? AND state_key = ? AND address = ? AND status = 'open' ORDER BY id DESC LIMIT 1`),
		openPulls:    d.sql(`SELECT ` + pullCols + ` FROM reconcile_pulls WHERE repo = ? AND status = 'open' ORDER BY id`),
		shadowGet:    d.sql(shadowGetSQL),
		shadowPut:    d.sql(shadowPutSQL),
		shadowForget: d.sql(shadowForgetSQL),
		shadowDrop:   d.sql(shadowDropSQL),
	}
}

// tryLockSQL takes a free or expired lease: the upsert's WHERE leaves a
// live lease alone, and then RETURNING gives no row. On Postgres the
// conflicting row is locked, so two replicas cannot both take it.
const tryLockSQL = `INSERT INTO locks (name, token, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (name) DO UPDATE SET token = excluded.token, holder = excluded.holder,
	acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
WHERE locks.expires_at <= excluded.acquired_at
RETURNING token`

const ignoreCols = `id, resource_key, attribute, value_hash, fingerprint, actor, note, created_at, expires_at`

const pullCols = `repo, number, branch, state_key, address, root, issue, base_sha, head_sha, fingerprints,
	status, created_at, updated_at`

// upsertPullSQL keeps one record per pull request: the latest state, the
// first created_at.
const upsertPullSQL = `INSERT INTO reconcile_pulls (repo, number, branch, state_key, address, root, issue, base_sha, head_sha,
	fingerprints, status, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (repo, number) DO UPDATE SET
	branch = excluded.branch, state_key = excluded.state_key, address = excluded.address, root = excluded.root,
	issue = excluded.issue, base_sha = excluded.base_sha, head_sha = excluded.head_sha,
	fingerprints = excluded.fingerprints, status = excluded.status, updated_at = excluded.updated_at`

// all lists every statement, for prepareAll.
func (q queries) all() []string {
	return []string{
		q.upsertDrift, q.insertHistory, q.insertNotice,
		q.selectDrift, q.selectDriftStatus, q.updateStatus, q.history, q.episodeOf,
		q.claim, q.markDelivered, q.markFailed, q.markDead, q.noticeState,
		q.retryNotice, q.retryDead, q.retryDeadSink,
		q.countNotices, q.pruneNotices, q.recordEvent, q.pruneEvents,
		q.upsertReceipt, q.receiptsFor, q.receiptsByExternal,
		q.stormLock, q.stormPrune, q.stormArrive, q.stormCount,
		q.stormOpenWindow, q.stormJoin, q.stormOpen, q.stormAddMember,
		q.stormClaim, q.stormFlush, q.stormState, q.stormEmptyMembers,
		q.pruneStormMembers, q.pruneStormWindows, q.pruneStormArrivals,
		q.tryLock, q.lockHolder, q.renewLock, q.unlock,
		q.addIgnore, q.activeIgnores, q.pruneIgnores,
		q.upsertPull, q.getPull, q.openPullFor, q.openPulls,
		q.shadowPut, q.shadowForget, q.shadowDrop, // shadowGet runs on the read pool (shadow.go)
	}
}
