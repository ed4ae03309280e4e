// Package queuetest is the conformance suite of deliver.Queue: one set of
// tests that every outbox queue must pass, so that the Deliverer behaves
// the same over the in-memory MemQueue and the store (app's adapter over
// SQLite and Postgres). It checks claim order and limits, leases and their
// expiry, the three settlements, errors wrapping deliver.ErrLeaseLost for
// a worker that lost its notice, retry times, concurrent claimers, and,
// for a queue that is also a deliver.RefFinder, the receipts recorded on
// delivery.
//
// It is for tests only. It imports testing, ticket and ticket/deliver,
// never app.
package queuetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/deliver"
)

// Subject is one queue under test.
type Subject struct {
	Queue deliver.Queue
	// Enqueue adds a pending notice, due now, and returns its ID. IDs
	// grow in enqueue order.
	Enqueue func(sink string, payload []byte) (int64, error)
}

// Factory returns a fresh, empty queue for t that reads the time from
// now, so the suite can pass leases and retry times without sleeping.
type Factory func(t *testing.T, now func() time.Time) Subject

// Clock is the suite's settable clock. Its times are whole microseconds,
// which every store keeps exactly.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Start is the suite clock's first reading.
var Start = time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)

const lease = 2 * time.Minute

// Run runs the suite against the queues f makes, one fresh queue per
// subtest.
func Run(t *testing.T, f Factory) {
	tests := []struct {
		name string
		fn   func(*testing.T, *Clock, Subject)
	}{
		{"ClaimOrderAndLimit", claimOrderAndLimit},
		{"ClaimRejectsBadArguments", claimRejectsBadArguments},
		{"LeaseHoldsThenExpires", leaseHoldsThenExpires},
		{"DeliveredIsFinal", deliveredIsFinal},
		{"FailedWaitsForRetryAt", failedWaitsForRetryAt},
		{"DeadIsFinal", deadIsFinal},
		{"LostLeaseWrapsErrLeaseLost", lostLeaseWrapsErrLeaseLost},
		{"ConcurrentClaimersSplit", concurrentClaimersSplit},
		{"ReceiptsByResource", receiptsByResource},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &Clock{t: Start}
			tt.fn(t, clk, f(t, clk.Now))
		})
	}
}

var ctx = context.Background()

func enqueue(t *testing.T, s Subject, n int) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		id, err := s.Enqueue("webhook", fmt.Appendf(nil, `{"n":%d}`, i))
		if err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
		if i > 0 && id <= ids[i-1] {
			t.Fatalf("Enqueue gave id %d after %d", id, ids[i-1])
		}
		ids[i] = id
	}
	return ids
}

func claim(t *testing.T, s Subject, owner string, limit int) []deliver.Queued {
	t.Helper()
	got, err := s.Queue.Claim(ctx, owner, limit, lease)
	if err != nil {
		t.Fatalf("Claim(%s, %d): %v", owner, limit, err)
	}
	return got
}

func idsOf(qs []deliver.Queued) []int64 {
	out := make([]int64, len(qs))
	for i, q := range qs {
		out[i] = q.ID
	}
	return out
}

func claimOrderAndLimit(t *testing.T, _ *Clock, s Subject) {
	ids := enqueue(t, s, 5)
	first := claim(t, s, "w1", 3)
	if !slices.Equal(idsOf(first), ids[:3]) {
		t.Fatalf("first claim %v, want %v (oldest first, at most the limit)", idsOf(first), ids[:3])
	}
	for i, q := range first {
		if q.Sink != "webhook" || string(q.Payload) != fmt.Sprintf(`{"n":%d}`, i) || q.Attempts != 1 {
			t.Errorf("claimed %+v (payload %s), want sink webhook, payload n=%d, attempt 1", q, q.Payload, i)
		}
	}
	rest := claim(t, s, "w2", 10)
	if !slices.Equal(idsOf(rest), ids[3:]) {
		t.Errorf("second claim %v, want %v", idsOf(rest), ids[3:])
	}
	if more := claim(t, s, "w3", 10); len(more) != 0 {
		t.Errorf("claimed %v from an empty queue", idsOf(more))
	}
}

