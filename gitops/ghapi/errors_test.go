package ghapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"
)

func TestWrapClassifies(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	resp := func(status int) *http.Response {
		return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: http.Header{},
			Request: &http.Request{Method: "GET", URL: &url.URL{Path: "/x"}}}
	}
	er := func(status int, msg string, errs ...github.Error) error {
		return &github.ErrorResponse{Response: resp(status), Message: msg, Errors: errs}
	}
	thirty := 30 * time.Second
	transportLimit := &RateLimitError{Kind: SecondaryRateLimit, Wait: 42 * time.Second}
	tests := []struct {
		name      string
		err       error
		as        any // pointer to the type errors.As must find
		permanent bool
		retry     time.Duration // -1: no RetryAfter
		msg       string
	}{
		{"404", er(404, "Not Found"), new(*NotFoundError), true, -1, "op: not found: Not Found"},
		{"410", er(410, "Gone"), new(*NotFoundError), true, -1, "not found"},
		{"422", er(422, "Validation Failed", github.Error{Resource: "Issue", Field: "title", Code: "missing_field"}), new(*ValidationError), true, -1,
			"op: invalid: Validation Failed; Issue title missing_field"},
		{"403", er(403, "Resource not accessible by integration"), new(*StatusError), true, -1, "HTTP 403"},
		{"401", er(401, "Bad credentials"), new(*StatusError), true, -1, "HTTP 401"},
		{"409", er(409, "Git Repository is empty."), new(*StatusError), false, -1, "HTTP 409"},
		{"502", er(502, "Server Error"), new(*StatusError), false, -1, "HTTP 502"},
		{"go-github primary", &github.RateLimitError{Rate: github.Rate{Reset: github.Timestamp{Time: now.Add(5 * time.Minute)}}, Response: resp(403)},
			new(*RateLimitError), false, 5 * time.Minute, "primary rate limit (core): retry in 5m0s"},
		{"go-github secondary", &github.AbuseRateLimitError{Response: resp(403), RetryAfter: &thirty}, new(*RateLimitError), false, thirty, "secondary"},
		{"go-github secondary, no time", &github.AbuseRateLimitError{Response: resp(403)}, new(*RateLimitError), false, time.Minute, "secondary"},
		{"from the transport", &url.Error{Op: "Get", URL: "https://codeload/x?token=SECRET", Err: transportLimit}, new(*RateLimitError), false, 42 * time.Second, "op: github: secondary"},
		{"installation gone", &ghinstallation.HTTPError{Message: "m", Response: resp(404)}, new(*NotFoundError), true, -1, "installation token"},
		{"token request limited", &ghinstallation.HTTPError{Message: "m", Response: &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"7"}}}},
			new(*RateLimitError), false, 7 * time.Second, "installation token"},
		{"transport failure", &url.Error{Op: "Get", URL: "https://codeload/x?token=SECRET", Err: io.ErrUnexpectedEOF}, nil, false, -1, "op: Get: unexpected EOF"},
		{"context", context.DeadlineExceeded, nil, false, -1, "op: context deadline exceeded"},
		{"limit", &LimitError{What: "tarball", Limit: "3 entries"}, new(*LimitError), true, -1, "over the limit of 3 entries"},
		{"archive", &ArchiveError{Entry: "../x", Reason: "not a clean relative path"}, new(*ArchiveError), true, -1, `"../x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wrapAt("op", tt.err, now)
			if tt.as != nil && !errors.As(err, tt.as) {
				t.Fatalf("%v (%T) is not %T", err, err, tt.as)
			}
			if IsPermanent(err) != tt.permanent {
				t.Fatalf("IsPermanent(%v) = %v", err, !tt.permanent)
			}
			w, ok := RetryAfter(err)
			if (tt.retry >= 0) != ok || (ok && w != tt.retry) {
				t.Fatalf("RetryAfter = %v %v, want %v", w, ok, tt.retry)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("message %q lacks %q", err, tt.msg)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Fatalf("message %q carries the URL's token", err)
			}
		})
	}
	if wrapAt("op", nil, now) != nil {
		t.Fatal("Wrap(nil) is not nil")
	}
}
