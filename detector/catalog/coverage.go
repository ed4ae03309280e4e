package catalog

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

// A detector that silently ignores what it cannot map looks like a quiet
// cloud. Coverage tells, for the resource types a state holds, which
// mapped events can create, change or delete each, and which types no
// mapped event touches: their changes are seen only by `tfdrift check`.

// TypeUse is one resource type some states hold.
type TypeUse struct {
	Type string
	// Provider is the resources' provider as state names it (aws, gcp,
	// random, …); "" is taken from the type's prefix.
	Provider  change.Provider
	Instances int
}

// TypeCoverage is what the catalog sees of one resource type.
type TypeCoverage struct {
	TypeUse
	// Events are the mapped events that write the type, by provider,
	// service and event name.
	Events []CoverageEvent
}

// CoverageEvent is one mapped event that writes a type.
type CoverageEvent struct {
	Provider change.Provider
	Service  string
	Event    string
	// Ops is what the event does to the type: some of create, modify,
	// delete, in that order.
	Ops []Op
}

// Audited reports whether the type lives in a cloud whose audit logs the
// detector reads (AWS, GCP). Other providers' resources (random,
// terraform_data, tls) have no audit trail to watch.
func (t TypeCoverage) Audited() bool { return t.Provider == change.AWS || t.Provider == change.GCP }

// Covered reports whether some mapped event writes the type.
func (t TypeCoverage) Covered() bool { return len(t.Events) > 0 }

// InPlace reports whether some mapped event changes the type's attributes
// (Modify), not only creates or deletes it.
func (t TypeCoverage) InPlace() bool {
	for _, ev := range t.Events {
		if slices.Contains(ev.Ops, Modify) {
			return true
		}
	}
	return false
}

// NoCoverage is what coverage reports say of an audited type no mapped
// event writes; NotInPlace of one whose events only create or delete it.
const (
	NoCoverage = "no real-time coverage: use `tfdrift check` on a schedule"
	NotInPlace = "no mapped event changes it in place: its attributes need `tfdrift check` on a schedule"
)

// Coverage returns the coverage of each type in uses (merged by type and
// provider), sorted by type.
func (c *Catalog) Coverage(uses []TypeUse) []TypeCoverage {
	merged := map[TypeUse]int{}
	for _, u := range uses {
		if u.Provider == "" {
			u.Provider = providerOfType(u.Type)
		}
		n := u.Instances
		u.Instances = 0
		merged[u] += n
	}
	byType := c.eventsByType()
	out := make([]TypeCoverage, 0, len(merged))
	for u, n := range merged {
		u.Instances = n
		tc := TypeCoverage{TypeUse: u}
		if tc.Audited() {
			for _, ev := range byType[u.Type] {
				if ev.Provider == u.Provider {
					tc.Events = append(tc.Events, ev)
				}
			}
		}
		out = append(out, tc)
	}
	slices.SortFunc(out, func(a, b TypeCoverage) int {
		return strings.Compare(a.Type+"\x00"+string(a.Provider), b.Type+"\x00"+string(b.Provider))
	})
	return out
}

// eventsByType indexes the entries by the types their targets write.
func (c *Catalog) eventsByType() map[string][]CoverageEvent {
	out := map[string][]CoverageEvent{}
	for _, e := range c.all { // sorted by provider, service, event
		ops := map[string][]Op{}
		var types []string
		for _, t := range e.Targets {
			if _, seen := ops[t.Type]; !seen {
				types = append(types, t.Type)
			}
			if !slices.Contains(ops[t.Type], t.Op) {
				ops[t.Type] = append(ops[t.Type], t.Op)
			}
		}
		for _, typ := range types {
			o := ops[typ]
			slices.SortFunc(o, func(a, b Op) int { return opOrder(a) - opOrder(b) })
			out[typ] = append(out[typ], CoverageEvent{Provider: e.Provider, Service: e.Service, Event: e.Event, Ops: o})
		}
	}
	return out
}

func opOrder(o Op) int {
	switch o {
	case Create:
		return 0
	case Modify:
		return 1
	}
	return 2
}

// providerOfType guesses a type's provider from its prefix.
func providerOfType(rtype string) change.Provider {
	switch {
	case strings.HasPrefix(rtype, "aws_"):
		return change.AWS
	case strings.HasPrefix(rtype, "google_"):
		return change.GCP
	}
	prefix, _, _ := strings.Cut(rtype, "_")
	return change.Provider(prefix)
}

// WriteCoverage renders a coverage report as text: a summary, then one
// block per type with the events that write it, grouped by what they do,
// or why none does; the types with no real-time coverage are listed again
// at the end.
func WriteCoverage(w io.Writer, states []string, cov []TypeCoverage) error {
	var b strings.Builder
	covered, other, instances := 0, 0, 0
	var blindTypes, outOfPlace []string
	for _, t := range cov {
		instances += t.Instances
		switch {
		case !t.Audited():
			other++
		case !t.Covered():
			blindTypes = append(blindTypes, t.Type)
		default:
			covered++
			if !t.InPlace() {
				outOfPlace = append(outOfPlace, t.Type)
			}
		}
	}
	fmt.Fprintf(&b, "Real-time coverage of %s: %s (%s)\n", plural(len(states), "state"), plural(len(cov), "resource type"), plural(instances, "instance"))
	fmt.Fprintf(&b, "  %d covered (%d only created or deleted), %d with no real-time coverage, %d not in an audit log\n\n",
		covered, len(outOfPlace), len(blindTypes), other)
	for _, t := range cov {
		fmt.Fprintf(&b, "%s (%s)", t.Type, plural(t.Instances, "instance"))
		switch {
		case !t.Audited():
			fmt.Fprintf(&b, ": not in a cloud's audit log (provider %s): nothing to watch\n", orUnknown(string(t.Provider)))
			continue
		case !t.Covered():
			fmt.Fprintf(&b, ": %s\n", NoCoverage)
			continue
		}
		fmt.Fprintf(&b, ": %s\n", plural(len(t.Events), "event"))
		for _, op := range []Op{Create, Modify, Delete} {
			var names []string
			for _, ev := range t.Events {
				if slices.Contains(ev.Ops, op) {
					names = append(names, ev.Event)
				}
			}
			if len(names) > 0 {
				writeWrapped(&b, "    "+op.String()+": ", names)
			}
		}
		if !t.InPlace() {
			fmt.Fprintf(&b, "    %s\n", NotInPlace)
		}
	}
	if len(blindTypes) > 0 {
		fmt.Fprintf(&b, "\nNo real-time coverage (run `tfdrift check` on a schedule for these): %s\n", strings.Join(blindTypes, ", "))
	}
	if len(outOfPlace) > 0 {
		fmt.Fprintf(&b, "Not changed in place by any mapped event (their attributes need `tfdrift check`): %s\n", strings.Join(outOfPlace, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeWrapped writes names after prefix, comma-separated, wrapped at 100
// columns with continuation lines indented under the first name.
func writeWrapped(b *strings.Builder, prefix string, names []string) {
	const width = 100
	indent := strings.Repeat(" ", len(prefix))
	line := prefix
	for i, n := range names {
		sep := ", "
		if i == len(names)-1 {
			sep = ""
		}
		if len(line) > len(indent) && len(line)+len(n)+len(sep) > width {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = indent
		}
		line += n + sep
	}
	b.WriteString(line + "\n")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
