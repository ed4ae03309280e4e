package store_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/store"
)

func TestEnqueueNotices(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		st := open(t, dsn, newClock())
		ctx := context.Background()
		d := sampleDrift("web", "v")
		if _, _, err := st.RecordDrift(ctx, d, noticesFor(d, "pagerduty")); err != nil {
			t.Fatal(err)
		}
		resolve := []store.NewNotice{{Sink: "pagerduty", Key: d.Fingerprint + "/pagerduty/resolve", Payload: []byte(`{"event_action":"resolve"}`)}}
		tests := []struct {
			name        string
			fingerprint string
			notices     []store.NewNotice
			wantAdded   int
			wantErr     error // errors.Is target; nil: no error
			anyErr      bool
		}{
			{name: "later notice for a drift", fingerprint: d.Fingerprint, notices: resolve, wantAdded: 1},
			{name: "same key again is skipped", fingerprint: d.Fingerprint, notices: resolve, wantAdded: 0},
			{name: "the drift's own notice again", fingerprint: d.Fingerprint, notices: noticesFor(d, "pagerduty"), wantAdded: 0},
			{name: "stand-alone notice", notices: []store.NewNotice{{Sink: "slack", Key: "storm/alice/1"}}, wantAdded: 1},
			{name: "nothing to add", fingerprint: d.Fingerprint, wantAdded: 0},
			{name: "unknown drift", fingerprint: "nope", notices: resolve, wantErr: store.ErrNotFound},
			{name: "empty key", notices: []store.NewNotice{{Sink: "slack"}}, anyErr: true},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				added, err := st.EnqueueNotices(ctx, tc.fingerprint, tc.notices)
				switch {
				case tc.wantErr != nil:
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("err = %v, want %v", err, tc.wantErr)
					}
				case tc.anyErr:
					if err == nil {
						t.Fatal("succeeded, want an error")
					}
				case err != nil:
					t.Fatal(err)
				case added != tc.wantAdded:
					t.Errorf("added %d, want %d", added, tc.wantAdded)
				}
			})
		}
		ns := noticesByStatus(t, st, store.NoticePending)
		if len(ns) != 3 {
			t.Errorf("%d pending notices, want 3", len(ns))
		}
	})
}

// TestClaimConcurrentOwners: two workers on two stores (replicas) drain one
// queue at once; every notice is handed out exactly once.
func TestClaimConcurrentOwners(t *testing.T) {
	const total = 300
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		a, b := open(t, dsn, clk), open(t, dsn, clk)
		standalone(t, a, "webhook", total)

		var mu sync.Mutex
		seen := map[int64]string{}
		var dups []string
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		worker := func(st store.Store, owner string) {
			for {
				ns, err := st.ClaimNotices(context.Background(), owner, 7, time.Minute)
				if err != nil {
					errs <- err
					return
				}
				if len(ns) == 0 {
					return
				}
				for _, n := range ns {
					mu.Lock()
					if prev, ok := seen[n.ID]; ok {
						dups = append(dups, fmt.Sprintf("notice %d: %s and %s", n.ID, prev, owner))
					}
					seen[n.ID] = owner
					mu.Unlock()
					if err := st.MarkDelivered(context.Background(), n.ID, owner); err != nil {
						errs <- err
						return
					}
				}
			}
		}
		for i, st := range []store.Store{a, b, a, b} {
			wg.Go(func() { worker(st, fmt.Sprintf("worker-%d", i)) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if len(dups) > 0 {
			t.Errorf("notices handed out twice:\n%s", strings.Join(dups, "\n"))
		}
		if len(seen) != total {
			t.Errorf("%d notices claimed, want %d", len(seen), total)
		}
		if n := len(noticesByStatus(t, a, store.NoticeDelivered)); n != total {
			t.Errorf("%d delivered, want %d", n, total)
		}
	})
}

func TestClaimNotices(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		t.Run("oldest first, limit, attempts", func(t *testing.T) {
			clk := newClock()
			st := open(t, dsn, clk)
			standalone(t, st, "order", 5)
			ns, err := st.ClaimNotices(ctx, "w", 3, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, n := range ns {
				keys = append(keys, n.Key)
				if n.Status != store.NoticeInflight || n.Attempts != 1 || n.LeaseOwner != "w" || !n.LeaseUntil.Equal(clk.Now().Add(time.Minute)) {
					t.Errorf("claimed %s: status %s attempts %d owner %q lease %v", n.Key, n.Status, n.Attempts, n.LeaseOwner, n.LeaseUntil)
				}
			}
			if diff := cmp.Diff([]string{"order/0", "order/1", "order/2"}, keys); diff != "" {
				t.Errorf("claimed (-want +got):\n%s", diff)
			}
			settleAll(t, st, "w", ns)
			settleAll(t, st, "w", claim(t, st, "w", 10))
		})

		bad := []struct {
			name  string
			owner string
			limit int
			lease time.Duration
		}{
			{"no owner", "", 1, time.Minute},
			{"zero limit", "w", 0, time.Minute},
			{"huge limit", "w", 5000, time.Minute},
			{"no lease", "w", 1, 0},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				st := open(t, dsn, newClock())
				if _, err := st.ClaimNotices(ctx, tc.owner, tc.limit, tc.lease); err == nil {
					t.Error("ClaimNotices succeeded, want an error")
				}
			})
		}

		t.Run("not before", func(t *testing.T) {
			clk := newClock()
			st := open(t, dsn, clk)
			if _, err := st.EnqueueNotices(ctx, "", []store.NewNotice{{Sink: "s", Key: "later", NotBefore: clk.Now().Add(time.Hour)}}); err != nil {
				t.Fatal(err)
			}
			if ns := claim(t, st, "w", 10); len(ns) != 0 {
				t.Fatalf("claimed %d notices before NotBefore", len(ns))
			}
			clk.Advance(time.Hour)
			ns := claim(t, st, "w", 10)
			if len(ns) != 1 || ns[0].Key != "later" {
				t.Fatalf("claimed %v after NotBefore, want [later]", keysOf(ns))
			}
			settleAll(t, st, "w", ns)
		})
	})
}