func claimRejectsBadArguments(t *testing.T, _ *Clock, s Subject) {
	enqueue(t, s, 1)
	for _, tt := range []struct {
		owner string
		limit int
		lease time.Duration
	}{{"", 1, lease}, {"w", 0, lease}, {"w", -1, lease}, {"w", 1, 0}} {
		if got, err := s.Queue.Claim(ctx, tt.owner, tt.limit, tt.lease); err == nil {
			t.Errorf("Claim(%q, %d, %v) = %v, want an error", tt.owner, tt.limit, tt.lease, idsOf(got))
		}
	}
	if got := claim(t, s, "w", 1); len(got) != 1 {
		t.Errorf("the bad claims took the notice: %v", idsOf(got))
	}
}

func leaseHoldsThenExpires(t *testing.T, clk *Clock, s Subject) {
	ids := enqueue(t, s, 2)
	claim(t, s, "dies", 2)
	clk.Advance(lease - time.Second)
	if got := claim(t, s, "other", 10); len(got) != 0 {
		t.Fatalf("claimed %v while the lease runs", idsOf(got))
	}
	clk.Advance(time.Second)
	got := claim(t, s, "other", 10)
	if !slices.Equal(idsOf(got), ids) {
		t.Fatalf("after the lease claimed %v, want %v", idsOf(got), ids)
	}
	for _, q := range got {
		if q.Attempts != 2 {
			t.Errorf("notice %d: attempt %d, want 2 (the dead worker's claim counts)", q.ID, q.Attempts)
		}
	}
	for _, id := range ids {
		if err := s.Queue.Delivered(ctx, id, "other", nil); err != nil {
			t.Errorf("Delivered by the new holder: %v", err)
		}
	}
}

func deliveredIsFinal(t *testing.T, clk *Clock, s Subject) {
	ids := enqueue(t, s, 1)
	claim(t, s, "w", 1)
	if err := s.Queue.Delivered(ctx, ids[0], "w", nil); err != nil {
		t.Fatalf("Delivered: %v", err)
	}
	if err := s.Queue.Delivered(ctx, ids[0], "w", nil); !errors.Is(err, deliver.ErrLeaseLost) {
		t.Errorf("second Delivered = %v, want ErrLeaseLost", err)
	}
	clk.Advance(24 * time.Hour)
	if got := claim(t, s, "w", 10); len(got) != 0 {
		t.Errorf("a delivered notice came back: %v", idsOf(got))
	}
}

func failedWaitsForRetryAt(t *testing.T, clk *Clock, s Subject) {
	ids := enqueue(t, s, 1)
	claim(t, s, "w", 1)
	retryAt := clk.Now().Add(90 * time.Second)
	if err := s.Queue.Failed(ctx, ids[0], "w", "HTTP 503", retryAt); err != nil {
		t.Fatalf("Failed: %v", err)
	}
	if err := s.Queue.Failed(ctx, ids[0], "w", "again", retryAt); !errors.Is(err, deliver.ErrLeaseLost) {
		t.Errorf("Failed on a settled notice = %v, want ErrLeaseLost", err)
	}
	clk.Advance(89 * time.Second)
	if got := claim(t, s, "w", 10); len(got) != 0 {
		t.Fatalf("claimed %v before its retry time", idsOf(got))
	}
	clk.Advance(time.Second)
	got := claim(t, s, "w2", 10)
	if len(got) != 1 || got[0].ID != ids[0] || got[0].Attempts != 2 {
		t.Fatalf("at its retry time claimed %+v, want notice %d attempt 2", got, ids[0])
	}
	if err := s.Queue.Delivered(ctx, ids[0], "w2", nil); err != nil {
		t.Errorf("Delivered after a retry: %v", err)
	}
}

