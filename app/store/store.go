package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// Store is the durable state of a tfdrift deployment: drift records and
// their lifecycle, the notice outbox and the event-ID dedup log. Both
// engines (SQLite, Postgres) implement it with the same semantics; the
// contract tests run against each.
type Store interface {
	Drifts
	Outbox
	OutboxAdmin
	Receipts
	Storms
	EventLog
	Locks
	Ignores
	Pulls
	Shadows
	// Check verifies the database is sound: on SQLite PRAGMA quick_check,
	// which fails with a *CorruptError (errors.Is ErrCorrupt) when pages
	// are damaged; on Postgres a round trip. Open runs it once; a daemon
	// may run it again for its readiness.
	Check(ctx context.Context) error
	// Close releases the database handles. A claimed notice that was not
	// marked stays claimed until its lease expires, then another worker
	// takes it: closing (or dying) never loses a notice.
	Close() error
}

// Drifts is the drift lifecycle: one record per fingerprint.
type Drifts interface {
	// RecordDrift stores d, keyed by d.Fingerprint, and in the same
	// transaction enqueues notices — but only when this call opened the
	// record: the fingerprint was new, or its record was resolved and now
	// reopens. Otherwise (a re-delivery, a second replica, a drift seen
	// again while open, acknowledged or ignored) it bumps LastSeen and
	// Count, keeps the latest JSON, and enqueues nothing. opened reports
	// which happened. d.Fingerprint must be set (drift.ComputeFingerprint).
	RecordDrift(ctx context.Context, d *drift.Drift, notices []NewNotice) (rec Record, opened bool, err error)
	// RecordDrifts is RecordDrift for a batch, in one transaction: the
	// daemon's group commit (one fsync for many drifts). It is all or
	// nothing; results are in batch order. A fingerprint twice in a batch
	// counts twice and opens at most once.
	RecordDrifts(ctx context.Context, batch []DriftWrite) ([]DriftResult, error)
	// Transition moves a record to another status on behalf of actor, and
	// in the same transaction enqueues notices (a PagerDuty resolve, a
	// Jira transition) into the record's current episode, so a crash
	// cannot separate the move from its notices. An illegal move returns a
	// *TransitionError; an unknown fingerprint ErrNotFound.
	Transition(ctx context.Context, fingerprint string, to Status, actor, note string, notices ...NewNotice) (Record, error)
	// Get returns the record of a fingerprint, or ErrNotFound.
	Get(ctx context.Context, fingerprint string) (Record, error)
	// List returns records matching f, newest first, one page at a time.
	List(ctx context.Context, f Filter) (Page, error)
	// History returns a record's status changes, oldest first.
	History(ctx context.Context, fingerprint string) ([]HistoryEntry, error)
}

// Outbox is the delivery side of the notice outbox, used by workers.
type Outbox interface {
	// EnqueueNotices adds notices outside RecordDrift (a resolve event, a
	// grouped storm notice). With a fingerprint they belong to that
	// record's current episode (ErrNotFound if there is no such record);
	// with "" they stand alone. A notice whose Key is already queued for
	// the same episode is skipped. It returns how many were added.
	EnqueueNotices(ctx context.Context, fingerprint string, notices []NewNotice) (int, error)
	// ClaimNotices leases up to limit due notices to owner for lease:
	// pending ones whose NotBefore / retry time has come, and inflight ones
	// whose lease expired (their worker died). Each claim counts as an
	// attempt. Two owners never hold the same notice at once.
	ClaimNotices(ctx context.Context, owner string, limit int, lease time.Duration) ([]Notice, error)
	// MarkDelivered, MarkFailed and MarkDead settle a claimed notice. They
	// return ErrLeaseLost when owner no longer holds it (the lease expired
	// and another worker claimed it, or it was already settled): the caller
	// must then treat its delivery as possibly duplicated, which is why
	// sinks dedup by Key.
	//
	// MarkDelivered also records the receipts the delivery left (PutReceipt,
	// with NoticeID id), in the same transaction: a delivered notice never
	// loses its receipt, and a lost lease records none.
	MarkDelivered(ctx context.Context, id int64, owner string, receipts ...Receipt) error
	// MarkFailed puts the notice back as pending, due at retryAt (now when
	// zero), remembering errMsg.
	MarkFailed(ctx context.Context, id int64, owner, errMsg string, retryAt time.Time) error
	// MarkDead parks the notice in the dead-letter state with reason; only
	// RetryNotice or RetryDead bring it back.
	MarkDead(ctx context.Context, id int64, owner, reason string) error
}

