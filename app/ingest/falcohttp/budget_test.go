package falcohttp

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/ingest"
)

// slowBody sends the first half of data at once, then waits for gate
// before it sends the rest: a sender that holds its body open.
type slowBody struct {
	data []byte
	off  int
	gate <-chan struct{}
	sent func() // called once the first half is read
}

func (b *slowBody) Read(p []byte) (int, error) {
	half := len(b.data) / 2
	if b.off < half {
		n := copy(p, b.data[b.off:half])
		b.off += n
		if b.off == half {
			b.sent()
		}
		return n, nil
	}
	<-b.gate
	if b.off == len(b.data) {
		return 0, io.EOF
	}
	n := copy(p, b.data[b.off:])
	b.off += n
	return n, nil
}

// paddedAlert is a valid alert padded with blank space to n bytes.
func paddedAlert(t *testing.T, n int) []byte {
	alert := readFixture(t, "alert_cloudtrail.json") + "\n"
	return []byte(alert + strings.Repeat(" ", n-len(alert)))
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(time.Millisecond):
		}
	}
}

// TestInflightBudget: many senders each holding a large body open never
// make the handler hold more than MaxInflightBytes; those past it are
// answered 503 busy with Retry-After, the others complete once their
// bodies arrive, and the budget is all returned.
func TestInflightBudget(t *testing.T) {
	const (
		senders  = 12
		bodySize = 900 << 10
		maxBody  = 1 << 20
		inflight = 4 << 20
	)
	for _, tc := range []struct {
		name  string
		known bool // Content-Length set; else chunked
	}{{"content-length", true}, {"chunked", false}} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			var rejects sync.Map // reason → *atomic.Int64
			h, err := New(Config{Secrets: []string{testSecret}, MaxBodyBytes: maxBody, MaxInflightBytes: inflight,
				OnReject: func(_ *http.Request, status int, reason string) {
					v, _ := rejects.LoadOrStore(reason, new(atomic.Int64))
					v.(*atomic.Int64).Add(1)
				}}, rec.handle)
			if err != nil {
				t.Fatal(err)
			}
			gate := make(chan struct{})
			var holding, answered atomic.Int64
			codes := make([]int, senders)
			retry := make([]string, senders)
			var wg sync.WaitGroup
			for i := range senders {
				body := &slowBody{data: paddedAlert(t, bodySize), gate: gate, sent: func() { holding.Add(1) }}
				req := httptest.NewRequest(http.MethodPost, "/falco/"+testSecret, body)
				req.ContentLength = -1
				if tc.known {
					req.ContentLength = bodySize
				}
				wg.Go(func() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					codes[i], retry[i] = w.Code, w.Header().Get("Retry-After")
					answered.Add(1)
				})
			}
			// Every sender has either been refused or holds half its body.
			waitFor(t, "every sender to be refused or to hold its body", func() bool {
				return answered.Load()+holding.Load() >= senders
			})
			if got := h.InflightBytes(); got > inflight {
				t.Errorf("holding %d bytes in flight, bound %d", got, inflight)
			}
			if tc.known {
				// Content-Length is taken whole before a byte is read:
				// exactly as many as fit are reading.
				if got, want := h.InflightBytes(), int64(inflight/bodySize*bodySize); got != want {
					t.Errorf("in flight %d, want %d (%d bodies of %d)", got, want, inflight/bodySize, bodySize)
				}
			}
			close(gate)
			wg.Wait()
			ok, busy := 0, 0
			for i, c := range codes {
				switch c {
				case http.StatusAccepted, http.StatusOK:
					ok++
				case http.StatusServiceUnavailable:
					busy++
					if retry[i] == "" {
						t.Errorf("sender %d: 503 without Retry-After", i)
					}
				default:
					t.Errorf("sender %d: status %d", i, c)
				}
			}
			if ok == 0 || busy == 0 {
				t.Errorf("%d accepted, %d busy: want some of each", ok, busy)
			}
			if tc.known && ok != inflight/bodySize {
				t.Errorf("%d accepted, want %d", ok, inflight/bodySize)
			}
			if got := h.PeakInflightBytes(); got > inflight || got == 0 {
				t.Errorf("peak in flight %d, want within (0, %d]", got, inflight)
			}
			if got := h.InflightBytes(); got != 0 {
				t.Errorf("%d bytes still held after every request ended", got)
			}
			v, _ := rejects.Load(ReasonBusy)
			if v == nil || int(v.(*atomic.Int64).Load()) != busy {
				t.Errorf("OnReject heard busy %v times, clients saw %d", v, busy)
			}
			if got := h.Stats().Rejected[ReasonBusy]; got != uint64(busy) {
				t.Errorf("Stats.Rejected[busy] = %d, want %d", got, busy)
			}
		})
	}
}

// TestPooledBodyNotShared: the body buffer goes back to a pool when the
// request ends, so the pipeline must hold its own copy of each alert.
func TestPooledBodyNotShared(t *testing.T) {
	rec := &recorder{}
	h, err := New(Config{Secrets: []string{testSecret}}, rec.handle)
	if err != nil {
		t.Fatal(err)
	}
	a := readFixture(t, "alert_cloudtrail.json")
	b := readFixture(t, "sidekick.json")
	for _, body := range []string{a, b, a + "\n" + b} {
		if got := do(t, h, post("/falco/"+testSecret, body)); got.Status != http.StatusAccepted && got.Status != http.StatusOK {
			t.Fatalf("status %d", got.Status)
		}
	}
	if diff := cmp.Diff([]string{a, b}, rec.bodies()); diff != "" {
		t.Errorf("bodies the pipeline holds (-want +got):\n%s", diff)
	}
	if got := h.InflightBytes(); got != 0 {
		t.Errorf("%d bytes still held", got)
	}
}

func TestInflightBelowMaxBody(t *testing.T) {
	_, err := New(Config{Secrets: []string{testSecret}, MaxBodyBytes: 1 << 20, MaxInflightBytes: 1 << 10}, (&recorder{}).handle)
	if err == nil || !strings.Contains(err.Error(), "in-flight") {
		t.Fatalf("err = %v, want the in-flight bound refused", err)
	}
}

// TestOnReject: every refusal reaches the hook with its status and reason.
func TestOnReject(t *testing.T) {
	type heard struct {
		Status int
		Reason string
	}
	var mu sync.Mutex
	var got []heard
	rec := &recorder{}
	h, err := New(Config{Secrets: []string{testSecret}, MaxBodyBytes: 4096, OnReject: func(_ *http.Request, status int, reason string) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, heard{status, reason})
	}}, rec.handle)
	if err != nil {
		t.Fatal(err)
	}
	alert := readFixture(t, "alert_cloudtrail.json")
	do(t, h, post("/falco/wrong-secret-0123456789", alert))
	do(t, h, post("/falco/"+testSecret, "nope"))
	do(t, h, post("/falco/"+testSecret, strings.Repeat("x", 5000)))
	do(t, h, post("/falco/"+testSecret, alert))
	rec.setErr(errOverloadedForTest)
	do(t, h, post("/falco/"+testSecret, strings.ReplaceAll(alert, "6c4d7b1a", "7c4d7b1a")))
	want := []heard{
		{http.StatusUnauthorized, ReasonUnauthorized},
		{http.StatusBadRequest, ReasonBadJSON},
		{http.StatusRequestEntityTooLarge, ReasonTooLarge},
		{http.StatusServiceUnavailable, ReasonOverloaded},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("OnReject heard (-want +got):\n%s", diff)
	}
}

var errOverloadedForTest = ingest.ErrOverloaded
