package ghapi

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestClassifyLimit(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	in5m := strconv.FormatInt(now.Add(5*time.Minute).Unix(), 10)
	secondaryBody := []byte(`{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/x"}`)
	tests := []struct {
		name   string
		status int
		h      http.Header
		body   []byte
		streak int
		kind   RateLimitKind // 0: not a limit
		wait   time.Duration
	}{
		{"200", 200, hdr(), nil, 0, 0, 0},
		{"403 permission", 403, hdr(), []byte(`{"message":"Resource not accessible by integration"}`), 0, 0, 0},
		{"404", 404, hdr("Retry-After", "5"), nil, 0, 0, 0},
		{"403 Retry-After", 403, hdr("Retry-After", "30"), secondaryBody, 0, SecondaryRateLimit, 30 * time.Second},
		{"429 Retry-After", 429, hdr("Retry-After", "2"), nil, 0, SecondaryRateLimit, 2 * time.Second},
		{"Retry-After date", 429, hdr("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat)), nil, 0, SecondaryRateLimit, 90 * time.Second},
		{"Retry-After absurd", 403, hdr("Retry-After", "99999999999"), nil, 0, SecondaryRateLimit, maxWait},
		{"primary", 403, hdr(hdrRemaining, "0", hdrReset, in5m), nil, 0, PrimaryRateLimit, 300 * time.Second},
		{"primary 429", 429, hdr(hdrRemaining, "0", hdrReset, in5m), nil, 0, PrimaryRateLimit, 300 * time.Second},
		{"primary reset past", 403, hdr(hdrRemaining, "0", hdrReset, "1000"), nil, 0, PrimaryRateLimit, time.Second},
		{"primary no reset", 403, hdr(hdrRemaining, "0"), nil, 0, PrimaryRateLimit, time.Minute},
		{"429 alone", 429, hdr(), nil, 0, SecondaryRateLimit, time.Minute},
		{"403 secondary message", 403, hdr(hdrRemaining, "4000"), secondaryBody, 0, SecondaryRateLimit, time.Minute},
		{"403 secondary docs link", 403, hdr(), []byte(`{"message":"slow down","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#secondary-rate-limits"}`), 0, SecondaryRateLimit, time.Minute},
		{"403 abuse", 403, hdr(), []byte(`{"message":"You have triggered an abuse detection mechanism."}`), 0, SecondaryRateLimit, time.Minute},
		{"again: doubled", 403, hdr(), secondaryBody, 1, SecondaryRateLimit, 2 * time.Minute},
		{"and again", 429, hdr(), nil, 3, SecondaryRateLimit, 8 * time.Minute},
		{"capped", 429, hdr(), nil, 40, SecondaryRateLimit, maxSecondaryWait},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classifyLimit(tt.status, tt.h, tt.body, now, tt.streak)
			if tt.kind == 0 {
				if got != nil {
					t.Fatalf("got %v, want no limit", got)
				}
				return
			}
			if got == nil || got.Kind != tt.kind || got.Wait != tt.wait || !got.Until.Equal(now.Add(tt.wait)) {
				t.Fatalf("got %+v, want %v wait %v", got, tt.kind, tt.wait)
			}
		})
	}
}

func FuzzClassifyLimit(f *testing.F) {
	f.Add(403, "30", "", "", []byte(`{"message":"secondary rate limit"}`), 0)
	f.Add(429, "", "0", "1767323145", []byte(nil), 2)
	f.Add(403, "Wed, 21 Oct 2015 07:28:00 GMT", "", "", []byte(`{`), 9)
	f.Fuzz(func(t *testing.T, status int, retryAfter, remaining, reset string, body []byte, streak int) {
		now := time.Unix(1767322845, 0)
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		h.Set(hdrRemaining, remaining)
		h.Set(hdrReset, reset)
		lim := classifyLimit(status, h, body, now, streak)
		if lim == nil {
			return
		}
		if status != 403 && status != 429 {
			t.Fatalf("status %d classified as a limit", status)
		}
		if lim.Wait < 0 || lim.Wait > maxWait || !lim.Until.Equal(now.Add(lim.Wait)) {
			t.Fatalf("wait %v until %v", lim.Wait, lim.Until)
		}
	})
}
