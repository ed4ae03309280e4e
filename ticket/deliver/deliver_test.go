package deliver_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/deliver"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
	"github.com/tfdrift/tfdrift/ticket/webhook"
)

// clock is a fake clock shared by the queue and the deliverer.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}
func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

func noticeFor(sink string, d *drift.Drift) *ticket.Notice {
	return &ticket.Notice{Sink: sink, Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint}
}

// endpoint is a webhook receiver that answers from a script, then 202,
// and counts the bodies it accepted.
type endpoint struct {
	mu       sync.Mutex
	script   []func(w http.ResponseWriter) // one per request, then 202
	accepted []string
	requests int
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests++
	if len(e.script) > 0 {
		f := e.script[0]
		e.script = e.script[1:]
		f(w)
		return
	}
	e.accepted = append(e.accepted, r.Header.Get(webhook.IdempotencyHeader))
	w.WriteHeader(http.StatusAccepted)
}

func status(code int, header ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		http.Error(w, fmt.Sprintf(`{"error":"status %d"}`, code), code)
	}
}

type harness struct {
	clk     *clock
	q       *deliver.MemQueue
	d       *deliver.Deliverer
	results []deliver.Result
	mu      sync.Mutex
}

func newHarness(t *testing.T, sinks []ticket.Sink, mut ...func(*deliver.Options)) *harness {
	t.Helper()
	h := &harness{clk: &clock{t: sample.When}}
	h.q = deliver.NewMemQueue(h.clk.Now)
	o := deliver.Options{
		Owner: "worker-1", Concurrency: 4, Now: h.clk.Now, Rand: func() float64 { return 0.5 },
		OnResult: func(r deliver.Result) { h.mu.Lock(); h.results = append(h.results, r); h.mu.Unlock() },
	}
	for _, m := range mut {
		m(&o)
	}
	d, err := deliver.New(h.q, sinks, o)
	if err != nil {
		t.Fatal(err)
	}
	h.d = d
	return h
}

// drain runs batches, jumping the clock to the next due time, until
// nothing is left to claim; it returns the number of passes.
func (h *harness) drain(t *testing.T) int {
	t.Helper()
	for pass := 1; pass < 100; pass++ {
		n, err := h.d.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			continue
		}
		next, ok := h.q.NextDue()
		if !ok {
			return pass
		}
		h.clk.Set(next)
	}
	t.Fatal("the queue never drained")
	return 0
}

