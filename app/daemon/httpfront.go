package daemon

import (
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/netutil"

	"github.com/tfdrift/tfdrift/app/ingest/falcohttp"
	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/state/refresh"
)

// DefaultMaxConnections caps the connections the main listener holds at
// once; past it, new connections wait in the kernel's accept queue.
const DefaultMaxConnections = 1024

// Inputs of tfdrift_events_rejected_total besides the routes' own.
const (
	// InputMetrics labels refusals of /metrics and /readyz.
	InputMetrics = "metrics"
)

// rejectLogInterval is how often each (input, reason) of refused requests
// is logged: the first in each interval, with a count of the others.
const rejectLogInterval = time.Minute

// front is what every request on the daemon's listeners passes through:
// the guard on /metrics and /readyz, the rejection metric and log for the
// routes, and the access log.
type front struct {
	log    *slog.Logger
	m      *Metrics
	falco  *falcohttp.Handler
	next   http.Handler
	access bool
	// guard: /metrics and /readyz demand /falco's credentials (the main
	// listener faces the network and there is no metrics listener).
	guard bool
	// moved: a metrics listener serves /metrics and /readyz; the main
	// listener answers 404 for them.
	moved   bool
	rejects *rejectLog
}

func isGuardedPath(p string) bool { return p == "/metrics" || p == "/readyz" }

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !f.access {
		f.serve(w, r)
		return
	}
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	f.serve(sw, r)
	attrs := []slog.Attr{
		slog.String("method", r.Method), slog.String("path", redactPath(r.URL.Path)),
		slog.Int("status", sw.code()), slog.Int64("bytes", sw.n),
		slog.Duration("duration", time.Since(start)), slog.String("remote", r.RemoteAddr),
		slog.String("user_agent", r.UserAgent()),
	}
	if r.URL.RawQuery != "" {
		attrs = append(attrs, slog.String("query", "REDACTED"))
	}
	f.log.LogAttrs(r.Context(), slog.LevelInfo, "http request", attrs...)
}

func (f *front) serve(w http.ResponseWriter, r *http.Request) {
	if isGuardedPath(r.URL.Path) {
		switch {
		case f.moved:
			f.reject(r, InputMetrics, http.StatusNotFound, "not_found")
			http.Error(w, r.URL.Path+" is served on the metrics listener (--metrics-listen)", http.StatusNotFound)
			return
		case f.guard && !f.falco.Authorize(r):
			f.reject(r, InputMetrics, http.StatusUnauthorized, falcohttp.ReasonUnauthorized)
			w.Header().Set("Www-Authenticate", `Bearer realm="tfdrift"`)
			http.Error(w, r.URL.Path+" on a listener that faces the network needs /falco's credentials "+
				"(Authorization: Bearer <secret> or ?token=<secret>); or serve it on --metrics-listen", http.StatusUnauthorized)
			return
		}
	}
	f.next.ServeHTTP(w, r)
}

// reject counts and (rate-limited) logs one refused request.
func (f *front) reject(r *http.Request, input string, status int, reason string) {
	f.m.Rejected.WithLabelValues(input, reason).Inc()
	f.rejects.note(r, input, status, reason)
}

// route wraps a route's handler so its refusals are counted and logged.
func (f *front) route(input string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if c := sw.code(); c >= 400 {
			f.reject(r, input, c, statusReason(c))
		}
	})
}

// routeInput names a route in tfdrift_events_rejected_total: its Input,
// else its path.
func routeInput(r Route) string {
	if r.Input != "" {
		return r.Input
	}
	path := r.Pattern
	if i := strings.IndexAny(path, " \t"); i >= 0 {
		path = strings.TrimLeft(path[i:], " \t")
	}
	return path
}

