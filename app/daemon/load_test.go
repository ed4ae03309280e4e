package daemon

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"

	"github.com/tfdrift/tfdrift/app/ingest/falcohttp"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/internal/cputime"
)

// End-to-end load: a Go load generator posts Falco aws_cloudtrail alerts to
// a daemon running in-process on loopback and measures, per alert, the time
// from the start of its POST to the moment its drift reached the daemon's
// output. The targets, checked by reading these numbers (never by a
// timed assertion):
//
//   - BenchmarkFalcoHTTPEndToEnd: at least 30,000 alerts/s sustained from
//     8 concurrent keep-alive clients, every alert turned into its drift
//     (BenchmarkFalcoHTTPEndToEndRawClient: the same with clients as cheap
//     as libcurl, so that the client's CPU does not count against the
//     daemon on a small machine).
//   - BenchmarkFalcoHTTPPaced2000: p99 under 1 ms at 2,000 alerts/s.
//
// The daemon serves a state of 10,000 aws_instance resources with the ~60
// attributes the AWS provider records (memory_test.go's generator), with
// no store, its JSON output going to /dev/null. Besides rate and latency
// (p50/p99/max POST → drift, p99 of the HTTP round trip) each run reports
// the 503s, the process CPU per alert and the cores it used, GC cycles,
// and the stalls a sleeping goroutine saw: on a machine shared with other
// work, CPU per alert is the stable number and the stall percentile says
// how much of a latency percentile was the environment's.
//
// Each alert is a ModifyInstanceAttribute that changes instance_type of
// instance i mod 10,000 to a value that depends on i div 10,000: the
// (resource, attribute, actual value) fingerprint differs for every alert,
// so the engine's identical-drift suppression never turns one into a
// repeat, and each alert must give exactly one drift. Its ct.id carries i,
// which is how the output finds the alert a drift came from.
//
// The run is bounded by b.N alerts and by a deadline; a 503 is counted and
// the alert retried, so that a refusal shows up in the numbers instead of
// as a missing drift.

const (
	lgClients   = 8
	lgInstances = 10_000
	// lgEventPrefix is the fixed part of each alert's ct.id; the last 12
	// hex digits are the alert's number.
	lgEventPrefix = "6c4d7b1a-3f0e-4a7e-9d61-"
	// lgRetryPause is how long a client waits after a 503 before posting
	// the same alert again. Falco itself does not retry; the load
	// generator does, so that every alert still ends as a drift and the
	// 503 is visible as a count.
	lgRetryPause = 2 * time.Millisecond
	lgMaxRetries = 500
	// lgDrainWait bounds the wait for the last drifts after the last POST.
	lgDrainWait = 30 * time.Second
)

// lgInstanceTypes are the values the alerts set; the state says t3.micro.
var lgInstanceTypes = []string{
	"m5.large", "m5.xlarge", "m5.2xlarge", "m5.4xlarge", "c5.large", "c5.xlarge", "c5.2xlarge", "r5.large",
	"r5.xlarge", "r5.2xlarge", "t3.small", "t3.medium", "t3.large", "m6i.large", "m6i.xlarge", "c6i.large",
}

func lgInstanceType(round int) string {
	if round < len(lgInstanceTypes) {
		return lgInstanceTypes[round]
	}
	return fmt.Sprintf("m5.%dxlarge", round)
}

// lgInstanceID is the ID of instance k in the load test's state.
func lgInstanceID(k int) string { return memInstanceID(0, k) }

