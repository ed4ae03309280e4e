package githubapp

import "sync"

// recentSet remembers the last n keys added: a bounded "seen lately".
type recentSet struct {
	mu   sync.Mutex
	seen map[string]int // key → its slot in ring
	ring []string
	next int
}

func newRecentSet(n int) *recentSet {
	return &recentSet{seen: make(map[string]int, n), ring: make([]string, n)}
}

// add records k and reports whether it was not there yet.
func (s *recentSet) add(k string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen[k]; ok {
		return false
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.seen, old)
	}
	s.ring[s.next] = k
	s.seen[k] = s.next
	s.next = (s.next + 1) % len(s.ring)
	return true
}

// forget removes k, so that it counts as new again.
func (s *recentSet) forget(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.seen[k]; ok {
		s.ring[i] = ""
		delete(s.seen, k)
	}
}
