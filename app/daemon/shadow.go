package daemon

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tfdrift/tfdrift/detector"
)

// shadowErrors is tfdrift_shadow_errors_total: the shadow reads and
// writes that failed (each such write was compared with state alone),
// and the Drops a state reload could not make. A reload replaces the
// engine, whose Stats start at zero, so the count keeps what replaced
// engines counted; the engine replaced last is still read, because events
// in flight at the reload finish on it.
type shadowErrors struct {
	mu        sync.Mutex
	retired   int64
	prev, cur *detector.Engine
	drops     atomic.Int64
}

func newShadowErrors(r prometheus.Registerer) *shadowErrors {
	s := &shadowErrors{}
	r.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tfdrift_shadow_errors_total",
		Help: "Shadow reads, writes and drops that failed: such a write was compared with state alone, " +
			"without the earlier writes to its resource (the store is unreachable or failing)."}, s.value))
	return s
}

// swap records that e replaces the current engine.
func (s *shadowErrors) swap(e *detector.Engine) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.prev != nil {
		s.retired += s.prev.Stats.ShadowErrors.Load()
	}
	s.prev, s.cur = s.cur, e
}

func (s *shadowErrors) value() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.retired + s.drops.Load()
	for _, e := range []*detector.Engine{s.prev, s.cur} {
		if e != nil {
			n += e.Stats.ShadowErrors.Load()
		}
	}
	return float64(n)
}

// forgetter is the shadow's Drop for the refresher, counting failures.
type forgetter struct {
	shadow detector.Shadow
	errs   *shadowErrors
}

func (f forgetter) Drop(ctx context.Context, source, workspace string, before int64) error {
	err := f.shadow.Drop(ctx, source, workspace, before)
	if err != nil {
		f.errs.drops.Add(1)
	}
	return err
}
