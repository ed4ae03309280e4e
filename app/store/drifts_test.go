package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/drift"
)

func TestRecordDriftDedup(t *testing.T) {
	tests := []struct {
		name      string
		sightings int
	}{
		{"once", 1},
		{"twice", 2},
		{"redelivered five times", 5},
	}
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		st := open(t, dsn, clk)
		ctx := context.Background()
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				d := sampleDrift(tc.name, "open to the world")
				first := clk.Now()
				var opens int
				for i := 0; i < tc.sightings; i++ {
					_, opened, err := st.RecordDrift(ctx, d, noticesFor(d, "slack", "pagerduty"))
					if err != nil {
						t.Fatalf("RecordDrift #%d: %v", i+1, err)
					}
					if opened {
						opens++
					}
					clk.Advance(time.Second)
				}
				if opens != 1 {
					t.Errorf("opened %d times, want 1", opens)
				}
				got, err := st.Get(ctx, d.Fingerprint)
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				want := store.Record{
					Fingerprint:     d.Fingerprint,
					Status:          store.StatusOpen,
					ChangeType:      drift.Modified,
					Provider:        "aws",
					AccountID:       "123456789012",
					Region:          "eu-west-1",
					ResourceType:    "aws_security_group",
					ResourceID:      d.ResourceID,
					ResourceAddress: d.ResourceAddress,
					Severity:        drift.High,
					FirstSeen:       first,
					LastSeen:        first.Add(time.Duration(tc.sightings-1) * time.Second),
					Count:           int64(tc.sightings),
					SeenSinceOpened: int64(tc.sightings),
					Drift:           d.ToRecord(),
					RawEvent:        d.Event.Raw,
					StatusChangedAt: first,
					StatusActor:     "tfdrift",
					StatusNote:      "detected",
				}
				if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(store.Record{}, "ID")); diff != "" {
					t.Errorf("record (-want +got):\n%s", diff)
				}
				ns, err := st.ListNotices(ctx, store.NoticeFilter{Fingerprint: d.Fingerprint})
				if err != nil {
					t.Fatalf("ListNotices: %v", err)
				}
				var keys []string
				for _, n := range ns {
					keys = append(keys, n.Key)
					if n.Status != store.NoticePending || n.Episode != 0 || !n.NextAttemptAt.Equal(first) {
						t.Errorf("notice %s: status %s episode %d due %v, want pending, 0, %v", n.Key, n.Status, n.Episode, n.NextAttemptAt, first)
					}
				}
				wantKeys := []string{d.Fingerprint + "/pagerduty", d.Fingerprint + "/slack"} // newest first
				if diff := cmp.Diff(wantKeys, keys); diff != "" {
					t.Errorf("notice keys (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestRecordDriftValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		st := open(t, dsn, newClock())
		noFP := sampleDrift("x", "y")
		noFP.Fingerprint = ""
		good := sampleDrift("x", "y")
		tests := []struct {
			name    string
			d       *drift.Drift
			notices []store.NewNotice
		}{
			{"nil drift", nil, nil},
			{"no fingerprint", noFP, nil},
			{"notice without sink", good, []store.NewNotice{{Key: "k"}}},
			{"notice without key", good, []store.NewNotice{{Sink: "slack"}}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if _, _, err := st.RecordDrift(context.Background(), tc.d, tc.notices); err == nil {
					t.Fatal("RecordDrift succeeded, want an error")
				}
			})
		}
		if _, err := st.Get(context.Background(), good.Fingerprint); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a rejected drift was stored: Get = %v, want ErrNotFound", err)
		}
	})
}

