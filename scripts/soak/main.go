// Command soak is `make soak`: a long run of the real daemon under a mixed
// Falco stream, with two kill -9 restarts, that checks no accepted alert
// is lost or recorded twice. It is not part of CI.
//
// It builds bin/tfdrift-soak, extracts the demo scenario (state and repo),
// and runs `tfdrift serve` on loopback with a SQLite store and a spool.
// It measures the daemon's maximum rate for SOAK_MEASURE (default 10s,
// closed loop, 16 clients), then posts for SOAK_DURATION (default 30m) at
// SOAK_PERCENT (default 50) percent of it, open loop:
//
//   - 50% new drifts on managed resources: a CloudTrail ModifyVolume of the
//     state's EBS volume, each to its own size and with its own event ID,
//     so each must become exactly one drift record;
//   - 15% repeats of an alert already accepted (Falco sends some twice);
//   - 20% alerts about resources the state does not manage;
//   - 15% hostile: a wrong secret, a body over the size limit, junk JSON;
//   - and, all along, slowloris connections that send a header byte a
//     second.
//
// At a third and at two thirds of the run it kills the daemon with
// SIGKILL and starts it again on the same store and spool. At the end it
// stops the daemon with SIGTERM, reads the store, and reports alerts
// accepted, drifts recorded, duplicates, lost and peak RSS. It exits 1 if
// any alert answered 202 that should make a drift has no record (lost),
// if any event has two records (duplicates), if a record names an event
// never posted, or if a hostile request was accepted.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/store"
)

const secret = "soak-secret-0123456789abcdef"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

func envDuration(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as 30m", name, v)
	}
	return d, nil
}

