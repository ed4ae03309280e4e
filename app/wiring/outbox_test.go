package wiring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/store/storetest"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/deliver"
	"github.com/tfdrift/tfdrift/ticket/deliver/queuetest"
)

// testClock is a settable clock shared by the stores of one test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)}
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// TestMain gives the package's Postgres databases one server (under -tags
// e2e; see storetest.Engines).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// engines runs fn per store engine, each on a fresh database: a SQLite
// file, and under -tags e2e a real Postgres (one throwaway server for the
// test binary, TestMain).
func engines(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	enginesDSN(t, func(t *testing.T, dsn func(testing.TB) string) { fn(t, dsn(t)) })
}

// enginesDSN is engines for a test that needs several fresh databases of
// each engine: fn gets a function that makes one.
func enginesDSN(t *testing.T, fn func(t *testing.T, dsn func(testing.TB) string)) {
	t.Helper()
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.DSN) })
	}
}

func openStore(t testing.TB, dsn string, clk *testClock) store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn, store.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func notices(t testing.TB, yaml string) *Notices {
	t.Helper()
	cfg, err := config.Parse("c.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	n, err := BuildNotices(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// recordAll is what the daemon's pipeline does with each drift (repeats
// included): route it, and record it with its notices.
func recordAll(t testing.TB, n *Notices, st store.Store, ds ...*drift.Drift) {
	t.Helper()
	for _, d := range ds {
		if _, _, err := st.RecordDrift(context.Background(), d, n.Outbox(d)); err != nil {
			t.Fatal(err)
		}
	}
}

// The store-backed queue passes the conformance suite every
// deliver.Queue must pass, on both engines: the same suite as
// deliver.MemQueue, ErrLeaseLost included.
func TestStoreQueueConformance(t *testing.T) {
	enginesDSN(t, func(t *testing.T, dsn func(testing.TB) string) {
		queuetest.Run(t, func(t *testing.T, now func() time.Time) queuetest.Subject {
			st, err := store.Open(context.Background(), dsn(t), store.WithClock(now))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			var mu sync.Mutex
			seq := 0
			return queuetest.Subject{Queue: storeQueue{st}, Enqueue: func(sink string, payload []byte) (int64, error) {
				mu.Lock()
				seq++
				key := fmt.Sprintf("conformance/%d", seq)
				mu.Unlock()
				if _, err := st.EnqueueNotices(context.Background(), "", []store.NewNotice{{Sink: sink, Key: key, Payload: payload}}); err != nil {
					return 0, err
				}
				ns, err := st.ListNotices(context.Background(), store.NoticeFilter{Limit: 1})
				if err != nil || len(ns) != 1 {
					return 0, errors.Join(err, errors.New("the notice just enqueued is not listed"))
				}
				return ns[0].ID, nil
			}}
		})
	})
}

// The store's own ErrLeaseLost reaches the deliverer as deliver's, and
// keeps the store's.
func TestLeaseLostTranslated(t *testing.T) {
	err := leaseLost(store.ErrLeaseLost)
	if !errors.Is(err, deliver.ErrLeaseLost) || !errors.Is(err, store.ErrLeaseLost) || err.Error() != store.ErrLeaseLost.Error() {
		t.Errorf("leaseLost(store.ErrLeaseLost) = %v", err)
	}
	other := errors.New("disk full")
	if leaseLost(other) != other || leaseLost(nil) != nil {
		t.Error("leaseLost changed an unrelated error")
	}
}

// pdFake is a PagerDuty Events API v2 that checks the routing key and
// the event's shape and keeps each dedup key's last action.
type pdFake struct {
	t       *testing.T
	mu      sync.Mutex
	actions map[string][]string
}

func (f *pdFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ev struct {
		RoutingKey  string `json:"routing_key"`
		EventAction string `json:"event_action"`
		DedupKey    string `json:"dedup_key"`
	}
	if r.URL.Path != "/v2/enqueue" || json.NewDecoder(r.Body).Decode(&ev) != nil || ev.RoutingKey != "rk-123" || ev.DedupKey == "" {
		http.Error(w, `{"status":"invalid event"}`, http.StatusBadRequest)
		return
	}
	f.actions[ev.DedupKey] = append(f.actions[ev.DedupKey], ev.EventAction)
	w.WriteHeader(http.StatusAccepted)
	w.Write([]byte(`{"status":"success","dedup_key":"` + ev.DedupKey + `"}`))
}

// webhookFake keeps the github_issue each drift body carried.
type webhookFake struct {
	mu     sync.Mutex
	issues []string
}

func (f *webhookFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var body struct {
		EventType   string `json:"event_type"`
		GitHubIssue *struct {
			ID  string `json:"id"`
			URL string `json:"url"`
		} `json:"github_issue"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.EventType == "" {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	got := "none"
	if body.GitHubIssue != nil {
		got = body.GitHubIssue.ID + " " + body.GitHubIssue.URL
	}
	f.issues = append(f.issues, got)
	w.WriteHeader(http.StatusNoContent)
}

// Receipts through the real outbox: a delivered notice's receipt is kept
// by fingerprint and resource, and later notices about the resource see
// the receipts there (here: the GitHub issue another sink left, in the
// webhook body).
func TestReceiptsThroughTheOutbox(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		pd := &pdFake{t: t, actions: map[string][]string{}}
		pdSrv := httptest.NewServer(pd)
		defer pdSrv.Close()
		hook := &webhookFake{}
		hookSrv := httptest.NewServer(hook)
		defer hookSrv.Close()
		clk := newTestClock()
		st := openStore(t, dsn, clk)
		n := notices(t, `notifications:
  pagerduty:
    routing_key: rk-123
    url: `+pdSrv.URL+`
  webhooks:
    - url: `+hookSrv.URL+`
  storm_control:
    enabled: false
`)
		ctx := context.Background()
		run := func() {
			t.Helper()
			d, err := n.Deliverer(st, "worker", func(r deliver.Result) {
				if r.Outcome != deliver.Delivered || r.SettleErr != nil {
					t.Errorf("notice %d to %s: %s %v %v", r.ID, r.Sink, r.Outcome, r.Err, r.SettleErr)
				}
			}, deliver.Options{Now: clk.Now})
			if err != nil {
				t.Fatal(err)
			}
			for {
				k, err := d.RunOnce(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if k == 0 {
					return
				}
			}
		}
		d := consoleDrift(1, "bob@example.com")
		recordAll(t, n, st, d)
		run()
		rs, err := st.ReceiptsFor(ctx, d.Fingerprint)
		if err != nil || len(rs) != 1 || rs[0].Sink != "pagerduty" || rs[0].ExternalID != d.Fingerprint || rs[0].ResourceKey != ticket.ResourceKey(d) {
			t.Fatalf("receipts after the drift: %+v, %v; want PagerDuty's dedup key", rs, err)
		}
		// The GitHub issue sink (another engineer's) will leave a receipt
		// like this one; a later drift on the resource links it.
		if err := st.PutReceipt(ctx, store.Receipt{Fingerprint: d.Fingerprint, Sink: "github", ResourceKey: ticket.ResourceKey(d),
			System: ticket.TypeGitHub, ExternalID: "12", URL: "https://github.com/acme/infra/issues/12"}); err != nil {
			t.Fatal(err)
		}
		again := consoleDrift(1, "bob@example.com")
		again.Changes = map[string]drift.AttrChange{"instance_type": {Expected: "t3.micro", Actual: "m5.xlarge"}}
		again.ComputeFingerprint()
		recordAll(t, n, st, again)
		run()
		// The resolve reaches PagerDuty with the incident's key.
		if _, err := st.Transition(ctx, d.Fingerprint, store.StatusResolved, "bob", "", n.Resolved(d, "resolved by bob")...); err != nil {
			t.Fatal(err)
		}
		run()
		hook.mu.Lock()
		defer hook.mu.Unlock()
		if len(hook.issues) != 2 || hook.issues[0] != "none" || hook.issues[1] != "12 https://github.com/acme/infra/issues/12" {
			t.Errorf("webhook bodies' github_issue: %q", hook.issues)
		}
		pd.mu.Lock()
		defer pd.mu.Unlock()
		if got := pd.actions[d.Fingerprint]; len(got) != 2 || got[0] != "trigger" || got[1] != "resolve" {
			t.Errorf("PagerDuty actions for the drift: %v", got)
		}
	})
}
