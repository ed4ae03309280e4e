package daemon

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the daemon's Prometheus metrics, on a registry of its own
// (no global state, so tests can run several daemons).
type Metrics struct {
	Registry *prometheus.Registry

	EventsIn     *prometheus.CounterVec // by source
	Dropped      *prometheus.CounterVec // by reason
	Outcomes     *prometheus.CounterVec // by engine outcome
	Drifts       *prometheus.CounterVec // by severity, change_type
	Latency      prometheus.Histogram   // received → drift emitted
	StateAge     *prometheus.GaugeVec   // by source, workspace
	StateErrors  *prometheus.CounterVec // by source
	InputUp      *prometheus.GaugeVec   // by input
	RecordErrors prometheus.Counter     // store failures
	ReloadsTotal *prometheus.CounterVec // by result
	Rejected     *prometheus.CounterVec // by input, reason
}

// NewMetrics registers the metrics.
func NewMetrics() *Metrics {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		Registry: r,
		EventsIn: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tfdrift_events_received_total",
			Help: "Messages received, by input."}, []string{"source"}),
		Dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tfdrift_events_dropped_total",
			Help: "Messages not processed, by reason (overloaded, decode_error, shutting_down)."}, []string{"reason"}),
		Outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tfdrift_events_processed_total",
			Help: "Changes processed by the detector, by outcome (drift, read_only, unmapped, terraform_actor, ...)."}, []string{"outcome"}),
		Drifts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tfdrift_drifts_total",
			Help: "Drifts recorded, by severity and change type."}, []string{"severity", "change_type"}),
		Latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "tfdrift_detection_latency_seconds",
			Help:    "Time from receiving an event to emitting its drift.",
			Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5}}),
		StateAge: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "tfdrift_state_age_seconds",
			Help: "Seconds since each state source was last loaded successfully."}, []string{"source", "workspace"}),
		StateErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tfdrift_state_load_errors_total",
			Help: "State loads that failed; the previous index is kept."}, []string{"source"}),
		InputUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "tfdrift_input_connected",
			Help: "1 when an input is connected (gRPC, SQS) or listening (falco-http), else 0."}, []string{"input"}),
		RecordErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "tfdrift_store_errors_total",
			Help: "Drifts that could not be recorded; their events are redelivered or counted as dropped."}),
		ReloadsTotal: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tfdrift_config_reloads_total",
			Help: "Configuration reloads (SIGHUP), by result."}, []string{"result"}),
		Rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tfdrift_events_rejected_total",
			Help: "HTTP requests refused, by input (falco-http, github-webhook, metrics, ...) and reason (unauthorized, too_large, bad_json, busy, overloaded, ...)."},
			[]string{"input", "reason"}),
	}
	r.MustRegister(m.EventsIn, m.Dropped, m.Outcomes, m.Drifts, m.Latency, m.StateAge, m.StateErrors, m.InputUp, m.RecordErrors, m.ReloadsTotal, m.Rejected)
	return m
}
