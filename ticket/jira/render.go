package jira

import (
	"fmt"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/cost"
)

// Rendering bounds.
const (
	maxSummary = 255
	// maxCell is the longest value put in a table cell; longer ones go
	// in a {noformat} block under the table.
	maxCell = 120
	// maxBlock bounds each {noformat} block (Jira's description field
	// holds 32,767 characters).
	maxBlock = 4000
)

// Renderer builds summaries, descriptions and comments in Jira wiki markup.
type Renderer struct {
	CodeLink ticket.CodeLink
}

// Summary is the issue summary: the rule's summary (or "Drift detected"),
// then the resource, on one line of at most 255 characters.
func (r *Renderer) Summary(prefix string, d *drift.Drift) string {
	if prefix == "" {
		prefix = "Infrastructure drift detected"
	}
	s := fmt.Sprintf("%s: %s", prefix, d.Title())
	return ticket.Truncate(ticket.OneLine(s), maxSummary)
}

// Description is a new ticket's body. links are receipts of other
// systems about the same resource (the GitHub issue), shown as links.
func (r *Renderer) Description(d *drift.Drift, links ...ticket.Ref) string {
	var b strings.Builder
	fmt.Fprintf(&b, "h3. %s: %s\n\n", headline(d), esc(d.Title()))
	b.WriteString(r.body(d, links))
	b.WriteString(marker(eventMarker(ticket.KindDrift, d)))
	return b.String()
}

// DriftComment is the comment a further drift on a ticketed resource
// adds; links as in Description.
func (r *Renderer) DriftComment(d *drift.Drift, links ...ticket.Ref) string {
	var b strings.Builder
	fmt.Fprintf(&b, "h4. New drift on this resource (%s)\n\n", esc(string(d.Severity)))
	b.WriteString(r.body(d, links))
	b.WriteString(marker(eventMarker(ticket.KindDrift, d)))
	return b.String()
}

// ResolvedComment is the comment added before the ticket is transitioned.
func (r *Renderer) ResolvedComment(d *drift.Drift) string {
	var b strings.Builder
	fmt.Fprintf(&b, "(/) *Drift resolved:* the cloud matches Terraform again for %s.\n", code(d.Title()))
	fmt.Fprintf(&b, "The %s drift was detected %s.\n", esc(string(d.Severity)), esc(rfc3339(d.DetectedAt)))
	b.WriteString(marker(eventMarker(ticket.KindResolved, d)))
	return b.String()
}

func (r *Renderer) body(d *drift.Drift, links []ticket.Ref) string {
	var b strings.Builder
	row := func(k, v string) { fmt.Fprintf(&b, "||%s|%s|\n", k, v) }
	row("Resource", resource(d))
	row("Type", esc(d.ResourceType))
	change := esc(string(d.ChangeType))
	if e := d.CloudTrailEvent(); e != "" {
		change += " by " + code(e)
	}
	row("Change", change)
	row("User", esc(ticket.Who(d)))
	row("From", esc(ticket.From(d)))
	row("Account / region", esc(ticket.Where(d)))
	row("Detected", esc(rfc3339(d.DetectedAt)))
	if c := ticket.CodeText(d.Terraform); c != "" {
		if u := r.CodeLink.URL(d.Terraform); u != "" {
			row("Code", fmt.Sprintf("[%s|%s]", esc(c), u))
		} else {
			row("Code", code(c))
		}
	}
	if d.Terraform.State != "" {
		row("State", esc(d.Terraform.State))
	}
	if len(d.Rules) > 0 {
		row("Rules", esc(strings.Join(d.Rules, ", ")))
	}
	if len(d.Tags) > 0 {
		row("Tags", esc(strings.Join(d.Tags, ", ")))
	}
	for _, l := range links {
		if u := safeURL(l.URL); u != "" {
			row(linkLabel(l), fmt.Sprintf("[%s|%s]", esc(linkText(l)), u))
		}
	}
	rows := ticket.ChangeRows(d, 0)
	if len(rows) > 0 {
		b.WriteString("\nh4. Changes\n||Attribute||Expected||Actual||Diff||\n")
		var long strings.Builder
		for _, cr := range rows {
			exp, act := cellOrBelow(cr.Attribute, "expected", cr.Expected, &long), cellOrBelow(cr.Attribute, "actual", cr.Actual, &long)
			diff := " "
			if cr.Diff != "" {
				diff = esc(ticket.OneLine(cr.Diff))
			}
			fmt.Fprintf(&b, "|%s|%s|%s|%s|\n", code(cr.Attribute), exp, act, diff)
		}
		b.WriteString(long.String())
	}
	if im, ok := cost.Estimate(d); ok {
		b.WriteString("\nh4. Cost impact\n")
		fmt.Fprintf(&b, "*%s*\n", esc(im.String()))
		for _, l := range im.Lines()[:2] {
			fmt.Fprintf(&b, "* %s\n", esc(l))
		}
		for _, a := range im.Assumptions {
			fmt.Fprintf(&b, "* _%s_\n", esc(a))
		}
		fmt.Fprintf(&b, "_%s_\n", esc(im.Basis))
	}
	return b.String()
}

