package ghissue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/cost"
)

// GitHub's limits, and the renderer's.
const (
	// maxTitle is GitHub's limit on an issue title, in characters.
	maxTitle = 256
	// MaxBody is GitHub's limit on an issue or comment body, in
	// characters.
	MaxBody = 65536
	// maxCell is the longest value shown in a table cell; a longer one is
	// shortened there and shown whole in a collapsed <details> block.
	maxCell = 80
	// DefaultMaxValue bounds each value shown in full, in bytes.
	DefaultMaxValue = 16 << 10
)

// Title is the issue title: "Drift: <address> <change_type> by <user>",
// or for an unmanaged resource "Drift: <resource_type> <resource_id>
// created by <user>"; "unknown" when no audit record names the user. One
// line, at most 256 characters.
func Title(d *drift.Drift) string {
	what := d.ResourceAddress
	if what == "" {
		what = d.ResourceType + " " + d.ResourceID
	}
	user := d.User()
	if user == "" {
		user = "unknown"
	}
	return truncateRunes(strings.Join(strings.Fields(oneLine(fmt.Sprintf("Drift: %s %s by %s", what, d.ChangeType, user))), " "), maxTitle)
}

// Label names tfdrift gives its issues.
const (
	LabelTfdrift   = "tfdrift"
	severityPrefix = "severity:"
	changePrefix   = "drift:"
)

// severity is d's severity, the default when unset.
func severity(d *drift.Drift) drift.Severity {
	if d.Severity.Rank() == 0 {
		return drift.DefaultSeverity
	}
	return d.Severity
}

// Labels are an issue's labels: tfdrift, severity:<s>, drift:<change_type>,
// then extra (the root's labels), without blanks or repeats (GitHub's
// label names are case-insensitive).
func Labels(d *drift.Drift, extra []string) []string {
	out := []string{LabelTfdrift, severityPrefix + string(severity(d)), changePrefix + string(d.ChangeType)}
	for _, l := range extra {
		l = strings.TrimSpace(l)
		if l != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, l) }) {
			out = append(out, l)
		}
	}
	return out
}

// labelStyle is the colour and description a label is created with:
// severities graded from red to blue, change types in their own hues, a
// root's own labels grey.
func labelStyle(name string) (color, description string) {
	switch strings.ToLower(name) {
	case LabelTfdrift:
		return "5319e7", "Infrastructure changed outside Terraform (tfdrift)"
	case "severity:critical":
		return "b60205", "Drift severity: critical (tfdrift)"
	case "severity:high":
		return "d93f0b", "Drift severity: high (tfdrift)"
	case "severity:medium":
		return "fbca04", "Drift severity: medium (tfdrift)"
	case "severity:low":
		return "0e8a16", "Drift severity: low (tfdrift)"
	case "severity:info":
		return "c5def5", "Drift severity: info (tfdrift)"
	case "drift:modified":
		return "1d76db", "A managed resource changed outside Terraform (tfdrift)"
	case "drift:deleted":
		return "5a5a5a", "A managed resource deleted outside Terraform (tfdrift)"
	case "drift:created":
		return "0052cc", "A resource created outside Terraform (tfdrift)"
	}
	return "ededed", ""
}

var severityMark = map[drift.Severity]string{
	drift.Critical: "🚨", drift.High: "⚠️", drift.Medium: "🔶", drift.Low: "🔷", drift.Info: "ℹ️",
}

// BodyOptions is what a body shows besides the drift.
type BodyOptions struct {
	// HTMLURL is the html_url of the repository holding the code
	// ("https://github.com/acme/infra", or a GHES address). With the
	// location's Ref and File it makes the permalink
	// <HTMLURL>/blob/<sha>/<file>#L<start>-L<end>. Empty, or a location
	// without a Ref, shows the location as text.
	HTMLURL string
	// Commands shows the /tfdrift comment commands (the App; not the
	// Action's token, which no one can command).
	Commands bool
	// JiraKey and JiraURL name the resource's Jira ticket, when one exists.
	JiraKey, JiraURL string
	// Earlier is what the issue held before d (ParseHistory of its body);
	// nil for a new issue. The table then shows every attribute drifted
	// so far, the latest value of each.
	Earlier *History
	// MaxValue bounds each value shown in full, in bytes; 0 is
	// DefaultMaxValue. The sink lowers it when a body would pass GitHub's
	// limit.
	MaxValue int
}

