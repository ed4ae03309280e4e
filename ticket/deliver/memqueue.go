package deliver

import (
	"container/heap"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/tfdrift/tfdrift/ticket"
)

// Status is where a notice is in a MemQueue.
type Status string

// Statuses, as the store names them.
const (
	StatusPending   Status = "pending"
	StatusInflight  Status = "inflight"
	StatusDelivered Status = "delivered"
	StatusDead      Status = "dead"
)

// Item is a MemQueue row as tests inspect it.
type Item struct {
	Queued
	Status     Status
	RetryAt    time.Time
	LeaseUntil time.Time
	Owner      string
	LastError  string
	// Refs are the receipts recorded when it was delivered.
	Refs []ticket.Ref
}

// MemQueue is an in-memory Queue with the store's semantics: claims lease
// due notices in order, an expired lease makes a notice claimable again,
// settling requires the current lease, and receipts recorded on delivery
// are found again by resource (RefFinder), one per (fingerprint, sink,
// target), the latest winning. It is safe for concurrent use.
type MemQueue struct {
	now func() time.Time

	mu      sync.Mutex
	nextID  int64
	items   map[int64]*memItem
	refs    []ticket.Ref // newest last
	ready   []int64      // claimable now, FIFO
	delayed timeHeap     // pending with a retry time
	leases  timeHeap     // inflight, by lease expiry
}

type memItem struct {
	Item
	gen int // bumped on every claim, so stale heap entries are skipped
}

// NewMemQueue returns an empty queue reading time from now (time.Now when
// nil).
func NewMemQueue(now func() time.Time) *MemQueue {
	if now == nil {
		now = time.Now
	}
	return &MemQueue{now: now, items: map[int64]*memItem{}}
}

// Enqueue adds n and returns its ID.
func (q *MemQueue) Enqueue(n *ticket.Notice) (int64, error) {
	b, err := ticket.EncodeNotice(n)
	if err != nil {
		return 0, err
	}
	return q.EnqueueRaw(n.Sink, b), nil
}

// EnqueueRaw adds an encoded notice.
func (q *MemQueue) EnqueueRaw(sink string, payload []byte) int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.nextID++
	id := q.nextID
	q.items[id] = &memItem{Item: Item{Queued: Queued{ID: id, Sink: sink, Payload: payload}, Status: StatusPending}}
	q.ready = append(q.ready, id)
	return id
}

// Claim leases up to limit due notices to owner.
func (q *MemQueue) Claim(_ context.Context, owner string, limit int, lease time.Duration) ([]Queued, error) {
	if owner == "" || limit <= 0 || lease <= 0 {
		return nil, fmt.Errorf("claim: owner %q, limit %d, lease %v", owner, limit, lease)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	for q.delayed.Len() > 0 && !q.delayed[0].at.After(now) {
		e := heap.Pop(&q.delayed).(timed)
		if it := q.items[e.id]; it != nil && it.Status == StatusPending && it.gen == e.gen {
			q.ready = append(q.ready, e.id)
		}
	}
	for q.leases.Len() > 0 && !q.leases[0].at.After(now) {
		e := heap.Pop(&q.leases).(timed)
		if it := q.items[e.id]; it != nil && it.Status == StatusInflight && it.gen == e.gen {
			// The holder died or stalled: the notice is free again.
			it.Status, it.Owner = StatusPending, ""
			q.ready = append(q.ready, e.id)
		}
	}
	var out []Queued
	for len(out) < limit && len(q.ready) > 0 {
		id := q.ready[0]
		q.ready = q.ready[1:]
		it := q.items[id]
		if it == nil || it.Status != StatusPending {
			continue
		}
		it.gen++
		it.Status, it.Owner, it.LeaseUntil = StatusInflight, owner, now.Add(lease)
		it.Attempts++
		heap.Push(&q.leases, timed{at: it.LeaseUntil, id: id, gen: it.gen})
		out = append(out, it.Queued)
	}
	return out, nil
}

func (q *MemQueue) held(id int64, owner string) (*memItem, error) {
	it := q.items[id]
	if it == nil {
		return nil, fmt.Errorf("notice %d: not found", id)
	}
	if it.Status != StatusInflight || it.Owner != owner {
		return nil, fmt.Errorf("notice %d is %s (held by %q), not %q's: %w", id, it.Status, it.Owner, owner, ErrLeaseLost)
	}
	return it, nil
}

// Delivered settles a notice as delivered and keeps its receipts.
func (q *MemQueue) Delivered(_ context.Context, id int64, owner string, refs []ticket.Ref) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	it, err := q.held(id, owner)
	if err != nil {
		return err
	}
	it.Status, it.LeaseUntil, it.LastError = StatusDelivered, time.Time{}, ""
	it.Payload = nil // delivered rows are history; keep memory flat
	it.Refs = slices.Clone(refs)
	now := q.now()
	for _, r := range refs {
		r.At = now
		r.PerDrift = nil
		q.refs = slices.DeleteFunc(q.refs, func(o ticket.Ref) bool {
			return o.Fingerprint == r.Fingerprint && o.Sink == r.Sink && o.Target == r.Target
		})
		q.refs = append(q.refs, r)
	}
	return nil
}