// lgAlert is alert i against a state of the given number of instances, as
// falcosidekick posts it: a distinct uuid and ct.id, the shape of the demo
// scenario's alert.
func lgAlert(i, instances int) []byte {
	req := fmt.Sprintf(`{\"instanceId\": \"%s\", \"instanceType\": {\"value\": \"%s\"}}`, lgInstanceID(i%instances), lgInstanceType(i/instances))
	return fmt.Appendf(nil, `{"uuid":"a8c4e2f0-3b1d-4c5e-9f7a-%012x","output":"14:50:00.000000000: Warning EC2 instance attribute modified (user=devops-team@example.com)",`+
		`"priority":"Warning","rule":"tfdrift: EC2 ModifyInstanceAttribute","source":"aws_cloudtrail","hostname":"falco-0","time":"2025-01-20T14:50:00.512345678Z","tags":["aws","cloudtrail","tfdrift"],`+
		`"output_fields":{"ct.name":"ModifyInstanceAttribute","ct.id":"%s%012x","ct.time":"2025-01-20T14:49:58Z","ct.src":"ec2.amazonaws.com","ct.region":"us-east-1","ct.srcip":"203.0.113.42",`+
		`"ct.useragent":"console.ec2.amazonaws.com","ct.user":"AWSReservedSSO_AdministratorAccess_0123456789abcdef","ct.originaluser":"devops-team@example.com",`+
		`"ct.user.arn":"arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/devops-team@example.com","ct.user.accountid":"123456789012",`+
		`"ct.user.identitytype":"AssumedRole","ct.user.principalid":"AROAEXAMPLESSO:devops-team@example.com","ct.readonly":"false","ct.error":null,"ct.errormessage":null,`+
		`"ct.request":"%s","ct.response":"{\"requestId\": \"r\", \"_return\": true}","ct.resources":null,"evt.num":%d}}`,
		i, lgEventPrefix, i, req, 1000+i)
}

// lgAlertIndex recovers the alert number from a drift's cloud event ID.
func lgAlertIndex(d *drift.Drift) (int, bool) {
	if d.Event == nil {
		return 0, false
	}
	hex, ok := strings.CutPrefix(d.Event.EventID, lgEventPrefix)
	if !ok || len(hex) != 12 {
		return 0, false
	}
	i, err := strconv.ParseUint(hex, 16, 64)
	if err != nil {
		return 0, false
	}
	return int(i), true
}

// lgOutput is the daemon's real JSON output (to /dev/null, so the write
// system call is paid as with stdout) that also stamps, per alert, when its
// drift was written.
type lgOutput struct {
	inner   Output
	base    time.Time
	emitted []atomic.Int64 // ns since base; 0 = not yet
	dups    atomic.Int64   // a second drift for one alert
	strays  atomic.Int64   // a drift no alert of this run explains
	n       atomic.Int64
	all     chan struct{} // closed when every alert has its drift
}

func newLGOutput(inner Output, base time.Time, alerts int) *lgOutput {
	return &lgOutput{inner: inner, base: base, emitted: make([]atomic.Int64, alerts), all: make(chan struct{})}
}

func (o *lgOutput) Write(d *drift.Drift) error {
	if err := o.inner.Write(d); err != nil {
		return err
	}
	at := max(time.Since(o.base).Nanoseconds(), 1)
	i, ok := lgAlertIndex(d)
	if !ok || i >= len(o.emitted) {
		o.strays.Add(1)
		return nil
	}
	if !o.emitted[i].CompareAndSwap(0, at) {
		o.dups.Add(1)
		return nil
	}
	if o.n.Add(1) == int64(len(o.emitted)) {
		close(o.all)
	}
	return nil
}

func (o *lgOutput) Flush() error { return o.inner.Flush() }

// lgDaemon is a daemon serving a generated state, started for one run.
type lgDaemon struct {
	url     string
	metrics *Metrics
	cancel  context.CancelFunc
	done    chan error
}

