package refresh

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrRunning is returned by Run when another Run is already under way.
var ErrRunning = errors.New("state refresher already running")

// Run checks each source whenever it is due, until ctx is done: at least
// every interval after its previous check, at once after a Nudge, and at
// the nudge's follow-ups. Sources never loaded (no LoadAll) are due at
// once. Failures go to OnError and Status, never stop Run, and never take
// a source's last good snapshot out of the index.
//
// Run returns nil once ctx is done and the checks under way have
// returned, or ErrRunning if another Run is under way.
func (r *Refresher) Run(ctx context.Context) error {
	if !r.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer r.running.Store(false)

	var wg sync.WaitGroup
	defer wg.Wait()
	sem := make(chan struct{}, r.opt.concurrency)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		due, next := r.schedule(r.opt.now())
		for _, s := range due {
			wg.Go(func() {
				defer r.finished(s)
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					return
				}
				defer func() { <-sem }()
				// The error is recorded and reported by check.
				_ = r.check(ctx, s)
			})
		}
		if !next.IsZero() {
			timer.Reset(max(next.Sub(r.opt.now()), 0))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-r.wake:
		}
	}
}

// schedule marks the sources due at now as in flight and returns them,
// with the time the next of the others falls due (zero if none is
// waiting on time: all in flight).
func (r *Refresher) schedule(now time.Time) (due []*source, next time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.sources {
		if s.inFlight {
			continue
		}
		for len(s.followUps) > 0 && !s.followUps[0].After(now) {
			s.followUps = s.followUps[1:]
			s.nudged = true
		}
		if s.nudged || !s.nextPoll.After(now) {
			s.nudged = false
			s.inFlight = true
			due = append(due, s)
			continue
		}
		at := s.nextPoll
		if len(s.followUps) > 0 && s.followUps[0].Before(at) {
			at = s.followUps[0]
		}
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return due, next
}

// finished ends Run's check of s and wakes Run to schedule s again.
func (r *Refresher) finished(s *source) {
	r.mu.Lock()
	s.inFlight = false
	r.mu.Unlock()
	r.signal()
}

func (r *Refresher) signal() {
	select {
	case r.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// Nudge asks Run to check the sources named sourceName (every workspace)
// now, and again at the follow-up delays; "" nudges every source. Nudges
// that arrive while a check is under way cause another check after it, so
// a write is never missed by a check that started just before it. Nudge
// never blocks; it reports whether any source has that name. Without a
// running Run the checks wait for the next one.
func (r *Refresher) Nudge(sourceName string) bool {
	now := r.opt.now()
	matched := false
	r.mu.Lock()
	for _, s := range r.sources {
		if sourceName != "" && s.src.Name != sourceName {
			continue
		}
		matched = true
		s.nudged = true
		s.followUps = s.followUps[:0]
		for _, d := range r.opt.followUps {
			s.followUps = append(s.followUps, now.Add(d))
		}
	}
	r.mu.Unlock()
	if matched {
		r.signal()
	}
	return matched
}