// TestRecordDriftConcurrent: the same drift recorded at once by many
// goroutines, and by two stores on one database (two replicas, or serve
// and the CLI on one SQLite file), makes one record and one set of
// notices.
func TestRecordDriftConcurrent(t *testing.T) {
	const perReplica = 8
	for _, replicas := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d replicas", replicas), func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, dsn string) {
				clk := newClock()
				var stores []store.Store
				for range replicas {
					stores = append(stores, open(t, dsn, clk))
				}
				d := sampleDrift("web", "0.0.0.0/0")
				var opens sync.WaitGroup
				var mu sync.Mutex
				opened := 0
				errs := make(chan error, replicas*perReplica)
				for _, st := range stores {
					for range perReplica {
						opens.Go(func() {
							_, o, err := st.RecordDrift(context.Background(), d, noticesFor(d, "slack", "jira"))
							if err != nil {
								errs <- err
								return
							}
							if o {
								mu.Lock()
								opened++
								mu.Unlock()
							}
						})
					}
				}
				opens.Wait()
				close(errs)
				for err := range errs {
					t.Errorf("RecordDrift: %v", err)
				}
				if opened != 1 {
					t.Errorf("%d calls opened the record, want exactly 1", opened)
				}
				rec, err := stores[0].Get(context.Background(), d.Fingerprint)
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if want := int64(replicas * perReplica); rec.Count != want {
					t.Errorf("Count = %d, want %d", rec.Count, want)
				}
				page, err := stores[0].List(context.Background(), store.Filter{})
				if err != nil {
					t.Fatalf("List: %v", err)
				}
				if len(page.Records) != 1 {
					t.Errorf("%d records, want 1", len(page.Records))
				}
				if ns := noticesByStatus(t, stores[0], store.NoticePending); len(ns) != 2 {
					t.Errorf("%d notices, want 2 (one per sink)", len(ns))
				}
			})
		})
	}
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		name  string
		moves []store.Status
		// wantErr: the last move fails with this TransitionError.
		wantErr *store.TransitionError
		want    store.Status
	}{
		{name: "acknowledge then resolve", moves: []store.Status{"acknowledged", "resolved"}, want: "resolved"},
		{name: "acknowledge then ignore", moves: []store.Status{"acknowledged", "ignored"}, want: "ignored"},
		{name: "resolve directly", moves: []store.Status{"resolved"}, want: "resolved"},
		{name: "ignore directly", moves: []store.Status{"ignored"}, want: "ignored"},
		{name: "open to open", moves: []store.Status{"open"},
			wantErr: &store.TransitionError{From: "open", To: "open"}, want: "open"},
		{name: "acknowledged back to open", moves: []store.Status{"acknowledged", "open"},
			wantErr: &store.TransitionError{From: "acknowledged", To: "open"}, want: "acknowledged"},
		{name: "acknowledge twice", moves: []store.Status{"acknowledged", "acknowledged"},
			wantErr: &store.TransitionError{From: "acknowledged", To: "acknowledged"}, want: "acknowledged"},
		{name: "resolved is final", moves: []store.Status{"resolved", "acknowledged"},
			wantErr: &store.TransitionError{From: "resolved", To: "acknowledged"}, want: "resolved"},
		{name: "resolved cannot be reopened by hand", moves: []store.Status{"resolved", "open"},
			wantErr: &store.TransitionError{From: "resolved", To: "open"}, want: "resolved"},
		{name: "ignored cannot be resolved", moves: []store.Status{"ignored", "resolved"},
			wantErr: &store.TransitionError{From: "ignored", To: "resolved"}, want: "ignored"},
		{name: "ignored back to open (its issue reopened)", moves: []store.Status{"ignored", "open"}, want: "open"},
		{name: "ignored, reopened, ignored again", moves: []store.Status{"acknowledged", "ignored", "open", "ignored"}, want: "ignored"},
	}
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		st := open(t, dsn, clk)
		ctx := context.Background()
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				d := sampleDrift(tc.name, "v")
				if _, _, err := st.RecordDrift(ctx, d, nil); err != nil {
					t.Fatalf("RecordDrift: %v", err)
				}
				var err error
				for i, to := range tc.moves {
					clk.Advance(time.Minute)
					_, err = st.Transition(ctx, d.Fingerprint, to, "bob", "move "+string(to))
					if err != nil && i < len(tc.moves)-1 {
						t.Fatalf("move %d to %s: %v", i, to, err)
					}
				}
				if tc.wantErr == nil {
					if err != nil {
						t.Fatalf("last move: %v", err)
					}
				} else {
					var te *store.TransitionError
					if !errors.As(err, &te) {
						t.Fatalf("last move: err = %v, want a *TransitionError", err)
					}
					want := *tc.wantErr
					want.Fingerprint = d.Fingerprint
					if diff := cmp.Diff(&want, te); diff != "" {
						t.Errorf("TransitionError (-want +got):\n%s", diff)
					}
				}
				rec, err := st.Get(ctx, d.Fingerprint)
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if rec.Status != tc.want {
					t.Errorf("status = %s, want %s", rec.Status, tc.want)
				}
			})
		}

		t.Run("history and status fields", func(t *testing.T) {
			d := sampleDrift("history", "v")
			start := clk.Now()
			if _, _, err := st.RecordDrift(ctx, d, nil); err != nil {
				t.Fatal(err)
			}
			clk.Advance(time.Minute)
			if _, err := st.Transition(ctx, d.Fingerprint, store.StatusAcknowledged, "bob", "looking"); err != nil {
				t.Fatal(err)
			}
			clk.Advance(time.Minute)
			rec, err := st.Transition(ctx, d.Fingerprint, store.StatusResolved, "carol", "reverted in PR 12")
			if err != nil {
				t.Fatal(err)
			}
			if rec.StatusActor != "carol" || rec.StatusNote != "reverted in PR 12" || !rec.StatusChangedAt.Equal(start.Add(2*time.Minute)) {
				t.Errorf("status fields = %q %q %v", rec.StatusActor, rec.StatusNote, rec.StatusChangedAt)
			}
			got, err := st.History(ctx, d.Fingerprint)
			if err != nil {
				t.Fatal(err)
			}
			want := []store.HistoryEntry{
				{At: start, From: "", To: "open", Actor: "tfdrift", Note: "detected"},
				{At: start.Add(time.Minute), From: "open", To: "acknowledged", Actor: "bob", Note: "looking"},
				{At: start.Add(2 * time.Minute), From: "acknowledged", To: "resolved", Actor: "carol", Note: "reverted in PR 12"},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("History (-want +got):\n%s", diff)
			}
		})

		t.Run("notices with the move", func(t *testing.T) {
			d := sampleDrift("with-notices", "v")
			if _, _, err := st.RecordDrift(ctx, d, nil); err != nil {
				t.Fatal(err)
			}
			resolve := store.NewNotice{Sink: "pagerduty", Key: d.Fingerprint + "/pagerduty/resolve", Payload: []byte(`{"event_action":"resolve"}`)}
			if _, err := st.Transition(ctx, d.Fingerprint, store.StatusResolved, "carol", "", resolve); err != nil {
				t.Fatal(err)
			}
			// An illegal move enqueues nothing.
			late := store.NewNotice{Sink: "jira", Key: d.Fingerprint + "/jira/ignore"}
			if _, err := st.Transition(ctx, d.Fingerprint, store.StatusIgnored, "carol", "", late); err == nil {
				t.Fatal("resolved → ignored succeeded")
			}
			ns, err := st.ListNotices(ctx, store.NoticeFilter{Fingerprint: d.Fingerprint})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{resolve.Key}, keysOf(ns)); diff != "" {
				t.Errorf("notices (-want +got):\n%s", diff)
			}
		})

		t.Run("unknown fingerprint", func(t *testing.T) {
			if _, err := st.Transition(ctx, "nope", store.StatusResolved, "bob", ""); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Transition = %v, want ErrNotFound", err)
			}
			if _, err := st.History(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("History = %v, want ErrNotFound", err)
			}
		})

		t.Run("unknown status", func(t *testing.T) {
			d := sampleDrift("unknown-status", "v")
			if _, _, err := st.RecordDrift(ctx, d, nil); err != nil {
				t.Fatal(err)
			}
			_, err := st.Transition(ctx, d.Fingerprint, "closed", "bob", "")
			var te *store.TransitionError
			if err == nil || errors.As(err, &te) {
				t.Errorf("Transition to closed = %v, want a plain error", err)
			}
		})
	})
}