func (o BodyOptions) maxValue() int {
	if o.MaxValue <= 0 {
		return DefaultMaxValue
	}
	return o.MaxValue
}

// Body is the issue body for d: a one-line summary; the change table
// (every attribute drifted so far when o.Earlier is set), long values in
// collapsed <details>; who, from where and when; the permalink to the
// resource's lines; the module and state; the cost impact where known;
// the Jira ticket; the commands (o.Commands); and the hidden markers: the
// resource, the latest delivery, and the history that later drifts merge
// into.
func Body(d *drift.Drift, o BodyOptions) string {
	h := o.Earlier.merge(d).capped(o.maxValue())
	view := h.drift(d)
	var b strings.Builder
	b.WriteString(summary(d))
	b.WriteString("\n\n")
	if p := pending(d); p != "" {
		b.WriteString(p + "\n\n")
	}
	if h.Count > 1 {
		fmt.Fprintf(&b, "This resource has drifted %d times since %s. The table shows every attribute drifted so far, with its latest value; each later drift is also a comment below.\n\n",
			h.Count, when(h.First))
	}
	b.WriteString(changeTable(view, o.maxValue(), h))
	b.WriteString(facts(d, o))
	b.WriteString(costImpact(d))
	if o.Commands {
		b.WriteString(commands)
	}
	b.WriteString("\n<sub>tfdrift keeps this issue up to date: a later drift of this resource adds a comment and updates the table, and the issue closes itself when the drift is resolved.</sub>\n\n")
	b.WriteString(Marker(d) + "\n")
	b.WriteString(eventMarker(d) + "\n")
	if blob, err := encodeBlob(h); err == nil {
		b.WriteString(historyPrefix + blob + markerEnd + "\n")
	}
	return b.String()
}

// Comment is the comment a later drift of a resource adds to its issue:
// what this drift changed, by whom, when, and its delivery marker.
func Comment(d *drift.Drift, o BodyOptions) string {
	var b strings.Builder
	sev := severity(d)
	fmt.Fprintf(&b, "%s **Another %s drift** of this resource, detected %s: ", severityMark[sev], sev, when(d.DetectedAt))
	switch d.ChangeType {
	case drift.Deleted:
		b.WriteString("it was deleted outside Terraform")
	default:
		var names []string
		for _, a := range d.Attributes() {
			names = append(names, code(a, false))
		}
		if len(names) == 0 {
			b.WriteString("it changed outside Terraform")
		} else {
			b.WriteString(strings.Join(names, ", ") + " changed")
		}
	}
	if u := d.User(); u != "" {
		b.WriteString(" by " + code(u, false))
	}
	b.WriteString(".\n\n")
	if p := pending(d); p != "" {
		b.WriteString(p + "\n\n")
	}
	b.WriteString(changeTable(d, o.maxValue(), nil))
	b.WriteString(facts(d, BodyOptions{HTMLURL: o.HTMLURL}))
	b.WriteString(costImpact(d))
	b.WriteString("\n" + eventMarker(d) + "\n")
	return b.String()
}

// DefaultResolveReason is what a resolution says without a reason.
const DefaultResolveReason = "the cloud matches Terraform again"

// ResolvedComment is the comment that closes a resource's issue: why it
// was resolved (reason, from Notice.Reason; DefaultResolveReason when
// empty), and which drift.
func ResolvedComment(d *drift.Drift, reason string) string {
	if strings.TrimSpace(reason) == "" {
		reason = DefaultResolveReason
	}
	var b strings.Builder
	fmt.Fprintf(&b, "✅ **Drift resolved:** %s.\n\n", text(strings.TrimSuffix(strings.TrimSpace(reason), ".")))
	fmt.Fprintf(&b, "The %s drift of %s detected %s is resolved, so tfdrift closes this issue. A new drift of this resource opens a new issue.\n\n",
		severity(d), resourceText(d), when(d.DetectedAt))
	b.WriteString(resolvedMarker(d) + "\n")
	return b.String()
}