// startLGDaemon runs the daemon the way `tfdrift serve --listen
// 127.0.0.1:0 --state F --format json` does: no store, output to a file.
func startLGDaemon(tb testing.TB, statePath string, out Output) *lgDaemon {
	tb.Helper()
	cat := catalog.Default()
	ix := wiring.NewIndex(cat)
	backends, err := wiring.LocalBackends(nil, []string{statePath})
	if err != nil {
		tb.Fatal(err)
	}
	d := &lgDaemon{metrics: NewMetrics(), done: make(chan error, 1)}
	started := make(chan string, 1)
	o := Options{
		Listen: "127.0.0.1:0", Index: ix, Backends: backends,
		Build: func(ctx context.Context, ix *state.Index, nudge func(*change.Change)) (*detector.Engine, error) {
			return wiring.NewEngine(ctx, wiring.DetectorOptions{Index: ix, Backends: backends, Catalog: cat, OnTrustedWrite: nudge})
		},
		Falco:   falcohttp.Config{AllowUnauthenticated: true},
		Output:  out,
		Metrics: d.metrics,
		Started: func(a string) { started <- a },
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	go func() { d.done <- Run(ctx, o) }()
	select {
	case addr := <-started:
		d.url = "http://" + addr + "/falco"
	case err := <-d.done:
		cancel()
		tb.Fatalf("daemon exited at start: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		tb.Fatal("daemon did not start within 30s")
	}
	return d
}

// stop drains the daemon; it must return nil.
func (d *lgDaemon) stop() error {
	d.cancel()
	select {
	case err := <-d.done:
		return err
	case <-time.After(30 * time.Second):
		return errors.New("daemon did not drain and stop within 30s")
	}
}

// overloaded is the daemon's own count of refusals with 503.
func (d *lgDaemon) overloaded() float64 {
	var m dto.Metric
	if err := d.metrics.Dropped.WithLabelValues("overloaded").Write(&m); err != nil {
		return -1
	}
	return m.GetCounter().GetValue()
}

// lgRun is one load run's configuration.
type lgRun struct {
	clients int
	rate    float64 // alerts/s over all clients; 0 = as fast as they go
	// raw uses lgRawPoster instead of net/http's client.
	raw bool
}

// lgResult is what a run measured; times are ns since the output's base.
type lgResult struct {
	alerts    int
	postStart []int64
	httpDone  []int64
	scheduled []int64 // paced runs only
	status503 atomic.Int64
	errs      []error
}

// lgPoster sends one alert and reads the answer.
type lgPoster interface {
	post(ctx context.Context, body []byte) (status int, retryAfter bool, msg []byte, err error)
	close()
}

// lgHTTPPoster is net/http's client: one keep-alive transport shared by
// every client goroutine, with an idle connection for each.
type lgHTTPPoster struct {
	url    string
	client *http.Client
	rd     *bytes.Reader
}

func (p *lgHTTPPoster) post(ctx context.Context, body []byte) (int, bool, []byte, error) {
	p.rd.Reset(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, p.rd)
	if err != nil {
		return 0, false, nil, err
	}
	req.Header["Content-Type"] = []string{"application/json"}
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, false, nil, err
	}
	msg, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After") != "", msg, err
}

func (p *lgHTTPPoster) close() {}

// lgRawPoster speaks HTTP/1.1 on one keep-alive connection with the
// request head built once, the way libcurl in Falco's http_output does.
// net/http's client costs about as much CPU per request as the server;
// on a two-core machine shared with the daemon, this one leaves the CPU
// to the daemon, so the run measures the daemon rather than the client.
type lgRawPoster struct {
	conn net.Conn
	w    *bufio.Writer
	r    *bufio.Reader
	head []byte // request line and headers up to "Content-Length: "
	num  []byte
}

func newLGRawPoster(rawURL string) (*lgRawPoster, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		return nil, err
	}
	head := "POST " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host +
		"\r\nUser-Agent: tfdrift-loadgen\r\nContent-Type: application/json\r\nContent-Length: "
	return &lgRawPoster{conn: conn, w: bufio.NewWriterSize(conn, 8192), r: bufio.NewReaderSize(conn, 8192), head: []byte(head)}, nil
}

