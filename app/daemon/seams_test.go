package daemon

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/ingest"
	"github.com/tfdrift/tfdrift/app/ingest/falcohttp"
	"github.com/tfdrift/tfdrift/app/ingest/spool"
)

// fakeWebhook stands in for the GitHub App's webhook route: it checks the
// delivery's HMAC-SHA256 signature with its own secret, as GitHub signs
// them, and keeps what it accepted. It never looks at /falco's secret.
type fakeWebhook struct {
	secret []byte
	next   ingest.Handler // where an accepted delivery goes (a spool in front of the App)

	mu       sync.Mutex
	accepted []string
	refused  int
}

func (f *fakeWebhook) sign(body []byte) string {
	mac := hmac.New(sha256.New, f.secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (f *fakeWebhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	got := []byte(r.Header.Get("X-Hub-Signature-256"))
	if !hmac.Equal(got, []byte(f.sign(body))) {
		f.mu.Lock()
		f.refused++
		f.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	id := r.Header.Get("X-GitHub-Delivery")
	if f.next != nil {
		m := ingest.Message{Source: "github-webhook", ID: id, Body: body}
		if err := f.next(r.Context(), m); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
	}
	f.mu.Lock()
	f.accepted = append(f.accepted, id)
	f.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func (f *fakeWebhook) counts() (int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.accepted), f.refused
}

func (h *harness) do(t *testing.T, method, path string, body []byte, hdr map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+h.addr+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestMountedRouteHasItsOwnAuth: a job mounts POST /webhooks/github. It
// is reached without /falco's secret and checks its own HMAC, while
// /falco still refuses a request without its secret.
func TestMountedRouteHasItsOwnAuth(t *testing.T) {
	hook := &fakeWebhook{secret: []byte("gh-webhook-secret")}
	h := start(t, func(o *Options) {
		o.Falco = falcohttp.Config{Secrets: []string{"falco-shared-s3cret-0123"}}
		o.Routes = []Route{{Pattern: "POST /webhooks/github", Handler: hook}}
	})
	body := []byte(`{"action":"created","comment":{"body":"/tfdrift recheck"}}`)
	tests := []struct {
		name         string
		method, path string
		hdr          map[string]string
		want         int
	}{
		{"signed delivery, no falco secret", "POST", "/webhooks/github", map[string]string{"X-Hub-Signature-256": hook.sign(body), "X-GitHub-Delivery": "d-1"}, http.StatusAccepted},
		{"bad signature", "POST", "/webhooks/github", map[string]string{"X-Hub-Signature-256": "sha256=00", "X-GitHub-Delivery": "d-2"}, http.StatusUnauthorized},
		{"falco's secret is no signature", "POST", "/webhooks/github", map[string]string{"Authorization": "Bearer falco-shared-s3cret-0123"}, http.StatusUnauthorized},
		{"only POST", "GET", "/webhooks/github", nil, http.StatusMethodNotAllowed},
		{"/falco still needs its secret", "POST", "/falco", map[string]string{"X-Hub-Signature-256": hook.sign(body)}, http.StatusUnauthorized},
		{"healthz untouched", "GET", "/healthz", nil, http.StatusOK},
	}
	for _, tt := range tests {
		if got := h.do(t, tt.method, tt.path, body, tt.hdr); got != tt.want {
			t.Errorf("%s: %s %s = %d, want %d", tt.name, tt.method, tt.path, got, tt.want)
		}
	}
	if acc, ref := hook.counts(); acc != 1 || ref != 2 {
		t.Errorf("the route accepted %d and refused %d deliveries, want 1 and 2", acc, ref)
	}
	if got := h.do(t, "POST", "/falco/falco-shared-s3cret-0123", falcoAlert(t, h.sc), nil); got != http.StatusAccepted {
		t.Errorf("/falco with its secret: %d", got)
	}
}

// TestRouteMayNotTakeDaemonEndpoints: a route that would shadow /falco (a
// /falco/<secret> path included), a health endpoint, or another route is
// refused at start with the pattern named.
func TestRouteMayNotTakeDaemonEndpoints(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})
	sc, err := scenario.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, routes := range [][]Route{
		{{Pattern: "/falco", Handler: ok}},
		{{Pattern: "POST /falco/guess", Handler: ok}},
		{{Pattern: "GET example.com/metrics", Handler: ok}},
		{{Pattern: "POST /readyz/", Handler: ok}},
		{{Pattern: "POST /webhooks/github", Handler: ok}, {Pattern: "POST /webhooks/github", Handler: ok}},
		{{Pattern: "POST /webhooks/{bad", Handler: ok}},
		{{Pattern: "POST /webhooks/github"}},
	} {
		o := scenarioOptions(t, sc, io.Discard)
		o.Routes = routes
		err := Run(context.Background(), o)
		if err == nil || !strings.Contains(err.Error(), "route") {
			t.Errorf("routes %+v: err %v, want a route error", routes, err)
		}
	}
}

// TestJournaledDeliveriesGoToTheirConsumer: a route journals what it
// accepts in the spool. After a crash, its deliveries are replayed to the
// consumer of its source, not into the drift pipeline; Falco's alerts go
// to the pipeline as before.
func TestJournaledDeliveriesGoToTheirConsumer(t *testing.T) {
	dir := t.TempDir()
	sp, err := spool.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var held []ingest.Message // the App took them and died before settling
	var mu sync.Mutex
	hook := &fakeWebhook{secret: []byte("k"), next: sp.Wrap(func(_ context.Context, m ingest.Message) error {
		mu.Lock()
		held = append(held, m)
		mu.Unlock()
		return nil
	})}
	h := start(t, func(o *Options) {
		o.Spool = sp
		o.Routes = []Route{{Pattern: "POST /webhooks/github", Handler: hook}}
	})
	body := []byte(`{"action":"created"}`)
	for _, id := range []string{"d-1", "d-2"} {
		if got := h.do(t, "POST", "/webhooks/github", body, map[string]string{"X-Hub-Signature-256": hook.sign(body), "X-GitHub-Delivery": id}); got != http.StatusAccepted {
			t.Fatalf("delivery %s: %d", id, got)
		}
	}
	h.stop(t) // drains and closes the spool; the deliveries are unsettled

	sp2, err := spool.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var replayed []string
	consumed := make(chan struct{}, 2)
	h2 := startOn(t, h.sc, func(o *Options) {
		o.Spool = sp2
		o.Consumers = map[string]ingest.Handler{"github-webhook": func(_ context.Context, m ingest.Message) error {
			mu.Lock()
			replayed = append(replayed, m.ID+" "+string(m.Body))
			mu.Unlock()
			m.Done(nil)
			consumed <- struct{}{}
			return nil
		}}
	})
	for range 2 {
		select {
		case <-consumed:
		case <-time.After(10 * time.Second):
			t.Fatal("the consumer did not get the journaled deliveries")
		}
	}
	mu.Lock()
	if strings.Join(replayed, ",") != `d-1 {"action":"created"},d-2 {"action":"created"}` {
		t.Errorf("replayed to the consumer: %q", replayed)
	}
	mu.Unlock()
	if n := counter(h2.m.EventsIn.WithLabelValues("github-webhook")); n != 0 {
		t.Errorf("the drift pipeline took %v webhook deliveries", n)
	}
	if n := counter(h2.m.Dropped.WithLabelValues("decode_error")); n != 0 {
		t.Errorf("decode errors: %v", n)
	}
	waitFor(t, "the replays to settle", func() bool { return sp2.Stats().Done == 2 })
}

// sendingInput is a live input that sends its messages once. It calls
// itself falco-grpc, the name the daemon once compared to decide.
type sendingInput struct {
	msgs [][]byte
	sent chan struct{}
}

func (f *sendingInput) Run(ctx context.Context, h ingest.Handler) error {
	for i, b := range f.msgs {
		if err := h(ctx, ingest.Message{Source: "fake", ID: string(rune('a' + i)), Body: b}); err != nil {
			return err
		}
	}
	close(f.sent)
	<-ctx.Done()
	return nil
}

func (f *sendingInput) Status() ingest.Status {
	return ingest.Status{Name: "falco-grpc", State: ingest.StateConnected}
}

// TestJournaledIsTypedProperty: an input marked ingest.Journaled goes
// through the spool; one that is not (it can redeliver) does not,
// whatever it is called.
func TestJournaledIsTypedProperty(t *testing.T) {
	for _, tt := range []struct {
		name    string
		journal bool
		want    uint64
	}{{"journaled", true, 2}, {"redelivering", false, 0}} {
		t.Run(tt.name, func(t *testing.T) {
			sp, err := spool.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			f := &sendingInput{msgs: [][]byte{[]byte(`{}`), []byte(`{}`)}, sent: make(chan struct{})}
			var in ingest.Input = f
			if tt.journal {
				in = ingest.Journal(f, "fake")
			}
			start(t, func(o *Options) { o.Spool = sp; o.Inputs = []ingest.Input{in} })
			select {
			case <-f.sent:
			case <-time.After(10 * time.Second):
				t.Fatal("the input did not run")
			}
			if got := sp.Stats().Appended; got != tt.want {
				t.Errorf("journaled %d messages, want %d", got, tt.want)
			}
		})
	}
}

func counter(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return -1
	}
	return m.GetCounter().GetValue()
}
