package githubfake

import (
	"slices"
	"time"
)

// Stats counts what the fake served.
type Stats struct {
	Requests     int // API requests, faults and refusals included
	Spent        int // requests charged to a rate limit (not 304s, not rate-limit faults)
	NotModified  int // 304s served for a matching If-None-Match
	Faults       int // injected faults fired
	AuthFailures int // requests refused for their credentials
	TokensIssued int // installation tokens issued
	Downloads    int // archives served
	Deliveries   int // webhooks sent
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Request is one API request as the fake answered it.
type Request struct {
	Time        time.Time // on the fake's clock
	Method      string
	Path        string // below PathPrefix
	Query       string
	Pattern     string // the route, "" when none matched
	Identity    string // "installation:7", "app:42", "token:octocat", "anonymous"
	Status      int
	Conditional bool // it carried If-None-Match
}

// Requests lists every API request in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Write is one successful API request that changed state.
type Write struct {
	Time    time.Time
	Method  string
	Path    string
	Pattern string
	Status  int
	Actor   string
}

// Writes lists the successful writes in order: every issue, comment,
// label, reaction, check run, git object, ref and pull request the code
// under test created or changed.
func (s *Server) Writes() []Write {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.writes)
}
