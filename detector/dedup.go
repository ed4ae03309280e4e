package detector

import (
	"sync"
	"time"
)

// DefaultDedupCapacity bounds remembered keys, so memory stays flat under
// any event rate; the oldest keys are forgotten first.
const DefaultDedupCapacity = 200_000

// dedup remembers event IDs and drift fingerprints for a window.
type dedup struct {
	mu     sync.Mutex
	window time.Duration
	cap    int
	seen   map[string]time.Time
	order  []string // ring of keys in insertion order
	next   int
}

func newDedup(window time.Duration, capacity int) *dedup {
	if capacity <= 0 {
		capacity = DefaultDedupCapacity
	}
	return &dedup{window: window, cap: capacity, seen: make(map[string]time.Time)}
}

// firstEvent reports whether an event ID is new. Event IDs are unique for
// good, so a repeat inside the remembered set is always a duplicate.
func (d *dedup) firstEvent(id string, now time.Time) bool {
	return d.first("e\x00"+id, now, 0)
}

// firstDrift reports whether an identical drift was not seen in the window.
func (d *dedup) firstDrift(fp string, now time.Time) bool {
	return d.first("d\x00"+fp, now, d.window)
}

func (d *dedup) first(k string, now time.Time, window time.Duration) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if at, ok := d.seen[k]; ok && (window == 0 || now.Sub(at) < window) {
		if window > 0 {
			// A repeat inside the window extends it: a drift reported
			// every few minutes stays one open record.
			d.seen[k] = now
		}
		return false
	}
	if _, ok := d.seen[k]; !ok {
		if len(d.order) < d.cap {
			d.order = append(d.order, k)
		} else {
			delete(d.seen, d.order[d.next])
			d.order[d.next] = k
			d.next = (d.next + 1) % d.cap
		}
	}
	d.seen[k] = now
	return true
}

// forget drops a key (its ring slot is reused when it comes round).
func (d *dedup) forget(k string) {
	d.mu.Lock()
	delete(d.seen, k)
	d.mu.Unlock()
}