// TestReopen: a resolved drift that comes back reopens and notifies again;
// acknowledged and ignored ones are only counted.
func TestReopen(t *testing.T) {
	tests := []struct {
		name        string
		status      store.Status // moved to before the drift is seen again
		wantOpened  bool
		wantStatus  store.Status
		wantReopens int
		wantNotices int
	}{
		{"resolved reopens", store.StatusResolved, true, store.StatusOpen, 1, 4},
		{"acknowledged stays", store.StatusAcknowledged, false, store.StatusAcknowledged, 0, 2},
		{"ignored stays", store.StatusIgnored, false, store.StatusIgnored, 0, 2},
	}
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		st := open(t, dsn, clk)
		ctx := context.Background()
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				d := sampleDrift(tc.name, "v")
				if _, _, err := st.RecordDrift(ctx, d, noticesFor(d, "slack", "pagerduty")); err != nil {
					t.Fatal(err)
				}
				if _, err := st.Transition(ctx, d.Fingerprint, tc.status, "bob", ""); err != nil {
					t.Fatal(err)
				}
				clk.Advance(time.Hour)
				rec, opened, err := st.RecordDrift(ctx, d, noticesFor(d, "slack", "pagerduty"))
				if err != nil {
					t.Fatal(err)
				}
				if opened != tc.wantOpened || rec.Status != tc.wantStatus || rec.ReopenedCount != tc.wantReopens || rec.Count != 2 {
					t.Errorf("got opened=%v status=%s reopened=%d count=%d, want %v %s %d 2",
						opened, rec.Status, rec.ReopenedCount, rec.Count, tc.wantOpened, tc.wantStatus, tc.wantReopens)
				}
				// A third sighting never notifies again.
				if _, opened, err := st.RecordDrift(ctx, d, noticesFor(d, "slack", "pagerduty")); err != nil || opened {
					t.Errorf("third sighting: opened=%v err=%v, want false, nil", opened, err)
				}
				ns, err := st.ListNotices(ctx, store.NoticeFilter{Fingerprint: d.Fingerprint})
				if err != nil {
					t.Fatal(err)
				}
				if len(ns) != tc.wantNotices {
					t.Errorf("%d notices, want %d", len(ns), tc.wantNotices)
				}
				episodes := map[int]int{}
				for _, n := range ns {
					episodes[n.Episode]++
				}
				want := map[int]int{0: 2}
				if tc.wantReopens > 0 {
					want[1] = 2
				}
				if diff := cmp.Diff(want, episodes); diff != "" {
					t.Errorf("notices per episode (-want +got):\n%s", diff)
				}
				if tc.wantOpened {
					h, err := st.History(ctx, d.Fingerprint)
					if err != nil {
						t.Fatal(err)
					}
					last := h[len(h)-1]
					if last.From != store.StatusResolved || last.To != store.StatusOpen || last.Actor != "tfdrift" {
						t.Errorf("last history entry = %+v, want resolved → open by tfdrift", last)
					}
				}
			})
		}
	})
}

