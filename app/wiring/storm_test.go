package wiring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/store/storetest"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/deliver"
)

// pending decodes the pending notices, oldest first.
func pending(t testing.TB, st store.Store) []*ticket.Notice {
	t.Helper()
	rows, err := st.ListNotices(context.Background(), store.NoticeFilter{Status: []store.NoticeStatus{store.NoticePending}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []*ticket.Notice
	for i := len(rows) - 1; i >= 0; i-- {
		n, err := ticket.DecodeNotice(rows[i].Payload)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

const slackStorm = `notifications:
  slack:
    webhook_url: "https://hooks.slack.invalid/services/T/B/X"
  storm_control:
    threshold: 3
    window: 1m
`

// A console session touching many resources pages once per window, not
// once per resource; another actor is not held.
func TestStormControl(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		clk := newTestClock()
		st := openStore(t, dsn, clk)
		n := notices(t, slackStorm)
		for i := range 200 {
			recordAll(t, n, st, consoleDrift(i, "bob@example.com"))
		}
		recordAll(t, n, st, consoleDrift(999, "alice@example.com"))
		if got := len(pending(t, st)); got != 3 {
			t.Errorf("%d notices at once for 200 drifts by bob and 1 by alice, want 3 (threshold 3)", got)
		}
		ctx := context.Background()
		if k, err := n.FlushStorms(ctx, st, "f"); err != nil || k != 0 {
			t.Errorf("FlushStorms before the window ended: %d, %v", k, err)
		}
		clk.Advance(time.Minute)
		if k, err := n.FlushStorms(ctx, st, "f"); err != nil || k != 1 {
			t.Fatalf("FlushStorms after the window: %d, %v; want 1", k, err)
		}
		all := pending(t, st)
		g := all[len(all)-1]
		if g.Kind != ticket.KindGroup || len(g.Drifts()) != 198 || g.Group.Actor != "bob@example.com" || g.Group.Window != time.Minute {
			t.Fatalf("group: kind %s with %d drifts by %q in %v, want a group of 198 by bob in 1m", g.Kind, len(g.Drifts()), g.Group.Actor, g.Group.Window)
		}
		for i, d := range g.Drifts() {
			if want := consoleDrift(i+2, "bob@example.com").Fingerprint; d.Fingerprint != want {
				t.Fatalf("group drift %d is %s, want %s (arrival order, with fingerprints)", i, d.Fingerprint, want)
			}
		}
	})
}

func TestStormControlOff(t *testing.T) {
	n := notices(t, "notifications:\n  slack:\n    webhook_url: \"https://hooks.slack.invalid/x\"\n  storm_control:\n    enabled: false\n")
	for i := range 20 {
		for _, nn := range n.Outbox(consoleDrift(i, "bob@example.com")) {
			if nn.Storm != nil {
				t.Fatalf("storm control is off, yet notice %s carries a rule", nn.Key)
			}
		}
	}
	on := notices(t, slackStorm+"    exempt: [slack]\n")
	if nn := on.Outbox(consoleDrift(1, "bob@example.com")); len(nn) != 1 || nn[0].Storm != nil {
		t.Errorf("an exempt sink's notice carries a storm rule: %+v", nn)
	}
	held := notices(t, slackStorm).Outbox(consoleDrift(1, "bob@example.com"))
	if len(held) != 1 || held[0].Storm == nil || held[0].Storm.Threshold != 3 || held[0].Storm.Window != time.Minute {
		t.Errorf("storm rule %+v, want threshold 3 in 1m", held[0].Storm)
	}
}

// Redeliveries: the measurement fed one drift five times and the
// group listed it three times. Now a drift is counted and held once, in
// the transaction that opens its record.
func TestStormRedeliveriesListedOnce(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		clk := newTestClock()
		st := openStore(t, dsn, clk)
		n := notices(t, threshold2(slackStorm))
		x, y, z := consoleDrift(1, "bob@example.com"), consoleDrift(2, "bob@example.com"), consoleDrift(3, "bob@example.com")
		for _, d := range []*drift.Drift{x, y, z} {
			for range 5 {
				recordAll(t, n, st, d)
			}
		}
		clk.Advance(time.Minute)
		if _, err := n.FlushStorms(context.Background(), st, "f"); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, nt := range pending(t, st) {
			for _, d := range nt.Drifts() {
				got = append(got, string(nt.Kind)+" "+d.ResourceID)
			}
		}
		want := []string{"drift i-0001", "group i-0002", "group i-0003"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("announced (-want +got):\n%s", diff)
		}
	})
}

// threshold2 sets threshold 2 in slackStorm's config.
func threshold2(yaml string) string {
	return yaml[:len(yaml)-len("    threshold: 3\n    window: 1m\n")] + "    threshold: 2\n    window: 1m\n"
}

