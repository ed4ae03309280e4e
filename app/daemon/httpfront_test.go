package daemon

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/ingest/falcohttp"
)

const frontSecret = "front-secret-0123456789"

// logLines parses the daemon's JSON log.
func logLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, l)
		}
		out = append(out, m)
	}
	return out
}

func withMsg(lines []map[string]any, msg string) []map[string]any {
	var out []map[string]any
	for _, l := range lines {
		if strings.HasPrefix(l["msg"].(string), msg) {
			out = append(out, l)
		}
	}
	return out
}

func frontDo(t *testing.T, method, url, auth string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestRejectionsCountedAndLogged: refused requests on /falco and on a
// route are counted by input and reason, and each reason is logged once
// per minute, with the secret out of the path and the query left out.
func TestRejectionsCountedAndLogged(t *testing.T) {
	logs := &syncBuffer{}
	h := start(t, func(o *Options) {
		o.Logger = slog.New(slog.NewJSONHandler(logs, nil))
		o.Falco = falcohttp.Config{Secrets: []string{frontSecret}, MaxBodyBytes: 4096}
		o.Routes = []Route{{Pattern: "POST /webhooks/test", Input: "test-webhook", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
		})}}
	})
	alert := falcoAlert(t, h.sc)
	base := "http://" + h.addr
	const wrong = "wrong-secret-abcdefghijkl"
	for range 3 {
		if c := frontDo(t, "POST", base+"/falco/"+wrong, "", alert); c != http.StatusUnauthorized {
			t.Fatalf("wrong secret: %d", c)
		}
	}
	frontDo(t, "POST", base+"/falco?token="+wrong, "", alert)
	if c := frontDo(t, "POST", base+"/falco/"+frontSecret, "", []byte("json_output: false")); c != http.StatusBadRequest {
		t.Errorf("not JSON: %d", c)
	}
	if c := frontDo(t, "POST", base+"/falco/"+frontSecret, "", bytes.Repeat([]byte(" "), 5000)); c != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: %d", c)
	}
	if c := frontDo(t, "POST", base+"/webhooks/test?secret="+wrong, "", []byte("{}")); c != http.StatusUnauthorized {
		t.Errorf("route: %d", c)
	}
	for _, tc := range []struct {
		input, reason string
		want          float64
	}{
		{falcohttp.Source, falcohttp.ReasonUnauthorized, 4},
		{falcohttp.Source, falcohttp.ReasonBadJSON, 1},
		{falcohttp.Source, falcohttp.ReasonTooLarge, 1},
		{falcohttp.Source, falcohttp.ReasonBusy, 0},
		{"test-webhook", falcohttp.ReasonUnauthorized, 1},
	} {
		if got := counter(h.m.Rejected.WithLabelValues(tc.input, tc.reason)); got != tc.want {
			t.Errorf("tfdrift_events_rejected_total{input=%q,reason=%q} = %v, want %v", tc.input, tc.reason, got, tc.want)
		}
	}
	_, metrics := h.get(t, "/metrics")
	if v := metricLine(metrics, `tfdrift_events_rejected_total{input="falco-http",reason="unauthorized"}`); v != "4" {
		t.Errorf("/metrics shows unauthorized = %q, want 4", v)
	}
	rejected := withMsg(logLines(t, logs.String()), "request rejected")
	type seen struct{ Input, Reason, Path string }
	var got []seen
	for _, l := range rejected {
		got = append(got, seen{l["input"].(string), l["reason"].(string), l["path"].(string)})
	}
	want := []seen{
		{falcohttp.Source, falcohttp.ReasonUnauthorized, "/falco/REDACTED"},
		{falcohttp.Source, falcohttp.ReasonBadJSON, "/falco/REDACTED"},
		{falcohttp.Source, falcohttp.ReasonTooLarge, "/falco/REDACTED"},
		{"test-webhook", falcohttp.ReasonUnauthorized, "/webhooks/test"},
	}
	if len(got) != len(want) {
		t.Fatalf("rejection log lines %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rejection log line %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if rejected[3]["query"] != "REDACTED" {
		t.Errorf("route rejection: query %v, want REDACTED", rejected[3]["query"])
	}
	if s := logs.String(); strings.Contains(s, wrong) || strings.Contains(s, frontSecret) {
		t.Errorf("a secret reached the log:\n%s", s)
	}
}

