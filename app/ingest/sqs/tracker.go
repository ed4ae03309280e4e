package sqs

import (
	"sync"
	"time"
)

// flight is one received message that the input still holds a lease on:
// being offered to the pipeline, processed by it, or waiting for deletion.
// The visibility timeout is extended for every flight until it ends.
type flight struct {
	id      string
	receipt string
	// leaseAt is when the visibility timeout was last (re)started.
	leaseAt time.Time
	// leaseLost: SQS refused an extension; the message may already be
	// with another consumer, so it is no longer extended.
	leaseLost bool
	// deleting: the pipeline is done with it (Done(nil)) or it went to
	// the DLQ; it leaves when DeleteMessageBatch succeeds.
	deleting bool
}

// tracker holds the flights. The pollers add them, Done and the worker
// change and remove them.
type tracker struct {
	mu      sync.Mutex
	flights map[string]*flight // by receipt handle
	// wake tells the worker that deletions are waiting.
	wake chan struct{}
	// ended tells a draining Run that a flight left.
	ended chan struct{}
}

func newTracker() *tracker {
	return &tracker{flights: map[string]*flight{}, wake: make(chan struct{}, 1), ended: make(chan struct{}, 1)}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func (t *tracker) add(id, receipt string, leaseAt time.Time) *flight {
	f := &flight{id: id, receipt: receipt, leaseAt: leaseAt}
	t.mu.Lock()
	t.flights[receipt] = f
	t.mu.Unlock()
	return f
}

// drop ends a flight without deleting the message: SQS redelivers it when
// its visibility timeout ends.
func (t *tracker) drop(f *flight) {
	t.mu.Lock()
	delete(t.flights, f.receipt)
	t.mu.Unlock()
	signal(t.ended)
}

// markDelete queues the message for deletion.
func (t *tracker) markDelete(f *flight) {
	t.mu.Lock()
	_, ok := t.flights[f.receipt]
	f.deleting = true
	t.mu.Unlock()
	if ok {
		signal(t.wake)
	}
}

func (t *tracker) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.flights)
}

// toDelete returns the flights waiting for deletion.
func (t *tracker) toDelete() []*flight {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []*flight
	for _, f := range t.flights {
		if f.deleting {
			out = append(out, f)
		}
	}
	return out
}

// toExtend returns the flights whose lease started at least half a
// visibility timeout ago.
func (t *tracker) toExtend(now time.Time, visibility time.Duration) []*flight {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []*flight
	for _, f := range t.flights {
		if !f.leaseLost && now.Sub(f.leaseAt) >= visibility/2 {
			out = append(out, f)
		}
	}
	return out
}

func (t *tracker) extended(f *flight, at time.Time) {
	t.mu.Lock()
	f.leaseAt = at
	t.mu.Unlock()
}

func (t *tracker) lost(f *flight) {
	t.mu.Lock()
	f.leaseLost = true
	t.mu.Unlock()
}

// errorLog remembers the last pipeline error per message ID, bounded, so
// that a message sent to the DLQ says why it kept failing.
type errorLog struct {
	mu   sync.Mutex
	errs map[string]string
	ring []string
	next int
}

func newErrorLog(n int) *errorLog {
	return &errorLog{errs: make(map[string]string, n), ring: make([]string, n)}
}

func (l *errorLog) note(id, err string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.errs[id]; !ok {
		if old := l.ring[l.next]; old != "" {
			delete(l.errs, old)
		}
		l.ring[l.next] = id
		l.next = (l.next + 1) % len(l.ring)
	}
	l.errs[id] = err
}

func (l *errorLog) get(id string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.errs[id]
}
