package ghapi

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Pacing limits content-creating requests (POST, PATCH, PUT, DELETE) of
// one installation. GitHub documents a secondary limit of 80 such
// requests a minute and 500 an hour, and asks for a second between
// writes; DefaultPacing stays below all three. A zero field is no limit
// of that kind.
type Pacing struct {
	// MinGap is the least time between two writes.
	MinGap time.Duration
	// PerMinute and PerHour bound the writes in any sliding window of
	// that length.
	PerMinute int
	PerHour   int
	// MaxWait is the longest a write waits for its turn; a longer wait
	// (or one past the context's deadline) fails with a *RateLimitError
	// of Kind Paced that carries the wait, so the outbox reschedules.
	MaxWait time.Duration
}

// DefaultPacing is a write a second (60 a minute, so PerMinute's 70
// matters only if MinGap is lowered), at most 450 an hour: a tenth below
// GitHub's 80 and 500, for the writes GitHub counts that the pacer does
// not see (another replica, a person's own token on the same App).
// A write waits at most a minute for its turn.
func DefaultPacing() Pacing {
	return Pacing{MinGap: time.Second, PerMinute: 70, PerHour: 450, MaxWait: time.Minute}
}

// Pacer serialises and paces one installation's writes. It is shared by
// every client of that installation.
type Pacer struct {
	p     Pacing
	clock Clock
	turn  chan struct{} // one write at a time; a channel so waiting honours ctx

	mu      sync.Mutex
	times   []time.Time // start times of the latest writes, oldest first
	keep    int
	writes  int
	refused int
	waited  time.Duration
}

// NewPacer returns a pacer; a nil clock is the real one.
func NewPacer(p Pacing, clock Clock) *Pacer {
	if clock == nil {
		clock = RealClock()
	}
	return &Pacer{p: p, clock: clock, turn: make(chan struct{}, 1), keep: max(p.PerMinute, p.PerHour, 1)}
}

// PacerStats counts what a pacer did.
type PacerStats struct {
	Writes  int           // writes let through
	Refused int           // writes refused with a *RateLimitError
	Waited  time.Duration // total time writes waited
}

// Stats returns the counters so far.
func (p *Pacer) Stats() PacerStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PacerStats{Writes: p.writes, Refused: p.refused, Waited: p.waited}
}

// earliest is when the next write may start.
func (p *Pacer) earliest(now time.Time) time.Time {
	t := now
	n := len(p.times)
	if n > 0 && p.p.MinGap > 0 {
		t = laterOf(t, p.times[n-1].Add(p.p.MinGap))
	}
	if p.p.PerMinute > 0 && n >= p.p.PerMinute {
		t = laterOf(t, p.times[n-p.p.PerMinute].Add(time.Minute))
	}
	if p.p.PerHour > 0 && n >= p.p.PerHour {
		t = laterOf(t, p.times[n-p.p.PerHour].Add(time.Hour))
	}
	return t
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Acquire waits for the installation's turn to write and returns the
// function that ends it, to call once the request has been answered.
func (p *Pacer) Acquire(ctx context.Context) (release func(), err error) {
	select {
	case p.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release = func() { <-p.turn }
	now := p.clock.Now()
	p.mu.Lock()
	next := p.earliest(now)
	p.mu.Unlock()
	if wait := next.Sub(now); wait > 0 {
		// A deadline is wall-clock time left, whatever the pacer's clock.
		dl, hasDL := ctx.Deadline()
		if wait > p.p.MaxWait || (hasDL && wait > time.Until(dl)) {
			release()
			p.mu.Lock()
			p.refused++
			p.mu.Unlock()
			return nil, &RateLimitError{Kind: Paced, Wait: wait, Until: next,
				Message: "the installation's write budget is spent for now"}
		}
		if err := p.clock.Sleep(ctx, wait); err != nil {
			release()
			return nil, err
		}
		p.mu.Lock()
		p.waited += wait
		p.mu.Unlock()
	}
	p.mu.Lock()
	p.times = append(p.times, p.clock.Now())
	if len(p.times) >= 2*p.keep {
		p.times = append(p.times[:0:0], p.times[len(p.times)-p.keep:]...)
	}
	p.writes++
	p.mu.Unlock()
	return release, nil
}

// pacerTransport paces content-creating requests through a Pacer.
type pacerTransport struct {
	next  http.RoundTripper
	pacer *Pacer
}

// isWrite: GitHub's content-creating requests are its mutating methods.
func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

func (t *pacerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !isWrite(req.Method) {
		return t.next.RoundTrip(req)
	}
	release, err := t.pacer.Acquire(req.Context())
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	defer release()
	return t.next.RoundTrip(req)
}