// TestRejectLogOncePerMinute: the first refusal of each input and reason
// in a minute is logged, with the number left out since the last line.
func TestRejectLogOncePerMinute(t *testing.T) {
	logs := &syncBuffer{}
	l := newRejectLog(slog.New(slog.NewJSONHandler(logs, nil)))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	r := httptest.NewRequest("POST", "/falco/"+frontSecret+"?token="+frontSecret, nil)
	for range 3 {
		l.note(r, "falco-http", 401, "unauthorized")
	}
	l.note(r, "falco-http", 400, "bad_json")
	now = now.Add(59 * time.Second)
	l.note(r, "falco-http", 401, "unauthorized")
	now = now.Add(2 * time.Second)
	l.note(r, "falco-http", 401, "unauthorized")
	lines := logLines(t, logs.String())
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3:\n%s", len(lines), logs.String())
	}
	if lines[0]["reason"] != "unauthorized" || lines[1]["reason"] != "bad_json" || lines[2]["reason"] != "unauthorized" {
		t.Errorf("reasons: %v %v %v", lines[0]["reason"], lines[1]["reason"], lines[2]["reason"])
	}
	if lines[2]["not_logged_since_last"] != float64(3) {
		t.Errorf("not_logged_since_last = %v, want 3", lines[2]["not_logged_since_last"])
	}
	if lines[0]["path"] != "/falco/REDACTED" || lines[0]["query"] != "REDACTED" || strings.Contains(logs.String(), frontSecret) {
		t.Errorf("secret not redacted:\n%s", logs.String())
	}
}

// TestAccessLog: with AccessLog, every request is logged once, path
// redacted, query left out; without it only refusals are.
func TestAccessLog(t *testing.T) {
	for _, on := range []bool{true, false} {
		logs := &syncBuffer{}
		h := start(t, func(o *Options) {
			o.Logger = slog.New(slog.NewJSONHandler(logs, nil))
			o.Falco = falcohttp.Config{Secrets: []string{frontSecret}}
			o.AccessLog = on
		})
		base := "http://" + h.addr
		if c := frontDo(t, "POST", base+"/falco/"+frontSecret+"?token="+frontSecret, "", falcoAlert(t, h.sc)); c != http.StatusAccepted {
			t.Fatalf("POST: %d", c)
		}
		h.get(t, "/healthz")
		access := withMsg(logLines(t, logs.String()), "http request")
		if !on {
			if len(access) != 0 {
				t.Errorf("access log off, yet %d lines", len(access))
			}
			continue
		}
		if len(access) != 2 {
			t.Fatalf("%d access log lines, want 2:\n%s", len(access), logs.String())
		}
		a := access[0]
		if a["path"] != "/falco/REDACTED" || a["query"] != "REDACTED" || a["status"] != float64(202) || a["method"] != "POST" {
			t.Errorf("access log line: %v", a)
		}
		if access[1]["path"] != "/healthz" || access[1]["status"] != float64(200) {
			t.Errorf("access log line: %v", access[1])
		}
		if strings.Contains(logs.String(), frontSecret) {
			t.Errorf("the secret reached the log:\n%s", logs.String())
		}
	}
}

