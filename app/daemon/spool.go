package daemon

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tfdrift/tfdrift/app/ingest/spool"
)

// reportSpoolDamage logs each damaged stretch the spool skipped at Open
// (the intact records around it are kept and replayed) and exports their
// count.
func reportSpoolDamage(m *Metrics, sp *spool.Spool, log *slog.Logger) {
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tfdrift_spool_damaged_records_total",
		Help: "Damaged stretches of the spool skipped at start (each lost the alert or verdict it held); the intact records around them are replayed."},
		func() float64 { return float64(sp.Stats().Damaged) }))
	for _, d := range sp.Damaged() {
		log.Error("spool: skipped a damaged record; every intact one is kept (see docs/inputs.md, the spool)",
			"segment", d.Segment, "offset", d.Offset, "bytes", d.Bytes, "reason", d.Reason)
	}
}