// Refs returns the receipts recorded about resourceKeys, newest first.
func (q *MemQueue) Refs(_ context.Context, resourceKeys []string) ([]ticket.Ref, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []ticket.Ref
	for i := len(q.refs) - 1; i >= 0; i-- {
		if r := q.refs[i]; r.ResourceKey != "" && slices.Contains(resourceKeys, r.ResourceKey) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Failed schedules a retry at retryAt.
func (q *MemQueue) Failed(_ context.Context, id int64, owner, errMsg string, retryAt time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	it, err := q.held(id, owner)
	if err != nil {
		return err
	}
	it.Status, it.LeaseUntil, it.LastError, it.RetryAt = StatusPending, time.Time{}, errMsg, retryAt
	it.gen++
	heap.Push(&q.delayed, timed{at: retryAt, id: id, gen: it.gen})
	return nil
}

// Dead dead-letters a notice with reason.
func (q *MemQueue) Dead(_ context.Context, id int64, owner, reason string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	it, err := q.held(id, owner)
	if err != nil {
		return err
	}
	it.Status, it.LeaseUntil, it.LastError = StatusDead, time.Time{}, reason
	return nil
}

// Retry makes a dead notice pending again ("tfdrift notices retry").
func (q *MemQueue) Retry(id int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	it := q.items[id]
	if it == nil || it.Status != StatusDead {
		return fmt.Errorf("notice %d is not dead", id)
	}
	it.Status, it.Attempts = StatusPending, 0
	q.ready = append(q.ready, id)
	return nil
}

// Get returns a snapshot of one notice.
func (q *MemQueue) Get(id int64) (Item, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	it, ok := q.items[id]
	if !ok {
		return Item{}, false
	}
	return it.Item, true
}

// Count returns how many notices are in each status.
func (q *MemQueue) Count() map[Status]int {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := map[Status]int{}
	for _, it := range q.items {
		out[it.Status]++
	}
	return out
}

// NextDue is the earliest time a pending notice becomes claimable, for
// tests that advance a fake clock.
func (q *MemQueue) NextDue() (time.Time, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var next time.Time
	consider := func(h timeHeap, want Status) {
		for _, e := range h {
			if it := q.items[e.id]; it != nil && it.gen == e.gen && it.Status == want && (next.IsZero() || e.at.Before(next)) {
				next = e.at
			}
		}
	}
	consider(q.delayed, StatusPending)
	consider(q.leases, StatusInflight)
	return next, !next.IsZero()
}

type timed struct {
	at  time.Time
	id  int64
	gen int
}

type timeHeap []timed

func (h timeHeap) Len() int { return len(h) }
func (h timeHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].id < h[j].id
	}
	return h[i].at.Before(h[j].at)
}
func (h timeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timeHeap) Push(x any)   { *h = append(*h, x.(timed)) }
func (h *timeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
