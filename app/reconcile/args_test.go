package reconcile

import (
	"slices"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/job"
)

// TestIgnoreArgs: "/tfdrift ignore" parses like a command line.
func TestIgnoreArgs(t *testing.T) {
	for _, tt := range []struct {
		line  string
		attrs []string
		span  time.Duration
		err   bool
	}{
		{line: "", attrs: nil, span: 0},
		{line: "--attr tags --attr 'ingress' --for 7d", attrs: []string{"tags", "ingress"}, span: 7 * 24 * time.Hour},
		{line: "--for=2w", span: 14 * 24 * time.Hour},
		{line: "--for 1d12h", span: 36 * time.Hour},
		{line: "--for 90m --attr tags.Owner", attrs: []string{"tags.Owner"}, span: 90 * time.Minute},
		{line: "--for 0d", err: true},
		{line: "--for -3h", err: true},
		{line: "--for 400d", err: true},
		{line: "--for 65535w", err: true},
		{line: "--for 52w1d1h", span: 365*24*time.Hour + time.Hour},
		{line: "--for 7x", err: true},
		{line: "--for d", err: true},
		{line: "--until 7d", err: true},
	} {
		var a IgnoreArgs
		rest, err := job.ParseLine("ignore", tt.line, a.RegisterShared)
		if (err != nil) != tt.err {
			t.Errorf("%q: err %v", tt.line, err)
			continue
		}
		if !tt.err && (!slices.Equal(a.Attributes, tt.attrs) || a.For != tt.span || len(rest) != 0) {
			t.Errorf("%q: %+v, rest %v", tt.line, a, rest)
		}
	}
}

// FuzzParseSpan: any comment text gives a span within (0, a year] or an
// error, never a panic.
func FuzzParseSpan(f *testing.F) {
	for _, s := range []string{"7d", "2w", "1d12h", "90m", "0d", "-1h", "99999w", "1w1d1h", "d", "1dd", " 3h "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseSpan(s)
		if err == nil && (d <= 0 || d > maxSpan) {
			t.Fatalf("ParseSpan(%q) = %v", s, d)
		}
	})
}