// hookReceiver is a webhook endpoint that checks what arrives (method,
// JSON body, idempotency key) and keeps the drift fingerprints of each
// group body it accepted.
type hookReceiver struct {
	t      *testing.T
	mu     sync.Mutex
	groups [][]string
	drifts []string
	keys   map[string]int
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	var msg struct {
		EventType   string `json:"event_type"`
		Fingerprint string `json:"fingerprint"`
		Drifts      []struct {
			Fingerprint string `json:"fingerprint"`
		} `json:"drifts"`
	}
	key := r.Header.Get("Idempotency-Key")
	if r.Method != http.MethodPost || json.Unmarshal(body, &msg) != nil || key == "" {
		h.t.Errorf("bad delivery: %s %q key %q", r.Method, body, key)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	h.keys[key]++
	switch msg.EventType {
	case "terraform_drift_group":
		var fps []string
		for _, d := range msg.Drifts {
			fps = append(fps, d.Fingerprint)
		}
		h.groups = append(h.groups, fps)
	case drift.EventType:
		h.drifts = append(h.drifts, msg.Fingerprint)
	default:
		h.t.Errorf("unexpected event_type %q", msg.EventType)
	}
	w.WriteHeader(http.StatusAccepted)
}

// Two replicas on one store: each routes and records the drifts it is
// handed (every drift reaches both, as with two consumers of one
// queue), and each runs a storm flusher and a deliverer. The storm is
// counted once across them and announced once.
func TestStormTwoReplicas(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		rcv := &hookReceiver{t: t, keys: map[string]int{}}
		srv := httptest.NewServer(rcv)
		defer srv.Close()
		clk := newTestClock()
		cfg := fmt.Sprintf("notifications:\n  webhooks:\n    - url: %q\n  storm_control:\n    threshold: 3\n    window: 1m\n", srv.URL)
		type replica struct {
			n  *Notices
			st store.Store
		}
		reps := []replica{{notices(t, cfg), openStore(t, dsn, clk)}, {notices(t, cfg), openStore(t, dsn, clk)}}
		const total = 24
		var wg sync.WaitGroup
		for r := range reps {
			wg.Go(func() {
				for i := range total {
					recordAll(t, reps[r].n, reps[r].st, consoleDrift((i+r*7)%total, "bob@example.com"))
				}
			})
		}
		wg.Wait()
		clk.Advance(time.Minute)
		ctx := context.Background()
		for r := range reps {
			wg.Go(func() {
				if _, err := reps[r].n.FlushStorms(ctx, reps[r].st, fmt.Sprintf("flusher-%d", r)); err != nil {
					t.Errorf("FlushStorms: %v", err)
				}
			})
		}
		wg.Wait()
		for r := range reps {
			wg.Go(func() {
				d, err := reps[r].n.Deliverer(reps[r].st, fmt.Sprintf("worker-%d", r), nil, deliver.Options{Now: clk.Now})
				if err != nil {
					t.Error(err)
					return
				}
				for {
					k, err := d.RunOnce(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					if k == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		if len(rcv.drifts) != 2 || len(rcv.groups) != 1 {
			t.Fatalf("received %d drift notices and %d groups, want 2 and 1", len(rcv.drifts), len(rcv.groups))
		}
		seen := map[string]bool{}
		for _, fp := range append(append([]string{}, rcv.drifts...), rcv.groups[0]...) {
			if seen[fp] {
				t.Errorf("drift %s announced twice", fp)
			}
			seen[fp] = true
		}
		if len(seen) != total {
			t.Errorf("%d drifts announced, want %d", len(seen), total)
		}
		for k, c := range rcv.keys {
			if c != 1 {
				t.Errorf("idempotency key %s delivered %d times", k, c)
			}
		}
	})
}

// A process that records a storm and dies (its memory gone) loses
// nothing: the next process announces the window when it ends. The kill
// -9 variant is app/store's TestCrashInsideStormWindow.
func TestStormSurvivesRestart(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		clk := newTestClock()
		first := notices(t, slackStorm)
		st := openStore(t, dsn, clk)
		for i := range 10 {
			recordAll(t, first, st, consoleDrift(i, "bob@example.com"))
		}
		st.Close()
		// The restarted process: new Notices, new store handle.
		again := notices(t, slackStorm)
		st2 := openStore(t, dsn, clk)
		clk.Advance(time.Minute)
		if k, err := again.FlushStorms(context.Background(), st2, "restarted"); err != nil || k != 1 {
			t.Fatalf("FlushStorms after the restart: %d, %v", k, err)
		}
		ns := pending(t, st2)
		if len(ns) != 3 || ns[2].Kind != ticket.KindGroup || len(ns[2].Drifts()) != 8 {
			t.Fatalf("after the restart: %d notices, last %s with %d drifts; want a group of 8", len(ns), ns[len(ns)-1].Kind, len(ns[len(ns)-1].Drifts()))
		}
	})
}

// failingStorms is a store whose storm windows cannot be claimed.
type failingStorms struct{ store.Storms }

func (failingStorms) ClaimStorms(context.Context, string, int, time.Duration) ([]store.StormWindow, error) {
	return nil, errors.New("database is locked")
}

// The serve job: it announces a window once it ends, reports store
// failures and keeps going, and returns when its context ends.
func TestStormFlusherJob(t *testing.T) {
	st, err := store.Open(context.Background(), storetest.SQLite(t)) // the real clock
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := notices(t, "notifications:\n  slack:\n    webhook_url: \"https://hooks.slack.invalid/x\"\n  storm_control:\n    threshold: 2\n    window: 1s\n")
	for i := range 4 {
		recordAll(t, n, st, consoleDrift(i, "bob@example.com"))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.StormFlusher(st)(ctx) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ns := pending(t, st)
		if len(ns) == 2 && ns[1].Kind == ticket.KindGroup && len(ns[1].Drifts()) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no group notice 30 s after a 1 s window: %d notices", len(ns))
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("the job returned %v", err)
	}

	errs := make(chan error, 10)
	n.OnError = func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	ctx, cancel = context.WithCancel(context.Background())
	go func() { done <- n.StormFlusher(failingStorms{})(ctx) }()
	for range 2 { // it reports, and keeps trying
		select {
		case err := <-errs:
			if !strings.Contains(err.Error(), "database is locked") {
				t.Errorf("OnError got %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("a failing store was not reported within 30 s")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("the job returned %v", err)
	}
}