func run() error {
	duration, err := envDuration("SOAK_DURATION", 30*time.Minute)
	if err != nil {
		return err
	}
	measure, err := envDuration("SOAK_MEASURE", 10*time.Second)
	if err != nil {
		return err
	}
	percent := 50
	if v := os.Getenv("SOAK_PERCENT"); v != "" {
		if percent, err = strconv.Atoi(v); err != nil || percent <= 0 || percent > 100 {
			return fmt.Errorf("SOAK_PERCENT=%q: want 1 to 100", v)
		}
	}
	dir, err := os.MkdirTemp("", "tfdrift-soak-")
	if err != nil {
		return err
	}
	fmt.Printf("soak: working in %s (removed on success)\n", dir)

	bin := filepath.Join("bin", "tfdrift-soak")
	build := exec.Command("go", "build", "-o", bin, "./cmd/tfdrift")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build (run from the repository root): %w", err)
	}
	if bin, err = filepath.Abs(bin); err != nil {
		return err
	}
	sc, err := scenario.Extract(filepath.Join(dir, "scenario"))
	if err != nil {
		return err
	}
	gen, err := newGenerator(sc)
	if err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	db := filepath.Join(dir, "tfdrift.db")
	d := &daemon{
		bin:  bin,
		addr: fmt.Sprintf("127.0.0.1:%d", port),
		args: []string{"serve", "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--state", sc.State, "--repo", sc.Repo,
			"--database", "sqlite://" + db, "--spool-dir", filepath.Join(dir, "spool"), "--format", "json"},
		logPath: filepath.Join(dir, "serve.log"),
		outPath: filepath.Join(dir, "drifts.ndjson"),
	}
	if err := d.start(); err != nil {
		return err
	}
	defer d.kill()

	led := newLedger()
	cl := newClient(d.addr)

	// 1. The maximum rate: 16 clients posting new drifts as fast as the
	// daemon answers.
	fmt.Printf("soak: measuring the maximum rate for %v\n", measure)
	maxRate, err := measureMax(d, cl, gen, led, measure)
	if err != nil {
		return err
	}
	led.mu.Lock()
	for k := range led.codes {
		led.measured[k] = maps.Clone(led.codes[k])
	}
	led.mu.Unlock()
	if maxRate < 1 {
		return errors.New("the daemon accepted nothing while the rate was measured; see " + d.logPath)
	}
	rate := maxRate * float64(percent) / 100
	fmt.Printf("soak: maximum %.0f alerts/s; posting the mix at %.0f/s (%d%%) for %v, kill -9 at %v and %v\n",
		maxRate, rate, percent, duration, duration/3, 2*duration/3)

	// 2. The soak itself.
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var slow slowStats
	var bg sync.WaitGroup
	bg.Go(func() { slowloris(ctx, d.addr, &slow) })
	restarts := make(chan error, 1)
	bg.Go(func() {
		var err error
		for _, at := range []time.Duration{duration / 3, 2 * duration / 3} {
			select {
			case <-ctx.Done():
			case <-time.After(time.Until(led.start.Add(at))):
				fmt.Printf("soak: %v: kill -9 (pid %d)\n", time.Since(led.start).Round(time.Second), d.pid())
				d.kill()
				if err = d.start(); err != nil {
					cancel()
					restarts <- err
					return
				}
				fmt.Printf("soak: %v: restarted (pid %d)\n", time.Since(led.start).Round(time.Second), d.pid())
			}
		}
		restarts <- nil
	})
	led.start = time.Now()
	openLoop(ctx, cl, gen, led, rate)
	bg.Wait()
	if err := <-restarts; err != nil {
		return fmt.Errorf("restart after kill -9: %w", err)
	}

	// 3. Drain, then read the store. A drain that runs out of time
	// leaves the rest in the spool, which the next start replays: start
	// and stop again until a stop finds nothing left.
	drains := 0
	for {
		drains++
		err := d.stop()
		if err == nil {
			break
		}
		if drains == 10 {
			return err
		}
		fmt.Printf("soak: %v; starting again to replay the spool\n", err)
		if err := d.start(); err != nil {
			return err
		}
	}
	rep, err := led.verify(db)
	if err != nil {
		return err
	}
	rep.maxRate = maxRate
	rep.rate = rate
	rep.peakRSS = d.peakRSS.Load()
	rep.duration = duration
	rep.slow = slow.snapshot()
	rep.drains = drains
	rep.print(os.Stdout)
	if rep.lost > 0 || rep.duplicates > 0 || rep.hostileAccepted > 0 || rep.foreign > 0 {
		fmt.Printf("soak: FAILED; the daemon's log and store are in %s\n", dir)
		os.Exit(1)
	}
	return os.RemoveAll(dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// daemon is the tfdrift serve process, across restarts.
type daemon struct {
	bin, addr        string
	args             []string
	logPath, outPath string

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	peakRSS atomic.Int64
}

func (d *daemon) pid() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cmd.Process.Pid
}

