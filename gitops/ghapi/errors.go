package ghapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"
)

// NotFoundError is a 404 (or 410): the repository, file, issue or
// installation is not there, or the App cannot see it. Permanent.
type NotFoundError struct {
	What    string // the request, "read acme/infra .tfdrift.yml@main"
	Message string // GitHub's message
	Err     error
}

func (e *NotFoundError) Error() string { return e.What + ": not found" + suffix(e.Message) }
func (e *NotFoundError) Unwrap() error { return e.Err }

// FieldError is one entry of a 422's "errors" list.
type FieldError struct {
	Resource, Field, Code, Message string
}

func (f FieldError) String() string {
	s := strings.TrimSpace(f.Resource + " " + f.Field + " " + f.Code)
	if f.Message != "" {
		s += ": " + f.Message
	}
	return s
}

// ValidationError is a 422: GitHub refused what was sent (a missing
// title, a body too long, a reference that already exists). Permanent
// as sent.
type ValidationError struct {
	What    string
	Message string // "Validation Failed", "Reference already exists", …
	Errors  []FieldError
	Err     error
}

func (e *ValidationError) Error() string {
	msg := e.What + ": invalid: " + e.Message
	for _, f := range e.Errors {
		msg += "; " + f.String()
	}
	return msg
}

func (e *ValidationError) Unwrap() error { return e.Err }

// RateLimitKind says which limit a *RateLimitError is about.
type RateLimitKind int

const (
	// PrimaryRateLimit is the hourly budget: wait for X-RateLimit-Reset.
	PrimaryRateLimit RateLimitKind = iota + 1
	// SecondaryRateLimit is GitHub's abuse protection: Retry-After, or at
	// least a minute.
	SecondaryRateLimit
	// Paced is tfdrift's own write pacer refusing to wait that long.
	Paced
)

func (k RateLimitKind) String() string {
	switch k {
	case PrimaryRateLimit:
		return "primary rate limit"
	case SecondaryRateLimit:
		return "secondary rate limit"
	case Paced:
		return "write pacing"
	}
	return "rate limit"
}

// RateLimitError is a request not made, or refused, because of a rate
// limit. Wait is how long to hold off from when the error was made; Until
// is the same as a time. Transient: retry after Wait.
type RateLimitError struct {
	Kind     RateLimitKind
	Wait     time.Duration
	Until    time.Time
	Resource string // "core", "search", "graphql"; "" for all
	Message  string
	Err      error
}

func (e *RateLimitError) Error() string {
	msg := fmt.Sprintf("github: %s", e.Kind)
	if e.Resource != "" {
		msg += " (" + e.Resource + ")"
	}
	msg += fmt.Sprintf(": retry in %s", e.Wait.Round(time.Second))
	return msg + suffix(e.Message)
}

func (e *RateLimitError) Unwrap() error { return e.Err }

// StatusError is any other non-2xx answer: 5xx and 408/409/425 are
// transient, the rest of 4xx permanent.
type StatusError struct {
	What    string
	Status  int
	Message string
	Err     error
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s", e.What, e.Status, http.StatusText(e.Status)) + suffix(e.Message)
}

func (e *StatusError) Unwrap() error { return e.Err }

// LimitError is something larger than tfdrift accepts: a snapshot over
// its size caps, a file over the contents API's inline limit. Permanent.
type LimitError struct {
	What  string
	Limit string // "64 MiB per file", "50000 entries"
}

func (e *LimitError) Error() string { return e.What + ": over the limit of " + e.Limit }

// ArchiveError is a tarball that is malformed or unsafe to extract: an
// entry outside its top directory, a path that climbs out, an entry below
// a symlink. Permanent.
type ArchiveError struct {
	Entry  string
	Reason string
}

func (e *ArchiveError) Error() string {
	if e.Entry == "" {
		return "tarball: " + e.Reason
	}
	return fmt.Sprintf("tarball entry %q: %s", e.Entry, e.Reason)
}

func suffix(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}

