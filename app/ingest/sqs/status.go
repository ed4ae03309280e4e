package sqs

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/tfdrift/tfdrift/app/ingest"
)

// statusTracker holds the connection state that Status reports.
type statusTracker struct {
	mu sync.Mutex
	st ingest.Status
}

// set records a state change. A nil err keeps the last error, so /readyz
// can still say why the previous attempt failed.
func (t *statusTracker) set(s ingest.State, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		t.st.LastError = err.Error()
	}
	if t.st.State != s {
		t.st.State = s
		t.st.Since = time.Now()
	}
}

// noteError records an error without changing the state: a failed
// deletion does not mean the queue is unreachable for receiving.
func (t *statusTracker) noteError(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.st.LastError = err.Error()
}

func (t *statusTracker) get() ingest.Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.st
}

// backoff is exponential with jitter: each wait is uniform in [d/2, d],
// and d doubles up to max, so that replicas do not retry in lock step.
type backoff struct {
	min, max, cur time.Duration
}

func (b *backoff) next() time.Duration {
	if b.cur < b.min {
		b.cur = b.min
	}
	d := b.cur
	b.cur = min(2*b.cur, b.max)
	return d/2 + rand.N(d/2+1)
}

func (b *backoff) reset() { b.cur = 0 }

// sleep waits for d or until done is closed, and reports whether it slept
// the whole time.
func sleep(done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return false
	case <-t.C:
		return true
	}
}
