package detector

import (
	"hash/maphash"
	"sync"
	"time"
)

// DefaultDedupCapacity bounds remembered keys, so memory stays flat under
// any event rate; the oldest keys are forgotten first.
const DefaultDedupCapacity = 200_000

// dedupKey is a 128-bit hash of what is remembered (an event ID or a drift
// fingerprint), with its kind. Hashing keeps the per-event cost to two
// hashes and no allocation, and each entry to 24 bytes; at 128 bits a
// collision among the remembered keys is about 2^-90 likely.
type dedupKey struct {
	h    [2]uint64
	kind byte
}

const (
	kindEvent byte = 'e'
	kindDrift byte = 'd'
)

// dedup remembers event IDs and drift fingerprints for a window.
type dedup struct {
	mu     sync.Mutex
	window time.Duration
	cap    int
	seeds  [2]maphash.Seed
	seen   map[dedupKey]int64 // key → when last seen, Unix ns
	order  []dedupKey         // ring of keys in insertion order
	next   int
}

func newDedup(window time.Duration, capacity int) *dedup {
	if capacity <= 0 {
		capacity = DefaultDedupCapacity
	}
	return &dedup{
		window: window, cap: capacity,
		seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		seen:  make(map[dedupKey]int64),
	}
}

// key hashes the parts of a key; each part is length-prefixed, so that
// ("ab", "c") and ("a", "bc") differ.
func (d *dedup) key(kind byte, parts ...string) dedupKey {
	k := dedupKey{kind: kind}
	for i, seed := range d.seeds {
		var h maphash.Hash
		h.SetSeed(seed)
		for _, p := range parts {
			var n [8]byte
			l := uint64(len(p))
			for j := range n {
				n[j] = byte(l >> (8 * j))
			}
			h.Write(n[:])
			h.WriteString(p)
		}
		k.h[i] = h.Sum64()
	}
	return k
}

// eventKey identifies one cloud event: its provider and ID.
func (d *dedup) eventKey(provider, id string) dedupKey { return d.key(kindEvent, provider, id) }

// firstEvent reports whether an event ID is new. Event IDs are unique for
// good, so a repeat inside the remembered set is always a duplicate.
func (d *dedup) firstEvent(provider, id string, now time.Time) bool {
	return d.first(d.eventKey(provider, id), now, 0)
}

// firstDrift reports whether an identical drift was not seen in the window.
func (d *dedup) firstDrift(fp string, now time.Time) bool {
	return d.first(d.key(kindDrift, fp), now, d.window)
}

func (d *dedup) first(k dedupKey, now time.Time, window time.Duration) bool {
	t := now.UnixNano()
	d.mu.Lock()
	defer d.mu.Unlock()
	at, ok := d.seen[k]
	if ok && (window == 0 || time.Duration(t-at) < window) {
		if window > 0 {
			// A repeat inside the window extends it: a drift reported
			// every few minutes stays one open record.
			d.seen[k] = t
		}
		return false
	}
	if !ok {
		if len(d.order) < d.cap {
			d.order = append(d.order, k)
		} else {
			delete(d.seen, d.order[d.next])
			d.order[d.next] = k
			d.next = (d.next + 1) % d.cap
		}
	}
	d.seen[k] = t
	return true
}

// forget drops a key (its ring slot is reused when it comes round).
func (d *dedup) forget(k dedupKey) {
	d.mu.Lock()
	delete(d.seen, k)
	d.mu.Unlock()
}