func webhookSink(t testing.TB, url string) ticket.Sink {
	t.Helper()
	s, err := webhook.New(webhook.Options{Name: "webhook", URL: url})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The fault test: 500s for a while, then recovery. Delivered once, after
// retries spaced by the backoff.
func TestFaultRecoveryDeliversOnce(t *testing.T) {
	ep := &endpoint{script: []func(http.ResponseWriter){status(500), status(502), status(503)}}
	srv := httptest.NewServer(ep)
	defer srv.Close()
	h := newHarness(t, []ticket.Sink{webhookSink(t, srv.URL)})
	id, err := h.q.Enqueue(noticeFor("webhook", sample.SecurityGroup()))
	if err != nil {
		t.Fatal(err)
	}
	h.drain(t)
	it, _ := h.q.Get(id)
	if it.Status != deliver.StatusDelivered || it.Attempts != 4 || len(ep.accepted) != 1 || ep.requests != 4 {
		t.Fatalf("status %s after %d attempts; endpoint accepted %d of %d requests", it.Status, it.Attempts, len(ep.accepted), ep.requests)
	}
	var outcomes []deliver.Outcome
	var waits []time.Duration
	prev := sample.When
	for _, r := range h.results {
		outcomes = append(outcomes, r.Outcome)
		if r.Outcome == deliver.Retrying {
			waits = append(waits, r.RetryAt.Sub(prev))
			prev = r.RetryAt
		}
	}
	if diff := cmp.Diff([]deliver.Outcome{deliver.Retrying, deliver.Retrying, deliver.Retrying, deliver.Delivered}, outcomes); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	b := deliver.DefaultBackoff
	if diff := cmp.Diff([]time.Duration{b.Delay(1, 0.5), b.Delay(2, 0.5), b.Delay(3, 0.5)}, waits); diff != "" {
		t.Errorf("retry waits (-want +got):\n%s", diff)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	ep := &endpoint{script: []func(http.ResponseWriter){status(429, "Retry-After", "120")}}
	srv := httptest.NewServer(ep)
	defer srv.Close()
	h := newHarness(t, []ticket.Sink{webhookSink(t, srv.URL)})
	id, _ := h.q.Enqueue(noticeFor("webhook", sample.SecurityGroup()))
	if _, err := h.d.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	it, _ := h.q.Get(id)
	if want := sample.When.Add(120 * time.Second); it.Status != deliver.StatusPending || !it.RetryAt.Equal(want) {
		t.Fatalf("after 429: %s, retry at %v; want pending at %v", it.Status, it.RetryAt, want)
	}
	h.clk.Advance(119 * time.Second)
	if n, _ := h.d.RunOnce(context.Background()); n != 0 {
		t.Fatal("claimed before Retry-After elapsed")
	}
	h.clk.Advance(time.Second)
	if n, _ := h.d.RunOnce(context.Background()); n != 1 {
		t.Fatal("not claimed when Retry-After elapsed")
	}
	if it, _ := h.q.Get(id); it.Status != deliver.StatusDelivered || len(ep.accepted) != 1 {
		t.Errorf("status %s, accepted %d", it.Status, len(ep.accepted))
	}
}

func TestPermanentErrorsDeadLetter(t *testing.T) {
	ep := &endpoint{script: []func(http.ResponseWriter){status(400)}}
	srv := httptest.NewServer(ep)
	defer srv.Close()
	h := newHarness(t, []ticket.Sink{webhookSink(t, srv.URL)})
	bad, _ := h.q.Enqueue(noticeFor("webhook", sample.SecurityGroup()))
	unknown, _ := h.q.Enqueue(noticeFor("carrier-pigeon", sample.SecurityGroup()))
	garbage := h.q.EnqueueRaw("webhook", []byte(`{"v":1,"kind":"??"}`))
	h.drain(t)
	want := map[int64]string{
		bad:     `HTTP 400 will not succeed on retry: webhook webhook: POST http://127.0.0.1`,
		unknown: `no sink named "carrier-pigeon" is configured`,
		garbage: `undecodable notice: decode notice`,
	}
	for id, reason := range want {
		it, _ := h.q.Get(id)
		if it.Status != deliver.StatusDead || !strings.Contains(it.LastError, reason) {
			t.Errorf("notice %d: %s %q; want dead with %q", id, it.Status, it.LastError, reason)
		}
	}
	if it, _ := h.q.Get(bad); !strings.Contains(it.LastError, `{"error":"status 400"}`) {
		t.Errorf("the dead letter lacks the endpoint's reason: %q", it.LastError)
	}
	// "tfdrift notices retry" after the cause is fixed.
	if err := h.q.Retry(bad); err != nil {
		t.Fatal(err)
	}
	h.drain(t)
	if it, _ := h.q.Get(bad); it.Status != deliver.StatusDelivered {
		t.Errorf("retried notice is %s", it.Status)
	}
}

func TestGiveUpAfterMaxAttempts(t *testing.T) {
	flaky := &funcSink{name: "flaky", send: func(*ticket.Notice) error { return errors.New("connection reset") }}
	h := newHarness(t, []ticket.Sink{flaky}, func(o *deliver.Options) { o.MaxAttempts = 3 })
	id, _ := h.q.Enqueue(noticeFor("flaky", sample.SecurityGroup()))
	h.drain(t)
	it, _ := h.q.Get(id)
	if it.Status != deliver.StatusDead || it.Attempts != 3 || it.LastError != "gave up after 3 attempts: connection reset" {
		t.Errorf("got %s after %d attempts: %q", it.Status, it.Attempts, it.LastError)
	}
}

func TestPanickingSinkIsDeadLettered(t *testing.T) {
	bad := &funcSink{name: "bad", send: func(*ticket.Notice) error { panic("nil map") }}
	h := newHarness(t, []ticket.Sink{bad})
	id, _ := h.q.Enqueue(noticeFor("bad", sample.SecurityGroup()))
	h.drain(t)
	if it, _ := h.q.Get(id); it.Status != deliver.StatusDead || !strings.Contains(it.LastError, "panicked: nil map") {
		t.Errorf("got %s %q", it.Status, it.LastError)
	}
}

// dedupSink stands for a destination that deduplicates (PagerDuty's
// dedup_key, the Jira marker): it counts sends and distinct keys.
type dedupSink struct {
	name  string
	mu    sync.Mutex
	sends int
	seen  map[string]int
}

func (s *dedupSink) Name() string { return s.name }
func (s *dedupSink) Send(_ context.Context, n *ticket.Notice) (ticket.Receipt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sends++
	s.seen[n.Fingerprint]++
	return ticket.Receipt{}, nil
}

// crashingQueue forgets every settlement: the worker "died" right after
// sending, before the outbox recorded anything.
type crashingQueue struct{ *deliver.MemQueue }

func (crashingQueue) Delivered(context.Context, int64, string, []ticket.Ref) error {
	return errors.New("process died")
}

// A restart in between loses nothing: notices claimed by a worker that
// dies (before or after sending) are claimed again once the lease expires.
func TestRestartLosesNothing(t *testing.T) {
	sink := &dedupSink{name: "pagerduty", seen: map[string]int{}}
	clk := &clock{t: sample.When}
	q := deliver.NewMemQueue(clk.Now)
	var ids []int64
	for i := range 6 {
		d := sample.SecurityGroup()
		d.ResourceID = fmt.Sprintf("sg-%d", i)
		d.ResourceAddress = fmt.Sprintf("aws_security_group.sg%d", i)
		d.ComputeFingerprint()
		id, _ := q.Enqueue(noticeFor("pagerduty", d))
		ids = append(ids, id)
	}
	opts := deliver.Options{Owner: "dies", Concurrency: 2, Lease: 2 * time.Minute, Now: clk.Now}
	// Worker 1 claims two and crashes before sending anything.
	if got, _ := q.Claim(context.Background(), "dies-early", 2, opts.Lease); len(got) != 2 {
		t.Fatalf("claimed %d", len(got))
	}
	// Worker 2 sends two more and crashes before settling.
	d1, _ := deliver.New(crashingQueue{q}, []ticket.Sink{sink}, opts)
	if n, _ := d1.RunOnce(context.Background()); n != 2 {
		t.Fatalf("worker 2 handled %d", n)
	}
	// A fresh worker after the leases expire.
	clk.Advance(opts.Lease)
	opts.Owner, opts.Concurrency = "survivor", 8
	d2, _ := deliver.New(q, []ticket.Sink{sink}, opts)
	for {
		n, err := d2.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	for _, id := range ids {
		if it, _ := q.Get(id); it.Status != deliver.StatusDelivered {
			t.Errorf("notice %d is %s", id, it.Status)
		}
	}
	// 6 notices, 2 of them sent twice; the destination saw 6 distinct ones.
	if sink.sends != 8 || len(sink.seen) != 6 {
		t.Errorf("sends %d, distinct %d; want 8 and 6", sink.sends, len(sink.seen))
	}
	// The dead worker cannot settle what the survivor now owns.
	if err := q.Delivered(context.Background(), ids[0], "dies-early", nil); !errors.Is(err, deliver.ErrLeaseLost) {
		t.Errorf("stale settle = %v, want ErrLeaseLost", err)
	}
}

// funcSink is a Sink from a function.
type funcSink struct {
	name string
	send func(*ticket.Notice) error
}

func (s *funcSink) Name() string { return s.name }
func (s *funcSink) Send(_ context.Context, n *ticket.Notice) (ticket.Receipt, error) {
	return ticket.Receipt{}, s.send(n)
}

// Notices about one resource never run concurrently, and keep their order.
func TestSameResourceIsSerialised(t *testing.T) {
	var inflight, maxInflight atomic.Int32
	var mu sync.Mutex
	var order []string
	slow := &funcSink{name: "jira", send: func(n *ticket.Notice) error {
		if v := inflight.Add(1); v > maxInflight.Load() {
			maxInflight.Store(v)
		}
		time.Sleep(time.Millisecond) // widen any race window
		mu.Lock()
		order = append(order, string(n.Kind))
		mu.Unlock()
		inflight.Add(-1)
		return nil
	}}
	h := newHarness(t, []ticket.Sink{slow}, func(o *deliver.Options) { o.Concurrency = 8 })
	d := sample.SecurityGroup()
	for i := range 8 {
		n := noticeFor("jira", d)
		if i%2 == 1 {
			n.Kind = ticket.KindResolved
		}
		h.q.Enqueue(n)
	}
	h.drain(t)
	if maxInflight.Load() != 1 {
		t.Errorf("%d notices for one resource ran at once", maxInflight.Load())
	}
	if diff := cmp.Diff([]string{"drift", "resolved", "drift", "resolved", "drift", "resolved", "drift", "resolved"}, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

// Run stops gracefully: a send in flight when the context ends finishes
// and is settled; nothing more is claimed.
func TestRunStopsGracefully(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	blocking := &funcSink{name: "slow", send: func(*ticket.Notice) error {
		started <- struct{}{}
		<-release
		return nil
	}}
	q := deliver.NewMemQueue(nil)
	first, _ := q.Enqueue(noticeFor("slow", sample.SecurityGroup()))
	d, err := deliver.New(q, []ticket.Sink{blocking}, deliver.Options{Owner: "w", Concurrency: 1, PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	<-started
	second, _ := q.Enqueue(noticeFor("slow", sample.IAMPolicy()))
	cancel()
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if it, _ := q.Get(first); it.Status != deliver.StatusDelivered {
		t.Errorf("the in-flight notice is %s after the stop", it.Status)
	}
	if it, _ := q.Get(second); it.Status != deliver.StatusPending {
		t.Errorf("a notice was claimed after the stop: %s", it.Status)
	}
}

// Run delivers everything enqueued while it runs, woken by Wake.
func TestRunDeliversWhatIsEnqueued(t *testing.T) {
	sink := &dedupSink{name: "s", seen: map[string]int{}}
	q := deliver.NewMemQueue(nil)
	results := make(chan deliver.Result, 100)
	d, _ := deliver.New(q, []ticket.Sink{sink}, deliver.Options{Owner: "w", PollInterval: time.Hour, OnResult: func(r deliver.Result) { results <- r }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	for i := range 20 {
		dr := sample.SecurityGroup()
		dr.ResourceAddress = fmt.Sprintf("aws_security_group.sg%d", i)
		dr.ComputeFingerprint()
		q.Enqueue(noticeFor("s", dr))
		d.Wake()
	}
	for range 20 {
		if r := <-results; r.Outcome != deliver.Delivered || r.SettleErr != nil {
			t.Errorf("result %+v", r)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := q.Count()[deliver.StatusDelivered]; got != 20 {
		t.Errorf("%d delivered", got)
	}
}

func TestBackoff(t *testing.T) {
	b := deliver.Backoff{Base: time.Second, Max: time.Minute}
	tests := []struct {
		attempt int
		r       float64
		want    time.Duration
	}{
		{1, 0, 500 * time.Millisecond},
		{1, 0.5, 750 * time.Millisecond},
		{2, 0, time.Second},
		{3, 0.5, 3 * time.Second},
		{7, 0, 30 * time.Second}, // 64s capped at 60s
		{100, 0, 30 * time.Second},
		{0, 0, 500 * time.Millisecond},
	}
	for _, tt := range tests {
		got := b.Delay(tt.attempt, tt.r)
		if got.Round(time.Microsecond) != tt.want {
			t.Errorf("Delay(%d, %v) = %v, want %v", tt.attempt, tt.r, got, tt.want)
		}
	}
}

func TestNewRejects(t *testing.T) {
	q := deliver.NewMemQueue(nil)
	s := &funcSink{name: "a"}
	for _, tt := range []struct {
		sinks []ticket.Sink
		o     deliver.Options
	}{
		{nil, deliver.Options{}},
		{[]ticket.Sink{s, s}, deliver.Options{Owner: "w"}},
		{nil, deliver.Options{Owner: "w", Lease: time.Second, SendTimeout: time.Minute}},
	} {
		if _, err := deliver.New(q, tt.sinks, tt.o); err == nil {
			t.Errorf("New(%+v) accepted it", tt.o)
		}
	}
}
