package falcogrpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/falcosecurity/client-go/pkg/api/outputs"
	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/ingest"
	"github.com/tfdrift/tfdrift/internal/eventually"
)

// collector is an ingest.Handler that keeps the ct.id of every message.
// refuse, when positive, is how many offers to refuse as overloaded first.
type collector struct {
	mu     sync.Mutex
	ids    []string
	msgs   []ingest.Message
	refuse int
}

func (c *collector) handle(_ context.Context, m ingest.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refuse > 0 {
		c.refuse--
		return ingest.ErrOverloaded
	}
	var a struct {
		OutputFields map[string]string `json:"output_fields"`
	}
	if err := json.Unmarshal(m.Body, &a); err != nil {
		return fmt.Errorf("message body %q: %w", m.Body, err)
	}
	c.ids = append(c.ids, a.OutputFields["ct.id"])
	c.msgs = append(c.msgs, m)
	return nil
}

func (c *collector) got() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.ids...)
}

// waitFor waits for cond with a deadline (internal/eventually).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	eventually.True(t, what, cond)
}

func events(ids ...string) []*outputs.Response {
	out := make([]*outputs.Response, len(ids))
	for i, id := range ids {
		out[i] = cloudTrailEvent(id)
	}
	return out
}

func fastConfig(cfg Config) Config {
	cfg.PollInterval = 5 * time.Millisecond
	cfg.MinBackoff = 10 * time.Millisecond
	cfg.MaxBackoff = 50 * time.Millisecond
	cfg.OverloadRetry = time.Millisecond
	return cfg
}

// start runs in until the test ends and checks that Run returns nil.
func start(t *testing.T, in *Input, h ingest.Handler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, h) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func socketPath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "falco.sock")
}

