package daemon

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tfdrift/tfdrift/app/ingest"
	"github.com/tfdrift/tfdrift/app/ingest/falcohttp"
	"github.com/tfdrift/tfdrift/app/ingest/spool"
	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/detector/state/refresh"
)

// Options configure a daemon.
type Options struct {
	// Listen is the HTTP address (/falco, /healthz, /readyz, /metrics).
	Listen string
	// MetricsListen, when set, is a second, plain-HTTP address that
	// serves /metrics, /readyz and /healthz; the main listener then
	// answers 404 for /metrics and /readyz. Without it, on a main
	// listener that is not loopback, /metrics and /readyz demand /falco's
	// credentials (bearer token, ?token= or client certificate).
	MetricsListen string
	// MetricsStarted, when set, is called with the metrics listener's
	// bound address once serving.
	MetricsStarted func(addr string)
	// MaxConnections caps the main listener's open connections (default
	// DefaultMaxConnections; negative: no cap).
	MaxConnections int
	// AccessLog logs one line per HTTP request (path redacted, query
	// never shown). Refused requests are logged without it: the first of
	// each input and reason per minute.
	AccessLog bool
	// TLS, when set, serves HTTPS; with ClientCAs and ClientAuth set it
	// verifies client certificates (mTLS for Falco and falcosidekick).
	TLS *tls.Config
	// Build builds a detector over the given index: called at start and
	// on every reload, so rule and config changes apply without a restart.
	// The nudge function must be passed on as the engine's
	// OnTrustedWrite: a Terraform apply makes the refresher re-read state
	// at once, so the apply's own writes are never reported as drift.
	Build func(ctx context.Context, ix *state.Index, nudge func(*change.Change)) (*detector.Engine, error)
	// Index and Backends are the state the refresher keeps fresh.
	Index    *state.Index
	Backends []state.Backend
	// RefreshInterval bounds how stale a state can get (default 1m).
	RefreshInterval time.Duration
	// Falco configures POST /falco. Secrets empty and AllowUnauthenticated
	// false means the route refuses every request.
	Falco falcohttp.Config
	// Inputs are the other live inputs (Falco gRPC, SQS). Those that
	// implement ingest.Journaled go through the Spool.
	Inputs   []ingest.Input
	Recorder Recorder
	Notices  NoticeFunc
	Output   Output
	Logger   *slog.Logger
	Metrics  *Metrics
	// Reload delivers a value for each SIGHUP.
	Reload <-chan struct{}
	// DrainTimeout bounds the shutdown (default 30s).
	DrainTimeout time.Duration
	// Started, when set, is called with the bound address once serving.
	Started func(addr string)
	// QueueSize and Workers tune the pipeline (defaults in Pipeline).
	QueueSize, Workers int
	// Spool, when set, journals every message from an input that never
	// retries (Falco HTTP and gRPC) before it is acknowledged, and replays
	// the unfinished ones at start: a crash loses no accepted alert.
	Spool *spool.Spool
	// Routes are extra endpoints mounted beside the daemon's own, such as
	// "POST /webhooks/github". See Route.
	Routes []Route
	// Consumers take the Spool's journaled messages of sources other than
	// the Falco inputs, which go to the pipeline: a route that journals
	// what it accepts (spool.Wrap) names its consumer here, so that a
	// crash replays its messages to it and not into the drift pipeline.
	Consumers map[string]ingest.Handler
	// Background jobs (the notice deliverer) run until the pipeline has
	// drained at shutdown, so notices of the last events still go out.
	Background []func(ctx context.Context) error
	// Shadow is the detector's shadow that Build passes to every engine
	// (serve: the store's, else one in-memory shadow kept across
	// reloads). The refresher drops what each new state version accounts
	// for. Nil: engines keep their own.
	Shadow detector.Shadow
	// InSync hears each resource a change left as state holds it (the
	// lifecycle resolves the drifts that were put back). See
	// PipelineOptions.InSync.
	InSync func(res *state.Resource, attrs map[string]any)
	// ReadyChecks are more conditions of /readyz (serve: the store is
	// sound); a failing one makes the daemon not ready and is logged.
	ReadyChecks []ReadyCheck
}

