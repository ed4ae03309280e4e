package ticket

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// FormatValue renders an attribute value for people, on one line: strings
// quoted, everything else as compact JSON, nil as "(none)". Values longer
// than max bytes are cut on a rune boundary and end in "…"; max <= 0 means
// no limit.
func FormatValue(v any, max int) string {
	var s string
	switch t := v.(type) {
	case nil:
		s = "(none)"
	case string:
		s = fmt.Sprintf("%q", t)
	default:
		b, err := MarshalJSON(v)
		if err != nil {
			s = fmt.Sprint(v)
		} else {
			s = string(b)
		}
	}
	return Truncate(s, max)
}

// Truncate cuts s to at most max bytes on a rune boundary, ending in "…"
// when it cut; max <= 0 means no limit.
func Truncate(s string, max int) string {
	if max <= 0 || len(s) <= max {
		return s
	}
	cut := max - len("…")
	if cut < 0 {
		cut = 0
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// OneLine replaces line breaks and tabs with spaces, for table cells and
// headers.
func OneLine(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\n', '\r', '\t', '\u2028', '\u2029':
			return ' '
		}
		return r
	}, s)
}

// ChangeRow is one line of a change table.
type ChangeRow struct {
	Attribute string
	Expected  string
	Actual    string
	// Diff is the detector's one-line summary, when it says more than
	// the two values do.
	Diff string
	// Unknown: the audit record hides the new value.
	Unknown bool
}

// ChangeRows returns d's changes as table rows, sorted by attribute, with
// values formatted by FormatValue(v, max).
func ChangeRows(d *drift.Drift, max int) []ChangeRow {
	rows := make([]ChangeRow, 0, len(d.Changes))
	for _, name := range d.Attributes() {
		c := d.Changes[name]
		r := ChangeRow{Attribute: name, Diff: c.Diff, Unknown: c.Unknown}
		switch {
		case c.Unknown:
			r.Expected, r.Actual = FormatValue(c.Expected, max), "(hidden by the audit record)"
		case d.ChangeType == drift.Created:
			r.Expected, r.Actual = "(unmanaged)", FormatValue(c.Actual, max)
		default:
			r.Expected, r.Actual = FormatValue(c.Expected, max), FormatValue(c.Actual, max)
		}
		if r.Diff != "" && strings.Contains(r.Diff, r.Expected) && strings.Contains(r.Diff, r.Actual) {
			// The detector's diff only restates "expected → actual".
			r.Diff = ""
		}
		rows = append(rows, r)
	}
	return rows
}

// Who is the actor as people want to read it: "bob@example.com
// (arn:aws:iam::1:user/bob)", or "unknown".
func Who(d *drift.Drift) string {
	u := d.User()
	if d.Event != nil && d.Event.Actor.ARN != "" && d.Event.Actor.ARN != u {
		if u == "" {
			return d.Event.Actor.ARN
		}
		return u + " (" + d.Event.Actor.ARN + ")"
	}
	if u == "" {
		return "unknown"
	}
	return u
}

// From is where the change came from: "203.0.113.42 via
// console.amazonaws.com", or "unknown".
func From(d *drift.Drift) string {
	if d.Event == nil || d.Event.SourceIP == "" && d.Event.UserAgent == "" {
		return "unknown"
	}
	s := d.Event.SourceIP
	if s == "" {
		s = "unknown address"
	}
	if d.Event.UserAgent != "" {
		s += " via " + d.Event.UserAgent
	}
	return s
}

// Where is the account (or project) and region: "123456789012 / us-east-1".
func Where(d *drift.Drift) string {
	parts := []string{}
	if a := d.Account(); a != "" {
		parts = append(parts, a)
	}
	if r := d.Region(); r != "" {
		parts = append(parts, r)
	}
	if len(parts) == 0 {
		return "unknown"
	}
	return strings.Join(parts, " / ")
}

// SeverityBanner is the first line of a notice: the drift's banner, or the
// resolution / storm equivalent.
func SeverityBanner(n *Notice) string {
	switch {
	case n.Kind == KindResolved:
		return "✅ DRIFT RESOLVED"
	case n.Kind == KindGroup && n.Group != nil:
		return fmt.Sprintf("🌪️ DRIFT STORM: %d resources changed by one actor", len(n.Group.Drifts))
	case n.Drift != nil:
		return n.Drift.Banner()
	}
	return "DRIFT"
}

// GroupSeverity is the highest severity in a group.
func GroupSeverity(g *Group) drift.Severity {
	var s drift.Severity
	for _, d := range g.Drifts {
		s = drift.Max(s, d.Severity)
	}
	return s
}
