package githubfake

import (
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"time"
)

// FaultKind is what an injected fault answers.
type FaultKind int

const (
	// BadGateway answers 502, as GitHub's edge does when a backend is down.
	BadGateway FaultKind = iota + 1
	// SecondaryRetryAfter answers 403 with Retry-After and the secondary
	// rate limit message.
	SecondaryRetryAfter
	// SecondaryRetryAfter429 answers 429 with Retry-After.
	SecondaryRetryAfter429
	// SecondaryNoRetryAfter answers 403 with the secondary rate limit
	// message and no Retry-After: the client must wait at least a minute.
	SecondaryNoRetryAfter
	// PrimaryLimit answers 403 with X-RateLimit-Remaining: 0 and
	// X-RateLimit-Reset.
	PrimaryLimit
)

func (k FaultKind) String() string {
	switch k {
	case BadGateway:
		return "502"
	case SecondaryRetryAfter:
		return "secondary 403 Retry-After"
	case SecondaryRetryAfter429:
		return "secondary 429 Retry-After"
	case SecondaryNoRetryAfter:
		return "secondary 403"
	case PrimaryLimit:
		return "primary 403"
	}
	return "fault(" + strconv.Itoa(int(k)) + ")"
}

// Fault makes the next Times matching API requests fail.
type Fault struct {
	Kind FaultKind
	// Method matches the request method; "" matches any.
	Method string
	// Path is a path.Match pattern on the API path below PathPrefix
	// ("/repos/acme/*/issues"); "" matches any.
	Path string
	// Times is how many requests fail; default 1.
	Times int
	// RetryAfter is what the secondary Retry-After kinds send; default 60s.
	RetryAfter time.Duration
	// Reset is PrimaryLimit's X-RateLimit-Reset; default a minute ahead.
	Reset time.Time

	left int
}

// Fail queues a fault; faults match in the order queued.
func (s *Server) Fail(f Fault) {
	if f.Path != "" {
		if _, err := path.Match(f.Path, "/"); err != nil {
			s.tb.Fatalf("githubfake: fault path %q: %v", f.Path, err)
		}
	}
	if f.Times <= 0 {
		f.Times = 1
	}
	if f.RetryAfter <= 0 {
		f.RetryAfter = time.Minute
	}
	f.left = f.Times
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// PendingFaults is how many injected failures have not fired yet.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.faults {
		n += f.left
	}
	return n
}

func (s *Server) takeFault(method, p string) *Fault {
	for i, f := range s.faults {
		if f.Method != "" && f.Method != method {
			continue
		}
		if f.Path != "" {
			if ok, _ := path.Match(f.Path, p); !ok {
				continue
			}
		}
		f.left--
		if f.left <= 0 {
			s.faults = slices.Delete(s.faults, i, i+1)
		}
		return f
	}
	return nil
}

func (c *call) fault(f *Fault, b *bucket, now time.Time) {
	secondary := map[string]any{
		"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
		"documentation_url": secondaryDocsURL,
	}
	switch f.Kind {
	case BadGateway:
		c.json(http.StatusBadGateway, map[string]any{"message": "Server Error"})
	case SecondaryRetryAfter, SecondaryRetryAfter429:
		c.w.h.Set("Retry-After", strconv.Itoa(int(f.RetryAfter.Round(time.Second)/time.Second)))
		status := http.StatusForbidden
		if f.Kind == SecondaryRetryAfter429 {
			status = http.StatusTooManyRequests
		}
		c.json(status, secondary)
	case SecondaryNoRetryAfter:
		c.json(http.StatusForbidden, secondary)
	case PrimaryLimit:
		reset := f.Reset
		if reset.IsZero() {
			reset = now.Add(time.Minute)
		}
		c.primaryLimit(reset)
	default:
		c.s.tb.Errorf("githubfake: unknown fault kind %d", f.Kind)
		c.errorf(http.StatusInternalServerError, "unknown fault")
	}
}

// primaryLimit answers as GitHub does when the hour's budget is spent.
func (c *call) primaryLimit(reset time.Time) {
	lim := c.s.opts.RateLimit
	h := c.w.h
	h.Set("X-RateLimit-Limit", strconv.Itoa(lim))
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Used", strconv.Itoa(lim))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	c.json(http.StatusForbidden, map[string]any{
		"message":           fmt.Sprintf("API rate limit exceeded for %s.", c.id.key),
		"documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
	})
}

// bucket is one identity's primary rate limit.
type bucket struct {
	limit, remaining int
	reset            time.Time
}

func (s *Server) bucket(key string, now time.Time) *bucket {
	b, ok := s.buckets[key]
	if !ok {
		b = &bucket{limit: s.opts.RateLimit, remaining: s.opts.RateLimit, reset: now.Add(time.Hour).Truncate(time.Second)}
		s.buckets[key] = b
	}
	if !now.Before(b.reset) {
		b.remaining, b.reset = b.limit, now.Add(time.Hour).Truncate(time.Second)
	}
	if now.Before(s.exhaustedUntil) {
		b.remaining, b.reset = 0, s.exhaustedUntil
	}
	return b
}

func (b *bucket) setHeaders(h http.Header, now time.Time) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(b.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(b.remaining))
	h.Set("X-RateLimit-Used", strconv.Itoa(b.limit-b.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(b.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
}

// ExhaustRateLimit spends every identity's primary budget until reset
// (on the fake's clock): each request gets 403 with
// X-RateLimit-Remaining: 0 until then.
func (s *Server) ExhaustRateLimit(reset time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exhaustedUntil = reset.Truncate(time.Second)
}
