package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/drift"
)

// stormRule is the rule of the tests' one storm key: alice's drifts to
// the pager, three in five minutes.
var stormRule = store.StormRule{Key: "storm_alice_pager", Threshold: 3, Window: 5 * time.Minute}

// stormNotice is d's pager notice under stormRule.
func stormNotice(d *drift.Drift) []store.NewNotice {
	rule := stormRule
	return []store.NewNotice{{Sink: "pagerduty", Key: d.Fingerprint + "/pagerduty", Payload: []byte(`{"fp":"` + d.Fingerprint + `"}`), Storm: &rule}}
}

// record records d with its storm notice and returns how many notices
// were held.
func record(t testing.TB, st store.Store, d *drift.Drift) (opened bool, held int) {
	t.Helper()
	res, err := st.RecordDrifts(context.Background(), []store.DriftWrite{{Drift: d, Notices: stormNotice(d)}})
	if err != nil {
		t.Fatalf("RecordDrifts(%s): %v", d.ResourceAddress, err)
	}
	return res[0].Opened, res[0].Held
}

func claimStorms(t testing.TB, st store.Store, owner string) []store.StormWindow {
	t.Helper()
	ws, err := st.ClaimStorms(context.Background(), owner, 10, time.Minute)
	if err != nil {
		t.Fatalf("ClaimStorms(%s): %v", owner, err)
	}
	return ws
}

// groupOf is the release a flusher makes for w: one group notice.
func groupOf(w store.StormWindow) []store.Release {
	return []store.Release{{Notice: store.NewNotice{Sink: w.Sink, Key: fmt.Sprintf("group/%s/%d", w.Key, w.OpenedAt.UnixMicro()), Payload: []byte(`{"group":true}`)}}}
}

func memberFPs(w store.StormWindow) []string {
	var out []string
	for _, m := range w.Members {
		out = append(out, m.Fingerprint)
	}
	return out
}

// The threshold lets the first drifts through and holds the rest in one
// window, which falls due when it ends and is flushed once.
func TestStormWindow(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		st := open(t, dsn, clk)
		ctx := context.Background()
		var ds []*drift.Drift
		var held []int
		opened := clk.Now()
		for i := range 6 {
			d := sampleDrift(fmt.Sprintf("w%d", i), "v")
			ds = append(ds, d)
			_, h := record(t, st, d)
			held = append(held, h)
			if i == 2 {
				opened = clk.Now()
			}
			clk.Advance(10 * time.Second)
		}
		if diff := cmp.Diff([]int{0, 0, 1, 1, 1, 1}, held); diff != "" {
			t.Fatalf("held per drift (-want +got):\n%s", diff)
		}
		if n := noticesByStatus(t, st, store.NoticePending); len(n) != 2 {
			t.Errorf("%d notices enqueued at once, want 2 (threshold 3)", len(n))
		}
		if ws := claimStorms(t, st, "f1"); len(ws) != 0 {
			t.Fatalf("claimed %d windows before the window ended", len(ws))
		}
		clk.Advance(opened.Add(stormRule.Window).Sub(clk.Now()))
		ws := claimStorms(t, st, "f1")
		if len(ws) != 1 {
			t.Fatalf("claimed %d windows at the end, want 1", len(ws))
		}
		w := ws[0]
		want := []string{ds[2].Fingerprint, ds[3].Fingerprint, ds[4].Fingerprint, ds[5].Fingerprint}
		if diff := cmp.Diff(want, memberFPs(w)); diff != "" {
			t.Errorf("members (-want +got):\n%s", diff)
		}
		if w.Key != stormRule.Key || w.Sink != "pagerduty" || !w.OpenedAt.Equal(opened) || !w.DueAt.Equal(opened.Add(stormRule.Window)) || w.Attempts != 1 {
			t.Errorf("window %+v", w)
		}
		for _, m := range w.Members {
			if !m.Live || m.Episode != 0 || m.Notice.Key != m.Fingerprint+"/pagerduty" || string(m.Notice.Payload) != `{"fp":"`+m.Fingerprint+`"}` {
				t.Errorf("member %+v", m)
			}
		}
		if err := st.FlushStorm(ctx, w.ID, "f1", groupOf(w)); err != nil {
			t.Fatalf("FlushStorm: %v", err)
		}
		if err := st.FlushStorm(ctx, w.ID, "f1", groupOf(w)); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("second FlushStorm = %v, want ErrLeaseLost", err)
		}
		if err := st.FlushStorm(ctx, 424242, "f1", nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("FlushStorm(unknown) = %v, want ErrNotFound", err)
		}
		pending := noticesByStatus(t, st, store.NoticePending)
		if len(pending) != 3 || pending[0].Key != groupOf(w)[0].Notice.Key || pending[0].Fingerprint != "" {
			t.Errorf("after the flush: %v, want the group notice beside the 2", keysOf(pending))
		}
		clk.Advance(time.Hour)
		if ws := claimStorms(t, st, "f2"); len(ws) != 0 {
			t.Errorf("a flushed window came back: %+v", ws)
		}
		// The actor goes on after a quiet window: single notices again.
		if _, h := record(t, st, sampleDrift("later", "v")); h != 0 {
			t.Errorf("a drift after a quiet window was held")
		}
		// Retention removes the flushed window.
		if _, err := st.PruneNotices(ctx, clk.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	})
}