// IsPermanent reports whether err will fail again however often it is
// retried: not found, validation, a size cap, an unsafe archive, or a 4xx
// other than 408, 409, 425 and 429. Rate limits, 5xx and transport errors
// are transient.
func IsPermanent(err error) bool {
	var (
		nf *NotFoundError
		ve *ValidationError
		le *LimitError
		ae *ArchiveError
		se *StatusError
		rl *RateLimitError
	)
	switch {
	case errors.As(err, &rl):
		return false
	case errors.As(err, &nf), errors.As(err, &ve), errors.As(err, &le), errors.As(err, &ae):
		return true
	case errors.As(err, &se):
		return se.Status >= 400 && se.Status < 500 && !transientStatus(se.Status)
	}
	return false
}

func transientStatus(s int) bool {
	return s == http.StatusRequestTimeout || s == http.StatusConflict || s == http.StatusTooEarly || s == http.StatusTooManyRequests
}

// RetryAfter returns how long a rate-limited err asks to wait.
func RetryAfter(err error) (time.Duration, bool) {
	var rl *RateLimitError
	if errors.As(err, &rl) {
		return rl.Wait, true
	}
	return 0, false
}

// IsNotFound reports whether err is (or wraps) a *NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// defaultSecondaryWait is GitHub's "wait at least one minute" for a
// secondary limit that names no time.
const defaultSecondaryWait = time.Minute

// Wrap turns an error of a go-github call into this package's types, with
// what naming the call: *github.ErrorResponse by status, go-github's
// rate-limit errors, ghinstallation's token errors, and the
// *RateLimitError the transport returned. Other errors (transport
// failures) are wrapped with what and stay transient. The request URL is
// left out: an archive download's carries a token.
func Wrap(what string, err error) error {
	return wrapAt(what, err, time.Now())
}

func wrapAt(what string, err error, now time.Time) error {
	if err == nil {
		return nil
	}
	var (
		nf  *NotFoundError
		ve  *ValidationError
		rl  *RateLimitError
		se  *StatusError
		le  *LimitError
		ae  *ArchiveError
		er  *github.ErrorResponse
		grl *github.RateLimitError
		ab  *github.AbuseRateLimitError
		he  *ghinstallation.HTTPError
	)
	switch {
	case errors.As(err, &rl):
		return fmt.Errorf("%s: %w", what, rl)
	case errors.As(err, &nf), errors.As(err, &ve), errors.As(err, &se), errors.As(err, &le), errors.As(err, &ae):
		return err
	case errors.As(err, &grl):
		until := grl.Rate.Reset.Time
		return &RateLimitError{Kind: PrimaryRateLimit, Until: until, Wait: max(until.Sub(now), 0), Resource: "core", Message: grl.Message, Err: err}
	case errors.As(err, &ab):
		wait := defaultSecondaryWait
		if ab.RetryAfter != nil {
			wait = *ab.RetryAfter
		}
		return &RateLimitError{Kind: SecondaryRateLimit, Wait: wait, Until: now.Add(wait), Message: ab.Message, Err: err}
	case errors.As(err, &er) && er.Response != nil:
		return statusError(what, er.Response.StatusCode, er.Message, er.Errors, err)
	case errors.As(err, &he) && he.Response != nil:
		// The installation token request itself failed: a removed
		// installation is 404, a wrong key 401.
		if lim := classifyLimit(he.Response.StatusCode, he.Response.Header, nil, now, 0); lim != nil {
			lim.Err = err
			return fmt.Errorf("%s: installation token: %w", what, lim)
		}
		return statusError(what+": installation token", he.Response.StatusCode, he.Response.Status, nil, err)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// Keep the cause, not the URL.
		return fmt.Errorf("%s: %s: %w", what, ue.Op, ue.Err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func statusError(what string, status int, msg string, errs []github.Error, err error) error {
	switch status {
	case http.StatusNotFound, http.StatusGone:
		return &NotFoundError{What: what, Message: msg, Err: err}
	case http.StatusUnprocessableEntity:
		ve := &ValidationError{What: what, Message: msg, Err: err}
		for _, e := range errs {
			ve.Errors = append(ve.Errors, FieldError{Resource: e.Resource, Field: e.Field, Code: e.Code, Message: e.Message})
		}
		return ve
	}
	return &StatusError{What: what, Status: status, Message: msg, Err: err}
}