// OutboxAdmin is the operator's side of the outbox (tfdrift notices
// list|retry, metrics, retention).
type OutboxAdmin interface {
	// ListNotices returns notices matching f, newest first.
	ListNotices(ctx context.Context, f NoticeFilter) ([]Notice, error)
	// RetryNotice makes a dead (or waiting pending) notice due now with a
	// fresh attempt budget. Delivered and inflight notices are refused with
	// ErrNotRetryable: resending a delivered one would duplicate it.
	RetryNotice(ctx context.Context, id int64) (Notice, error)
	// RetryDead does RetryNotice for every dead notice of sink ("" = all
	// sinks) and returns how many it revived.
	RetryDead(ctx context.Context, sink string) (int, error)
	// CountNotices returns how many notices each sink has in each status.
	CountNotices(ctx context.Context) ([]NoticeCount, error)
	// PruneNotices deletes delivered notices delivered before olderThan,
	// and storm windows flushed before it. Their keys become free again:
	// pruning ends their dedup window. It returns how many notices it
	// deleted.
	PruneNotices(ctx context.Context, olderThan time.Time) (int64, error)
}

// Receipts keeps what delivered notices left at their destinations (a
// Jira key, a PagerDuty dedup key, a GitHub issue number and URL), so
// that later steps refer to them: a resolve transitions the Jira ticket
// its drift opened; a Slack message links the resource's GitHub issue.
type Receipts interface {
	// PutReceipt records r, replacing the receipt of the same
	// (Fingerprint, Sink, Target): the latest delivery wins, CreatedAt is
	// kept. Fingerprint and Sink are required.
	PutReceipt(ctx context.Context, r Receipt) error
	// ReceiptsFor returns the receipts of one fingerprint (a drift's, or a
	// storm group's), newest first.
	ReceiptsFor(ctx context.Context, fingerprint string) ([]Receipt, error)
	// ReceiptsForResource returns the receipts about any of resourceKeys
	// (ticket.ResourceKey), whatever their fingerprint, newest first: "the
	// GitHub issue of this resource". At most 1000.
	ReceiptsForResource(ctx context.Context, resourceKeys ...string) ([]Receipt, error)
	// ReceiptsByExternalID returns the receipts that name one thing at a
	// destination (system "github", the ExternalID), whatever
	// drift or sink left them, newest first: "the drifts this GitHub
	// issue tracks", when a person closes or reopens it. At most 1000.
	ReceiptsByExternalID(ctx context.Context, system, externalID string) ([]Receipt, error)
}

