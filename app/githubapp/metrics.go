package githubapp

import "github.com/prometheus/client_golang/prometheus"

// metrics are the App's counters and gauges, registered on the daemon's
// registry so /metrics shows them.
type metrics struct {
	webhooks     *prometheus.CounterVec // by event, outcome
	unrouted     prometheus.Counter
	configErrors *prometheus.CounterVec // by repo
	discovery    *prometheus.CounterVec // by result
	commands     *prometheus.CounterVec // by verb, outcome
	lifecycle    *prometheus.CounterVec // by action
	repos        prometheus.Gauge
	installs     prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tfdrift_github_webhooks_total",
			Help: "GitHub webhook deliveries, by event and outcome (accepted, ignored, duplicate, bad_signature, too_large, bad_request, overloaded, ping)."},
			[]string{"event", "outcome"}),
		unrouted: prometheus.NewCounter(prometheus.CounterOpts{Name: "tfdrift_github_unrouted_total",
			Help: "Drifts no repository's .tfdrift.yml claims: no GitHub issue is opened for them."}),
		configErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tfdrift_github_config_errors_total",
			Help: "Commits whose .tfdrift.yml (or the code it names) failed to load, by repository; the previous good one is kept."},
			[]string{"repo"}),
		discovery: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tfdrift_github_discovery_total",
			Help: "Discovery runs (installations, repositories, .tfdrift.yml, code), by result (ok, error)."}, []string{"result"}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tfdrift_github_commands_total",
			Help: "/tfdrift comment commands, by verb and outcome (ok, failed, refused, invalid, duplicate)."}, []string{"verb", "outcome"}),
		lifecycle: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tfdrift_github_issue_transitions_total",
			Help: "Drifts moved because a person closed (ignored) or reopened (open) their GitHub issue."}, []string{"to"}),
		repos: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tfdrift_github_repositories",
			Help: "Repositories with a .tfdrift.yml the App files issues on."}),
		installs: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tfdrift_github_installations",
			Help: "Installations of the App."}),
	}
	if reg != nil {
		reg.MustRegister(m.webhooks, m.unrouted, m.configErrors, m.discovery, m.commands, m.lifecycle, m.repos, m.installs)
	}
	return m
}