func TestUnixSocket(t *testing.T) {
	sock := socketPath(t)
	f := newFakeFalco()
	serveUnix(t, f, sock)
	in, err := New(fastConfig(Config{UnixSocket: "unix://" + sock}))
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	start(t, in, c.handle)
	f.publish(events("a", "b", "c")...)
	waitFor(t, "three events", func() bool { return len(c.got()) == 3 })
	if diff := cmp.Diff([]string{"a", "b", "c"}, c.got()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	want, err := toJSON(cloudTrailEvent("a"))
	if err != nil {
		t.Fatal(err)
	}
	m := c.msgs[0]
	if m.Source != Source || string(m.Body) != string(want) || m.Received.IsZero() || m.Done == nil {
		t.Errorf("message %+v: want Source %q, the http_output JSON, Received and Done", m, Source)
	}
	m.Done(nil)
	c.msgs[1].Done(errors.New("boom"))
	st := in.Status()
	if st.Name != Source || st.State != ingest.StateConnected || st.LastError != "" {
		t.Errorf("status %+v: want connected without error", st)
	}
	// The counters move after the handler returns: wait for them (a
	// single read once flaked with Delivered 2 on a loaded machine).
	eventually.Equal(t, "the stats", Stats{Received: 3, Delivered: 3, Completed: 1, Failed: 1, Connections: 1}, in.Stats)
}

func TestMTLS(t *testing.T) {
	p := newPKI(t)
	f := newFakeFalco()
	port, _ := serveMTLS(t, f, p)
	in, err := New(fastConfig(Config{
		Name: "falco-east", Hostname: "127.0.0.1", Port: port,
		CertFile: p.clientCert, KeyFile: p.clientKey, CARootFile: p.caCert,
	}))
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	start(t, in, c.handle)
	f.publish(events("tls-1")...)
	waitFor(t, "the event over mTLS", func() bool { return len(c.got()) == 1 })
	if st := in.Status(); st.Name != "falco-east" || st.State != ingest.StateConnected {
		t.Errorf("status %+v: want falco-east connected", st)
	}
}

func TestMTLSWrongCA(t *testing.T) {
	server, other := newPKI(t), newPKI(t)
	port, _ := serveMTLS(t, newFakeFalco(), server)
	// The client trusts another CA, so Falco's certificate is refused.
	in, err := New(fastConfig(Config{
		Hostname: "127.0.0.1", Port: port,
		CertFile: other.clientCert, KeyFile: other.clientKey, CARootFile: other.caCert,
	}))
	if err != nil {
		t.Fatal(err)
	}
	start(t, in, (&collector{}).handle)
	waitFor(t, "a certificate error", func() bool {
		st := in.Status()
		return st.State != ingest.StateConnected && strings.Contains(st.LastError, "certificate")
	})
	if n := in.Stats().Connections; n != 0 {
		t.Errorf("%d connections with an untrusted server, want 0", n)
	}
}

// TestReconnect stops Falco mid-stream and starts it again on the same
// socket: the input reconnects and delivers the next events, none twice.
func TestReconnect(t *testing.T) {
	sock := socketPath(t)
	f := newFakeFalco()
	stop := serveUnix(t, f, sock)
	in, err := New(fastConfig(Config{UnixSocket: sock}))
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	start(t, in, c.handle)
	f.publish(events("1", "2", "3")...)
	waitFor(t, "the first events", func() bool { return len(c.got()) == 3 })

	stop()
	waitFor(t, "the input to notice", func() bool { return in.Status().State != ingest.StateConnected })
	// Rules keep firing while tfdrift is cut off; Falco queues them.
	f.publish(events("4", "5")...)
	serveUnix(t, f, sock)
	f.publish(events("6")...)
	waitFor(t, "the events after the restart", func() bool { return len(c.got()) == 6 })

	if diff := cmp.Diff([]string{"1", "2", "3", "4", "5", "6"}, c.got()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	waitFor(t, "connected again", func() bool { return in.Status().State == ingest.StateConnected })
	if st := in.Status(); st.LastError == "" {
		t.Errorf("status %+v: want the last error of the broken stream kept", st)
	}
	eventually.True(t, "at least 2 connections", func() bool { return in.Stats().Connections >= 2 })
}

// TestFalcoStartsLater: no socket yet, then Falco comes up.
func TestFalcoStartsLater(t *testing.T) {
	sock := socketPath(t)
	in, err := New(fastConfig(Config{UnixSocket: sock}))
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	start(t, in, c.handle)
	waitFor(t, "a connection error", func() bool {
		st := in.Status()
		return st.State != ingest.StateConnected && st.LastError != ""
	})
	f := newFakeFalco()
	f.publish(events("early")...)
	serveUnix(t, f, sock)
	waitFor(t, "the queued event", func() bool { return len(c.got()) == 1 })
}

// TestOverloadBackpressure: a full pipeline is waited for, not dropped.
func TestOverloadBackpressure(t *testing.T) {
	sock := socketPath(t)
	f := newFakeFalco()
	serveUnix(t, f, sock)
	in, err := New(fastConfig(Config{UnixSocket: sock}))
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{refuse: 5}
	start(t, in, c.handle)
	f.publish(events("x", "y")...)
	waitFor(t, "both events", func() bool { return len(c.got()) == 2 })
	if diff := cmp.Diff([]string{"x", "y"}, c.got()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	eventually.True(t, "5 overloaded, 2 delivered, none rejected", func() bool {
		st := in.Stats()
		return st.Overloaded == 5 && st.Delivered == 2 && st.Rejected == 0
	})
}

func TestRejectedAndCancelled(t *testing.T) {
	sock := socketPath(t)
	f := newFakeFalco()
	serveUnix(t, f, sock)
	in, err := New(fastConfig(Config{UnixSocket: sock}))
	if err != nil {
		t.Fatal(err)
	}
	var calls sync.WaitGroup
	calls.Add(1)
	var once sync.Once
	stop := start(t, in, func(context.Context, ingest.Message) error {
		once.Do(calls.Done)
		return errors.New("pipeline closed")
	})
	f.publish(events("z")...)
	calls.Wait()
	waitFor(t, "the rejection to be counted", func() bool { return in.Stats().Rejected == 1 })
	stop()
	if st := in.Status(); st.State != ingest.StateDisconnected {
		t.Errorf("status after Run returned: %+v, want disconnected", st)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		err  string
	}{
		{"nothing", Config{}, "no unix socket and no hostname"},
		{"both", Config{UnixSocket: "/s", Hostname: "h", Port: 1}, "choose one"},
		{"no port", Config{Hostname: "falco"}, "without a port"},
		{"no certificates", Config{Hostname: "falco", Port: 5060, CertFile: "c"}, "needs mTLS"},
		{"backoff upside down", Config{UnixSocket: "/s", MinBackoff: time.Minute, MaxBackoff: time.Second}, "above max backoff"},
		{"negative", Config{UnixSocket: "/s", PollInterval: -1}, "negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v, want %q", err, tc.err)
			}
		})
	}
	in, err := New(Config{UnixSocket: "relative/falco.sock"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(in.client.UnixSocketPath, "unix:///") {
		t.Errorf("socket %q: want an absolute unix:// target", in.client.UnixSocketPath)
	}
	if st := in.Status(); st.State != ingest.StateDisconnected || st.Name != Source {
		t.Errorf("status before Run: %+v", st)
	}
	if err := in.Run(context.Background(), nil); err == nil {
		t.Error("Run with a nil handler: want an error")
	}
}