// Receipt is what one delivery left at its destination.
type Receipt struct {
	// Fingerprint is the drift the notice was about, or a storm group's
	// key; Sink and Target the notice's.
	Fingerprint string
	Sink        string
	Target      string
	// ResourceKey is ticket.ResourceKey of the drift ("" for a group's
	// receipt). It may hold NUL bytes; they round-trip.
	ResourceKey string
	// System is the kind of destination (jira, github, pagerduty …).
	System     string
	ExternalID string
	URL        string
	// NoticeID is the notice whose delivery recorded it (0 when put
	// directly).
	NoticeID  int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Storms is storm control inside the outbox. RecordDrift counts, per
// StormRule.Key, the notices of the records it opens (a redelivered or
// repeated drift opens nothing, so it is never counted twice), shares the
// count with every replica through the store, and holds the notices of a
// storm in windows. A window is an outbox row: it falls due when it ends,
// one worker claims it, and FlushStorm enqueues what it announces exactly
// once, in one transaction with marking it flushed. A worker that dies
// holding a window leaves it to be claimed again when its lease expires;
// a process that dies while a window is open loses nothing.
type Storms interface {
	// ClaimStorms leases up to limit windows to owner for lease: open
	// windows whose end (DueAt) has come, and windows whose previous
	// claimer's lease expired. Each comes with its members.
	ClaimStorms(ctx context.Context, owner string, limit int, lease time.Duration) ([]StormWindow, error)
	// FlushStorm settles a claimed window: in one transaction it enqueues
	// out (the group notice; or a member's own notice when the storm held
	// one drift; or nothing when no member is left to announce) and marks
	// the window flushed. It returns ErrLeaseLost, and enqueues nothing,
	// when owner no longer holds the window.
	FlushStorm(ctx context.Context, id int64, owner string, out []Release) error
}

// StormWindow is a claimed storm window.
type StormWindow struct {
	ID int64
	// Key is the StormRule.Key it collects; Sink the sink of its notices.
	Key  string
	Sink string
	// OpenedAt is when the drift that started the storm was recorded;
	// DueAt = OpenedAt + the window.
	OpenedAt time.Time
	DueAt    time.Time
	// Attempts counts claims, this one included.
	Attempts int
	// Members are the held drifts in arrival order, each fingerprint once.
	Members []StormMember
}

// StormMember is one drift a window holds.
type StormMember struct {
	Fingerprint string
	// Episode is the record's episode when it was held (its
	// ReopenedCount), At when it was held.
	Episode int
	At      time.Time
	// Notice is the notice as RecordDrift received it (Storm cleared).
	Notice NewNotice
	// Live reports that the record is still in that episode and open or
	// acknowledged. A drift resolved or ignored while it was held is
	// better left out of the announcement.
	Live bool
}

// Release is a notice a flushed window enqueues: the group notice, which
// stands alone (Fingerprint ""), or a member's own notice, which belongs
// to its drift's Episode.
type Release struct {
	Fingerprint string
	Episode     int
	Notice      NewNotice
}

// EventLog de-duplicates input events across replicas.
type EventLog interface {
	// RecordEvent remembers (source, eventID) and reports whether this was
	// the first time any replica saw it.
	RecordEvent(ctx context.Context, source, eventID string) (first bool, err error)
	// RecordEvents is RecordEvent for a batch of one source's IDs, in one
	// transaction; first[i] answers for eventIDs[i] (a repeat within the
	// batch is not first).
	RecordEvents(ctx context.Context, source string, eventIDs []string) (first []bool, err error)
	// PruneEvents forgets events recorded before olderThan and returns how
	// many it removed.
	PruneEvents(ctx context.Context, olderThan time.Time) (int64, error)
}

// DriftWrite is one drift for RecordDrifts, with the notices to enqueue
// if it opens a record.
type DriftWrite struct {
	Drift   *drift.Drift
	Notices []NewNotice
}

// DriftResult is what RecordDrifts did with one DriftWrite.
type DriftResult struct {
	Record Record
	// Opened: this write created or reopened the record and enqueued its
	// notices.
	Opened bool
	// Held counts the notices storm control held in a window instead of
	// enqueueing them (see NewNotice.Storm).
	Held int
}

// Status is where a drift record is in its lifecycle.
type Status string

// Statuses. Open may move to any of the others, Acknowledged to Resolved
// or Ignored, and Ignored back to Open (a person reopened the drift's
// GitHub issue, which closing it had ignored). Resolved is final for
// Transition; a resolved fingerprint that is detected again reopens
// (RecordDrift), an ignored one stays ignored.
const (
	StatusOpen         Status = "open"
	StatusAcknowledged Status = "acknowledged"
	StatusResolved     Status = "resolved"
	StatusIgnored      Status = "ignored"
)

// legalTransitions lists, for each status, where Transition may move it.
var legalTransitions = map[Status][]Status{
	StatusOpen:         {StatusAcknowledged, StatusResolved, StatusIgnored},
	StatusAcknowledged: {StatusResolved, StatusIgnored},
	StatusIgnored:      {StatusOpen},
}

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusOpen, StatusAcknowledged, StatusResolved, StatusIgnored:
		return true
	}
	return false
}