// Redeliveries: the same drift five times opens one record, counts once
// towards the threshold and is listed once in its window. A drift that
// reopens while held is listed once too.
func TestStormRedeliveries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		st := open(t, dsn, clk)
		ctx := context.Background()
		a, b, c := sampleDrift("a", "v"), sampleDrift("b", "v"), sampleDrift("c", "v")
		for range 5 {
			record(t, st, a)
		}
		if n := noticesByStatus(t, st, store.NoticePending); len(n) != 1 {
			t.Fatalf("one drift five times enqueued %d notices, want 1", len(n))
		}
		for range 5 {
			record(t, st, b) // the second drift of alice: still below 3
		}
		if n := noticesByStatus(t, st, store.NoticePending); len(n) != 2 {
			t.Fatalf("after b five times: %d notices, want 2 (a repeat is not counted)", len(n))
		}
		heldC := 0
		for range 5 {
			_, h := record(t, st, c) // the third: a storm
			heldC += h
		}
		if heldC != 1 {
			t.Errorf("c five times: held %d times, want 1", heldC)
		}
		// c resolved and detected again inside the window: a new episode,
		// still one member.
		if _, err := st.Transition(ctx, c.Fingerprint, store.StatusResolved, "bob", ""); err != nil {
			t.Fatal(err)
		}
		if opened, h := record(t, st, c); !opened || h != 1 {
			t.Errorf("c reopened: opened %v held %d, want a reopen that is held", opened, h)
		}
		clk.Advance(stormRule.Window)
		ws := claimStorms(t, st, "f")
		if len(ws) != 1 {
			t.Fatalf("%d windows, want 1", len(ws))
		}
		if diff := cmp.Diff([]string{c.Fingerprint}, memberFPs(ws[0])); diff != "" {
			t.Errorf("members (-want +got):\n%s", diff)
		}
		if m := ws[0].Members[0]; m.Episode != 0 || m.Live {
			t.Errorf("member %+v: held in episode 0, which ended: not live", m)
		}
	})
}

// A drift resolved or ignored while held is not live: the flusher leaves
// it out. With nothing to announce the window is flushed empty.
func TestStormMemberLiveness(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		st := open(t, dsn, clk)
		ctx := context.Background()
		var ds []*drift.Drift
		for i := range 5 {
			d := sampleDrift(fmt.Sprintf("l%d", i), "v")
			ds = append(ds, d)
			record(t, st, d)
		}
		moves := map[int]store.Status{2: store.StatusIgnored, 3: store.StatusAcknowledged, 4: store.StatusResolved}
		for i, to := range moves {
			if _, err := st.Transition(ctx, ds[i].Fingerprint, to, "bob", ""); err != nil {
				t.Fatal(err)
			}
		}
		clk.Advance(stormRule.Window)
		ws := claimStorms(t, st, "f")
		if len(ws) != 1 {
			t.Fatalf("%d windows", len(ws))
		}
		live := map[string]bool{}
		for _, m := range ws[0].Members {
			live[m.Fingerprint] = m.Live
		}
		want := map[string]bool{ds[2].Fingerprint: false, ds[3].Fingerprint: true, ds[4].Fingerprint: false}
		if diff := cmp.Diff(want, live); diff != "" {
			t.Errorf("live (-want +got):\n%s", diff)
		}
		before := len(noticesByStatus(t, st, store.NoticePending))
		if err := st.FlushStorm(ctx, ws[0].ID, "f", nil); err != nil {
			t.Fatal(err)
		}
		if after := len(noticesByStatus(t, st, store.NoticePending)); after != before {
			t.Errorf("an empty flush enqueued %d notices", after-before)
		}
	})
}

// A window that held one drift releases that drift's own notice, into
// its record's episode.
func TestStormReleaseMember(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		st := open(t, dsn, clk)
		ctx := context.Background()
		rule := store.StormRule{Key: "k", Threshold: 2, Window: time.Minute}
		a, b := sampleDrift("a", "v"), sampleDrift("b", "v")
		for _, d := range []*drift.Drift{a, b} {
			if _, _, err := st.RecordDrift(ctx, d, []store.NewNotice{{Sink: "slack", Key: d.Fingerprint + "/slack", Payload: []byte("p"), Storm: &rule}}); err != nil {
				t.Fatal(err)
			}
		}
		clk.Advance(time.Minute)
		ws := claimStorms(t, st, "f")
		if len(ws) != 1 || len(ws[0].Members) != 1 {
			t.Fatalf("windows %+v", ws)
		}
		m := ws[0].Members[0]
		if err := st.FlushStorm(ctx, ws[0].ID, "f", []store.Release{{Fingerprint: m.Fingerprint, Episode: m.Episode, Notice: m.Notice}}); err != nil {
			t.Fatal(err)
		}
		ns, err := st.ListNotices(ctx, store.NoticeFilter{Fingerprint: b.Fingerprint})
		if err != nil || len(ns) != 1 || ns[0].Key != b.Fingerprint+"/slack" || string(ns[0].Payload) != "p" {
			t.Errorf("b's notices after the release: %+v, %v", ns, err)
		}
	})
}

