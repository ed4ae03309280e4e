package reconcile

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/app/job"
)

// IgnoreArgs are the flags of "/tfdrift ignore [--attr A]... [--for 7d]",
// bound to a flag.FlagSet the way the jobs bind theirs, so the webhook
// side parses the comment with job.ParseLine:
//
//	var a reconcile.IgnoreArgs
//	rest, err := job.ParseLine("ignore", line, a.RegisterShared)
type IgnoreArgs struct {
	// Attributes are the --attr values (repeatable).
	Attributes []string
	// For is --for: 30m, 12h, 7d or 2w; 0 when not given.
	For time.Duration
}

// RegisterShared binds the flags a "/tfdrift ignore" comment may carry.
func (a *IgnoreArgs) RegisterShared(fs *flag.FlagSet) {
	fs.Var((*job.StringList)(&a.Attributes), "attr", "ignore only this drifted attribute (repeatable); default every drifted attribute")
	fs.Var((*Span)(&a.For), "for", "ignore for this long (30m, 12h, 7d, 2w); default until the values change")
}

// maxSpan bounds --for: an ignore longer than a year is a forgotten one.
const maxSpan = 366 * 24 * time.Hour

// Span is a duration flag that also takes days ("7d") and weeks ("2w"),
// as people write how long to ignore something, positive and at most a
// year.
type Span time.Duration

// String is the span as a Go duration.
func (s *Span) String() string { return time.Duration(*s).String() }

// Set parses "7d", "2w", "1d12h" or anything time.ParseDuration takes.
func (s *Span) Set(v string) error {
	d, err := ParseSpan(v)
	if err != nil {
		return err
	}
	*s = Span(d)
	return nil
}

// ParseSpan reads a positive span of at most a year: whole days ("7d")
// and weeks ("2w") first, then, optionally, what time.ParseDuration
// takes ("1d12h", "36h", "90m").
func ParseSpan(v string) (time.Duration, error) {
	rest := strings.TrimSpace(v)
	var d time.Duration
	for _, u := range []struct {
		suffix byte
		unit   time.Duration
	}{{'w', 7 * 24 * time.Hour}, {'d', 24 * time.Hour}} {
		i := strings.IndexByte(rest, u.suffix)
		if i <= 0 {
			continue
		}
		n, err := strconv.ParseUint(rest[:i], 10, 16)
		if err != nil {
			return 0, fmt.Errorf("%q: want a span such as 30m, 12h, 7d or 2w", v)
		}
		if n > uint64(maxSpan/u.unit) { // before multiplying: no overflow
			return 0, fmt.Errorf("%q is longer than a year; ignore without --for instead", v)
		}
		d += time.Duration(n) * u.unit
		rest = rest[i+1:]
	}
	if rest != "" {
		t, err := time.ParseDuration(rest)
		if err != nil || t < 0 {
			return 0, fmt.Errorf("%q: want a span such as 30m, 12h, 7d or 2w", v)
		}
		d += t
	}
	switch {
	case d <= 0:
		return 0, errors.New("the span must be longer than zero")
	case d > maxSpan:
		return 0, fmt.Errorf("%q is longer than a year; ignore without --for instead", v)
	}
	return d, nil
}
