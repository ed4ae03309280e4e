package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/ingest"
	"github.com/tfdrift/tfdrift/app/ingest/falcohttp"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/store/storetest"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/internal/eventually"
)

// syncBuffer is a goroutine-safe output sink for the daemon's stdout.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type harness struct {
	addr   string
	out    *syncBuffer
	cancel context.CancelFunc
	done   chan error
	reload chan struct{}
	sc     *scenario.Scenario
	m      *Metrics
}

func start(t *testing.T, mod func(*Options)) *harness { return startOn(t, nil, mod) }

// startOn starts a daemon on a scenario (nil: a fresh one), so that two
// daemons can act as replicas over the same state sources.
func startOn(t *testing.T, sc *scenario.Scenario, mod func(*Options)) *harness {
	t.Helper()
	if sc == nil {
		var err error
		if sc, err = scenario.Extract(t.TempDir()); err != nil {
			t.Fatal(err)
		}
	}
	h := &harness{out: &syncBuffer{}, done: make(chan error, 1), reload: make(chan struct{}), sc: sc, m: NewMetrics()}
	started := make(chan string, 1)
	o := scenarioOptions(t, sc, h.out)
	o.Reload, o.Metrics = h.reload, h.m
	o.Started = func(a string) { started <- a }
	if mod != nil {
		mod(&o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- Run(ctx, o) }()
	select {
	case h.addr = <-started:
	case err := <-h.done:
		t.Fatalf("daemon exited: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("daemon did not start")
	}
	t.Cleanup(func() { h.stop(t) })
	return h
}

// scenarioOptions runs the daemon on loopback over sc's state and code,
// printing drifts as JSON to out, with /falco open.
func scenarioOptions(t *testing.T, sc *scenario.Scenario, out io.Writer) Options {
	t.Helper()
	cat := catalog.Default()
	ix := wiring.NewIndex(cat)
	backends, err := wiring.LocalBackends(nil, []string{sc.State})
	if err != nil {
		t.Fatal(err)
	}
	o, _ := wiring.NewOutput(wiring.FormatJSON, out)
	return Options{
		Listen: "127.0.0.1:0", Index: ix, Backends: backends,
		Build: func(ctx context.Context, ix *state.Index, nudge func(*change.Change)) (*detector.Engine, error) {
			return wiring.NewEngine(ctx, wiring.DetectorOptions{Index: ix, Backends: backends, RepoDir: sc.Repo, Catalog: cat, OnTrustedWrite: nudge})
		},
		Falco:  falcohttp.Config{AllowUnauthenticated: true},
		Output: o,
	}
}

func (h *harness) stop(t *testing.T) {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		if err != nil {
			t.Errorf("daemon returned %v on shutdown, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("daemon did not drain and stop")
	}
}

func (h *harness) post(t *testing.T, body []byte) *http.Response {
	t.Helper()
	resp, err := http.Post("http://"+h.addr+"/falco", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func (h *harness) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + h.addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func falcoAlert(t *testing.T, sc *scenario.Scenario) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sc.Dir, "events", "falco-alerts.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(b)
}

// distinctAlert is the demo alert as another delivery: a new falcosidekick
// uuid and CloudTrail event ID, the same console edit.
func distinctAlert(t *testing.T, sc *scenario.Scenario, i int) []byte {
	id := []byte(strings.Repeat(string(rune('a'+i)), 8))
	b := bytes.Replace(falcoAlert(t, sc), []byte(`7d3b9a1c-2e4f-4a6b-8c0d-1e2f3a4b5c6d`), id, 1)
	return bytes.Replace(b, []byte(`a8c4e2f0-3b1d-4c5e-9f7a-1b2c3d4e5f60`), id, 1)
}

// waitFor waits for cond with a deadline (internal/eventually).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	eventually.True(t, what, cond)
}

func TestFalcoAlertBecomesDrift(t *testing.T) {
	h := start(t, nil)
	if resp := h.post(t, falcoAlert(t, h.sc)); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /falco: %d", resp.StatusCode)
	}
	waitFor(t, "the drift", func() bool { return strings.Contains(h.out.String(), "aws_instance.workers[1]") })
	var rec map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(h.out.String())), &rec); err != nil {
		t.Fatalf("output is not one JSON drift: %v\n%s", err, h.out.String())
	}
	if rec["user"] != "devops-team@example.com" || rec["resource_id"] != "i-0aaaaaaaaaaaaaaa1" {
		t.Errorf("drift: %v", rec)
	}
	tf := rec["terraform"].(map[string]any)
	if tf["file"] != "main.tf" || tf["line"] != float64(36) {
		t.Errorf("terraform location: %v", tf)
	}
	// The same alert again (Falco has no retries, but sidekick fan-out and
	// operators do) is absorbed.
	h.post(t, falcoAlert(t, h.sc))
	// The counters move around the output's write: wait for them.
	var metrics string
	counted := func() bool {
		var code int
		code, metrics = h.get(t, "/metrics")
		return code == 200 && strings.Contains(metrics, `tfdrift_drifts_total{change_type="modified",severity="medium"} 1`) &&
			strings.Contains(metrics, "tfdrift_detection_latency_seconds_count 1")
	}
	if !eventually.Poll(eventually.Timeout, counted) {
		t.Errorf("metrics:\n%s", grep(metrics, "tfdrift_"))
	}
}