// Route is an HTTP endpoint a job mounts on the daemon's server, beside
// /falco, /healthz, /readyz and /metrics.
type Route struct {
	// Pattern is a net/http.ServeMux pattern: "POST /webhooks/github".
	// It may not claim a path of the daemon's own endpoints.
	Pattern string
	// Input names the route in tfdrift_events_rejected_total and the
	// rejection log ("github-webhook"); default: its path.
	Input string
	// Handler serves it and authenticates its own requests (a GitHub
	// webhook checks its HMAC signature): /falco's secrets and bearer
	// tokens do not apply to it. The listener's TLS settings do, client
	// certificates included. It must bound what it reads.
	Handler http.Handler
}

// reservedPaths are the daemon's own endpoints; a route may not take them
// or, for /falco/<secret>, anything below.
var reservedPaths = []string{"/falco", "/healthz", "/readyz", "/metrics"}

// mount adds r to mux, refusing a pattern that is malformed, that claims
// a daemon endpoint, or that another route already holds.
func mount(mux *http.ServeMux, r Route) (err error) {
	if r.Handler == nil {
		return fmt.Errorf("route %q: no handler", r.Pattern)
	}
	path := r.Pattern
	if i := strings.IndexAny(path, " \t"); i >= 0 {
		path = strings.TrimLeft(path[i:], " \t") // after the method
	}
	if i := strings.Index(path, "/"); i > 0 {
		path = path[i:] // after a host
	}
	for _, p := range reservedPaths {
		if path == p || path == p+"/" || p == "/falco" && strings.HasPrefix(path, p+"/") {
			return fmt.Errorf("route %q: %s is the daemon's own endpoint", r.Pattern, p)
		}
	}
	defer func() {
		if p := recover(); p != nil { // ServeMux panics on bad or conflicting patterns
			err = fmt.Errorf("route %q: %v", r.Pattern, p)
		}
	}()
	mux.Handle(r.Pattern, r.Handler)
	return nil
}

// DefaultRefreshInterval bounds how stale a state may get when its backend
// gives no sign of change.
const DefaultRefreshInterval = time.Minute

