package falcohttp

import (
	"hash/maphash"
	"sync"
)

// recentSet remembers the last n alert keys so that a duplicate (the same
// falcosidekick uuid, or the same cloud event ID under the same rule) is
// absorbed instead of being processed twice. The store de-duplicates drifts
// by fingerprint anyway; this only saves the work.
//
// Keys are 64-bit hashes, so the set allocates nothing once warm. A false
// duplicate needs a 64-bit collision inside a window of a few thousand
// keys. Eviction is first-in-first-out: "seen recently" means within the
// last n distinct keys, and a key that keeps repeating does not pin itself.
type recentSet struct {
	seed maphash.Seed

	mu   sync.Mutex
	slot map[uint64]int // key → its index in ring
	ring []uint64
	used []bool
	next int
}

func newRecentSet(n int) *recentSet {
	return &recentSet{
		seed: maphash.MakeSeed(),
		slot: make(map[uint64]int, n),
		ring: make([]uint64, n),
		used: make([]bool, n),
	}
}

// alertKeys are the de-duplication keys of one alert (zero, one or two).
type alertKeys struct {
	k [2]uint64
	n int
}

// keysOf hashes an alert's IDs. The event ID is scoped by rule: one cloud
// event can match two rules whose alerts carry different fields, and both
// are wanted.
func (s *recentSet) keysOf(p probe) alertKeys {
	var ks alertKeys
	if len(p.uuid) > 0 {
		var h maphash.Hash
		h.SetSeed(s.seed)
		h.WriteByte('u')
		h.Write(p.uuid)
		ks.k[ks.n] = h.Sum64()
		ks.n++
	}
	if len(p.eventID) > 0 {
		var h maphash.Hash
		h.SetSeed(s.seed)
		h.WriteByte('e')
		h.Write(p.rule)
		h.WriteByte(0)
		h.Write(p.eventID)
		ks.k[ks.n] = h.Sum64()
		ks.n++
	}
	return ks
}

// addIfAbsent records the keys and reports false, or reports true (a
// duplicate) without recording anything when any key was seen recently.
func (s *recentSet) addIfAbsent(ks alertKeys) (duplicate bool) {
	if ks.n == 0 || len(s.ring) == 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range ks.k[:ks.n] {
		if _, ok := s.slot[k]; ok {
			return true
		}
	}
	for _, k := range ks.k[:ks.n] {
		if s.used[s.next] {
			old := s.ring[s.next]
			// The old key may have been removed and re-added elsewhere.
			if j, ok := s.slot[old]; ok && j == s.next {
				delete(s.slot, old)
			}
		}
		s.ring[s.next] = k
		s.used[s.next] = true
		s.slot[k] = s.next
		s.next = (s.next + 1) % len(s.ring)
	}
	return false
}

// remove forgets keys recorded for an alert the pipeline did not take, so
// that the client's retry is not mistaken for a duplicate.
func (s *recentSet) remove(ks alertKeys) {
	if ks.n == 0 || len(s.ring) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range ks.k[:ks.n] {
		delete(s.slot, k)
	}
}