func (p *lgRawPoster) post(ctx context.Context, body []byte) (int, bool, []byte, error) {
	if d, ok := ctx.Deadline(); ok {
		p.conn.SetDeadline(d)
	}
	p.w.Write(p.head)
	p.num = strconv.AppendInt(p.num[:0], int64(len(body)), 10)
	p.w.Write(p.num)
	p.w.WriteString("\r\n\r\n")
	p.w.Write(body)
	if err := p.w.Flush(); err != nil {
		return 0, false, nil, err
	}
	line, err := p.r.ReadSlice('\n')
	if err != nil {
		return 0, false, nil, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, false, nil, fmt.Errorf("bad status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, false, nil, fmt.Errorf("bad status line %q", line)
	}
	length, retryAfter := -1, false
	for {
		line, err = p.r.ReadSlice('\n')
		if err != nil {
			return 0, false, nil, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			break
		}
		k, v, _ := bytes.Cut(line, []byte(":"))
		switch {
		case bytes.EqualFold(k, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(bytes.TrimSpace(v))); err != nil {
				return 0, false, nil, fmt.Errorf("bad Content-Length %q", v)
			}
		case bytes.EqualFold(k, []byte("Retry-After")):
			retryAfter = true
		}
	}
	if length < 0 {
		return 0, false, nil, errors.New("response without Content-Length")
	}
	msg := make([]byte, length)
	if _, err := io.ReadFull(p.r, msg); err != nil {
		return 0, false, nil, err
	}
	return status, retryAfter, msg, nil
}

func (p *lgRawPoster) close() { p.conn.Close() }

// runLoadE2E posts alerts 0..len(bodies)-1 from r.clients goroutines over
// keep-alive connections and waits until every drift is out or the
// deadline passes.
func runLoadE2E(d *lgDaemon, out *lgOutput, bodies [][]byte, r lgRun) *lgResult {
	n := len(bodies)
	res := &lgResult{alerts: n, postStart: make([]int64, n), httpDone: make([]int64, n)}
	budget := 2*time.Minute + lgDrainWait
	if r.rate > 0 {
		budget += time.Duration(float64(n) / r.rate * float64(time.Second))
	}
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()

	tr := &http.Transport{
		MaxIdleConns: 2 * r.clients, MaxIdleConnsPerHost: 2 * r.clients,
		IdleConnTimeout: time.Minute, DisableCompression: true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	newPoster := func() (lgPoster, error) {
		if r.raw {
			return newLGRawPoster(d.url)
		}
		return &lgHTTPPoster{url: d.url, client: client, rd: bytes.NewReader(nil)}, nil
	}

	// jobs holds every alert number up front (unpaced) or receives them
	// from a ticker (paced); it never blocks the feeder.
	jobs := make(chan int, n)
	if r.rate > 0 {
		res.scheduled = make([]int64, n)
		interval := time.Duration(float64(time.Second) / r.rate)
		go func() {
			defer close(jobs)
			t := time.NewTicker(interval)
			defer t.Stop()
			start := time.Since(out.base)
			sent := 0
			for sent < n {
				// A tick the runtime delivered late or dropped is made
				// up for: the schedule is start + i·interval, not the
				// number of ticks seen.
				due := min(n, int((time.Since(out.base)-start)/interval)+1)
				for ; sent < due; sent++ {
					res.scheduled[sent] = int64(start + time.Duration(sent)*interval)
					jobs <- sent
				}
				select {
				case <-t.C:
				case <-ctx.Done():
					return
				}
			}
		}()
	} else {
		for i := range n {
			jobs <- i
		}
		close(jobs)
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	fail := func(err error) {
		mu.Lock()
		res.errs = append(res.errs, err)
		mu.Unlock()
		cancel()
	}
	for range r.clients {
		wg.Go(func() {
			p, err := newPoster()
			if err != nil {
				fail(err)
				return
			}
			defer p.close()
			for i := range jobs {
				if ctx.Err() != nil {
					return
				}
				res.postStart[i] = max(time.Since(out.base).Nanoseconds(), 1)
				err := lgPostUntilAccepted(ctx, p, bodies[i], &res.status503)
				res.httpDone[i] = time.Since(out.base).Nanoseconds()
				if err != nil {
					fail(fmt.Errorf("alert %d: %w", i, err))
					return
				}
			}
		})
	}
	wg.Wait()
	if len(res.errs) == 0 && ctx.Err() == nil {
		select {
		case <-out.all:
		case <-ctx.Done():
		case <-time.After(lgDrainWait):
		}
	}
	return res
}

// lgPostUntilAccepted posts one alert until it is accepted (202),
// retrying after a 503, which must carry Retry-After.
func lgPostUntilAccepted(ctx context.Context, p lgPoster, body []byte, n503 *atomic.Int64) error {
	for try := 0; ; try++ {
		status, retryAfter, msg, err := p.post(ctx, body)
		switch {
		case err != nil:
			return err
		case status == http.StatusAccepted:
			return nil
		case status == http.StatusServiceUnavailable && !retryAfter:
			return errors.New("503 without Retry-After")
		case status == http.StatusServiceUnavailable && try < lgMaxRetries:
			n503.Add(1)
			time.Sleep(lgRetryPause)
		default:
			return fmt.Errorf("status %d after %d tries: %s", status, try+1, bytes.TrimSpace(msg))
		}
	}
}

// hiccupMeter is a goroutine that sleeps 1 ms at a time and records how
// much later than asked it woke up. Its distribution is the stall any
// goroutine of the process could suffer at that moment for reasons that
// are not its own work: stop-the-world pauses, or the OS running other
// processes on a shared machine. A latency percentile far above it is the
// daemon's doing; one close to it is the environment's.
type hiccupMeter struct {
	quit chan struct{}
	done chan []int64
}

func startHiccupMeter() *hiccupMeter {
	h := &hiccupMeter{quit: make(chan struct{}), done: make(chan []int64, 1)}
	go func() {
		var late []int64
		for {
			select {
			case <-h.quit:
				slices.Sort(late)
				h.done <- late
				return
			default:
			}
			t0 := time.Now()
			time.Sleep(time.Millisecond)
			late = append(late, (time.Since(t0) - time.Millisecond).Nanoseconds())
		}
	}()
	return h
}

// stop ends the meter and returns the sorted overshoots in ns.
func (h *hiccupMeter) stop() []int64 {
	close(h.quit)
	return <-h.done
}

// lgQuantile returns the q-quantile of sorted values.
func lgQuantile(sorted []int64, q float64) int64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(q*float64(len(sorted)-1))]
}

// benchFalcoE2E is the shared body of the end-to-end benchmarks.
func benchFalcoE2E(b *testing.B, r lgRun) {
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("b.N=%d, load average before the run: %s", b.N, bytes.TrimSpace(la))
	}
	dir := b.TempDir()
	statePath := filepath.Join(dir, "instances.tfstate")
	if err := writeMemState(statePath, 0, memStateMix{instances: lgInstances}); err != nil {
		b.Fatal(err)
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devnull.Close()
	inner, err := wiring.NewOutput(wiring.FormatJSON, devnull)
	if err != nil {
		b.Fatal(err)
	}
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = lgAlert(i, lgInstances)
	}
	out := newLGOutput(inner, time.Now(), b.N)
	d := startLGDaemon(b, statePath, out)

	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := cputime.Process()
	hiccups := startHiccupMeter()
	b.ResetTimer()
	res := runLoadE2E(d, out, bodies, r)
	b.StopTimer()
	stalls := hiccups.stop()
	cpu := cputime.Process() - cpu0
	runtime.ReadMemStats(&ms1)
	stopErr := d.stop()
	for _, err := range res.errs[:min(len(res.errs), 5)] {
		b.Error(err)
	}
	if stopErr != nil {
		b.Errorf("daemon stop: %v", stopErr)
	}

	// Every alert became exactly one drift.
	var lat, rtt, lag []int64
	first, last := int64(-1), int64(0)
	missing := 0
	for i := range res.alerts {
		at := out.emitted[i].Load()
		if at == 0 {
			missing++
			continue
		}
		lat = append(lat, at-res.postStart[i])
		rtt = append(rtt, res.httpDone[i]-res.postStart[i])
		if res.scheduled != nil {
			lag = append(lag, res.postStart[i]-res.scheduled[i])
		}
		if first < 0 || res.postStart[i] < first {
			first = res.postStart[i]
		}
		last = max(last, at)
	}
	if missing > 0 || out.dups.Load() > 0 || out.strays.Load() > 0 {
		b.Fatalf("%d alerts: %d without a drift, %d second drifts, %d unexplained drifts",
			res.alerts, missing, out.dups.Load(), out.strays.Load())
	}
	if got, want := d.overloaded(), float64(res.status503.Load()); got != want {
		b.Errorf("daemon counted %v overloaded refusals, the clients saw %v 503s", got, want)
	}
	slices.Sort(lat)
	slices.Sort(rtt)
	us := func(ns int64) float64 { return float64(ns) / 1e3 }
	b.ReportMetric(float64(res.alerts)/(float64(last-first)/1e9), "alerts/s")
	b.ReportMetric(us(lgQuantile(lat, 0.50)), "p50-µs")
	b.ReportMetric(us(lgQuantile(lat, 0.99)), "p99-µs")
	b.ReportMetric(us(lat[len(lat)-1]), "max-µs")
	b.ReportMetric(us(lgQuantile(rtt, 0.99)), "http-p99-µs")
	b.ReportMetric(float64(res.status503.Load()), "503s")
	// Stalls that are not the daemon's: how late a goroutine that only
	// sleeps 1 ms woke up (GC stop-the-world, the OS running other
	// tenants' processes), and the GC cycles during the run.
	b.ReportMetric(us(lgQuantile(stalls, 0.99)), "stall-p99-µs")
	b.ReportMetric(float64(ms1.NumGC-ms0.NumGC), "gc-cycles")
	if cpu0 >= 0 {
		// CPU time of the whole process (daemon and load generator) per
		// alert, and the cores it kept busy: on a shared machine these
		// say whether a low rate came from work or from waiting.
		b.ReportMetric(float64(cpu.Microseconds())/float64(res.alerts), "cpu-µs/alert")
		b.ReportMetric(cpu.Seconds()/b.Elapsed().Seconds(), "cores-used")
	}
	if lag != nil {
		// How late POSTs started against the schedule: a large value
		// means the clients could not keep the pace and the latency above
		// understates what a steady sender would see.
		slices.Sort(lag)
		b.ReportMetric(us(lgQuantile(lag, 0.99)), "send-lag-p99-µs")
	}
}