// TestMetricsGuardedOffLoopback: on a listener that is not loopback and
// without a metrics listener, /metrics and /readyz need /falco's
// credentials; /healthz stays open for probes.
func TestMetricsGuardedOffLoopback(t *testing.T) {
	h := start(t, func(o *Options) {
		o.Listen = "0.0.0.0:0"
		o.Falco = falcohttp.Config{Secrets: []string{frontSecret}}
	})
	_, port, _ := net.SplitHostPort(h.addr)
	base := "http://127.0.0.1:" + port
	for _, p := range []string{"/metrics", "/readyz"} {
		if c := frontDo(t, "GET", base+p, "", nil); c != http.StatusUnauthorized {
			t.Errorf("GET %s without the secret: %d, want 401", p, c)
		}
		if c := frontDo(t, "GET", base+p, frontSecret, nil); c != http.StatusOK {
			t.Errorf("GET %s with the secret: %d, want 200", p, c)
		}
		if c := frontDo(t, "GET", base+p+"?token="+frontSecret, "", nil); c != http.StatusOK {
			t.Errorf("GET %s?token=: %d, want 200", p, c)
		}
	}
	if c := frontDo(t, "GET", base+"/healthz", "", nil); c != http.StatusOK {
		t.Errorf("/healthz: %d, want 200", c)
	}
	if got := counter(h.m.Rejected.WithLabelValues(InputMetrics, falcohttp.ReasonUnauthorized)); got != 2 {
		t.Errorf("rejected{metrics,unauthorized} = %v, want 2", got)
	}
}

// TestMetricsListener: with MetricsListen, /metrics, /readyz and /healthz
// are served there without credentials, and /metrics and /readyz leave
// the main listener.
func TestMetricsListener(t *testing.T) {
	maddr := make(chan string, 1)
	h := start(t, func(o *Options) {
		o.Listen = "0.0.0.0:0"
		o.MetricsListen = "127.0.0.1:0"
		o.MetricsStarted = func(a string) { maddr <- a }
		o.Falco = falcohttp.Config{Secrets: []string{frontSecret}}
	})
	m := "http://" + <-maddr
	_, port, _ := net.SplitHostPort(h.addr)
	base := "http://127.0.0.1:" + port
	for _, p := range []string{"/metrics", "/readyz", "/healthz"} {
		if c := frontDo(t, "GET", m+p, "", nil); c != http.StatusOK {
			t.Errorf("metrics listener GET %s: %d, want 200", p, c)
		}
	}
	if c := frontDo(t, "POST", m+"/falco/"+frontSecret, "", falcoAlert(t, h.sc)); c != http.StatusNotFound {
		t.Errorf("metrics listener POST /falco: %d, want 404", c)
	}
	for _, p := range []string{"/metrics", "/readyz"} {
		if c := frontDo(t, "GET", base+p, frontSecret, nil); c != http.StatusNotFound {
			t.Errorf("main listener GET %s: %d, want 404 (moved)", p, c)
		}
	}
	if c := frontDo(t, "GET", base+"/healthz", "", nil); c != http.StatusOK {
		t.Errorf("main listener /healthz: %d", c)
	}
	if c := frontDo(t, "POST", base+"/falco/"+frontSecret, "", falcoAlert(t, h.sc)); c != http.StatusAccepted {
		t.Errorf("main listener POST /falco: %d", c)
	}
}

// TestMaxConnections: past the cap, a new connection waits to be accepted
// until one of the held ones closes.
func TestMaxConnections(t *testing.T) {
	h := start(t, func(o *Options) { o.MaxConnections = 2 })
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", h.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	third, err := net.Dial("tcp", h.addr) // the kernel completes the handshake; the daemon does not accept
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	io.WriteString(third, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	third.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	br := bufio.NewReader(third)
	if _, err := br.ReadByte(); err == nil {
		t.Fatal("a third connection was served past MaxConnections 2")
	} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("third connection: %v, want a read timeout", err)
	}
	held[0].Close()
	third.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("after one closed, the third connection got no answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %d", resp.StatusCode)
	}
}