func (d *daemon) start() error {
	logf, err := os.OpenFile(d.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	outf, err := os.OpenFile(d.outPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(d.bin, d.args...)
	cmd.Env = append(os.Environ(), "TFDRIFT_FALCO_SECRET="+secret)
	cmd.Stdout, cmd.Stderr = outf, logf
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		logf.Close()
		outf.Close()
		close(exited)
	}()
	d.mu.Lock()
	d.cmd, d.exited = cmd, exited
	d.mu.Unlock()
	go d.watchRSS(cmd.Process.Pid, exited)

	deadline := time.After(60 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, "http://"+d.addr+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("tfdrift serve exited before it was ready; see %s", d.logPath)
		case <-deadline:
			return fmt.Errorf("tfdrift serve not ready after 60s (%v); see %s", err, d.logPath)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// watchRSS keeps the highest VmHWM of the process until it exits.
func (d *daemon) watchRSS(pid int, exited chan struct{}) {
	path := fmt.Sprintf("/proc/%d/status", pid)
	for {
		if data, err := os.ReadFile(path); err == nil {
			for line := range strings.Lines(string(data)) {
				if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
					for {
						cur := d.peakRSS.Load()
						if kb<<10 <= cur || d.peakRSS.CompareAndSwap(cur, kb<<10) {
							break
						}
					}
				}
			}
		}
		select {
		case <-exited:
			return
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (d *daemon) kill() {
	d.mu.Lock()
	cmd, exited := d.cmd, d.exited
	d.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Kill()
	<-exited
}

// stop sends SIGTERM and waits for a drained exit.
func (d *daemon) stop() error {
	d.mu.Lock()
	cmd, exited := d.cmd, d.exited
	d.mu.Unlock()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-exited:
	case <-time.After(2 * time.Minute):
		return fmt.Errorf("tfdrift serve still running 2 minutes after SIGTERM; see %s", d.logPath)
	}
	if !cmd.ProcessState.Success() {
		return fmt.Errorf("tfdrift serve exited with %v after SIGTERM; see %s", cmd.ProcessState, d.logPath)
	}
	return nil
}

// kind is what a request is, for the tallies.
type kind int

const (
	kManaged   kind = iota // a new drift on a managed resource
	kRepeat                // an alert already accepted, again
	kUnmanaged             // a resource the state does not manage
	kBadSecret
	kOversized
	kJunk
	nKinds
)

var kindNames = [nKinds]string{"managed", "repeat", "unmanaged", "bad secret", "oversized", "junk JSON"}

func (k kind) hostile() bool { return k >= kBadSecret }

// request is one POST.
type request struct {
	kind    kind
	eventID string
	body    []byte
	auth    string
}

// generator makes the alerts from the demo's ModifyVolume alert.
type generator struct {
	base   map[string]any
	fields map[string]any
	n      atomic.Int64
	nonce  int64

	mu     sync.Mutex
	recent []request // accepted managed alerts, for repeats
}

func newGenerator(sc *scenario.Scenario) (*generator, error) {
	all, err := sc.FalcoAlerts()
	if err != nil {
		return nil, err
	}
	for _, a := range all {
		var m map[string]any
		if err := json.Unmarshal(a, &m); err != nil {
			return nil, err
		}
		if f, _ := m["output_fields"].(map[string]any); f != nil && f["ct.name"] == "ModifyVolume" {
			return &generator{base: m, fields: f, nonce: time.Now().UnixNano() & 0xffffffffffff}, nil
		}
	}
	return nil, errors.New("the demo scenario has no ModifyVolume alert")
}

// alert builds a ModifyVolume alert for volume, to its own size, with its
// own event ID.
func (g *generator) alert(k kind, volume string) request {
	i := g.n.Add(1)
	size := 2000 + i
	id := fmt.Sprintf("%08x-50ac-4c0d-8d1e-%012x", i, g.nonce)
	fields := make(map[string]any, len(g.fields))
	for k, v := range g.fields {
		fields[k] = v
	}
	fields["ct.id"] = id
	fields["ct.request"] = fmt.Sprintf(`{"ModifyVolumeRequest":{"VolumeId":%q,"Size":%d}}`, volume, size)
	fields["ct.response"] = fmt.Sprintf(`{"ModifyVolumeResponse":{"requestId":"r","volumeModification":{"volumeId":%q,"modificationState":"modifying","targetSize":%d,"originalSize":100}}}`, volume, size)
	m := make(map[string]any, len(g.base))
	for k, v := range g.base {
		m[k] = v
	}
	m["uuid"] = fmt.Sprintf("soak-%d-%x", i, g.nonce)
	m["output_fields"] = fields
	body, _ := json.Marshal(m)
	return request{kind: k, eventID: id, body: body, auth: secret}
}

func (g *generator) managed() request { return g.alert(kManaged, "vol-0123456789abcdef0") }

// next draws one request of the mix.
func (g *generator) next(r *rand.Rand) request {
	switch p := r.IntN(100); {
	case p < 50:
		return g.managed()
	case p < 65:
		g.mu.Lock()
		defer g.mu.Unlock()
		if len(g.recent) == 0 {
			return g.managed()
		}
		rq := g.recent[r.IntN(len(g.recent))]
		rq.kind = kRepeat
		return rq
	case p < 85:
		return g.alert(kUnmanaged, fmt.Sprintf("vol-%017x", r.Int64N(1<<60)))
	case p < 90:
		rq := g.managed()
		rq.kind, rq.auth = kBadSecret, "wrong-"+secret
		return rq
	case p < 95:
		rq := g.managed()
		pad := bytes.Repeat([]byte(" "), 2<<20)
		rq.kind, rq.body = kOversized, append(rq.body[:len(rq.body)-1:len(rq.body)-1], append(pad, '}')...)
		return rq
	default:
		return request{kind: kJunk, body: []byte(`{"output":"x","output_fields":{"ct.name": ` + strconv.Itoa(r.IntN(1000)) + `,,}`), auth: secret}
	}
}

func (g *generator) accepted(rq request) {
	if rq.kind != kManaged {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.recent) < 1024 {
		g.recent = append(g.recent, rq)
	} else {
		g.recent[rand.IntN(len(g.recent))] = rq
	}
}

type client struct {
	url string
	hc  *http.Client
}

func newClient(addr string) *client {
	return &client{url: "http://" + addr + "/falco", hc: &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128},
	}}
}

// post returns the status code, or 0 when there was no answer.
func (c *client) post(rq request) int {
	req, err := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(rq.body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+rq.auth)
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// ledger records every answer.
type ledger struct {
	start time.Time

	mu       sync.Mutex
	codes    [nKinds]map[int]int
	expected map[string]bool // event IDs of accepted managed alerts
	others   map[string]bool // event IDs of accepted unmanaged alerts
	// unsure holds the event IDs of managed alerts posted but not
	// answered 202: refused (503), or cut off by a kill, when the daemon
	// may have journaled one before it died. A record for one is no loss
	// and no error.
	unsure   map[string]bool
	measured [nKinds]map[int]int // codes during the rate measurement
	behind   int                 // requests the open loop could not send on time
}

func newLedger() *ledger {
	l := &ledger{expected: map[string]bool{}, others: map[string]bool{}, unsure: map[string]bool{}, start: time.Now()}
	for i := range l.codes {
		l.codes[i] = map[int]int{}
	}
	return l
}

func (l *ledger) note(rq request, code int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.codes[rq.kind][code]++
	if code != http.StatusAccepted {
		if rq.kind == kManaged {
			l.unsure[rq.eventID] = true
		}
		return
	}
	switch rq.kind {
	case kManaged, kRepeat:
		l.expected[rq.eventID] = true
	case kUnmanaged:
		l.others[rq.eventID] = true
	}
}

func send(cl *client, gen *generator, led *ledger, rq request) {
	code := cl.post(rq)
	led.note(rq, code)
	if code == http.StatusAccepted {
		gen.accepted(rq)
	}
}

// measureMax posts new drifts from 16 clients for d, then waits for the
// daemon's queue to empty, and returns the events it processed per second
// over the whole time: what it sustains end to end, not what its
// listener accepts into the queue.
func measureMax(dm *daemon, cl *client, gen *generator, led *ledger, d time.Duration) (float64, error) {
	before, err := dm.metric("tfdrift_events_processed_total")
	if err != nil {
		return 0, err
	}
	start := time.Now()
	closedLoop(cl, gen, led, d, 16)
	deadline := time.Now().Add(5 * time.Minute)
	for {
		depth, err := dm.metric("tfdrift_queue_depth")
		if err != nil {
			return 0, err
		}
		if depth == 0 {
			break
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("the queue still holds %.0f events 5 minutes after the rate measurement", depth)
		}
		time.Sleep(100 * time.Millisecond)
	}
	after, err := dm.metric("tfdrift_events_processed_total")
	if err != nil {
		return 0, err
	}
	return (after - before) / time.Since(start).Seconds(), nil
}

// metric sums every series of a metric on /metrics.
func (d *daemon) metric(name string) (float64, error) {
	req, _ := http.NewRequest(http.MethodGet, "http://"+d.addr+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("/metrics: %s", resp.Status)
	}
	sum := 0.0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, name)
		if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '{') {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			return 0, fmt.Errorf("/metrics: %s: %w", line, err)
		}
		sum += v
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	// A counter vector shows no series before its first count: 0.
	return sum, nil
}

// closedLoop posts new managed drifts from workers clients for d and
// returns the rate of 202s.
func closedLoop(cl *client, gen *generator, led *ledger, d time.Duration, workers int) float64 {
	var ok atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for time.Now().Before(stop) {
				rq := gen.managed()
				code := cl.post(rq)
				led.note(rq, code)
				if code == http.StatusAccepted {
					gen.accepted(rq)
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(ok.Load()) / d.Seconds()
}

// openLoop posts the mix at rate per second until ctx ends, from a pool of
// clients; a request that finds every client busy is counted as behind.
func openLoop(ctx context.Context, cl *client, gen *generator, led *ledger, rate float64) {
	work := make(chan request, 4096)
	var wg sync.WaitGroup
	for range 128 {
		wg.Go(func() {
			for rq := range work {
				send(cl, gen, led, rq)
			}
		})
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	const tick = 10 * time.Millisecond
	t := time.NewTicker(tick)
	defer t.Stop()
	progress := time.NewTicker(30 * time.Second)
	defer progress.Stop()
	start, sent := time.Now(), 0
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-progress.C:
			led.mu.Lock()
			fmt.Printf("soak: %v: %d sent, %d managed accepted\n", time.Since(start).Round(time.Second), sent, led.codes[kManaged][http.StatusAccepted])
			led.mu.Unlock()
		case <-t.C:
			due := int(time.Since(start).Seconds()*rate) - sent
			for range due {
				select {
				case work <- gen.next(r):
				default:
					led.mu.Lock()
					led.behind++
					led.mu.Unlock()
				}
				sent++
			}
		}
	}
	close(work)
	wg.Wait()
}

type slowStats struct {
	mu                 sync.Mutex
	opened, closed     int
	longest            time.Duration
	acceptedOrAnswered int
}

func (s *slowStats) snapshot() slowStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slowStats{opened: s.opened, closed: s.closed, longest: s.longest, acceptedOrAnswered: s.acceptedOrAnswered}
}

// slowloris keeps opening connections that send a request's headers one
// byte a second, and notes how long the daemon lets each live.
func slowloris(ctx context.Context, addr string, st *slowStats) {
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		wg.Go(func() {
			c, err := net.DialTimeout("tcp", addr, 2*time.Second)
			if err != nil {
				return // the daemon is restarting
			}
			defer c.Close()
			st.mu.Lock()
			st.opened++
			st.mu.Unlock()
			opened := time.Now()
			head := "POST /falco HTTP/1.1\r\nHost: soak\r\nAuthorization: Bearer " + secret + "\r\nX-Slow: " + strings.Repeat("a", 4096)
			rd := bufio.NewReader(c)
			for i := 0; i < len(head); i++ {
				if _, err := c.Write([]byte{head[i]}); err != nil {
					break
				}
				c.SetReadDeadline(time.Now().Add(time.Second))
				if _, err := rd.Peek(1); err == nil {
					// The daemon answered (a 408 or 400) rather than wait.
					st.mu.Lock()
					st.acceptedOrAnswered++
					st.mu.Unlock()
					break
				} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
					break // closed
				}
				if ctx.Err() != nil {
					return
				}
			}
			lived := time.Since(opened)
			st.mu.Lock()
			st.closed++
			st.longest = max(st.longest, lived)
			st.mu.Unlock()
		})
	}
}