// TestLeaseExpiry: a worker that stops (dies, hangs) loses its notices to
// another worker once the lease runs out; its late settle is refused.
func TestLeaseExpiry(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		a, b := open(t, dsn, clk), open(t, dsn, clk)
		ctx := context.Background()
		standalone(t, a, "slack", 1)

		first := claim(t, a, "a", 10)
		if len(first) != 1 {
			t.Fatalf("a claimed %d, want 1", len(first))
		}
		if ns := claim(t, b, "b", 10); len(ns) != 0 {
			t.Fatalf("b claimed a leased notice: %v", keysOf(ns))
		}
		clk.Advance(time.Minute - time.Microsecond)
		if ns := claim(t, b, "b", 10); len(ns) != 0 {
			t.Fatalf("b claimed a notice before its lease ran out: %v", keysOf(ns))
		}
		clk.Advance(time.Microsecond)
		second := claim(t, b, "b", 10)
		if len(second) != 1 || second[0].ID != first[0].ID || second[0].Attempts != 2 {
			t.Fatalf("after expiry b claimed %+v, want notice %d on attempt 2", second, first[0].ID)
		}
		for name, mark := range map[string]func() error{
			"delivered": func() error { return a.MarkDelivered(ctx, first[0].ID, "a") },
			"failed":    func() error { return a.MarkFailed(ctx, first[0].ID, "a", "boom", time.Time{}) },
			"dead":      func() error { return a.MarkDead(ctx, first[0].ID, "a", "gone") },
		} {
			if err := mark(); !errors.Is(err, store.ErrLeaseLost) {
				t.Errorf("stale owner mark %s = %v, want ErrLeaseLost", name, err)
			}
		}
		if err := b.MarkDelivered(ctx, second[0].ID, "b"); err != nil {
			t.Fatalf("MarkDelivered by b: %v", err)
		}
		if err := b.MarkDelivered(ctx, second[0].ID, "b"); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("second MarkDelivered = %v, want ErrLeaseLost", err)
		}
		if err := b.MarkDelivered(ctx, 99999, "b"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("MarkDelivered(unknown) = %v, want ErrNotFound", err)
		}
		clk.Advance(time.Hour)
		if ns := claim(t, a, "a", 10); len(ns) != 0 {
			t.Errorf("a delivered notice was claimed again: %v", keysOf(ns))
		}
	})
}

func TestMarkFailed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		st := open(t, dsn, clk)
		ctx := context.Background()
		standalone(t, st, "jira", 1)
		n := claim(t, st, "w", 1)[0]
		retryAt := clk.Now().Add(5 * time.Minute)
		long := strings.Repeat("é", 3000) + "\x00tail"
		if err := st.MarkFailed(ctx, n.ID, "w", long, retryAt); err != nil {
			t.Fatal(err)
		}
		got := noticesByStatus(t, st, store.NoticePending)
		if len(got) != 1 {
			t.Fatalf("%d pending, want 1", len(got))
		}
		if !got[0].NextAttemptAt.Equal(retryAt) || !got[0].LeaseUntil.IsZero() || got[0].Attempts != 1 {
			t.Errorf("after MarkFailed: next %v lease %v attempts %d, want %v, zero, 1", got[0].NextAttemptAt, got[0].LeaseUntil, got[0].Attempts, retryAt)
		}
		if len(got[0].LastError) > 2100 || !strings.HasPrefix(got[0].LastError, "éé") || strings.Contains(got[0].LastError, "\x00") {
			t.Errorf("LastError not clipped and cleaned: %d bytes", len(got[0].LastError))
		}
		if ns := claim(t, st, "w", 1); len(ns) != 0 {
			t.Fatal("claimed before retryAt")
		}
		clk.Advance(5 * time.Minute)
		again := claim(t, st, "w", 1)
		if len(again) != 1 || again[0].Attempts != 2 {
			t.Fatalf("at retryAt claimed %+v, want attempt 2", again)
		}
		// A zero retry time means "now".
		if err := st.MarkFailed(ctx, again[0].ID, "w", "429", time.Time{}); err != nil {
			t.Fatal(err)
		}
		settleAll(t, st, "w", claim(t, st, "w", 1))
	})
}

