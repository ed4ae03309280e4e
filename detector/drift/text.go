package drift

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// maxValueLen keeps one attribute value on a readable line.
const maxValueLen = 160

var severityBanner = map[Severity]string{
	Critical: "🚨 CRITICAL",
	High:     "⚠️  HIGH",
	Medium:   "🔶 MEDIUM",
	Low:      "🔷 LOW",
	Info:     "ℹ️  INFO",
}

// Banner is the first line of a human alert: "🚨 CRITICAL DRIFT DETECTED".
func (d *Drift) Banner() string {
	b, ok := severityBanner[d.Severity]
	if !ok {
		b = strings.ToUpper(string(d.Severity))
	}
	what := "DRIFT DETECTED"
	switch d.ChangeType {
	case Created:
		what = "UNMANAGED RESOURCE CREATED"
	case Deleted:
		what = "MANAGED RESOURCE DELETED"
	}
	return b + " " + what
}

// Title names the resource: its address when managed, else type and ID.
func (d *Drift) Title() string {
	if d.ResourceAddress != "" {
		if d.ResourceID != "" {
			return d.ResourceAddress + " (" + d.ResourceID + ")"
		}
		return d.ResourceAddress
	}
	return d.ResourceType + " " + d.ResourceID
}

// WriteText renders the human alert (the README's first example).
func (d *Drift) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", d.Banner())
	fmt.Fprintf(&b, "Resource: %s\n", d.Title())
	fmt.Fprintf(&b, "Change:   %s by %s\n", d.ChangeType, orDash(d.CloudTrailEvent()))
	if d.Pending {
		// The resource still runs with state's values: say so, or an
		// engineer checking the console finds nothing changed yet.
		when := d.TakesEffect
		if when == "" {
			when = "later, when the cloud applies it"
		}
		fmt.Fprintf(&b, "Pending:  accepted but not applied yet; takes effect %s\n", when)
	}
	for _, name := range d.Attributes() {
		ac := d.Changes[name]
		if ac.Diff != "" {
			fmt.Fprintf(&b, "  %s: %s\n", name, ac.Diff)
		} else {
			fmt.Fprintf(&b, "  %s:\n", name)
		}
		if d.ChangeType == Modified && !ac.Unknown {
			// Long values (rule sets, documents) are summed up by the diff
			// line; the full values are in the JSON output.
			exp, act := shortValue(ac.Expected), shortValue(ac.Actual)
			if len(exp) < maxValueLen && len(act) < maxValueLen {
				fmt.Fprintf(&b, "    expected: %s\n", exp)
				fmt.Fprintf(&b, "    actual:   %s\n", act)
			}
		} else if d.ChangeType == Created && !ac.Unknown {
			fmt.Fprintf(&b, "    value: %s\n", shortValue(ac.Actual))
		}
	}
	user := d.User()
	if e := d.Event; e != nil && e.Actor.ARN != "" && e.Actor.ARN != user {
		user += " (" + e.Actor.ARN + ")"
	}
	fmt.Fprintf(&b, "User:     %s\n", orDash(user))
	if e := d.Event; e != nil {
		from := orDash(e.SourceIP)
		if e.UserAgent != "" {
			from += " via " + e.UserAgent
		}
		fmt.Fprintf(&b, "From:     %s\n", from)
		if !e.Time.IsZero() {
			fmt.Fprintf(&b, "Time:     %s\n", formatTime(e.Time))
		}
		where := "Account"
		if e.Provider == "gcp" {
			where = "Project"
		}
		fmt.Fprintf(&b, "%s:  %s   Region: %s\n", where, orDash(e.Account), orDash(e.Region))
	}
	if t := d.Terraform; t.File != "" {
		code := fmt.Sprintf("%s:%d", t.File, t.Line)
		if t.ModuleAddress != "" {
			code += " (" + t.ModuleAddress + ")"
		}
		if t.Remote != "" {
			code += " — module source " + t.Remote
		}
		fmt.Fprintf(&b, "Code:     %s\n", code)
	}
	if t := d.Terraform; t.State != "" {
		st := t.State
		if t.Workspace != "" && t.Workspace != "default" {
			st += " [" + t.Workspace + "]"
		}
		fmt.Fprintf(&b, "State:    %s\n", st)
	}
	if len(d.Rules) > 0 {
		fmt.Fprintf(&b, "Rules:    %s\n", strings.Join(d.Rules, ", "))
	}
	if len(d.Tags) > 0 {
		fmt.Fprintf(&b, "Tags:     %s\n", strings.Join(d.Tags, ", "))
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func shortValue(v any) string {
	if v == nil {
		return "(none)"
	}
	var s string
	if str, ok := v.(string); ok {
		s = fmt.Sprintf("%q", str)
	} else {
		b, err := json.Marshal(v)
		if err != nil {
			s = fmt.Sprint(v)
		} else {
			s = string(b)
		}
	}
	if len(s) > maxValueLen {
		s = s[:maxValueLen-1] + "…"
	}
	return s
}