type report struct {
	duration        time.Duration
	maxRate, rate   float64
	codes           [nKinds]map[int]int
	behind          int
	accepted        int // 202s for alerts (not hostile)
	expected        int // distinct event IDs that must each have one record
	recorded        int // drift records in the store
	found           int // expected event IDs with a record
	unmanagedDrifts int
	unsureDrifts    int // records for alerts posted but not answered 202
	foreign         int // records for events never posted
	measured        map[int]int
	duplicates      int
	lost            int
	lostSample      []string
	hostileAccepted int
	peakRSS         int64
	slow            slowStats
	drains          int
}

func (l *ledger) verify(db string) (*report, error) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+db)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	perEvent := map[string]int{}
	rep := &report{}
	f := store.Filter{Limit: 1000}
	for {
		page, err := st.List(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Records {
			perEvent[r.Drift.CloudTrail.EventID]++
			rep.recorded++
		}
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	rep.codes, rep.behind, rep.measured = l.codes, l.behind, l.measured[kManaged]
	for k := range nKinds {
		if k.hostile() {
			rep.hostileAccepted += l.codes[k][http.StatusAccepted]
		} else {
			rep.accepted += l.codes[k][http.StatusAccepted]
		}
	}
	rep.expected = len(l.expected)
	for id := range l.expected {
		switch n := perEvent[id]; {
		case n == 0:
			rep.lost++
			if len(rep.lostSample) < 5 {
				rep.lostSample = append(rep.lostSample, id)
			}
		default:
			rep.found++
		}
	}
	for id, n := range perEvent {
		if n > 1 {
			rep.duplicates += n - 1
		}
		switch {
		case l.expected[id]:
		case l.others[id]:
			rep.unmanagedDrifts++
		case l.unsure[id]:
			rep.unsureDrifts++
		default:
			rep.foreign++
		}
	}
	return rep, nil
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "\nsoak report (%v at %.0f alerts/s, %.0f%% of the measured maximum %.0f/s; two kill -9 restarts)\n",
		r.duration, r.rate, 100*r.rate/r.maxRate, r.maxRate)
	for k := range nKinds {
		var parts []string
		codes := make([]int, 0, len(r.codes[k]))
		for c := range r.codes[k] {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		for _, c := range codes {
			label := strconv.Itoa(c)
			if c == 0 {
				label = "no answer"
			}
			parts = append(parts, fmt.Sprintf("%s: %d", label, r.codes[k][c]))
		}
		fmt.Fprintf(w, "  %-12s %s\n", kindNames[k], strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "  (the managed line includes the rate measurement's closed loop: 202: %d, 503: %d)\n",
		r.measured[http.StatusAccepted], r.measured[http.StatusServiceUnavailable])
	fmt.Fprintf(w, "  %-12s opened %d, closed by the daemon %d, longest %v, answered early %d\n",
		"slowloris", r.slow.opened, r.slow.closed, r.slow.longest.Round(time.Second), r.slow.acceptedOrAnswered)
	fmt.Fprintf(w, "  alerts accepted (202):       %d (managed, repeats and unmanaged; %d not sent on time by the load generator)\n", r.accepted, r.behind)
	fmt.Fprintf(w, "  drifts expected:             %d (distinct managed alerts accepted)\n", r.expected)
	fmt.Fprintf(w, "  drifts recorded:             %d (%d for unmanaged resources; %d for alerts refused or cut off by a kill, journaled before it; %d for events never posted)\n",
		r.recorded, r.unmanagedDrifts, r.unsureDrifts, r.foreign)
	fmt.Fprintf(w, "  duplicates:                  %d\n", r.duplicates)
	fmt.Fprintf(w, "  lost:                        %d %v\n", r.lost, r.lostSample)
	fmt.Fprintf(w, "  hostile requests accepted:   %d\n", r.hostileAccepted)
	fmt.Fprintf(w, "  peak RSS:                    %.0f MB\n", float64(r.peakRSS)/(1<<20))
	fmt.Fprintf(w, "  SIGTERMs to drain at the end: %d (a drain out of time leaves the rest to the spool)\n", r.drains)
}
