package ghapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// GitHub's rate-limit headers.
const (
	hdrRemaining  = "X-RateLimit-Remaining"
	hdrReset      = "X-RateLimit-Reset"
	hdrResource   = "X-RateLimit-Resource"
	hdrRetryAfter = "Retry-After"
)

// Bounds on what the layer believes: a day is beyond any real wait, and a
// Retry-After or reset further off is a broken header, not a plan.
const (
	maxWait            = 24 * time.Hour
	maxSecondaryWait   = 30 * time.Minute
	peekBytes          = 64 << 10
	maxRateLimitReplay = 3
)

// rateLimitTransport holds requests back while a limit is in force and
// turns rate-limited answers into *RateLimitError (or sleeps them out,
// up to maxWait). See the package documentation.
type rateLimitTransport struct {
	next    http.RoundTripper
	clock   Clock
	maxWait time.Duration

	mu      sync.Mutex
	blocked map[string]*RateLimitError // by resource; "" holds every resource
	streak  int                        // secondary limits without Retry-After in a row
}

func newRateLimitTransport(next http.RoundTripper, clock Clock, maxWait time.Duration) *rateLimitTransport {
	return &rateLimitTransport{next: next, clock: clock, maxWait: maxWait, blocked: map[string]*RateLimitError{}}
}

// resourceOf maps a request to the rate-limit resource GitHub charges.
func resourceOf(path string) string {
	switch {
	case strings.Contains(path, "/search/"):
		return "search"
	case strings.HasSuffix(path, "/graphql"):
		return "graphql"
	}
	return "core"
}

func (t *rateLimitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resource := resourceOf(req.URL.Path)
	for attempt := 1; ; attempt++ {
		if held := t.held(resource); held != nil {
			if err := t.waitOut(req.Context(), held); err != nil {
				return nil, err
			}
		}
		r := req
		if attempt > 1 {
			var err error
			if r, err = replay(req); err != nil {
				return nil, err
			}
		}
		resp, err := t.next.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		lim, err := t.observe(resource, resp)
		if err != nil {
			return nil, err
		}
		if lim == nil {
			return resp, nil
		}
		drain(resp)
		if attempt >= maxRateLimitReplay || (req.Body != nil && req.GetBody == nil) {
			return nil, lim
		}
		if err := t.waitOut(req.Context(), lim); err != nil {
			return nil, err
		}
	}
}

// held returns the limit in force for resource, if any.
func (t *rateLimitTransport) held(resource string) *RateLimitError {
	now := t.clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, key := range []string{"", resource} {
		if b := t.blocked[key]; b != nil {
			if now.Before(b.Until) {
				cp := *b
				cp.Wait = b.Until.Sub(now)
				return &cp
			}
			delete(t.blocked, key)
		}
	}
	return nil
}

// waitOut sleeps a limit out when it is short enough and ends before the
// context's deadline; otherwise it returns the limit as the error.
func (t *rateLimitTransport) waitOut(ctx context.Context, lim *RateLimitError) error {
	if lim.Wait > t.maxWait {
		return lim
	}
	if dl, ok := ctx.Deadline(); ok && lim.Wait > time.Until(dl) {
		return lim
	}
	return t.clock.Sleep(ctx, lim.Wait)
}

