package falcohttp

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tfdrift/tfdrift/app/ingest"
)

// sink stands in for the daemon's pipeline: a bounded queue with a consumer
// that completes every message, refusing with ErrOverloaded when full.
type sink struct {
	q          chan ingest.Message
	taken      atomic.Int64
	overloaded atomic.Int64
}

func newSink(tb testing.TB) *sink {
	s := &sink{q: make(chan ingest.Message, 1<<14)}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case m := <-s.q:
				m.Done(nil)
			case <-stop:
				return
			}
		}
	}()
	tb.Cleanup(func() { close(stop); <-done })
	return s
}

func (s *sink) handle(_ context.Context, m ingest.Message) error {
	select {
	case s.q <- m:
		s.taken.Add(1)
		return nil
	default:
		s.overloaded.Add(1)
		return ingest.ErrOverloaded
	}
}

// distinctAlerts returns n copies of the CloudTrail fixture with distinct
// ct.id values, so that de-duplication does not short-cut the work. n is
// twice the de-duplication window, so cycling through them never repeats
// an ID the handler still remembers.
func distinctAlerts(tb testing.TB, n int) [][]byte {
	tb.Helper()
	base := readFixture(tb, "alert_cloudtrail.json")
	const id = "6c4d7b1a-3f0e-4a7e-9d61-2b8f5e0c9a11"
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte(strings.ReplaceAll(base, id, fmt.Sprintf("%08x-3f0e-4a7e-9d61-2b8f5e0c9a11", i)))
	}
	return out
}

// BenchmarkHandler measures ServeHTTP alone (no network), in parallel.
func BenchmarkHandler(b *testing.B) {
	s := newSink(b)
	h, err := New(Config{Secrets: []string{testSecret}}, s.handle)
	if err != nil {
		b.Fatal(err)
	}
	alerts := distinctAlerts(b, 2*DefaultDedupSize)
	var next atomic.Uint64
	b.SetBytes(int64(len(alerts[0])))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rd := bytes.NewReader(nil)
		for pb.Next() {
			body := alerts[next.Add(1)%uint64(len(alerts))]
			rd.Reset(body)
			req := httptest.NewRequest(http.MethodPost, "/falco", rd)
			req.Header.Set("Authorization", "Bearer "+testSecret)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusAccepted && rec.Code != http.StatusServiceUnavailable {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(s.overloaded.Load()), "overloaded")
}

// BenchmarkParseAlerts measures the JSON check of one alert.
func BenchmarkParseAlerts(b *testing.B) {
	body := []byte(readFixture(b, "alert_cloudtrail.json"))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var dst [1]alert
	for b.Loop() {
		if _, err := parseAlerts(dst[:0], body); err != nil {
			b.Fatal(err)
		}
	}
}