// resourceText names the resource in prose: its address, or type and ID.
func resourceText(d *drift.Drift) string {
	if d.ResourceAddress != "" {
		return code(d.ResourceAddress, false)
	}
	return "the unmanaged " + code(d.ResourceType, false) + " " + code(d.ResourceID, false)
}

// summary is the body's first line.
func summary(d *drift.Drift) string {
	sev := severity(d)
	s := fmt.Sprintf("%s **%s drift:** ", severityMark[sev], strings.ToUpper(string(sev[:1]))+string(sev[1:]))
	by := ""
	if u := d.User(); u != "" {
		by = " by " + code(u, false)
	}
	id := ""
	if d.ResourceID != "" {
		id = " (" + code(d.ResourceID, false) + ")"
	}
	switch d.ChangeType {
	case drift.Created:
		s += "an unmanaged " + code(d.ResourceType, false) + " " + code(d.ResourceID, false) + " was created" + by + "; no Terraform state holds it."
	case drift.Deleted:
		s += code(d.ResourceAddress, false) + id + " was deleted outside Terraform" + by + "; the next apply would create it again."
	default:
		s += code(d.ResourceAddress, false) + id + " was changed outside Terraform" + by + "."
	}
	return s
}

// pending says when a pending write lands, or "".
func pending(d *drift.Drift) string {
	if !d.Pending {
		return ""
	}
	takes := strings.TrimSpace(d.TakesEffect)
	if takes == "" {
		takes = "later, when the cloud applies it"
	}
	return "⏳ **Pending:** the cloud accepted this change but applies it " + text(takes) + "; until then the resource still runs with Terraform's values."
}

