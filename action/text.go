package action

import (
	"fmt"
	"io"
	"strings"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// Text writes the summary a person reads in a terminal or a CI log: per
// root, what was refreshed and each drifted resource with its severity,
// file:line and one line per attribute; then the totals and what --fail-on
// makes of them.
type Text struct {
	W io.Writer
}

// Write implements Output.
func (t Text) Write(r *Report) error {
	var b strings.Builder
	for _, root := range r.Roots {
		if root.Err != nil {
			fmt.Fprintf(&b, "%s: not checked: %s\n\n", root.Dir, strings.TrimSpace(root.Err.Error()))
			continue
		}
		fmt.Fprintf(&b, "%s: %s refreshed, %d drifted", root.Dir, plural(root.Resources, "resource"), len(root.Drifts))
		if root.Ignored > 0 {
			fmt.Fprintf(&b, " (%s ignored)", plural(root.Ignored, "attribute"))
		}
		b.WriteString("\n")
		for _, d := range sortedDrifts(root.Drifts) {
			title := d.ResourceAddress
			if d.ResourceID != "" {
				title += " (" + d.ResourceID + ")"
			}
			fmt.Fprintf(&b, "  %-8s %s %s", strings.ToUpper(string(d.Severity)), title, d.ChangeType)
			file, line, declared := root.position(d, "")
			if declared {
				fmt.Fprintf(&b, "  %s", where(file, line))
			} else {
				b.WriteString("  (not in the code)")
			}
			b.WriteString("\n")
			for _, name := range d.Attributes() {
				ac := d.Changes[name]
				fmt.Fprintf(&b, "  %-8s   %s: %s", "", name, oneLine(ac.Diff, 200))
				if l, ok := d.Lines[name]; ok && d.Terraform.File != "" {
					fmt.Fprintf(&b, " (line %d)", l)
				}
				b.WriteString("\n")
			}
			if len(d.Rules) > 0 {
				fmt.Fprintf(&b, "  %-8s   rules: %s\n", "", strings.Join(d.Rules, ", "))
			}
			if len(d.Tags) > 0 {
				fmt.Fprintf(&b, "  %-8s   tags: %s\n", "", strings.Join(d.Tags, ", "))
			}
		}
		b.WriteString("\n")
	}
	b.WriteString(Headline(r))
	b.WriteString("\n")
	_, err := io.WriteString(t.W, b.String())
	return err
}

// Headline is the one-line verdict: how many resources drifted in how
// many roots, the highest severity, the roots that failed, and what
// --fail-on makes of it.
func Headline(r *Report) string {
	var b strings.Builder
	b.WriteString("tfdrift check: ")
	drifted := 0
	for _, root := range r.Roots {
		if len(root.Drifts) > 0 {
			drifted++
		}
	}
	if n := r.Count(); n == 0 {
		fmt.Fprintf(&b, "no drift in %s", plural(len(r.Roots)-len(r.Failed()), "root module"))
	} else {
		fmt.Fprintf(&b, "%s drifted in %d of %s (highest severity: %s)",
			plural(n, "resource"), drifted, plural(len(r.Roots), "root module"), r.MaxSeverity())
	}
	if f := len(r.Failed()); f > 0 {
		fmt.Fprintf(&b, "; %s not checked", plural(f, "root module"))
	}
	if v := verdict(r); v != "" {
		b.WriteString(". " + v)
	}
	return b.String()
}

// verdict says what --fail-on makes of the report.
func verdict(r *Report) string {
	switch {
	case len(r.Failed()) > 0:
		return "The check fails: not every root module was checked."
	case r.FailOn == "":
		return ""
	case r.FailOn == "none":
		return "--fail-on none: drift never fails the check."
	}
	min := drift.Severity(r.FailOn)
	if n := r.AtOrAbove(min); n > 0 {
		return fmt.Sprintf("%s at or above %s: the check fails.", plural(n, "drift"), min)
	}
	return fmt.Sprintf("Nothing at or above %s.", min)
}