func TestDeadLetters(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		st := open(t, dsn, clk)
		ctx := context.Background()
		standalone(t, st, "slack", 2)
		standalone(t, st, "jira", 1)
		for _, n := range claim(t, st, "w", 10) {
			if err := st.MarkDead(ctx, n.ID, "w", "400 invalid_blocks"); err != nil {
				t.Fatal(err)
			}
		}
		clk.Advance(24 * time.Hour)
		if ns := claim(t, st, "w", 10); len(ns) != 0 {
			t.Fatalf("dead notices were claimed: %v", keysOf(ns))
		}
		dead := noticesByStatus(t, st, store.NoticeDead)
		if len(dead) != 3 || dead[0].LastError != "400 invalid_blocks" {
			t.Fatalf("dead = %+v", dead)
		}
		counts, err := st.CountNotices(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantCounts := []store.NoticeCount{{Sink: "jira", Status: "dead", Count: 1}, {Sink: "slack", Status: "dead", Count: 2}}
		if diff := cmp.Diff(wantCounts, counts); diff != "" {
			t.Errorf("CountNotices (-want +got):\n%s", diff)
		}

		n, err := st.RetryDead(ctx, "slack")
		if err != nil || n != 2 {
			t.Fatalf("RetryDead(slack) = %d, %v, want 2", n, err)
		}
		revived := claim(t, st, "w", 10)
		if diff := cmp.Diff([]string{"slack/0", "slack/1"}, keysOf(revived)); diff != "" {
			t.Errorf("claimed after RetryDead (-want +got):\n%s", diff)
		}
		for _, r := range revived {
			if r.Attempts != 1 {
				t.Errorf("%s attempts = %d after retry, want a fresh budget (1)", r.Key, r.Attempts)
			}
		}
		settleAll(t, st, "w", revived)

		jira := noticesByStatus(t, st, store.NoticeDead)
		if len(jira) != 1 {
			t.Fatalf("%d dead left, want 1 (jira)", len(jira))
		}
		got, err := st.RetryNotice(ctx, jira[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != store.NoticePending || !got.NextAttemptAt.Equal(clk.Now()) || got.Attempts != 0 {
			t.Errorf("RetryNotice = %+v", got)
		}
		if _, err := st.RetryNotice(ctx, revived[0].ID); !errors.Is(err, store.ErrNotRetryable) {
			t.Errorf("RetryNotice(delivered) = %v, want ErrNotRetryable", err)
		}
		if _, err := st.RetryNotice(ctx, 424242); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RetryNotice(unknown) = %v, want ErrNotFound", err)
		}
		if n, err := st.RetryDead(ctx, ""); err != nil || n != 0 {
			t.Errorf("RetryDead(all) = %d, %v, want 0", n, err)
		}

		// Retention: delivered notices older than the cut go, the rest stay.
		settleAll(t, st, "w", claim(t, st, "w", 10))
		clk.Advance(time.Hour)
		pruned, err := st.PruneNotices(ctx, clk.Now().Add(-time.Minute))
		if err != nil || pruned != 3 {
			t.Errorf("PruneNotices = %d, %v, want 3", pruned, err)
		}
	})
}

func claim(t testing.TB, st store.Store, owner string, n int) []store.Notice {
	t.Helper()
	ns, err := st.ClaimNotices(context.Background(), owner, n, time.Minute)
	if err != nil {
		t.Fatalf("ClaimNotices(%s): %v", owner, err)
	}
	return ns
}

func settleAll(t testing.TB, st store.Store, owner string, ns []store.Notice) {
	t.Helper()
	for _, n := range ns {
		if err := st.MarkDelivered(context.Background(), n.ID, owner); err != nil {
			t.Fatalf("MarkDelivered(%d): %v", n.ID, err)
		}
	}
}

func keysOf(ns []store.Notice) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Key)
	}
	sort.Strings(out)
	return out
}
