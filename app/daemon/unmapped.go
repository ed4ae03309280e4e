package daemon

import (
	"log/slog"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/change"
)

// A detector that silently ignores what it cannot map looks like a quiet
// cloud. The pipeline therefore counts the write events no catalog entry
// maps, by provider, service and event name, and logs each new one once:
// those are the changes serve cannot see, for which `tfdrift check` must
// run on a schedule.
//
// Reads must not count, and telling them apart takes the record's own
// read-only flag, which only a full decode yields (the decoders' cheap
// pre-filter sees nothing but the name). So an unmapped name is decoded
// until one of its records has been read: a name found read-only is
// skipped before decoding from then on, as before; a write name keeps being
// decoded, so that every write is counted with its service. What an
// unmapped write costs is one decode and one catalog look-up; being
// decoded, it is also checked like a mapped one, so a malformed one is
// reported as a bad record instead of passing unseen.

const (
	// maxUnmappedSeries bounds the metric's label sets: the first
	// distinct (provider, service, event) triples get their own series,
	// later ones are counted under service="other", event="other".
	maxUnmappedSeries = 200
	// maxUnmappedNames bounds the names whose read/write class is
	// remembered; an unmapped name past it is skipped undecoded, as it
	// was before the count existed, and is not counted.
	maxUnmappedNames = 4096
	// maxLabelLen bounds one label value.
	maxLabelLen = 128
)

// unmappedWatch is the pipeline's count of unmapped writes. It is safe
// for concurrent use by the workers.
type unmappedWatch struct {
	count *prometheus.CounterVec
	log   *slog.Logger

	mu sync.RWMutex
	// reads maps a provider's unmapped event names to whether a record
	// of theirs was read-only.
	reads map[nameKey]bool
	// series are the triples with a series of their own.
	series map[unmappedKey]prometheus.Counter
	capped bool // the cap was reached and said so
}

type nameKey struct {
	provider change.Provider
	event    string
}

type unmappedKey struct {
	provider change.Provider
	service  string
	event    string
}

func newUnmappedWatch(r prometheus.Registerer, log *slog.Logger) *unmappedWatch {
	u := &unmappedWatch{
		count: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tfdrift_events_unmapped_total",
			Help: "Write events no catalog entry maps, by provider, service and event (the first " +
				"200 distinct ones; later ones as service=\"other\", event=\"other\"): changes serve cannot see."},
			[]string{"provider", "service", "event"}),
		log:    log,
		reads:  map[nameKey]bool{},
		series: map[unmappedKey]prometheus.Counter{},
	}
	r.MustRegister(u.count)
	// The overflow series exist from the start at 0, so the metric the
	// README lists is there before the first unmapped write.
	for _, p := range []change.Provider{change.AWS, change.GCP} {
		u.count.WithLabelValues(string(p), "other", "other")
	}
	return u
}

// decode is the decoders' pre-filter for a name the catalog does not map:
// decode it unless its records are known to be reads.
func (u *unmappedWatch) decode(p change.Provider, event string) bool {
	u.mu.RLock()
	read, known := u.reads[nameKey{p, event}]
	n := len(u.reads)
	u.mu.RUnlock()
	if known {
		return !read
	}
	return n < maxUnmappedNames
}

// observe learns from a change decoded because decode asked for it, and
// counts it when the engine found it an unmapped write.
func (u *unmappedWatch) observe(c *change.Change, outcome detector.Outcome, mapped bool) {
	if !mapped {
		k := nameKey{c.Provider, c.EventName}
		u.mu.RLock()
		_, known := u.reads[k]
		u.mu.RUnlock()
		if !known {
			u.mu.Lock()
			if len(u.reads) < maxUnmappedNames {
				u.reads[k] = c.ReadOnly
			}
			u.mu.Unlock()
		}
	}
	if outcome != detector.OutcomeUnmapped {
		return // a read, a failed call, or mapped after all
	}
	u.counter(c).Inc()
}

// counter returns the series of c's triple, making it (and logging the
// new name) the first time, within the cap.
func (u *unmappedWatch) counter(c *change.Change) prometheus.Counter {
	k := unmappedKey{c.Provider, label(c.Service), label(c.EventName)}
	u.mu.RLock()
	ctr, ok := u.series[k]
	u.mu.RUnlock()
	if ok {
		return ctr
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if ctr, ok := u.series[k]; ok {
		return ctr
	}
	if len(u.series) >= maxUnmappedSeries {
		if !u.capped {
			u.capped = true
			u.log.Warn("more distinct unmapped write events than the metric keeps apart: further ones are counted as service=other, event=other and not logged",
				"limit", maxUnmappedSeries)
		}
		return u.count.WithLabelValues(string(k.provider), "other", "other")
	}
	ctr = u.count.WithLabelValues(string(k.provider), k.service, k.event)
	u.series[k] = ctr
	u.log.Info("write event not in the catalog: changes it makes are not detected in real time (run `tfdrift check` on a schedule)",
		"provider", string(k.provider), "service", k.service, "event", k.event)
	return ctr
}

// label makes s a valid, bounded label value: the client library panics on
// invalid UTF-8, and a record's names are outside input.
func label(s string) string {
	if len(s) > maxLabelLen {
		s = s[:maxLabelLen]
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
