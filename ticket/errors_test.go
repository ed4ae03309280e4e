package ticket_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/ticket"
)

func TestCheckResponse(t *testing.T) {
	now := time.Date(2025, 1, 20, 12, 0, 0, 0, time.UTC)
	type want struct {
		ok, permanent bool
		retryAfter    time.Duration
		hasRetry      bool
	}
	tests := []struct {
		status int
		header http.Header
		want   want
	}{
		{200, nil, want{ok: true}},
		{202, nil, want{ok: true}},
		{204, nil, want{ok: true}},
		{400, nil, want{permanent: true}},
		{401, nil, want{permanent: true}},
		{403, nil, want{permanent: true}},
		{404, nil, want{permanent: true}},
		{410, nil, want{permanent: true}},
		{408, nil, want{}},
		{409, nil, want{}},
		{425, nil, want{}},
		{429, nil, want{}},
		{429, http.Header{"Retry-After": {"30"}}, want{retryAfter: 30 * time.Second, hasRetry: true}},
		{503, http.Header{"Retry-After": {now.Add(2 * time.Minute).Format(http.TimeFormat)}}, want{retryAfter: 2 * time.Minute, hasRetry: true}},
		{429, http.Header{"Retry-After": {"soon"}}, want{}},
		{500, nil, want{}},
		{502, nil, want{}},
		{503, nil, want{}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status, tt.header), func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.status, Header: tt.header, Body: io.NopCloser(strings.NewReader(`{"error":"nope"}`))}
			if resp.Header == nil {
				resp.Header = http.Header{}
			}
			err := ticket.CheckResponse("test sink", resp, now)
			if (err == nil) != tt.want.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.want.ok)
			}
			if err == nil {
				return
			}
			if got := ticket.IsPermanent(err); got != tt.want.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.want.permanent)
			}
			after, ok := ticket.RetryAfter(err)
			if ok != tt.want.hasRetry || after != tt.want.retryAfter {
				t.Errorf("RetryAfter(%v) = %v, %v; want %v, %v", err, after, ok, tt.want.retryAfter, tt.want.hasRetry)
			}
			var he *ticket.HTTPError
			if !errors.As(err, &he) || he.Status != tt.status || !strings.Contains(err.Error(), `{"error":"nope"}`) || !strings.Contains(err.Error(), "test sink") {
				t.Errorf("error %q does not carry the sink, status and body", err)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 20, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{" 120 ", 2 * time.Minute, true},
		{"99999999999999", 24 * time.Hour, true},
		{"-1", 0, false},
		{"", 0, false},
		{"Mon, 20 Jan 2025 11:00:00 GMT", 0, true}, // in the past: now
		{"Mon, 20 Jan 2025 12:00:10 GMT", 10 * time.Second, true},
		{"1.5", 0, false},
	}
	for _, tt := range tests {
		got, ok := ticket.ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestErrorWrapping(t *testing.T) {
	base := errors.New("boom")
	p := ticket.Permanent("jira transition", base)
	if !errors.Is(p, base) || !ticket.IsPermanent(fmt.Errorf("send: %w", p)) {
		t.Errorf("Permanent does not wrap: %v", p)
	}
	if got := p.Error(); got != "jira transition: boom" {
		t.Errorf("Error() = %q", got)
	}
	r := &ticket.RetryAfterError{After: time.Second, Err: base}
	if d, ok := ticket.RetryAfter(fmt.Errorf("x: %w", r)); !ok || d != time.Second || !errors.Is(r, base) {
		t.Errorf("RetryAfter through wrapping = %v, %v", d, ok)
	}
	if ticket.IsPermanent(base) {
		t.Error("a plain error is not permanent")
	}
	if got := ticket.Permanentf("no sink %q", "x").Error(); got != `no sink "x"` {
		t.Errorf("Permanentf = %q", got)
	}
}
