package githubfake

import (
	"slices"
	"testing"
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

// AwaitTokens calls call (a request through the client under test) until
// the installation has been issued n tokens, failing the test if call
// fails or timeout passes first. With Options.TokenLifetime just over a
// minute it proves a client refreshes tokens before they expire.
func (s *Server) AwaitTokens(tb testing.TB, installationID int64, n int, timeout time.Duration, call func() error) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for calls := 1; ; calls++ {
		if err := call(); err != nil {
			tb.Fatalf("githubfake: call %d: %v", calls, err)
		}
		if inst, _ := s.Installation(installationID); inst.TokensIssued >= n {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("githubfake: installation %d has fewer than %d tokens after %d calls in %v", installationID, n, calls, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