// Run serves until ctx is cancelled, then drains: it stops accepting, waits
// for queued events to be recorded and emitted, and returns nil.
func Run(ctx context.Context, o Options) error {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	m := o.Metrics
	if m == nil {
		m = NewMetrics()
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 30 * time.Second
	}
	if o.RefreshInterval <= 0 {
		o.RefreshInterval = DefaultRefreshInterval
	}

	shadowErrs := newShadowErrors(m.Registry)
	refreshOpts := []refresh.Option{
		refresh.WithInterval(o.RefreshInterval), refresh.WithLogger(log),
		refresh.WithOnError(func(src state.Source, err error) {
			m.StateErrors.WithLabelValues(src.Name).Inc()
			log.Error("state load failed; keeping the last good index", "source", src.Name, "workspace", src.Workspace, "err", err)
		}),
	}
	if o.Shadow != nil {
		refreshOpts = append(refreshOpts, refresh.WithShadow(forgetter{o.Shadow, shadowErrs}))
	}
	ref, err := refresh.New(o.Index, o.Backends, refreshOpts...)
	if err != nil {
		return err
	}
	if err := ref.LoadAll(ctx); err != nil {
		// A source that fails at start is retried by Run; the daemon
		// reports not ready until every source has loaded once.
		log.Error("initial state load", "err", err)
	}

	var eng atomic.Pointer[detector.Engine]
	build := func() error {
		e, err := o.Build(ctx, o.Index, func(*change.Change) { ref.Nudge("") })
		if err != nil {
			return err
		}
		eng.Store(e)
		shadowErrs.swap(e)
		return nil
	}
	if err := build(); err != nil {
		return err
	}

	p := NewPipeline(PipelineOptions{
		Engine: eng.Load, Recorder: o.Recorder, Notices: o.Notices, Output: o.Output,
		QueueSize: o.QueueSize, Workers: o.Workers, Metrics: m, Logger: log, InSync: o.InSync,
	})

	// Nothing is decided before every state has loaded once (gate.go):
	// /falco's alerts are journaled and held, or refused without a spool.
	g := newGate(cmp.Or(o.QueueSize, DefaultQueueSize))
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "tfdrift_events_held",
		Help: "Alerts received before every state loaded, held (journaled) until it does.",
	}, func() float64 { return float64(g.heldCount()) }))
	handle, durable := ingest.Handler(p.Handle), ingest.Handler(p.Handle)
	falcoNext := g.handler(p.Handle, o.Spool != nil)
	var recoverLater func()
	if o.Spool != nil {
		durable, falcoNext = o.Spool.Wrap(p.Handle), o.Spool.Wrap(falcoNext)
		reportSpoolDamage(m, o.Spool, log)
		if ref.Ready() {
			recoverSpool(ctx, o, p.Handle, log)
		} else {
			recoverLater = func() { recoverSpool(ctx, o, p.Handle, log) }
		}
	}
	fr := &front{log: log, m: m, access: o.AccessLog, rejects: newRejectLog(log)}
	falcoCfg, prevReject := o.Falco, o.Falco.OnReject
	falcoCfg.OnReject = func(r *http.Request, status int, reason string) {
		fr.reject(r, falcohttp.Source, status, reason)
		if prevReject != nil {
			prevReject(r, status, reason)
		}
	}
	falco, err := falcohttp.New(falcoCfg, falcoNext)
	if err != nil {
		return err
	}
	fr.falco = falco
	initMetrics(m, stateSources(ref))
	registerBodyGauge(m, falco)
	mux := http.NewServeMux()
	mux.Handle("/falco", falco)
	mux.Handle("/falco/", falco)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	checks := &readyChecks{checks: o.ReadyChecks, log: log}
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		ready, report := readiness(ref, o.Inputs)
		if ok, more := checks.report(r.Context()); !ok || more != "" {
			if !ok && ready {
				ready, report = false, "not ready\n"+strings.TrimPrefix(report, "ready\n")
			}
			report += more
		}
		if o.Spool != nil {
			if err := o.Spool.Err(); err != nil {
				// Every alert would be refused with 503 now.
				ready, report = false, "not ready\nspool: "+err.Error()+"\n"+strings.TrimPrefix(strings.TrimPrefix(report, "ready\n"), "not ready\n")
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		io.WriteString(w, report)
	})
	mux.Handle("/metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry}))
	for _, r := range o.Routes {
		if r.Handler != nil {
			r.Handler = fr.route(routeInput(r), r.Handler)
		}
		if err := mount(mux, r); err != nil {
			p.Close(context.WithoutCancel(ctx))
			return err
		}
	}

	ln, mln, loopback, err := listeners(o)
	if err != nil {
		p.Close(context.WithoutCancel(ctx))
		return err
	}
	fr.next, fr.moved, fr.guard = mux, mln != nil, mln == nil && !loopback
	srv := &http.Server{
		Handler:           fr,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	runCtx, stopAll := context.WithCancel(context.WithoutCancel(ctx))
	defer stopAll()
	var bg sync.WaitGroup
	bg.Add(1)
	go func() { defer bg.Done(); ref.Run(runCtx) }()
	bg.Add(1)
	go func() { defer bg.Done(); gauges(runCtx, m, ref, o.Inputs) }()
	bgCtx, stopBackground := context.WithCancel(runCtx)
	defer stopBackground()
	var jobs sync.WaitGroup
	for _, job := range o.Background {
		jobs.Add(1)
		go func(job func(context.Context) error) {
			defer jobs.Done()
			if err := job(bgCtx); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("background job stopped", "err", err)
			}
		}(job)
	}
	inputsCtx, stopInputs := context.WithCancel(runCtx)
	defer stopInputs()
	var inputs sync.WaitGroup
	if ref.Ready() {
		g.open(inputsCtx, p.Handle)
	} else {
		logNotLoaded(ref, log, 0)
		inputs.Go(func() { g.waitForState(inputsCtx, ref, log, recoverLater, p.Handle) })
	}
	for _, in := range o.Inputs {
		inputs.Add(1)
		h := handle
		if _, ok := in.(ingest.Journaled); ok {
			h = durable
		}
		go func(in ingest.Input, h ingest.Handler) {
			defer inputs.Done()
			select { // the pulling inputs wait for the state (gate.go)
			case <-g.opened:
			case <-inputsCtx.Done():
				return
			}
			if err := in.Run(inputsCtx, h); err != nil {
				log.Error("input stopped", "input", in.Status().Name, "err", err)
			}
		}(in, h)
	}
	serveErr := make(chan error, 2)
	go func() { serveErr <- srv.Serve(ln) }()
	var msrv *http.Server
	if mln != nil {
		mfr := &front{log: log, m: m, falco: falco, next: metricsOnly(mux), access: o.AccessLog, rejects: fr.rejects}
		msrv = &http.Server{Handler: mfr, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
			ErrorLog: srv.ErrorLog}
		go func() { serveErr <- msrv.Serve(mln) }()
		log.Info("serving /metrics, /readyz and /healthz", "addr", mln.Addr().String())
	}
	log.Info("serving", "addr", ln.Addr().String())
	if o.Started != nil {
		o.Started(ln.Addr().String())
	}
	if mln != nil && o.MetricsStarted != nil {
		o.MetricsStarted(mln.Addr().String())
	}

	var runErr error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-serveErr:
			runErr = err
			break loop
		case <-o.Reload:
			if err := build(); err != nil {
				m.ReloadsTotal.WithLabelValues("error").Inc()
				log.Error("reload failed; keeping the running configuration", "err", err)
				continue
			}
			m.ReloadsTotal.WithLabelValues("ok").Inc()
			log.Info("configuration reloaded")
		}
	}

	// Drain: stop taking new work, finish what was accepted.
	log.Info("shutting down: draining in-flight events")
	drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.DrainTimeout)
	defer cancel()
	if err := srv.Shutdown(drainCtx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	if msrv != nil {
		defer msrv.Close() // metrics stay up while the pipeline drains
	}
	stopInputs()
	inputs.Wait()
	if err := p.Close(drainCtx); err != nil {
		runErr = errors.Join(runErr, err)
	}
	if o.Spool != nil {
		if err := o.Spool.Close(); err != nil {
			log.Warn("closing the spool", "err", err)
		}
	}
	stopBackground()
	jobs.Wait()
	stopAll()
	bg.Wait()
	if runErr != nil && !errors.Is(runErr, http.ErrServerClosed) {
		return runErr
	}
	log.Info("stopped")
	return nil
}