func grep(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestHealthAndReadiness(t *testing.T) {
	h := start(t, nil)
	if code, body := h.get(t, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	code, body := h.get(t, "/readyz")
	if code != 200 || !strings.HasPrefix(body, "ready\n") || !strings.Contains(body, "serial 42, 10 resources") {
		t.Errorf("/readyz: %d %q", code, body)
	}
}

type fakeInput struct{ st ingest.State }

func (f *fakeInput) Run(ctx context.Context, h ingest.Handler) error { <-ctx.Done(); return nil }
func (f *fakeInput) Status() ingest.Status                           { return ingest.Status{Name: "falco-grpc", State: f.st} }

func TestNotReadyWhileAnInputIsDisconnected(t *testing.T) {
	in := &fakeInput{st: ingest.StateDisconnected}
	h := start(t, func(o *Options) { o.Inputs = []ingest.Input{in} })
	code, body := h.get(t, "/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "input falco-grpc: disconnected") {
		t.Errorf("/readyz: %d %q", code, body)
	}
}

func TestNotReadyUntilStateLoads(t *testing.T) {
	h := start(t, func(o *Options) {
		missing := state.NewLocal(filepath.Join(t.TempDir(), "absent.tfstate"), state.Source{Name: "absent", Workspace: "default"})
		o.Backends = append(o.Backends, missing)
	})
	if code, body := h.get(t, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "absent") {
		t.Errorf("/readyz with a state that never loaded: %d %q", code, body)
	}
}

// TestOverloadAnswers503: a full queue refuses with 503 and Retry-After,
// counted, and never blocks or drops silently.
func TestOverloadAnswers503(t *testing.T) {
	block := make(chan struct{})
	h := start(t, func(o *Options) {
		o.QueueSize, o.Workers = 1, 1
		o.Output = blockingOutput{block}
	})
	var got503 bool
	for i := 0; i < 10 && !got503; i++ {
		resp, err := http.Post("http://"+h.addr+"/falco", "application/json", bytes.NewReader(distinctAlert(t, h.sc, i)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			got503 = true
			if resp.Header.Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
		}
	}
	close(block)
	if !got503 {
		t.Fatal("a full queue never answered 503")
	}
	var metrics string
	if !eventually.Poll(eventually.Timeout, func() bool {
		_, metrics = h.get(t, "/metrics")
		return strings.Contains(metrics, `tfdrift_events_dropped_total{reason="overloaded"}`)
	}) {
		t.Errorf("overload not counted:\n%s", grep(metrics, "dropped"))
	}
}

type blockingOutput struct{ c chan struct{} }

func (b blockingOutput) Write(*drift.Drift) error { <-b.c; return nil }
func (b blockingOutput) Flush() error             { return nil }

// TestDrainOnShutdown: events accepted before SIGTERM are all processed.
func TestDrainOnShutdown(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var written int
	h := start(t, func(o *Options) {
		o.Output = countingOutput{release: release, mu: &mu, n: &written}
	})
	for i := 0; i < 5; i++ {
		// Five deliveries of one console edit: one drift, four repeats.
		if resp := h.post(t, distinctAlert(t, h.sc, i)); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("POST %d: %d", i, resp.StatusCode)
		}
	}
	go func() { time.Sleep(100 * time.Millisecond); close(release) }()
	h.stop(t)
	mu.Lock()
	defer mu.Unlock()
	if written != 1 {
		t.Errorf("%d drifts written after drain, want 1", written)
	}
}

type countingOutput struct {
	release chan struct{}
	mu      *sync.Mutex
	n       *int
}

func (c countingOutput) Write(*drift.Drift) error {
	<-c.release
	c.mu.Lock()
	*c.n++
	c.mu.Unlock()
	return nil
}
func (c countingOutput) Flush() error { return nil }

// TestReloadKeepsServing: a reload swaps the engine between events without
// refusing any.
func TestReloadKeepsServing(t *testing.T) {
	builds := 0
	var mu sync.Mutex
	h := start(t, func(o *Options) {
		inner := o.Build
		o.Build = func(ctx context.Context, ix *state.Index, nudge func(*change.Change)) (*detector.Engine, error) {
			mu.Lock()
			builds++
			n := builds
			mu.Unlock()
			if n == 3 {
				return nil, errors.New("bad config")
			}
			return inner(ctx, ix, nudge)
		}
	})
	h.reload <- struct{}{}
	h.reload <- struct{}{} // this build fails: the running engine stays
	if resp := h.post(t, falcoAlert(t, h.sc)); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST after reloads: %d", resp.StatusCode)
	}
	waitFor(t, "the drift after reload", func() bool { return strings.Contains(h.out.String(), "workers[1]") })
	// The daemon takes a reload off the channel before it builds; the
	// failed build is counted a moment after the send returns.
	var metrics string
	reloaded := func() bool {
		_, metrics = h.get(t, "/metrics")
		return strings.Contains(metrics, `tfdrift_config_reloads_total{result="ok"} 1`) && strings.Contains(metrics, `tfdrift_config_reloads_total{result="error"} 1`)
	}
	if !eventually.Poll(eventually.Timeout, reloaded) {
		t.Errorf("reload metrics:\n%s", grep(metrics, "reload"))
	}
}

// TestStoreRecordsBeforeEmitting: with a store, a drift is printed only
// once its record is open, and a second replica's repeat prints nothing —
// on SQLite and on a real Postgres (the several-replicas set-up; with
// -tags e2e, see storetest.Engines).
func TestStoreRecordsBeforeEmitting(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { replicasShareOneRecord(t, e.DSN(t)) })
	}
}

func replicasShareOneRecord(t *testing.T, dsn string) {
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// The second replica has its own connection pool, as a second process.
	st2, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	h := start(t, func(o *Options) { o.Recorder = st })
	h.post(t, falcoAlert(t, h.sc))
	waitFor(t, "the drift", func() bool { return strings.Contains(h.out.String(), "workers[1]") })
	page, err := st.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 1 {
		t.Fatalf("%d records, want 1", len(page.Records))
	}

	// A second daemon ("replica") on the same database sees the same
	// edit through another delivery: no second record, nothing printed.
	h2 := startOn(t, h.sc, func(o *Options) { o.Recorder = st2 })
	h2.post(t, distinctAlert(t, h2.sc, 1))
	waitFor(t, "the replica to record", func() bool {
		rec, err := st.Get(ctx, page.Records[0].Fingerprint)
		return err == nil && rec.Count == 2
	})
	if h2.out.String() != "" {
		t.Errorf("the replica printed a drift another replica already recorded: %q", h2.out.String())
	}
	if page, _ := st.List(ctx, store.Filter{}); len(page.Records) != 1 {
		t.Errorf("%d records after the replica, want 1", len(page.Records))
	}
}

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
