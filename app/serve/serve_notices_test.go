package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/drifts"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/notices"
	"github.com/tfdrift/tfdrift/internal/eventually"
	"github.com/tfdrift/tfdrift/ticket/deliver"
)

// fakePagerDuty is a stateful Events API v2: it checks the routing key and
// the event shape, fails the first failures requests with 500, and keeps
// one incident per dedup_key.
type fakePagerDuty struct {
	mu        sync.Mutex
	failures  int
	requests  int
	incidents map[string]string // dedup_key → last event_action
	triggers  int
}

func (f *fakePagerDuty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if r.Method != http.MethodPost || r.URL.Path != "/v2/enqueue" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if f.failures > 0 {
		f.failures--
		http.Error(w, "temporarily unavailable", http.StatusInternalServerError)
		return
	}
	b, _ := io.ReadAll(r.Body)
	var ev struct {
		RoutingKey  string          `json:"routing_key"`
		EventAction string          `json:"event_action"`
		DedupKey    string          `json:"dedup_key"`
		Payload     json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(b, &ev); err != nil || ev.RoutingKey != "R0UTINGKEY0123456789ABCDEF012345" || ev.DedupKey == "" {
		http.Error(w, `{"status":"invalid event"}`, http.StatusBadRequest)
		return
	}
	if ev.EventAction == "trigger" {
		var p struct{ Summary, Severity, Source string }
		if json.Unmarshal(ev.Payload, &p) != nil || p.Summary == "" || p.Severity == "" || p.Source == "" {
			http.Error(w, `{"status":"invalid payload"}`, http.StatusBadRequest)
			return
		}
		f.triggers++
	}
	f.incidents[ev.DedupKey] = ev.EventAction
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"success","dedup_key":"`+ev.DedupKey+`"}`)
}

func (f *fakePagerDuty) snapshot() (int, map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := map[string]string{}
	for k, v := range f.incidents {
		m[k] = v
	}
	return f.triggers, m
}

// TestServeNoticesThroughOutbox: a drift's PagerDuty notice is written with
// the drift, survives the sink failing for a while, is delivered exactly
// once, and `drifts resolve` resolves the incident.
func TestServeNoticesThroughOutbox(t *testing.T) {
	sc := extract(t)
	pd := &fakePagerDuty{failures: 2, incidents: map[string]string{}}
	srv := httptest.NewServer(pd)
	defer srv.Close()
	cfgPath := filepath.Join(sc.Dir, "pd.yaml")
	os.WriteFile(cfgPath, []byte("notifications:\n  pagerduty:\n    routing_key: R0UTINGKEY0123456789ABCDEF012345\n    url: \""+srv.URL+"\"\n"), 0o644)
	db := "sqlite://" + filepath.Join(t.TempDir(), "tfdrift.db")

	started := make(chan string, 1)
	hook := func(a *Args) {
		a.Started = func(addr string) { started <- addr }
		a.Deliver = deliver.Options{Backoff: deliver.Backoff{Base: 20 * time.Millisecond, Max: 100 * time.Millisecond}, PollInterval: 20 * time.Millisecond}
	}
	out, errb := &lockedBuffer{}, &lockedBuffer{}
	env := job.Env{Stdout: out, Stderr: errb}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- runArgs(ctx, env, []string{"--config", cfgPath, "--listen", "127.0.0.1:0", "--state", sc.State, "--database", db, "--format", "json"}, hook)
	}()
	var addr string
	select {
	case addr = <-started:
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errb.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	alert, _ := os.ReadFile(filepath.Join(sc.Dir, "events", "falco-alerts.ndjson"))
	resp, err := http.Post("http://"+addr+"/falco", "application/json", bytes.NewReader(alert))
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /falco: %v %v", err, resp)
	}
	resp.Body.Close()
	waitUntil(t, "the trigger to be delivered after two 500s", func() bool { n, _ := pd.snapshot(); return n == 1 })

	fp := regexp.MustCompile(`"fingerprint":"([0-9a-f]+)"`).FindStringSubmatch(out.String())
	if fp == nil {
		t.Fatalf("no drift printed: %s", out.String())
	}
	if _, incidents := pd.snapshot(); incidents[fp[1]] != "trigger" {
		t.Errorf("incidents %v: want a trigger with dedup_key = fingerprint %s", incidents, fp[1])
	}
	list := runJob(t, func(env job.Env) error {
		return notices.Run(ctx, env, notices.Args{Verb: "list", Database: db, Limit: 50})
	})
	if list.code != 0 || !strings.Contains(list.stdout, "pagerduty") || !strings.Contains(list.stdout, "delivered") {
		t.Errorf("notices list:\n%s%s", list.stdout, list.stderr)
	}

	r := runJob(t, func(env job.Env) error {
		return drifts.Run(ctx, env, drifts.Args{Verb: "resolve", Database: db, ConfigFile: cfgPath, Note: "reverted", Fingerprints: fp[1:2]})
	})
	if r.code != 0 || !strings.Contains(r.stdout, "resolved (1 resolve notices queued)") {
		t.Fatalf("drifts resolve: %+v", r)
	}
	waitUntil(t, "the resolve to be delivered", func() bool { _, m := pd.snapshot(); return m[fp[1]] == "resolve" })
	again := runJob(t, func(env job.Env) error {
		return drifts.Run(ctx, env, drifts.Args{Verb: "resolve", Database: db, Fingerprints: fp[1:2]})
	})
	if again.code != 1 || !strings.Contains(again.stderr, "resolved") {
		t.Errorf("resolving twice must be refused: %+v", again)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d", code)
	}
	if n, _ := pd.snapshot(); n != 1 {
		t.Errorf("%d triggers, want exactly 1", n)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	eventually.True(t, what, cond)
}