// statusReason is the rejection reason of a route's answer.
func statusReason(code int) string {
	switch code {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnauthorized:
		return falcohttp.ReasonUnauthorized
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return falcohttp.ReasonNotFound
	case http.StatusMethodNotAllowed:
		return falcohttp.ReasonMethod
	case http.StatusRequestEntityTooLarge:
		return falcohttp.ReasonTooLarge
	case http.StatusUnsupportedMediaType:
		return falcohttp.ReasonEncoding
	case http.StatusTooManyRequests:
		return "too_many_requests"
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	return "status_" + strconv.Itoa(code)
}

// redactPath is a request path fit for a log: a /falco/<secret> path loses
// its secret. The query is never logged.
func redactPath(p string) string {
	if strings.HasPrefix(p, falcohttp.DefaultPrefix+"/") {
		return falcohttp.RedactPath(falcohttp.DefaultPrefix, p)
	}
	return p
}

// statusWriter remembers the status and the size of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// rejectLog logs the first refused request of each input and reason per
// interval, and how many it left out since the previous line: a Falco with
// the wrong secret is seen at once without one line per alert.
type rejectLog struct {
	log      *slog.Logger
	interval time.Duration
	now      func() time.Time
	mu       sync.Mutex
	last     map[[2]string]*rejectSeen
}

type rejectSeen struct {
	at         time.Time
	suppressed int
}

func newRejectLog(log *slog.Logger) *rejectLog {
	return &rejectLog{log: log, interval: rejectLogInterval, now: time.Now, last: map[[2]string]*rejectSeen{}}
}

func (l *rejectLog) note(r *http.Request, input string, status int, reason string) {
	now := l.now()
	key := [2]string{input, reason}
	l.mu.Lock()
	seen := l.last[key]
	if seen != nil && now.Sub(seen.at) < l.interval {
		seen.suppressed++
		l.mu.Unlock()
		return
	}
	suppressed := 0
	if seen == nil {
		seen = &rejectSeen{}
		l.last[key] = seen
	}
	suppressed, seen.at, seen.suppressed = seen.suppressed, now, 0
	l.mu.Unlock()
	attrs := []slog.Attr{
		slog.String("input", input), slog.String("reason", reason), slog.Int("status", status),
		slog.String("method", r.Method), slog.String("path", redactPath(r.URL.Path)),
		slog.String("remote", r.RemoteAddr), slog.String("user_agent", r.UserAgent()),
	}
	if r.URL.RawQuery != "" {
		attrs = append(attrs, slog.String("query", "REDACTED"))
	}
	if suppressed > 0 {
		attrs = append(attrs, slog.Int("not_logged_since_last", suppressed))
	}
	l.log.LogAttrs(r.Context(), slog.LevelWarn, "request rejected (first of its reason this minute)", attrs...)
}

// listeners opens the main listener (connection-capped, TLS when
// configured) and, with MetricsListen, the metrics listener. loopback says
// whether the main one binds loopback only.
func listeners(o Options) (main, metrics net.Listener, loopback bool, err error) {
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, nil, false, err
	}
	if a, ok := ln.Addr().(*net.TCPAddr); ok {
		loopback = a.IP.IsLoopback()
	}
	maxConns := o.MaxConnections
	if maxConns == 0 {
		maxConns = DefaultMaxConnections
	}
	if maxConns > 0 {
		ln = netutil.LimitListener(ln, maxConns)
	}
	if o.TLS != nil {
		ln = tls.NewListener(ln, o.TLS)
	}
	if o.MetricsListen != "" {
		if metrics, err = net.Listen("tcp", o.MetricsListen); err != nil {
			ln.Close()
			return nil, nil, false, fmt.Errorf("metrics listener: %w", err)
		}
	}
	return ln, metrics, loopback, nil
}

// metricsOnly serves /metrics, /readyz and /healthz of mux, nothing else.
func metricsOnly(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/metrics", "/readyz", "/healthz":
			mux.ServeHTTP(w, r)
		default:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "the metrics listener serves /metrics, /readyz and /healthz\n")
		}
	})
}

// initMetrics gives every labelled metric the README lists a series from
// the start, so that a dashboard or an alert rule sees 0 and not "no
// data".
func initMetrics(m *Metrics, stateSources []string) {
	m.EventsIn.WithLabelValues(falcohttp.Source)
	for _, r := range []string{"overloaded", "decode_error", "shutting_down"} {
		m.Dropped.WithLabelValues(r)
	}
	for _, o := range []detector.Outcome{detector.OutcomeDrift, detector.OutcomeReadOnly, detector.OutcomeFailed,
		detector.OutcomeUnmapped, detector.OutcomeTerraform, detector.OutcomeTrusted, detector.OutcomeDuplicate,
		detector.OutcomeNotInState, detector.OutcomeNoChange, detector.OutcomeAWSService, detector.OutcomeIgnored,
		detector.OutcomeRepeat} {
		m.Outcomes.WithLabelValues(string(o))
	}
	for _, s := range []drift.Severity{drift.Info, drift.Low, drift.Medium, drift.High, drift.Critical} {
		for _, c := range []drift.ChangeType{drift.Modified, drift.Created, drift.Deleted} {
			m.Drifts.WithLabelValues(string(s), string(c))
		}
	}
	for _, r := range falcohttp.Reasons() {
		m.Rejected.WithLabelValues(falcohttp.Source, r)
	}
	m.Rejected.WithLabelValues(InputMetrics, falcohttp.ReasonUnauthorized)
	for _, s := range stateSources {
		m.StateErrors.WithLabelValues(s)
	}
	m.ReloadsTotal.WithLabelValues("ok")
	m.ReloadsTotal.WithLabelValues("error")
	// /falco listens as long as the daemon serves.
	m.InputUp.WithLabelValues(falcohttp.Source).Set(1)
}

// stateSources are the names of the state sources, for their metrics.
func stateSources(ref *refresh.Refresher) []string {
	var out []string
	for _, s := range ref.Status() {
		out = append(out, s.Name)
	}
	return out
}

// registerBodyGauge exports the body bytes /falco holds while reading.
func registerBodyGauge(m *Metrics, h *falcohttp.Handler) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "tfdrift_http_body_bytes_inflight",
		Help: "Request body bytes /falco holds while reading and checking them; bounded by --max-inflight-bytes.",
	}, func() float64 { return float64(h.InflightBytes()) }))
}