// TestBodyMemoryBound is the hostile probe at a small scale: many
// connections each announce a body of just under the limit and send half
// of it. The daemon holds at most MaxInflightBytes of bodies (seen on
// /metrics), answers the rest 503 with Retry-After at once, takes the held
// ones when they finish, and then holds nothing.
func TestBodyMemoryBound(t *testing.T) {
	const (
		senders  = 24
		bodySize = 900 << 10
		inflight = 4 << 20
		fit      = inflight / bodySize
	)
	h := start(t, func(o *Options) {
		o.Falco = falcohttp.Config{AllowUnauthenticated: true, MaxInflightBytes: inflight}
	})
	alert := append(falcoAlert(t, h.sc), '\n')
	body := append(alert, bytes.Repeat([]byte(" "), bodySize-len(alert))...)
	type sender struct {
		c  net.Conn
		br *bufio.Reader
	}
	var ss []sender
	for range senders {
		c, err := net.Dial("tcp", h.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, "POST /falco HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "+
			strconv.Itoa(bodySize)+"\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write(body[:bodySize/2]); err != nil {
			t.Fatal(err)
		}
		ss = append(ss, sender{c, bufio.NewReader(c)})
	}
	gauge := func() float64 {
		_, m := h.get(t, "/metrics")
		v, err := strconv.ParseFloat(metricLine(m, "tfdrift_http_body_bytes_inflight"), 64)
		if err != nil {
			t.Fatalf("tfdrift_http_body_bytes_inflight: %v", err)
		}
		return v
	}
	waitFor(t, "the held bodies to reach the bound", func() bool { return gauge() == fit*bodySize })
	// Everyone not holding a share of the budget has been answered 503.
	// Read every answer at once, so that a slow machine gets the whole
	// window for each: a sender still without one holds its body.
	answers := make([]*http.Response, len(ss))
	var wg sync.WaitGroup
	for i, s := range ss {
		wg.Go(func() {
			s.c.SetReadDeadline(time.Now().Add(3 * time.Second))
			if resp, err := http.ReadResponse(s.br, nil); err == nil {
				resp.Body.Close()
				answers[i] = resp
			}
		})
	}
	wg.Wait()
	busy := 0
	var holding []sender
	for i, resp := range answers {
		if resp == nil {
			holding = append(holding, ss[i])
			continue
		}
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Errorf("refused sender: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		busy++
	}
	if busy != senders-fit || len(holding) != fit {
		t.Fatalf("%d refused, %d holding; want %d and %d", busy, len(holding), senders-fit, fit)
	}
	if got := counter(h.m.Rejected.WithLabelValues(falcohttp.Source, falcohttp.ReasonBusy)); got != float64(busy) {
		t.Errorf("rejected{busy} = %v, want %d", got, busy)
	}
	for _, s := range holding {
		if _, err := s.c.Write(body[bodySize/2:]); err != nil {
			t.Fatal(err)
		}
		s.c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(s.br, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
			t.Errorf("held sender: %d, want 202 or 200", resp.StatusCode)
		}
	}
	if g := gauge(); g != 0 {
		t.Errorf("body bytes in flight after every request ended: %v, want 0", g)
	}
}

// FuzzRedactPath: whatever path a client sends, the log never shows what
// follows /falco/, where the secret travels.
func FuzzRedactPath(f *testing.F) {
	for _, s := range []string{"/falco/" + frontSecret, "/falco", "/falco/", "/falco/a/b", "/webhooks/github", "/falco//x", "/falcoX/y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got := redactPath(p)
		if rest, ok := strings.CutPrefix(p, "/falco/"); ok && rest != "" && got != "/falco/REDACTED" {
			t.Errorf("redactPath(%q) = %q, want /falco/REDACTED", p, got)
		}
		if !strings.HasPrefix(p, "/falco/") && got != p {
			t.Errorf("redactPath(%q) = %q changed a path with no secret", p, got)
		}
	})
}