func deadIsFinal(t *testing.T, clk *Clock, s Subject) {
	ids := enqueue(t, s, 1)
	claim(t, s, "w", 1)
	if err := s.Queue.Dead(ctx, ids[0], "w", "HTTP 400"); err != nil {
		t.Fatalf("Dead: %v", err)
	}
	if err := s.Queue.Delivered(ctx, ids[0], "w", nil); !errors.Is(err, deliver.ErrLeaseLost) {
		t.Errorf("Delivered on a dead notice = %v, want ErrLeaseLost", err)
	}
	clk.Advance(24 * time.Hour)
	if got := claim(t, s, "w", 10); len(got) != 0 {
		t.Errorf("a dead notice came back: %v", idsOf(got))
	}
}

// A worker whose lease expired and whose notice another worker claimed
// can settle nothing, in any of the three ways, and its error says why in
// the one way callers test for: errors.Is(err, deliver.ErrLeaseLost).
func lostLeaseWrapsErrLeaseLost(t *testing.T, clk *Clock, s Subject) {
	ids := enqueue(t, s, 1)
	claim(t, s, "stale", 1)
	clk.Advance(lease)
	claim(t, s, "fresh", 1)
	settles := map[string]func() error{
		"Delivered": func() error { return s.Queue.Delivered(ctx, ids[0], "stale", nil) },
		"Failed":    func() error { return s.Queue.Failed(ctx, ids[0], "stale", "x", clk.Now()) },
		"Dead":      func() error { return s.Queue.Dead(ctx, ids[0], "stale", "x") },
	}
	for name, settle := range settles {
		if err := settle(); !errors.Is(err, deliver.ErrLeaseLost) {
			t.Errorf("%s by the stale worker = %v, want an error wrapping deliver.ErrLeaseLost", name, err)
		}
	}
	if err := s.Queue.Delivered(ctx, ids[0], "fresh", nil); err != nil {
		t.Errorf("the stale worker's attempts disturbed the holder: %v", err)
	}
	// Never claimed by anyone: also a lost lease, not a success.
	other := enqueue(t, s, 1)
	if err := s.Queue.Delivered(ctx, other[0], "nobody", nil); !errors.Is(err, deliver.ErrLeaseLost) {
		t.Errorf("Delivered of an unclaimed notice = %v, want ErrLeaseLost", err)
	}
}