// cellOrBelow returns a short value for a table cell; a long one is
// written to long as a {noformat} block and the cell points to it.
func cellOrBelow(attr, side, v string, long *strings.Builder) string {
	if len(v) <= maxCell && !strings.ContainsAny(v, "\n\r") {
		return code(v)
	}
	fmt.Fprintf(long, "\n%s %s:\n{noformat}\n%s\n{noformat}\n", code(attr), side, noformat(ticket.Truncate(v, maxBlock)))
	return "(below)"
}

// linkLabel names a linked receipt's system in a table row.
func linkLabel(l ticket.Ref) string {
	switch l.System {
	case ticket.TypeGitHub:
		return "GitHub issue"
	case ticket.TypePagerDuty:
		return "PagerDuty"
	case ticket.TypeSlack:
		return "Slack"
	}
	return esc(l.System)
}

// linkText is the text of a link: "#12" for a GitHub issue, else the
// external ID, else the URL.
func linkText(l ticket.Ref) string {
	switch {
	case l.System == ticket.TypeGitHub && l.ExternalID != "":
		return "#" + strings.TrimPrefix(l.ExternalID, "#")
	case l.ExternalID != "":
		return l.ExternalID
	}
	return l.URL
}

// safeURL returns u when it is an http(s) URL that cannot break out of
// wiki link markup, else "".
func safeURL(u string) string {
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") || strings.ContainsAny(u, "|[]{} \t\r\n") {
		return ""
	}
	return u
}

func headline(d *drift.Drift) string {
	what := "drift detected"
	switch d.ChangeType {
	case drift.Created:
		what = "unmanaged resource created"
	case drift.Deleted:
		what = "managed resource deleted"
	}
	return strings.ToUpper(esc(string(d.Severity))) + " " + what
}

func resource(d *drift.Drift) string {
	if d.ResourceAddress != "" {
		s := code(d.ResourceAddress)
		if d.ResourceID != "" {
			s += " (" + esc(d.ResourceID) + ")"
		}
		return s
	}
	return code(d.ResourceID) + " (unmanaged)"
}

// eventMarker identifies one notice's write in a description or comment.
// It holds only letters, digits and dashes, so markup never changes it.
func eventMarker(kind ticket.Kind, d *drift.Drift) string {
	id := d.EventID
	if id == "" {
		id = d.Fingerprint
	}
	return "tfdrift-" + string(kind) + "-" + alnum(id)
}

func marker(m string) string { return "\n----\n" + m + "\n" }

// MarkerLabel is the label every ticket of one resource carries.
func MarkerLabel(d *drift.Drift) string { return "tfdrift-" + ticket.ResourceHash(d) }

func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// wikiSpecial are the characters Jira wiki markup gives meaning to; a
// backslash makes each literal.
var wikiEscaper = func() *strings.Replacer {
	var pairs []string
	for _, c := range `\*_?-+^~|[]{}!#` {
		pairs = append(pairs, string(c), `\`+string(c))
	}
	return strings.NewReplacer(pairs...)
}()

// esc makes s literal text on one line.
func esc(s string) string { return wikiEscaper.Replace(ticket.OneLine(s)) }

// code is s in monospace.
func code(s string) string {
	if s == "" {
		return " "
	}
	return "{{" + esc(s) + "}}"
}

// noformat makes s safe inside {noformat}: only the closing tag matters.
func noformat(s string) string {
	return strings.ReplaceAll(s, "{noformat}", "{ noformat}")
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format(time.RFC3339)
}