// A flusher that dies holding a window leaves it to another after the
// lease; the dead one can no longer flush it.
func TestStormClaimLease(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		st := open(t, dsn, clk)
		ctx := context.Background()
		for i := range 3 {
			record(t, st, sampleDrift(fmt.Sprintf("c%d", i), "v"))
		}
		clk.Advance(stormRule.Window)
		if ws := claimStorms(t, st, "dies"); len(ws) != 1 {
			t.Fatalf("%d windows", len(ws))
		}
		if ws := claimStorms(t, st, "other"); len(ws) != 0 {
			t.Fatalf("claimed a window another flusher holds")
		}
		clk.Advance(time.Minute)
		ws := claimStorms(t, st, "other")
		if len(ws) != 1 || ws[0].Attempts != 2 || len(ws[0].Members) != 1 {
			t.Fatalf("after the lease: %+v", ws)
		}
		if err := st.FlushStorm(ctx, ws[0].ID, "dies", groupOf(ws[0])); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("the dead flusher's FlushStorm = %v, want ErrLeaseLost", err)
		}
		if err := st.FlushStorm(ctx, ws[0].ID, "other", groupOf(ws[0])); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []struct {
			owner string
			limit int
			lease time.Duration
		}{{"", 1, time.Minute}, {"w", 0, time.Minute}, {"w", 1, 0}} {
			if _, err := st.ClaimStorms(ctx, bad.owner, bad.limit, bad.lease); err == nil {
				t.Errorf("ClaimStorms(%+v) accepted it", bad)
			}
		}
		bad := store.StormRule{Key: "k", Threshold: 1, Window: time.Minute}
		d := sampleDrift("bad-rule", "v")
		if _, _, err := st.RecordDrift(ctx, d, []store.NewNotice{{Sink: "s", Key: "k", Storm: &bad}}); err == nil {
			t.Error("RecordDrift accepted a storm rule with threshold 1")
		}
	})
}

// Two replicas on one store share the count and the window: drifts
// recorded through either, concurrently, make one storm with every held
// drift once; their flushers, racing, announce it once.
func TestStormReplicas(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		replicas := []store.Store{open(t, dsn, clk), open(t, dsn, clk)}
		const perReplica = 15
		var wg sync.WaitGroup
		var mu sync.Mutex
		var fps []string
		for r, st := range replicas {
			wg.Go(func() {
				for i := range perReplica {
					d := sampleDrift(fmt.Sprintf("r%d-%d", r, i), "v")
					// Each drift reaches both replicas (SQS redelivery, a
					// second consumer): it must still count once.
					for _, via := range []store.Store{st, replicas[1-r]} {
						if _, err := via.RecordDrifts(context.Background(), []store.DriftWrite{{Drift: d, Notices: stormNotice(d)}}); err != nil {
							t.Errorf("RecordDrifts: %v", err)
							return
						}
					}
					mu.Lock()
					fps = append(fps, d.Fingerprint)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if n := noticesByStatus(t, replicas[0], store.NoticePending); len(n) != stormRule.Threshold-1 {
			t.Errorf("%d notices went out at once, want %d", len(n), stormRule.Threshold-1)
		}
		clk.Advance(stormRule.Window)
		var windows []store.StormWindow
		for r, st := range replicas {
			wg.Go(func() {
				for _, w := range claimStorms(t, st, fmt.Sprintf("flusher-%d", r)) {
					if err := st.FlushStorm(context.Background(), w.ID, fmt.Sprintf("flusher-%d", r), groupOf(w)); err != nil {
						t.Errorf("FlushStorm: %v", err)
					}
					mu.Lock()
					windows = append(windows, w)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(windows) != 1 {
			t.Fatalf("%d windows flushed, want 1", len(windows))
		}
		seen := map[string]int{}
		for _, fp := range memberFPs(windows[0]) {
			seen[fp]++
		}
		for fp, n := range seen {
			if n != 1 {
				t.Errorf("drift %s listed %d times", fp, n)
			}
		}
		if len(seen) != 2*perReplica-(stormRule.Threshold-1) {
			t.Errorf("the window holds %d drifts, want %d", len(seen), 2*perReplica-(stormRule.Threshold-1))
		}
		if n := noticesByStatus(t, replicas[0], store.NoticePending); len(n) != stormRule.Threshold {
			t.Errorf("%d notices after the flush, want %d (the group and the first ones)", len(n), stormRule.Threshold)
		}
	})
}