func TestList(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		st := open(t, dsn, clk)
		ctx := context.Background()
		// Five drifts, oldest first: a..e.
		type spec struct {
			name string
			typ  string
			sev  drift.Severity
		}
		specs := []spec{
			{"a", "aws_security_group", drift.Low},
			{"b", "aws_instance", drift.Critical},
			{"c", "aws_security_group", drift.High},
			{"d", "aws_s3_bucket", drift.Medium},
			{"e", "aws_security_group", drift.Critical},
		}
		start := clk.Now()
		for _, s := range specs {
			d := sampleDrift(s.name, "v")
			d.ResourceType, d.Severity = s.typ, s.sev
			d.ComputeFingerprint()
			if _, _, err := st.RecordDrift(ctx, d, nil); err != nil {
				t.Fatal(err)
			}
			clk.Advance(time.Minute)
		}
		// b is acknowledged, d resolved.
		for name, to := range map[string]store.Status{"b": store.StatusAcknowledged, "d": store.StatusResolved} {
			for _, s := range specs {
				if s.name != name {
					continue
				}
				d := sampleDrift(s.name, "v")
				d.ResourceType, d.Severity = s.typ, s.sev
				if _, err := st.Transition(ctx, d.ComputeFingerprint(), to, "bob", ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		tests := []struct {
			name string
			f    store.Filter
			want []string // resource IDs, newest first
		}{
			{"all", store.Filter{}, []string{"sg-e", "sg-d", "sg-c", "sg-b", "sg-a"}},
			{"unresolved", store.Filter{Status: []store.Status{"open", "acknowledged"}}, []string{"sg-e", "sg-c", "sg-b", "sg-a"}},
			{"resolved", store.Filter{Status: []store.Status{"resolved"}}, []string{"sg-d"}},
			{"type", store.Filter{ResourceType: "aws_security_group"}, []string{"sg-e", "sg-c", "sg-a"}},
			{"high or worse", store.Filter{Severity: drift.High}, []string{"sg-e", "sg-c", "sg-b"}},
			{"since", store.Filter{Since: start.Add(3 * time.Minute)}, []string{"sg-e", "sg-d"}},
			{"combined", store.Filter{ResourceType: "aws_security_group", Severity: drift.Critical, Status: []store.Status{"open"}}, []string{"sg-e"}},
			{"nothing", store.Filter{ResourceType: "google_compute_firewall"}, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				p, err := st.List(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, ids(p.Records)); diff != "" {
					t.Errorf("List (-want +got):\n%s", diff)
				}
				if p.Next != "" {
					t.Errorf("Next = %q on the only page", p.Next)
				}
			})
		}

		t.Run("pages", func(t *testing.T) {
			var pages [][]string
			f := store.Filter{Limit: 2}
			for {
				p, err := st.List(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				pages = append(pages, ids(p.Records))
				if p.Next == "" {
					break
				}
				f.Cursor = p.Next
			}
			want := [][]string{{"sg-e", "sg-d"}, {"sg-c", "sg-b"}, {"sg-a"}}
			if diff := cmp.Diff(want, pages); diff != "" {
				t.Errorf("pages (-want +got):\n%s", diff)
			}
		})

		bad := []struct {
			name string
			f    store.Filter
		}{
			{"bad cursor", store.Filter{Cursor: "abc"}},
			{"bad status", store.Filter{Status: []store.Status{"closed"}}},
			{"bad severity", store.Filter{Severity: "urgent"}},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := st.List(ctx, tc.f); err == nil {
					t.Error("List succeeded, want an error")
				}
			})
		}
	})
}

