package ticket

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// PermanentError is a delivery that will never succeed as it stands: a 4xx
// other than 408/409/425/429, a payload that is not valid JSON, a Jira
// transition that does not exist. The outbox dead-letters the notice with
// Reason; "tfdrift notices retry" replays it once the cause is fixed.
type PermanentError struct {
	Reason string
	Err    error
}

func (e *PermanentError) Error() string {
	if e.Err == nil {
		return e.Reason
	}
	if e.Reason == "" {
		return e.Err.Error()
	}
	return e.Reason + ": " + e.Err.Error()
}

func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as a *PermanentError with a reason.
func Permanent(reason string, err error) error { return &PermanentError{Reason: reason, Err: err} }

// Permanentf returns a *PermanentError with a formatted reason.
func Permanentf(format string, args ...any) error {
	return &PermanentError{Reason: fmt.Sprintf(format, args...)}
}

// RetryAfterError is a delivery the destination asked to retry later (HTTP
// 429 or 503 with Retry-After, Slack's rate limit). The outbox retries no
// sooner than After from now.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	msg := "retry after " + e.After.String()
	if e.Err != nil {
		return e.Err.Error() + " (" + msg + ")"
	}
	return msg
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is (or wraps) a *PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// RetryAfter returns the delay a *RetryAfterError in err's chain asks for.
func RetryAfter(err error) (time.Duration, bool) {
	var r *RetryAfterError
	if errors.As(err, &r) {
		return r.After, true
	}
	return 0, false
}

// maxReasonBytes bounds how much of a response body goes into an error:
// enough for an API's error message, not a whole HTML error page.
const maxReasonBytes = 512

// Do sends req and classifies the answer as CheckResponse does. A
// transport error (refused, reset, timeout) is transient; its URL is left
// out of the message, since a webhook's URL is its secret. The body is
// drained (up to 64 KiB, so the connection can be reused) and closed.
// what names the request in messages ("pagerduty main: trigger k").
func Do(client *http.Client, req *http.Request, what string, now func() time.Time) error {
	resp, err := client.Do(req)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
	}()
	return CheckResponse(what, resp, now())
}

// CheckResponse classifies an HTTP response: nil for 2xx; a
// *RetryAfterError for 429 or 503 carrying Retry-After (seconds or an HTTP
// date, relative to now); a plain (transient) error for 408, 409, 425, 429
// without Retry-After and 5xx; a *PermanentError for every other status.
// It reads at most a short prefix of the body for the message and does not
// close it. what names the request in the message ("slack webhook").
func CheckResponse(what string, resp *http.Response, now time.Time) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	var body []byte
	if resp.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, maxReasonBytes))
	}
	return StatusError(what, resp.StatusCode, resp.Header, body, now)
}

// StatusError classifies a non-2xx status as CheckResponse does, for
// clients that have already read the body (go-jira).
func StatusError(what string, status int, header http.Header, body []byte, now time.Time) error {
	err := &HTTPError{What: what, Status: status, Body: summarizeBody(body)}
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		if after, ok := ParseRetryAfter(header.Get("Retry-After"), now); ok {
			return &RetryAfterError{After: after, Err: err}
		}
	}
	switch {
	case status >= 500,
		status == http.StatusRequestTimeout,
		status == http.StatusConflict,
		status == http.StatusTooEarly,
		status == http.StatusTooManyRequests:
		return err
	}
	return &PermanentError{Reason: fmt.Sprintf("%s: HTTP %d will not succeed on retry", what, status), Err: err}
}

// HTTPError is a non-2xx response.
type HTTPError struct {
	What   string
	Status int
	Body   string
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("%s: HTTP %d %s", e.What, e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// maxRetryAfter caps what a server may ask for: a day is far beyond any
// real Retry-After, and the cap keeps an absurd value (seconds or a date
// in the year 7000) from saturating a Duration.
const (
	maxRetryAfter     = 24 * time.Hour
	maxRetryAfterSecs = int64(maxRetryAfter / time.Second)
)

// ParseRetryAfter reads a Retry-After value: delay-seconds or an HTTP
// date, at most a day. A date in the past means "now" (zero).
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return min(time.Duration(min(secs, maxRetryAfterSecs))*time.Second, maxRetryAfter), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}

// summarizeBody makes a response body fit on one line of an error message.
func summarizeBody(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
