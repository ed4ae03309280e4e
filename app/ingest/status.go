package ingest

import (
	"math/rand/v2"
	"sync"
	"time"
)

// StatusTracker holds the connection state an input's Status reports. The
// zero value is ready to use and safe for concurrent use.
type StatusTracker struct {
	mu sync.Mutex
	st Status
}

// Set records a state change. A nil err keeps the last error, so /readyz
// can still say why the previous attempt failed.
func (t *StatusTracker) Set(s State, err error) {
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

// NoteError records an error without changing the state: a failed SQS
// deletion does not mean the queue is unreachable for receiving.
func (t *StatusTracker) NoteError(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.st.LastError = err.Error()
}

// Get returns the status; Name is the caller's to fill in.
func (t *StatusTracker) Get() Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.st
}

// Backoff is exponential with jitter: each wait is uniform in [d/2, d],
// and d doubles from Min up to Max. Jitter keeps many replicas from
// reconnecting to a restarted Falco or SQS endpoint in lock step.
type Backoff struct {
	Min, Max time.Duration
	cur      time.Duration
}

// Next returns the next wait.
func (b *Backoff) Next() time.Duration {
	if b.cur < b.Min {
		b.cur = b.Min
	}
	d := b.cur
	b.cur = min(2*b.cur, b.Max)
	return d/2 + rand.N(d/2+1)
}

// Reset starts again from Min after a success.
func (b *Backoff) Reset() { b.cur = 0 }

// Init names the input and sets its first state.
func (t *StatusTracker) Init(name string, s State) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.st = Status{Name: name, State: s, Since: time.Now()}
}