// observe reads a response's limits: it records holds for later requests
// and returns the limit when this response is a rate-limit refusal.
func (t *rateLimitTransport) observe(resource string, resp *http.Response) (*RateLimitError, error) {
	if r := resp.Header.Get(hdrResource); r != "" {
		resource = r
	}
	now := t.clock.Now()
	var body []byte
	if resp.StatusCode == http.StatusForbidden && resp.Header.Get(hdrRetryAfter) == "" && resp.Header.Get(hdrRemaining) != "0" {
		var err error
		if body, err = peek(resp, peekBytes); err != nil {
			return nil, err
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	lim := classifyLimit(resp.StatusCode, resp.Header, body, now, t.streak)
	switch {
	case lim != nil && lim.Kind == SecondaryRateLimit:
		if resp.Header.Get(hdrRetryAfter) == "" {
			t.streak++
		}
		t.blocked[""] = lim
	case lim != nil:
		lim.Resource = resource
		t.blocked[resource] = lim
	case resp.StatusCode < 300:
		t.streak = 0
		// The budget is spent by this very request: hold the next ones
		// rather than have GitHub refuse them.
		if resp.Header.Get(hdrRemaining) == "0" {
			if reset, ok := parseReset(resp.Header.Get(hdrReset), now); ok {
				t.blocked[resource] = &RateLimitError{Kind: PrimaryRateLimit, Until: reset, Wait: reset.Sub(now), Resource: resource,
					Message: "rate limit budget spent"}
			}
		}
	}
	return lim, nil
}

// classifyLimit decides whether an answer is a rate limit, as GitHub
// documents: 403 or 429 with Retry-After waits that long; with
// X-RateLimit-Remaining: 0 until X-RateLimit-Reset; a 429, or a 403 whose
// message is the secondary limit's, at least a minute (doubling with
// streak, the secondary limits in a row). Any other 403 is a permission
// refusal, not a limit. body may be a prefix of the response body.
func classifyLimit(status int, h http.Header, body []byte, now time.Time, streak int) *RateLimitError {
	if status != http.StatusForbidden && status != http.StatusTooManyRequests {
		return nil
	}
	msg := errorMessage(body)
	if after, ok := parseRetryAfter(h.Get(hdrRetryAfter), now); ok {
		return &RateLimitError{Kind: SecondaryRateLimit, Wait: after, Until: now.Add(after), Message: msg}
	}
	if h.Get(hdrRemaining) == "0" {
		reset, ok := parseReset(h.Get(hdrReset), now)
		if !ok {
			reset = now.Add(defaultSecondaryWait)
		}
		return &RateLimitError{Kind: PrimaryRateLimit, Wait: reset.Sub(now), Until: reset, Resource: h.Get(hdrResource), Message: msg}
	}
	if status == http.StatusTooManyRequests || isSecondaryMessage(msg, body) {
		wait := defaultSecondaryWait << min(max(streak, 0), 5)
		wait = min(wait, maxSecondaryWait)
		return &RateLimitError{Kind: SecondaryRateLimit, Wait: wait, Until: now.Add(wait), Message: msg}
	}
	return nil
}

func isSecondaryMessage(msg string, body []byte) bool {
	m := strings.ToLower(msg)
	if strings.Contains(m, "secondary rate limit") || strings.Contains(m, "abuse detection") {
		return true
	}
	var doc struct {
		URL string `json:"documentation_url"`
	}
	_ = json.Unmarshal(body, &doc)
	return strings.HasSuffix(doc.URL, "secondary-rate-limits") || strings.HasSuffix(doc.URL, "#abuse-rate-limits")
}

// errorMessage is the "message" of a GitHub error body, on one line and
// short.
func errorMessage(body []byte) string {
	var doc struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	msg := strings.Join(strings.Fields(doc.Message), " ")
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

// parseRetryAfter reads delay-seconds or an HTTP date, at most a day.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(maxWait/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxWait), true
	}
	return 0, false
}

// parseReset reads X-RateLimit-Reset (UTC epoch seconds). A reset in the
// past means a second from now (clocks differ); one more than a day off
// is capped.
func parseReset(v string, now time.Time) (time.Time, bool) {
	secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || secs <= 0 || secs > 1<<40 {
		return time.Time{}, false
	}
	t := time.Unix(secs, 0)
	if !t.After(now) {
		return now.Add(time.Second), true
	}
	return minTime(t, now.Add(maxWait)), true
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// peek reads up to n bytes of the body and puts them back in front of
// the rest.
func peek(resp *http.Response, n int64) ([]byte, error) {
	if resp.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, n))
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), resp.Body), resp.Body}
	return b, nil
}

// drain discards a little of a body so the connection can be reused, and
// closes it.
func drain(resp *http.Response) {
	if resp.Body != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
	}
}

// replay clones req with a fresh body for another attempt.
func replay(req *http.Request) (*http.Request, error) {
	r := req.Clone(req.Context())
	if req.Body != nil && req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = b
	}
	return r, nil
}