func ids(rs []store.Record) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ResourceID)
	}
	return out
}

func TestRecordEvent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		clk := newClock()
		a := open(t, dsn, clk)
		b := open(t, dsn, clk) // a second replica
		ctx := context.Background()
		steps := []struct {
			st            store.Store
			source, event string
			wantFirst     bool
		}{
			{a, "sqs", "m-1", true},
			{a, "sqs", "m-1", false},
			{b, "sqs", "m-1", false}, // the other replica sees it too
			{b, "falco-http", "m-1", true},
			{b, "sqs", "m-2", true},
		}
		for i, s := range steps {
			first, err := s.st.RecordEvent(ctx, s.source, s.event)
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if first != s.wantFirst {
				t.Errorf("step %d RecordEvent(%s, %s) = %v, want %v", i, s.source, s.event, first, s.wantFirst)
			}
		}
		if _, err := a.RecordEvent(ctx, "", "x"); err == nil {
			t.Error("RecordEvent with no source succeeded")
		}

		clk.Advance(time.Hour)
		if _, err := a.RecordEvent(ctx, "sqs", "m-3"); err != nil {
			t.Fatal(err)
		}
		n, err := a.PruneEvents(ctx, clk.Now().Add(-time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("PruneEvents removed %d, want 3", n)
		}
		for _, c := range []struct {
			event string
			want  bool
		}{{"m-1", true}, {"m-3", false}} {
			if first, err := a.RecordEvent(ctx, "sqs", c.event); err != nil || first != c.want {
				t.Errorf("after prune RecordEvent(%s) = %v, %v, want %v", c.event, first, err, c.want)
			}
		}
	})
}