// BenchmarkFalcoHTTPEndToEnd: 8 keep-alive clients as fast as they go,
// b.N distinct alerts, each POST → drift on the daemon's output (target:
// ≥ 30,000 alerts/s with every alert turned into its drift).
func BenchmarkFalcoHTTPEndToEnd(b *testing.B) {
	benchFalcoE2E(b, lgRun{clients: lgClients})
}

// BenchmarkFalcoHTTPEndToEndRawClient is BenchmarkFalcoHTTPEndToEnd with
// clients that cost what libcurl costs rather than what net/http's client
// costs: on a small machine the difference between the two is CPU the load
// generator took from the daemon.
func BenchmarkFalcoHTTPEndToEndRawClient(b *testing.B) {
	benchFalcoE2E(b, lgRun{clients: lgClients, raw: true})
}

// BenchmarkFalcoHTTPNullReceiver is the baseline that
// BenchmarkFalcoHTTPEndToEndRawClient is published against: the same load
// generator (lgClients raw keep-alive clients, the same alert bodies)
// posting to a net/http server on loopback that reads each body, answers
// 202 with the daemon's accepted body, and does nothing else. Measured in
// the same run, the ratio of the two rates is what the daemon's work costs
// on this machine, and it holds when a busier day moves both.
func BenchmarkFalcoHTTPNullReceiver(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var received atomic.Int64
	accepted := []byte(`{"status":"accepted"}` + "\n")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		received.Add(1)
		w.Header()["Content-Type"] = []string{"application/json"}
		w.Header()["Content-Length"] = []string{strconv.Itoa(len(accepted))}
		w.WriteHeader(http.StatusAccepted)
		w.Write(accepted)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/falco"

	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = lgAlert(i, lgInstances)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	jobs := make(chan int, b.N)
	for i := range b.N {
		jobs <- i
	}
	close(jobs)
	var errs []error
	var mu sync.Mutex
	var n503 atomic.Int64
	cpu0 := cputime.Process()
	b.ResetTimer()
	var wg sync.WaitGroup
	for range lgClients {
		wg.Go(func() {
			p, err := newLGRawPoster(url)
			if err == nil {
				defer p.close()
				for i := range jobs {
					if err = lgPostUntilAccepted(ctx, p, bodies[i], &n503); err != nil {
						break
					}
				}
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				cancel()
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	cpu := cputime.Process() - cpu0
	if len(errs) > 0 {
		b.Fatal(errs[0])
	}
	if got := received.Load(); got != int64(b.N) {
		b.Fatalf("receiver read %d bodies, want %d", got, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "alerts/s")
	if cpu0 >= 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/alert")
	}
}

// BenchmarkFalcoHTTPPaced2000: the same alerts at a steady 2,000 alerts/s
// over 8 clients (target: p99 POST → drift under 1 ms). Run it with a
// bounded count, e.g. -benchtime 4000x (two seconds of alerts).
func BenchmarkFalcoHTTPPaced2000(b *testing.B) {
	benchFalcoE2E(b, lgRun{clients: lgClients, rate: 2000})
}

// TestLoadGeneratorEndToEnd checks the harness on a small run with each
// kind of client: every alert is answered 202 and turns into exactly one
// drift, found by its ct.id.
func TestLoadGeneratorEndToEnd(t *testing.T) {
	// A small state, so that the alerts go round its instances three
	// times with three different values.
	const instances, alerts = 100, 300
	statePath := filepath.Join(t.TempDir(), "instances.tfstate")
	if err := writeMemState(statePath, 0, memStateMix{instances: instances}); err != nil {
		t.Fatal(err)
	}
	bodies := make([][]byte, alerts)
	for i := range bodies {
		bodies[i] = lgAlert(i, instances)
	}
	for _, raw := range []bool{false, true} {
		t.Run(fmt.Sprintf("raw=%t", raw), func(t *testing.T) {
			var buf syncBuf
			inner, _ := wiring.NewOutput(wiring.FormatJSON, &buf)
			out := newLGOutput(inner, time.Now(), alerts)
			d := startLGDaemon(t, statePath, out)
			res := runLoadE2E(d, out, bodies, lgRun{clients: lgClients, raw: raw})
			if err := d.stop(); err != nil {
				t.Errorf("daemon stop: %v", err)
			}
			if len(res.errs) > 0 {
				t.Fatal(res.errs[0])
			}
			if got := out.n.Load(); got != alerts || out.dups.Load() != 0 || out.strays.Load() != 0 {
				t.Fatalf("%d drifts for %d alerts (%d second drifts, %d unexplained)", got, alerts, out.dups.Load(), out.strays.Load())
			}
			for i := range alerts {
				if res.postStart[i] == 0 || res.httpDone[i] < res.postStart[i] || out.emitted[i].Load() < res.postStart[i] {
					t.Fatalf("alert %d: posted at %d, answered at %d, drift at %d", i, res.postStart[i], res.httpDone[i], out.emitted[i].Load())
				}
			}
			// Instance 7 drifted once per round, each time to another value.
			want := fmt.Sprintf(`"resource_id":%q`, lgInstanceID(7))
			var got []string
			for _, line := range strings.Split(buf.String(), "\n") {
				if strings.Contains(line, want) {
					for _, v := range lgInstanceTypes[:3] {
						if strings.Contains(line, `"actual":"`+v+`"`) {
							got = append(got, v)
						}
					}
				}
			}
			slices.Sort(got)
			if diff := cmp.Diff([]string{"m5.2xlarge", "m5.large", "m5.xlarge"}, got); diff != "" {
				t.Errorf("drifts of %s by new instance_type (-want +got):\n%s", lgInstanceID(7), diff)
			}
		})
	}
}

// syncBuf is a goroutine-safe buffer for the daemon's output.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
