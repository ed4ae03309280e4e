package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/store"
)

// asBinaryEnv makes the test binary act as the tfdrift binary, so that a
// test can start, kill -9 and restart a real daemon process.
const asBinaryEnv = "TFDRIFT_TEST_AS_BINARY"

func TestMain(m *testing.M) {
	if os.Getenv(asBinaryEnv) == "1" {
		// What main does, with the test binary's arguments.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := runArgs(ctx, job.OS(), os.Args[1:], childHook)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// TestKill9 is the fault test "kill -9 mid-stream and a restart": Falco
// does not retry, so every alert answered 202 must end up as its drift
// record even when the daemon dies before recording it. Each alert is a
// distinct drift (the EBS volume resized to its own size, so its own
// fingerprint) with its own ct.id, so the store says exactly which alerts
// were recorded. Alerts refused or never answered are not required.
func TestKill9(t *testing.T) {
	for _, tt := range []struct {
		name string
		// killAfter is how many 202s to wait for before kill -9; 0 waits
		// until every post has been answered.
		killAfter int
	}{
		{"mid-stream", 100},
		{"after the last answer", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			const n = 300
			sc := extract(t)
			dir := t.TempDir()
			dbPath := filepath.Join(dir, "tfdrift.db")
			args := []string{"--listen", "127.0.0.1:0", "--state", sc.State, "--repo", sc.Repo,
				"--database", "sqlite://" + dbPath, "--spool-dir", filepath.Join(dir, "spool"), "--format", "json"}
			alerts := resizeAlerts(t, sc, n)

			first := startDaemon(t, args)
			acked := postUntilKilled(t, first, alerts, tt.killAfter)
			if len(acked) == 0 {
				t.Fatal("no alert was accepted before the kill")
			}
			recordedBeforeRestart := recordedEventIDs(t, dbPath)
			lost := 0
			for id := range acked {
				if !recordedBeforeRestart[id] {
					lost++
				}
			}
			t.Logf("%d of %d alerts answered 202 before kill -9; %d of them not yet recorded", len(acked), n, lost)

			second := startDaemon(t, args)
			second.stop(t) // SIGTERM: drain, so every replayed alert is recorded
			recorded := recordedEventIDs(t, dbPath)
			var missing, foreign []string
			for id := range acked {
				if !recorded[id] {
					missing = append(missing, id)
				}
			}
			posted := map[string]bool{}
			for _, a := range alerts {
				posted[a.eventID] = true
			}
			for id := range recorded {
				if !posted[id] {
					foreign = append(foreign, id)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("%d alerts answered 202 were lost (neither recorded nor redelivered), e.g. %v\nfirst daemon stderr (end):\n%s\nsecond daemon stderr (end):\n%s",
					len(missing), missing[:min(5, len(missing))], tail(first.stderr.String()), tail(second.stderr.String()))
			}
			if len(foreign) > 0 {
				t.Errorf("records for events never posted: %v", foreign)
			}
		})
	}
}

// tail keeps the end of a daemon's log for a failure message.
func tail(s string) string {
	const keep = 4 << 10
	if len(s) <= keep {
		return s
	}
	return "…" + s[len(s)-keep:]
}

// alert is one Falco alert to post and the cloud event ID it carries.
type alert struct {
	eventID string
	body    []byte
}

// resizeAlerts builds n distinct Falco alerts from the demo's ModifyVolume
// alert: each resizes the volume to 2000+i GiB (so each is its own drift
// fingerprint, never collapsed into another's record) under its own
// falcosidekick uuid and CloudTrail event ID.
func resizeAlerts(t *testing.T, sc *scenario.Scenario, n int) []alert {
	t.Helper()
	all, err := sc.FalcoAlerts()
	if err != nil {
		t.Fatal(err)
	}
	var base map[string]any
	for _, a := range all {
		var m map[string]any
		if err := json.Unmarshal(a, &m); err != nil {
			t.Fatal(err)
		}
		if f, _ := m["output_fields"].(map[string]any); f != nil && f["ct.name"] == "ModifyVolume" {
			base = m
			break
		}
	}
	if base == nil {
		t.Fatal("the demo has no ModifyVolume alert")
	}
	nonce := time.Now().UnixNano() & 0xffffffffffff
	out := make([]alert, n)
	for i := range out {
		size := 2000 + i
		id := fmt.Sprintf("%08x-5eed-4c0d-8d1e-%012x", i, nonce)
		fields := map[string]any{}
		for k, v := range base["output_fields"].(map[string]any) {
			fields[k] = v
		}
		fields["ct.id"] = id
		fields["ct.request"] = fmt.Sprintf(`{"ModifyVolumeRequest":{"VolumeId":"vol-0123456789abcdef0","Size":%d}}`, size)
		fields["ct.response"] = fmt.Sprintf(`{"ModifyVolumeResponse":{"requestId":"r","volumeModification":{"volumeId":"vol-0123456789abcdef0","modificationState":"modifying","targetSize":%d,"originalSize":100}}}`, size)
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		m["uuid"] = fmt.Sprintf("crash-test-%04d-%x", i, nonce)
		m["output_fields"] = fields
		body, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = alert{eventID: id, body: body}
	}
	return out
}

// daemonProc is a tfdrift serve process: the test binary run as tfdrift.
type daemonProc struct {
	cmd    *exec.Cmd
	addr   string
	stdout *lockedBuffer
	stderr *lockedBuffer
	exited chan struct{}
	err    error // of Wait, once exited is closed
}

// startDaemon starts the daemon and waits until it serves and is ready.
func startDaemon(t *testing.T, args []string) *daemonProc {
	t.Helper()
	d := &daemonProc{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, exited: make(chan struct{})}
	addrs := make(chan string, 1)
	d.cmd = exec.Command(os.Args[0], args...)
	d.cmd.Env = append(os.Environ(), asBinaryEnv+"=1")
	d.cmd.Stdout = d.stdout
	d.cmd.Stderr = &serveLogWriter{out: d.stderr, addr: addrs}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.err = d.cmd.Wait(); close(d.exited) }()
	t.Cleanup(func() {
		select {
		case <-d.exited:
		default:
			d.cmd.Process.Kill()
			<-d.exited
		}
	})
	select {
	case d.addr = <-addrs:
	case <-d.exited:
		t.Fatalf("tfdrift serve exited (%v) before serving:\n%s", d.err, d.stderr.String())
	case <-time.After(15 * time.Second):
		t.Fatalf("tfdrift serve did not log its address:\n%s", d.stderr.String())
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + d.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return d
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready after 10s (%v):\n%s", err, d.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and requires a clean, drained exit.
func (d *daemonProc) stop(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-d.exited:
	case <-time.After(20 * time.Second):
		t.Fatalf("no exit 20s after SIGTERM:\n%s", d.stderr.String())
	}
	if d.err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", d.err, d.stderr.String())
	}
}

// kill9 kills the daemon with SIGKILL and waits for it to be gone.
func (d *daemonProc) kill9(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-d.exited
}

// postUntilKilled posts the alerts from 16 concurrent clients and kills
// the daemon with SIGKILL once killAfter alerts have been answered 202
// (or, with killAfter 0, once every post has been answered). It returns
// the event IDs of the alerts answered 202.
func postUntilKilled(t *testing.T, d *daemonProc, alerts []alert, killAfter int) map[string]bool {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	defer client.CloseIdleConnections()
	var (
		mu      sync.Mutex
		acked   = map[string]bool{}
		reached = make(chan struct{})
		once    sync.Once
	)
	work := make(chan alert)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				resp, err := client.Post("http://"+d.addr+"/falco", "application/json", bytes.NewReader(a.body))
				if err != nil {
					continue // killed mid-request: never answered, not required
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					continue // refused (503): the sender knows; not required
				}
				mu.Lock()
				acked[a.eventID] = true
				if killAfter > 0 && len(acked) >= killAfter {
					once.Do(func() { close(reached) })
				}
				mu.Unlock()
			}
		}()
	}
	feederDone := make(chan struct{})
	go func() {
		defer close(feederDone)
		defer close(work)
		for _, a := range alerts {
			select {
			case work <- a:
			case <-reached:
				// Keep posting into the kill: the clients still working
				// race the SIGKILL, which is the point.
				work <- a
			}
		}
	}()
	if killAfter > 0 {
		select {
		case <-reached:
		case <-feederDone:
		}
		d.kill9(t)
		<-feederDone
		wg.Wait()
	} else {
		<-feederDone
		wg.Wait()
		d.kill9(t)
	}
	mu.Lock()
	defer mu.Unlock()
	return acked
}

// recordedEventIDs opens the store (no daemon running) and returns the
// CloudTrail event IDs of every drift record.
func recordedEventIDs(t *testing.T, dbPath string) map[string]bool {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ids := map[string]bool{}
	f := store.Filter{Limit: 1000}
	for {
		page, err := st.List(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			ids[r.Drift.CloudTrail.EventID] = true
		}
		if page.Next == "" {
			return ids
		}
		f.Cursor = page.Next
	}
}

// serveLogWriter keeps the daemon's stderr and picks the bound address
// out of its JSON "serving" log line.
type serveLogWriter struct {
	out     *lockedBuffer
	addr    chan<- string
	partial []byte
	found   bool
}

func (w *serveLogWriter) Write(p []byte) (int, error) {
	w.out.Write(p)
	if w.found {
		return len(p), nil
	}
	w.partial = append(w.partial, p...)
	for {
		line, rest, ok := bytes.Cut(w.partial, []byte("\n"))
		if !ok {
			break
		}
		w.partial = rest
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal(line, &rec) == nil && rec.Msg == "serving" && strings.Contains(rec.Addr, ":") {
			w.found = true
			w.addr <- rec.Addr
			w.partial = nil
			break
		}
	}
	return len(p), nil
}