// CanMoveTo reports whether Transition allows s → to.
func (s Status) CanMoveTo(to Status) bool {
	for _, t := range legalTransitions[s] {
		if t == to {
			return true
		}
	}
	return false
}

// ParseStatus accepts a status name as the CLI and API spell it.
func ParseStatus(s string) (Status, error) {
	if st := Status(s); st.Valid() {
		return st, nil
	}
	return "", fmt.Errorf("unknown drift status %q (want open, acknowledged, resolved or ignored)", s)
}

// Record is the stored state of one fingerprint.
type Record struct {
	ID              int64
	Fingerprint     string
	Status          Status
	ChangeType      drift.ChangeType
	Provider        string
	AccountID       string
	Region          string
	ResourceType    string
	ResourceID      string
	ResourceAddress string
	Severity        drift.Severity
	// FirstSeen and LastSeen are when the store recorded the first and
	// latest sighting (the store's clock, not the cloud event's time).
	FirstSeen time.Time
	LastSeen  time.Time
	// Count is every sighting; SeenSinceOpened only those since the record
	// was last opened (1 right after a reopen).
	Count           int64
	SeenSinceOpened int64
	// ReopenedCount is how often a resolved record came back. It is also
	// the current episode: notices are unique per (Key, episode).
	ReopenedCount int
	// Drift is the latest sighting in its JSON form; RawEvent the audit
	// record that caused it, as received.
	Drift    drift.Record
	RawEvent json.RawMessage
	// StatusChangedAt, StatusActor and StatusNote describe the latest
	// status change (StatusActor is "tfdrift" when the store reopened it).
	StatusChangedAt time.Time
	StatusActor     string
	StatusNote      string
}

// Filter selects records for List. Zero fields match everything.
type Filter struct {
	// Status matches any of the listed statuses.
	Status       []Status
	ResourceType string
	// ResourceAddress matches one Terraform address exactly.
	ResourceAddress string
	// Severity is the minimum severity (High matches High and Critical).
	Severity drift.Severity
	// Since matches records last seen at or after it.
	Since time.Time
	// Limit is the page size: default 100, at most 1000.
	Limit int
	// Cursor is Page.Next of the previous page; "" starts at the newest.
	Cursor string
}

// Page is one page of List.
type Page struct {
	Records []Record
	// Next is the cursor of the following page; "" on the last page.
	Next string
}

// HistoryEntry is one status change of a record. From is "" for the
// record's creation.
type HistoryEntry struct {
	At    time.Time
	From  Status
	To    Status
	Actor string
	Note  string
}

// NewNotice is a notice to enqueue.
type NewNotice struct {
	// Sink names the destination ("slack", "pagerduty", "jira:INFRA").
	Sink string
	// Key is the idempotency key, unique per episode of a record: the same
	// Key is never enqueued twice (fingerprint+sink, or +"/resolve").
	// Sinks that dedup (PagerDuty dedup_key, the Jira marker) use it too.
	Key string
	// Payload is opaque to the store: whatever the sink's worker needs.
	Payload []byte
	// NotBefore delays the first attempt; zero means now.
	NotBefore time.Time
	// Storm, when set, puts the notice under storm control. Only
	// RecordDrift and RecordDrifts apply it, and only for a record their
	// call opened: inside the same transaction the store decides whether
	// the notice is enqueued now or held in a storm window (see Storms).
	// EnqueueNotices and Transition enqueue it as it is.
	Storm *StormRule
}

// StormRule is storm control for one notice (ticket.StormControl): Key
// names what is counted together (a sink, target and actor); the
// Threshold-th notice of a key within Window, and every later one while
// its window is open, is held, and the window falls due Window after it
// opened.
type StormRule struct {
	Key       string
	Threshold int
	Window    time.Duration
}

