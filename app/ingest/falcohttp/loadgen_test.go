package falcohttp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The load generator drives a real http.Server on loopback the way Falco
// and falcosidekick do: keep-alive connections, one alert per POST. It is
// bounded by a request count, never by wall time, and reports throughput
// and latency; the numbers are benchmark output, not test assertions.

// loadResult is what one run measured.
type loadResult struct {
	sent      int
	elapsed   time.Duration
	latencies []time.Duration // sorted
	statuses  map[int]int
}

func (r loadResult) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[int(q*float64(len(r.latencies)-1))]
}

func (r loadResult) rate() float64 { return float64(r.sent) / r.elapsed.Seconds() }

// loadConfig shapes a run: total requests spread over clients, optionally
// paced to a combined rate (alerts/s; 0 = as fast as possible).
type loadConfig struct {
	url     string
	token   string
	clients int
	total   int
	rate    float64
	bodies  [][]byte
}

// startServer serves h on 127.0.0.1 and returns its base URL.
func startServer(tb testing.TB, h http.Handler) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	tb.Cleanup(func() {
		_ = srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			tb.Errorf("server: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// runLoad sends cfg.total requests from cfg.clients goroutines, each with
// its own keep-alive connection.
func runLoad(cfg loadConfig) (loadResult, error) {
	var (
		next     atomic.Int64
		mu       sync.Mutex
		lats     = make([]time.Duration, 0, cfg.total)
		statuses = map[int]int{}
		firstErr error
		wg       sync.WaitGroup
	)
	var interval time.Duration
	if cfg.rate > 0 {
		interval = time.Duration(float64(time.Second) / cfg.rate)
	}
	start := time.Now()
	for range cfg.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1, DisableCompression: true}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			mine := make([]time.Duration, 0, cfg.total/cfg.clients+1)
			mySt := map[int]int{}
			rd := bytes.NewReader(nil)
			var err error
			for {
				i := next.Add(1) - 1
				if i >= int64(cfg.total) {
					break
				}
				if interval > 0 {
					if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
						time.Sleep(d)
					}
				}
				rd.Reset(cfg.bodies[i%int64(len(cfg.bodies))])
				req, _ := http.NewRequest(http.MethodPost, cfg.url, rd)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+cfg.token)
				t0 := time.Now()
				res, e := client.Do(req)
				if e != nil {
					err = e
					break
				}
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				mine = append(mine, time.Since(t0))
				mySt[res.StatusCode]++
			}
			mu.Lock()
			defer mu.Unlock()
			lats = append(lats, mine...)
			for k, v := range mySt {
				statuses[k] += v
			}
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lats)
	return loadResult{sent: len(lats), elapsed: elapsed, latencies: lats, statuses: statuses}, firstErr
}

func benchLoopback(b *testing.B, rate float64) {
	s := newSink(b)
	h, err := New(Config{Secrets: []string{testSecret}}, s.handle)
	if err != nil {
		b.Fatal(err)
	}
	url := startServer(b, h) + "/falco"
	cfg := loadConfig{url: url, token: testSecret, clients: 8, total: b.N, rate: rate, bodies: distinctAlerts(b, 2*DefaultDedupSize)}
	b.ResetTimer()
	res, err := runLoad(cfg)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if res.statuses[http.StatusAccepted] != b.N {
		b.Fatalf("statuses %v: want %d × 202", res.statuses, b.N)
	}
	b.ReportMetric(res.rate(), "alerts/s")
	b.ReportMetric(float64(res.quantile(0.50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(res.quantile(0.99).Microseconds()), "p99-µs")
}

// BenchmarkLoopback8Clients: 8 keep-alive clients as fast as they can go
// (target: ≥ 30,000 alerts/s).
func BenchmarkLoopback8Clients(b *testing.B) { benchLoopback(b, 0) }

// BenchmarkLoopbackPaced2000: 8 clients sharing a 2,000 alerts/s schedule
// (target: p99 under 1 ms).
func BenchmarkLoopbackPaced2000(b *testing.B) { benchLoopback(b, 2000) }

// TestLoadGenerator checks the harness itself on a small run: every alert is
// answered 202 and reaches the pipeline exactly once.
func TestLoadGenerator(t *testing.T) {
	s := newSink(t)
	h, err := New(Config{Secrets: []string{testSecret}}, s.handle)
	if err != nil {
		t.Fatal(err)
	}
	url := startServer(t, h) + "/falco"
	const total = 200
	res, err := runLoad(loadConfig{url: url, token: testSecret, clients: 8, total: total, bodies: distinctAlerts(t, total)})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(res.statuses); got != fmt.Sprint(map[int]int{202: total}) {
		t.Errorf("statuses %s, want all 202", got)
	}
	if got := s.taken.Load(); got != total {
		t.Errorf("pipeline took %d alerts, want %d", got, total)
	}
	if res.sent != total || len(res.latencies) != total {
		t.Errorf("sent %d, latencies %d, want %d", res.sent, len(res.latencies), total)
	}
}