// recoverSpool replays the journaled messages a crash left behind: the
// Falco inputs' to the pipeline, other sources' to their Consumers.
func recoverSpool(ctx context.Context, o Options, pipeline ingest.Handler, log *slog.Logger) {
	consumers := spool.Consumers{falcohttp.Source: pipeline}
	for _, in := range o.Inputs {
		if j, ok := in.(ingest.Journaled); ok {
			consumers[j.JournalSource()] = pipeline
		}
	}
	for src, h := range o.Consumers {
		consumers[src] = h
	}
	rec, err := o.Spool.Recover(ctx, consumers)
	if err != nil {
		log.Error("spool recovery stopped early; the rest is replayed at the next start", "err", err)
	}
	if rec.Replayed > 0 {
		log.Info("replayed events accepted before a crash", "events", rec.Replayed)
	}
	for src, n := range rec.Unclaimed {
		log.Warn("journaled messages kept for a later start: nothing consumes their source in this configuration", "source", src, "messages", n)
	}
}

// readiness is ready when every state source has loaded once and every
// input that keeps a connection is connected.
func readiness(ref *refresh.Refresher, inputs []ingest.Input) (bool, string) {
	ready := ref.Ready()
	report := ""
	for _, s := range ref.Status() {
		line := fmt.Sprintf("state %s [%s]: serial %d, %d resources", s.Name, s.Workspace, s.Serial, s.Resources)
		if !s.Healthy {
			line += ", error: " + s.LastError
		}
		report += line + "\n"
	}
	for _, in := range inputs {
		st := in.Status()
		report += fmt.Sprintf("input %s: %s", st.Name, st.State)
		if st.LastError != "" {
			report += " (" + st.LastError + ")"
		}
		report += "\n"
		if st.State != ingest.StateConnected {
			ready = false
		}
	}
	if ready {
		return true, "ready\n" + report
	}
	return false, "not ready\n" + report
}

// gauges refreshes the state-age and input gauges every few seconds.
func gauges(ctx context.Context, m *Metrics, ref *refresh.Refresher, inputs []ingest.Input) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		now := time.Now()
		for _, s := range ref.Status() {
			if !s.LoadedAt.IsZero() {
				m.StateAge.WithLabelValues(s.Name, s.Workspace).Set(now.Sub(s.LoadedAt).Seconds())
			}
		}
		for _, in := range inputs {
			st := in.Status()
			v := 0.0
			if st.State == ingest.StateConnected {
				v = 1
			}
			m.InputUp.WithLabelValues(st.Name).Set(v)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