// NoticeStatus is where a notice is in delivery.
type NoticeStatus string

// Notice statuses.
const (
	NoticePending   NoticeStatus = "pending"
	NoticeInflight  NoticeStatus = "inflight"
	NoticeDelivered NoticeStatus = "delivered"
	NoticeDead      NoticeStatus = "dead"
)

// Valid reports whether s is one of the four notice statuses.
func (s NoticeStatus) Valid() bool {
	switch s {
	case NoticePending, NoticeInflight, NoticeDelivered, NoticeDead:
		return true
	}
	return false
}

// ParseNoticeStatus accepts a notice status name.
func ParseNoticeStatus(s string) (NoticeStatus, error) {
	if st := NoticeStatus(s); st.Valid() {
		return st, nil
	}
	return "", fmt.Errorf("unknown notice status %q (want pending, inflight, delivered or dead)", s)
}

// Notice is a stored notice.
type Notice struct {
	ID int64
	// Fingerprint is the drift record the notice belongs to ("" for a
	// stand-alone notice) and Episode that record's ReopenedCount when it
	// was enqueued.
	Fingerprint string
	Episode     int
	Sink        string
	Key         string
	Payload     []byte
	Status      NoticeStatus
	// Attempts counts claims, including ones whose worker died.
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	// LeaseOwner is the worker holding (or that last held) the notice;
	// LeaseUntil is zero unless it is inflight.
	LeaseOwner  string
	LeaseUntil  time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeliveredAt time.Time
}

// NoticeFilter selects notices for ListNotices. Zero fields match all.
type NoticeFilter struct {
	Status      []NoticeStatus
	Sink        string
	Fingerprint string
	// Limit defaults to 100, at most 1000.
	Limit int
}

// NoticeCount is how many notices of Sink are in Status.
type NoticeCount struct {
	Sink   string
	Status NoticeStatus
	Count  int64
}

// Errors callers test with errors.Is.
var (
	// ErrNotFound: no record (or notice) with that key.
	ErrNotFound = errors.New("not found")
	// ErrLeaseLost: the worker no longer holds the notice it tries to settle.
	ErrLeaseLost = errors.New("notice lease lost")
	// ErrNotRetryable: RetryNotice on a delivered or inflight notice.
	ErrNotRetryable = errors.New("notice cannot be retried")
	// ErrNoStore: Open with MustExist found no store at the DSN (no file,
	// or a database without tfdrift's schema).
	ErrNoStore = errors.New("no tfdrift store there")
	// ErrCorrupt: the SQLite file is damaged (see *CorruptError).
	ErrCorrupt = errors.New("database file is damaged")
)

// CorruptError is a SQLite store that fails PRAGMA quick_check: damaged
// pages, from a disk fault or a copy taken mid-write. It matches
// errors.Is(err, ErrCorrupt). Writing on would spread the damage; restore
// a backup, or salvage with the sqlite3 shell's .recover.
type CorruptError struct {
	Path string
	// Problems are quick_check's first findings (at most 10).
	Problems []string
}

func (e *CorruptError) Error() string {
	msg := fmt.Sprintf("store %s: the database file is damaged (PRAGMA quick_check)", e.Path)
	if len(e.Problems) > 0 {
		msg += ": " + strings.Join(e.Problems, "; ")
	}
	return msg + "; restore a backup, or salvage it with the sqlite3 shell's .recover"
}

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// TransitionError is an illegal lifecycle move.
type TransitionError struct {
	Fingerprint string
	From, To    Status
}

func (e *TransitionError) Error() string {
	allowed := legalTransitions[e.From]
	if len(allowed) == 0 {
		return fmt.Sprintf("drift %s: cannot move from %s to %s: %s is final", e.Fingerprint, e.From, e.To, e.From)
	}
	return fmt.Sprintf("drift %s: cannot move from %s to %s (allowed: %v)", e.Fingerprint, e.From, e.To, allowed)
}