// when formats a time for people, in UTC.
func when(t time.Time) string {
	if t.IsZero() {
		return "at an unknown time"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// changeTable is the table of d's changes, with the long values below it
// in collapsed blocks. h, when set, marks values it had to shorten.
func changeTable(d *drift.Drift, maxValue int, h *History) string {
	rows := ticket.ChangeRows(d, 0)
	if len(rows) == 0 {
		return ""
	}
	var b, long strings.Builder
	b.WriteString("| Attribute | Expected | Actual | Diff |\n| --- | --- | --- | --- |\n")
	for _, r := range rows {
		c := d.Changes[r.Attribute]
		exp, act := cell(r.Expected), cell(r.Actual)
		switch {
		case d.ChangeType == drift.Created:
			exp = "*unmanaged*"
		}
		if r.Unknown {
			act = "*hidden by the audit record*"
		}
		diff := ""
		if r.Diff != "" {
			diff = text(truncateRunes(r.Diff, 200))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", code(r.Attribute, true), exp, act, diff)
		showExp := d.ChangeType != drift.Created && utf8.RuneCountInString(r.Expected) > maxCell
		showAct := !r.Unknown && utf8.RuneCountInString(r.Actual) > maxCell
		if showExp || showAct {
			cut := h != nil && h.Attrs[r.Attribute].Cut
			long.WriteString(details(r.Attribute, c, showExp, showAct, maxValue, cut))
		}
	}
	b.WriteString("\n")
	b.WriteString(long.String())
	return b.String()
}

// cell shows a formatted value in a table cell, shortened when long.
func cell(v string) string {
	if utf8.RuneCountInString(v) <= maxCell {
		return code(v, true)
	}
	return code(truncateRunes(v, maxCell/2), true) + " *(in full below)*"
}

// details is the collapsed block of one attribute's long values.
func details(attr string, c drift.AttrChange, exp, act bool, maxValue int, cut bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<details><summary><code>%s</code>: the values in full</summary>\n\n", htmlText(attr))
	if cut {
		b.WriteString("The values were too long to keep whole in this issue; they are shortened. The drift records hold them in full.\n\n")
	}
	side := func(label string, v any) {
		s, lang := display(v)
		if len(s) > maxValue {
			s = truncateRunes(s, maxValue) + fmt.Sprintf("\n… %d more bytes", len(s)-maxValue)
		}
		b.WriteString(label + ":\n\n" + fenced(s, lang) + "\n")
	}
	if exp {
		side("Expected (Terraform state)", c.Expected)
	}
	if act {
		side("Actual (the cloud)", c.Actual)
	}
	b.WriteString("</details>\n\n")
	return b.String()
}

// display renders a value for a code block: a string as itself (a JSON
// document pretty-printed), anything else as indented JSON.
func display(v any) (string, string) {
	if s, ok := v.(string); ok {
		t := strings.TrimSpace(s)
		if (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)) {
			var buf bytes.Buffer
			if json.Indent(&buf, []byte(t), "", "  ") == nil {
				return buf.String(), "json"
			}
		}
		return s, ""
	}
	raw, err := ticket.MarshalJSON(v)
	if err != nil {
		return fmt.Sprint(v), ""
	}
	var buf bytes.Buffer
	if json.Indent(&buf, raw, "", "  ") != nil {
		return string(raw), "json"
	}
	return buf.String(), "json"
}

// facts are who, from where and when, the code, module and state,
// severity and rules, tags and the Jira ticket, as a list.
func facts(d *drift.Drift, o BodyOptions) string {
	var b strings.Builder
	item := func(k, v string) { fmt.Fprintf(&b, "- **%s:** %s\n", k, v) }
	if e := d.Event; e != nil {
		who := "unknown"
		if u := d.User(); u != "" {
			who = code(u, false)
			if e.Actor.ARN != "" && e.Actor.ARN != u {
				who += " (" + code(e.Actor.ARN, false) + ")"
			}
		}
		item("Who", who)
		if e.SourceIP != "" || e.UserAgent != "" {
			from := "unknown address"
			if e.SourceIP != "" {
				from = code(e.SourceIP, false)
			}
			if e.UserAgent != "" {
				from += " via " + code(truncateRunes(e.UserAgent, 200), false)
			}
			item("From", from)
		}
		w := when(e.Time)
		if name := d.CloudTrailEvent(); name != "" {
			w += ", " + code(name, false)
		}
		if !e.Time.IsZero() && !d.DetectedAt.IsZero() && !e.Time.Equal(d.DetectedAt) {
			w += "; detected " + when(d.DetectedAt)
		}
		item("When", w)
		if where := ticket.Where(d); where != "unknown" {
			item("Where", code(where, false))
		}
	} else {
		item("Found", "by a refresh-only plan (`tfdrift check`) "+when(d.DetectedAt)+"; no audit record says who changed it or from where")
	}
	if c := codeLine(d.Terraform, o.HTMLURL); c != "" {
		item("Code", c)
	}
	loc := d.Terraform
	switch {
	case loc.ModuleAddress != "" && loc.Module != "":
		item("Module", code(loc.ModuleAddress, false)+" in "+code(loc.Module, false))
	case loc.ModuleAddress != "":
		item("Module", code(loc.ModuleAddress, false))
	case loc.Module != "":
		item("Module", code(loc.Module, false))
	}
	if loc.Root != "" && loc.Root != "." {
		item("Root module", code(loc.Root, false))
	}
	if loc.State != "" {
		st := code(loc.State, false)
		if loc.Workspace != "" && loc.Workspace != "default" {
			st += ", workspace " + code(loc.Workspace, false)
		}
		item("State", st)
	}
	sev := string(severity(d))
	if len(d.Rules) > 0 {
		var rs []string
		for _, r := range d.Rules {
			rs = append(rs, code(r, false))
		}
		sev += " (rules: " + strings.Join(rs, ", ") + ")"
	}
	item("Severity", sev)
	if len(d.Tags) > 0 {
		var ts []string
		for _, t := range d.Tags {
			ts = append(ts, code(t, false))
		}
		item("Tags", strings.Join(ts, ", "))
	}
	if o.JiraKey != "" {
		j := code(o.JiraKey, false)
		if u := safeURL(o.JiraURL); u != "" {
			j = "[" + j + "](" + u + ")"
		}
		item("Jira", j)
	}
	b.WriteString("\n")
	return b.String()
}

// codeLine is the resource's place in the code: a permalink to its lines
// when the commit is known, else the file and line as text.
func codeLine(loc drift.Location, htmlURL string) string {
	if loc.File == "" {
		return ""
	}
	label := loc.File
	if loc.Line > 0 {
		label += ":" + strconv.Itoa(loc.Line)
		if loc.EndLine > loc.Line {
			label += "-" + strconv.Itoa(loc.EndLine)
		}
	}
	s := code(label, false)
	if u := Permalink(loc, htmlURL); u != "" {
		s = "[" + s + "](" + u + ")"
		if len(loc.Ref) >= 7 {
			s += " at " + code(loc.Ref[:7], false)
		}
	}
	if loc.Remote != "" {
		s += ", the call of the module " + code(loc.Remote, false) + " (its code is not in this repository)"
	}
	return s
}

// Permalink is the link to a location's lines at its commit:
// <htmlURL>/blob/<ref>/<file>#L<line>-L<end_line>; "" without a URL, a
// commit or a file.
func Permalink(loc drift.Location, htmlURL string) string {
	base := safeURL(strings.TrimSuffix(htmlURL, "/"))
	if base == "" || loc.Ref == "" || loc.File == "" {
		return ""
	}
	segs := strings.Split(strings.TrimPrefix(loc.File, "/"), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	u := base + "/blob/" + url.PathEscape(loc.Ref) + "/" + strings.Join(segs, "/")
	if loc.Line > 0 {
		u += "#L" + strconv.Itoa(loc.Line)
		if loc.EndLine > loc.Line {
			u += "-L" + strconv.Itoa(loc.EndLine)
		}
	}
	return u
}

// safeURL returns u when it is an absolute http(s) URL that cannot break
// out of a Markdown link destination, else "".
func safeURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" ||
		strings.ContainsAny(u, " \t\r\n()<>\"'`") {
		return ""
	}
	return u
}

// costImpact is the cost section, or "" when the drift changes nothing
// priced.
func costImpact(d *drift.Drift) string {
	im, ok := cost.Estimate(d)
	if !ok {
		return ""
	}
	var b strings.Builder
	if im.Before == "" {
		fmt.Fprintf(&b, "**Cost impact:** %s for a new %s.\n\n", text(im.String()), code(im.After, false))
	} else {
		fmt.Fprintf(&b, "**Cost impact:** %s, %s → %s.\n\n", text(im.String()), code(im.Before, false), code(im.After, false))
	}
	b.WriteString(fenced(strings.Join(im.Lines(), "\n"), "text"))
	note := im.Basis
	if len(im.Assumptions) > 0 {
		note += "; " + strings.Join(im.Assumptions, "; ")
	}
	fmt.Fprintf(&b, "\n<sub>An estimate from %s.</sub>\n\n", text(note))
	return b.String()
}

// commands is the section the App's comment commands add.
const commands = `### Commands

Comment one of these on this issue:

- ` + "`/tfdrift accept`" + `: change the code to match the cloud, in a pull request
- ` + "`/tfdrift revert [--allow-destroy] [--allow-replace]`" + `: put the cloud back to what the code says (a guarded, targeted apply)
- ` + "`/tfdrift ignore [--attr A]... [--for 7d]`" + `: stop reporting this drift, or only some attributes, for good or for a while
- ` + "`/tfdrift recheck`" + `: compare the resource with the cloud again
- ` + "`/tfdrift help`" + `: show these commands
`

// bodyBudget is the size a body is fitted to: GitHub's limit less a
// margin for the line endings GitHub may normalise.
const bodyBudget = MaxBody - 1024
