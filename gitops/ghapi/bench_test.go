package ghapi

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// stubTransport answers at once from memory: 304 when the request
// carries If-None-Match, else 200 with body and an ETag.
type stubTransport struct{ body []byte }

func (s stubTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	h := http.Header{"Etag": {`W/"abc"`}, "X-Ratelimit-Remaining": {"4999"}, "Content-Type": {"application/json"}}
	if req.Header.Get("If-None-Match") != "" {
		return &http.Response{StatusCode: http.StatusNotModified, Header: h, Body: http.NoBody, Request: req}, nil
	}
	return &http.Response{StatusCode: http.StatusOK, Header: h, Body: io.NopCloser(bytes.NewReader(s.body)), Request: req}, nil
}

func roundTrip(b *testing.B, rt http.RoundTripper, req *http.Request) {
	resp, err := rt.RoundTrip(req)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
}

// reportVsBaseline times baseline for as many iterations in the same run
// and reports it and the ratio beside the benchmark's own figure.
// (testing.Benchmark cannot be nested in a benchmark.)
func reportVsBaseline(b *testing.B, start time.Time, baseline func()) {
	elapsed := time.Since(start)
	b.StopTimer()
	t0 := time.Now()
	for range b.N {
		baseline()
	}
	base := time.Since(t0)
	b.ReportMetric(float64(base.Nanoseconds())/float64(b.N), "baseline-ns/op")
	if base > 0 {
		b.ReportMetric(float64(elapsed)/float64(base), "x-baseline")
	}
}

// BenchmarkETagCacheHit is a GET answered 304 and served from the cache
// (a 2 KiB .tfdrift.yml), against the same GET passed straight through
// as a 200.
func BenchmarkETagCacheHit(b *testing.B) {
	body := []byte(strings.Repeat("x", 2048))
	req, _ := http.NewRequest("GET", "https://api.github.com/repos/acme/infra/contents/.tfdrift.yml?ref=main", nil)
	req.Header.Set("Accept", "application/vnd.github.v3+json")
	cache := NewETagCache(DefaultCacheBytes)
	rt := &etagTransport{next: stubTransport{body: body}, cache: cache, scope: "installation:7"}
	roundTrip(b, rt, req) // store
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		roundTrip(b, rt, req)
	}
	if cache.Stats().Revalidated < uint64(b.N) {
		b.Fatalf("%d hits for %d requests", cache.Stats().Revalidated, b.N)
	}
	direct := stubTransport{body: body}
	reportVsBaseline(b, start, func() { roundTrip(b, direct, req) })
}

// BenchmarkPacerWrite is a write through the pacer with limits that never
// bind (its overhead: the turn, the clock, the window bookkeeping),
// against the same write without it.
func BenchmarkPacerWrite(b *testing.B) {
	req, _ := http.NewRequest("POST", "https://api.github.com/repos/acme/infra/issues", nil)
	next := stubTransport{body: []byte(`{"number":1}`)}
	clock := NewVirtualClock(time.Unix(1_700_000_000, 0))
	// Windows as in production, a gap of a nanosecond the virtual clock
	// skips: every write takes the full bookkeeping path.
	rt := &pacerTransport{next: next, pacer: NewPacer(Pacing{MinGap: time.Nanosecond, PerMinute: 70, PerHour: 450, MaxWait: time.Hour}, clock)}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		roundTrip(b, rt, req)
	}
	reportVsBaseline(b, start, func() { roundTrip(b, next, req) })
}