func TestRecordDrifts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		st := open(t, dsn, newClock())
		ctx := context.Background()
		a, b, c := sampleDrift("a", "v"), sampleDrift("b", "v"), sampleDrift("c", "v")
		w := func(d *drift.Drift) store.DriftWrite {
			return store.DriftWrite{Drift: d, Notices: noticesFor(d, "slack")}
		}

		t.Run("batch", func(t *testing.T) {
			res, err := st.RecordDrifts(ctx, []store.DriftWrite{w(c), w(a), w(c), w(b)})
			if err != nil {
				t.Fatal(err)
			}
			type got struct {
				ID     string
				Opened bool
				Count  int64
			}
			var gots []got
			for _, r := range res {
				gots = append(gots, got{r.Record.ResourceID, r.Opened, r.Record.Count})
			}
			// Results follow the batch order, whatever order the rows were
			// written in; c counts twice and opens once.
			want := []got{{"sg-c", true, 1}, {"sg-a", true, 1}, {"sg-c", false, 2}, {"sg-b", true, 1}}
			if diff := cmp.Diff(want, gots); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			if n := len(noticesByStatus(t, st, store.NoticePending)); n != 3 {
				t.Errorf("%d notices, want 3", n)
			}
		})

		t.Run("all or nothing", func(t *testing.T) {
			d := sampleDrift("d", "v")
			bad := sampleDrift("bad", "v")
			bad.Fingerprint = ""
			if _, err := st.RecordDrifts(ctx, []store.DriftWrite{w(d), {Drift: bad}}); err == nil {
				t.Fatal("RecordDrifts with a bad drift succeeded")
			}
			if _, err := st.Get(ctx, d.Fingerprint); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the good half of a failed batch was stored: %v", err)
			}
			if res, err := st.RecordDrifts(ctx, nil); err != nil || len(res) != 0 {
				t.Errorf("empty batch = %v, %v", res, err)
			}
		})

		// Two replicas write overlapping batches in opposite orders at once:
		// no deadlock, every sighting counted.
		t.Run("overlapping batches from two replicas", func(t *testing.T) {
			other := open(t, dsn, newClock())
			var batch []store.DriftWrite
			for i := range 20 {
				batch = append(batch, w(sampleDrift(fmt.Sprintf("overlap-%02d", i), "v")))
			}
			reversed := make([]store.DriftWrite, len(batch))
			for i, x := range batch {
				reversed[len(batch)-1-i] = x
			}
			const rounds = 5
			var wg sync.WaitGroup
			errs := make(chan error, 2*rounds)
			for _, job := range []struct {
				st    store.Store
				batch []store.DriftWrite
			}{{st, batch}, {other, reversed}} {
				wg.Go(func() {
					for range rounds {
						if _, err := job.st.RecordDrifts(ctx, job.batch); err != nil {
							errs <- err
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			for _, x := range batch {
				rec, err := st.Get(ctx, x.Drift.Fingerprint)
				if err != nil {
					t.Fatal(err)
				}
				if rec.Count != 2*rounds {
					t.Errorf("%s: count %d, want %d", rec.ResourceID, rec.Count, 2*rounds)
				}
			}
		})
	})
}

func TestRecordEvents(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		st := open(t, dsn, newClock())
		ctx := context.Background()
		steps := []struct {
			ids  []string
			want []bool
		}{
			{[]string{"e3", "e1", "e3", "e2"}, []bool{true, true, false, true}},
			{[]string{"e2", "e4"}, []bool{false, true}},
			{nil, []bool{}},
		}
		for i, s := range steps {
			got, err := st.RecordEvents(ctx, "falco-http", s.ids)
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if diff := cmp.Diff(s.want, got); diff != "" {
				t.Errorf("step %d (-want +got):\n%s", i, diff)
			}
		}
		if _, err := st.RecordEvents(ctx, "sqs", []string{"ok", ""}); err == nil {
			t.Error("RecordEvents with an empty ID succeeded")
		}
	})
}