func concurrentClaimersSplit(t *testing.T, _ *Clock, s Subject) {
	const n, workers = 60, 4
	enqueue(t, s, n)
	var mu sync.Mutex
	seen := map[int64]string{}
	var wg sync.WaitGroup
	for w := range workers {
		owner := fmt.Sprintf("w%d", w)
		wg.Go(func() {
			for {
				got, err := s.Queue.Claim(ctx, owner, 4, lease)
				if err != nil {
					t.Errorf("Claim: %v", err)
					return
				}
				if len(got) == 0 {
					return
				}
				for _, q := range got {
					mu.Lock()
					if prev, dup := seen[q.ID]; dup {
						t.Errorf("notice %d claimed by %s and %s", q.ID, prev, owner)
					}
					seen[q.ID] = owner
					mu.Unlock()
					if err := s.Queue.Delivered(ctx, q.ID, owner, nil); err != nil {
						t.Errorf("Delivered: %v", err)
					}
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("%d notices claimed, want %d", len(seen), n)
	}
}

// receiptsByResource: receipts given to Delivered are found by resource,
// newest first, one per (fingerprint, sink, target) with the latest
// delivery's value; a settle that lost its lease records nothing.
func receiptsByResource(t *testing.T, clk *Clock, s Subject) {
	finder, ok := s.Queue.(deliver.RefFinder)
	if !ok {
		t.Skip("this queue keeps no receipts (it is not a deliver.RefFinder)")
	}
	const resA, resB = "tf\x00prod.tfstate\x00default\x00aws_instance.a", "cloud\x00aws\x00123\x00aws_s3_bucket\x00logs"
	jira := func(id string) ticket.Receipt {
		return ticket.Receipt{System: ticket.TypeJira, ExternalID: id, URL: "https://jira.example/browse/" + id}
	}
	deliverWith := func(owner string, refs ...ticket.Ref) {
		t.Helper()
		ids := enqueue(t, s, 1)
		claim(t, s, owner, 1)
		if err := s.Queue.Delivered(ctx, ids[0], owner, refs); err != nil {
			t.Fatalf("Delivered: %v", err)
		}
		clk.Advance(time.Second)
	}
	deliverWith("w", ticket.Ref{Sink: "jira", Target: "INFRA", Fingerprint: "fp1", ResourceKey: resA, Receipt: jira("INFRA-1")})
	deliverWith("w", ticket.Ref{Sink: "github", Fingerprint: "fp1", ResourceKey: resA,
		Receipt: ticket.Receipt{System: ticket.TypeGitHub, ExternalID: "12", URL: "https://github.example/acme/infra/issues/12"}})
	deliverWith("w",
		ticket.Ref{Sink: "jira", Target: "INFRA", Fingerprint: "fp2", ResourceKey: resB, Receipt: jira("INFRA-2")},
		ticket.Ref{Sink: "slack", Fingerprint: "grp_1", Receipt: ticket.Receipt{System: ticket.TypeSlack, ExternalID: "C1/1.2"}})
	// A redelivery of fp1's Jira notice that found another ticket.
	deliverWith("w", ticket.Ref{Sink: "jira", Target: "INFRA", Fingerprint: "fp1", ResourceKey: resA, Receipt: jira("INFRA-3")})

	// A stale worker records nothing.
	ids := enqueue(t, s, 1)
	claim(t, s, "stale", 1)
	clk.Advance(lease)
	claim(t, s, "fresh", 1)
	if err := s.Queue.Delivered(ctx, ids[0], "stale", []ticket.Ref{{Sink: "jira", Fingerprint: "fp9", ResourceKey: resA, Receipt: jira("INFRA-9")}}); !errors.Is(err, deliver.ErrLeaseLost) {
		t.Fatalf("stale Delivered = %v", err)
	}

	got, err := finder.Refs(ctx, []string{resA})
	if err != nil {
		t.Fatal(err)
	}
	var desc []string
	for _, r := range got {
		if r.ResourceKey != resA || r.At.IsZero() {
			t.Errorf("ref %+v: want resource %q and a time", r, resA)
		}
		desc = append(desc, fmt.Sprintf("%s/%s/%s=%s@%s %s", r.Sink, r.Target, r.Fingerprint, r.ExternalID, r.System, r.URL))
	}
	want := []string{
		"jira/INFRA/fp1=INFRA-3@jira https://jira.example/browse/INFRA-3",
		"github//fp1=12@github https://github.example/acme/infra/issues/12",
	}
	if !slices.Equal(desc, want) {
		t.Errorf("Refs(A) =\n%q\nwant\n%q", desc, want)
	}
	both, err := finder.Refs(ctx, []string{resA, resB, "no such resource"})
	if err != nil {
		t.Fatal(err)
	}
	if len(both) != 3 || both[0].ExternalID != "INFRA-3" || both[1].ExternalID != "INFRA-2" || both[1].ResourceKey != resB || both[2].ExternalID != "12" {
		t.Errorf("Refs(A, B) = %+v, want INFRA-3, INFRA-2, 12 (newest first)", both)
	}
	if none, err := finder.Refs(ctx, []string{"no such resource"}); err != nil || len(none) != 0 {
		t.Errorf("Refs(unknown) = %v, %v", none, err)
	}
}
