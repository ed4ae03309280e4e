package action

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// Summary writes the Markdown job summary (appended to
// $GITHUB_STEP_SUMMARY): the verdict, a table of the root modules, then
// per root a table of its drifted resources and, per resource, the change
// table (attribute, expected, actual, what changed, line). Roots that could
// not be checked show their error.
//
// Everything that comes from outside (addresses, values, errors) is
// escaped: a drifted value cannot add Markdown, HTML or table cells.
type Summary struct {
	W io.Writer
}

// maxCell bounds one value in a table; the full values are in the JSON
// report.
const maxCell = 120

// Write implements Output.
func (s Summary) Write(r *Report) error {
	var b strings.Builder
	title := "no drift"
	if n := r.Count(); n > 0 {
		title = plural(n, "drifted resource")
	}
	if len(r.Failed()) > 0 {
		title += ", " + plural(len(r.Failed()), "root module") + " not checked"
	}
	fmt.Fprintf(&b, "## tfdrift check: %s\n\n", title)
	verdict := strings.TrimPrefix(Headline(r), "tfdrift check: ")
	fmt.Fprintf(&b, "%s\n\n", md(strings.ToUpper(verdict[:1])+verdict[1:]))

	b.WriteString("| Root module | Resources | Drifted | Highest severity | Status |\n|---|--:|--:|---|---|\n")
	for _, root := range r.Roots {
		if root.Err != nil {
			fmt.Fprintf(&b, "| %s | | | | ⚠️ not checked |\n", code(root.Dir))
			continue
		}
		status := "✅ no drift"
		if len(root.Drifts) > 0 {
			status = severityMark(root.MaxSeverity()) + " drift"
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s |\n", code(root.Dir), root.Resources, len(root.Drifts), md(string(root.MaxSeverity())), status)
	}

	for _, root := range r.Roots {
		switch {
		case root.Err != nil:
			fmt.Fprintf(&b, "\n### %s: not checked\n\n%s", code(root.Dir), fenced(strings.TrimSpace(root.Err.Error())))
			continue
		case len(root.Drifts) == 0:
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n", code(root.Dir))
		b.WriteString("| Severity | Resource | Change | Code |\n|---|---|---|---|\n")
		drifts := sortedDrifts(root.Drifts)
		for _, d := range drifts {
			fmt.Fprintf(&b, "| %s %s | %s | %s | %s |\n", severityMark(d.Severity), md(string(d.Severity)),
				resourceCell(d), md(string(d.ChangeType)), s.codeCell(r, root, d, ""))
		}
		for _, d := range drifts {
			fmt.Fprintf(&b, "\n#### %s %s\n\n", severityMark(d.Severity), resourceCell(d))
			var facts []string
			facts = append(facts, md(string(d.Severity)), md(string(d.ChangeType)))
			if len(d.Rules) > 0 {
				facts = append(facts, "rules: "+md(strings.Join(d.Rules, ", ")))
			}
			if len(d.Tags) > 0 {
				facts = append(facts, "tags: "+md(strings.Join(d.Tags, ", ")))
			}
			if _, _, declared := root.position(d, ""); !declared {
				facts = append(facts, md(notDeclared))
			}
			b.WriteString(strings.Join(facts, " · ") + "\n")
			if len(d.Changes) == 0 {
				continue
			}
			b.WriteString("\n| Attribute | Expected | Actual | What changed | Code |\n|---|---|---|---|---|\n")
			for _, name := range d.Attributes() {
				ac := d.Changes[name]
				fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", code(name),
					valueCell(ac.Expected, false), valueCell(ac.Actual, ac.Unknown), md(oneLine(ac.Diff, maxCell)),
					s.codeCell(r, root, d, name))
			}
		}
	}
	_, err := io.WriteString(s.W, b.String()+"\n")
	return err
}

// codeCell is file:line, linked to the code when the report has a BlobURL.
func (Summary) codeCell(r *Report, root Root, d Drift, attr string) string {
	file, line, declared := root.position(d, attr)
	switch {
	case file == "":
		return ""
	case !declared:
		return "not in the code"
	}
	text := md(where(file, line))
	if attr != "" {
		if _, ok := d.Lines[attr]; !ok {
			text = "resource at " + text
		}
	}
	if r.BlobURL == "" {
		return text
	}
	href := strings.TrimSuffix(r.BlobURL, "/") + "/" + fileURI(file)
	if line > 0 {
		href += "#L" + strconv.Itoa(line)
	}
	return `<a href="` + html.EscapeString(href) + `">` + text + `</a>`
}

func resourceCell(d Drift) string {
	s := code(d.ResourceAddress)
	if d.ResourceID != "" {
		s += " (" + code(d.ResourceID) + ")"
	}
	return s
}

// valueCell renders an attribute value as compact JSON in a code span,
// cut to maxCell characters.
func valueCell(v any, unknown bool) string {
	if unknown {
		return "(unknown)"
	}
	if v == nil {
		return "(none)"
	}
	var s string
	if str, ok := v.(string); ok {
		s = strconv.Quote(str)
	} else if b, err := json.Marshal(v); err == nil {
		s = string(b)
	} else {
		s = fmt.Sprint(v)
	}
	return code(oneLine(s, maxCell))
}

var severityMarks = map[drift.Severity]string{
	drift.Critical: "🔴", drift.High: "🟠", drift.Medium: "🟡", drift.Low: "🔵", drift.Info: "⚪",
}

func severityMark(s drift.Severity) string {
	if m, ok := severityMarks[s]; ok {
		return m
	}
	return "⚪"
}

// code renders text as inline code. The text is escaped as in md, inside
// an HTML code element: a backtick or pipe in the text cannot end the span
// or the table cell.
func code(s string) string {
	if s == "" {
		return ""
	}
	return "<code>" + md(s) + "</code>"
}

// md makes text literal in GitHub Markdown, also inside a table cell:
// characters that HTML, Markdown (emphasis, code, links, math) or the
// table syntax would read are written as numeric character references,
// and line breaks as spaces. Nothing else can start markup in the middle
// of a line, and md's output never starts one.
func md(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&', '<', '>', '"', '\'', '|', '\\', '`', '*', '_', '~', '[', ']', '$':
			fmt.Fprintf(&b, "&#%d;", r)
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fenced puts text in a fenced code block whose fence is longer than any
// run of backticks in the text, so the text cannot close it.
func fenced(text string) string {
	longest, run := 0, 0
	for _, r := range text {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + "text\n" + strings.TrimRight(text, "\n") + "\n" + fence + "\n"
}
