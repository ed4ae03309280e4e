package action

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// Output is one format of a check's result. Each implementation writes
// the whole report to its writer; none keeps state between calls.
type Output interface {
	Write(r *Report) error
}

var (
	_ Output = Text{}
	_ Output = JSONLines{}
	_ Output = SARIF{}
	_ Output = Summary{}
	_ Output = Annotations{}
	_ Output = StepOutputs{}
)

// Report is what one check found.
type Report struct {
	// Roots are the root modules, in the order they were given.
	Roots []Root
	// FailOn is the --fail-on threshold as given ("none", "low", …, or ""
	// for none); summaries say which drift fails the check.
	FailOn string
	// Version is tfdrift's version, for SARIF's tool description.
	Version string
	// BlobURL, when set, is the base of links to the code at the commit
	// that was checked ("https://github.com/o/r/blob/<sha>"); the job
	// summary links each file:line to BlobURL/FILE#LLINE.
	BlobURL string
}

// Root is one root module's result.
type Root struct {
	// Dir is the root module's directory relative to the repository, "."
	// for its top.
	Dir string
	// Err is why the root could not be checked (init failed, credentials,
	// a broken backend). A failed root has no drifts; the others are still
	// reported.
	Err error
	// Resources counts the managed resource instances Terraform refreshed.
	Resources int
	// Ignored counts the drifted attributes dropped by .tfdriftignore,
	// .tfdrift.yml's ignore: lines and lifecycle.ignore_changes.
	Ignored int
	// Drifts are the drifted resources, sorted by address.
	Drifts []Drift
	// DefaultFile is where a drift is shown when its resource is not
	// declared in the code (removed from the code, still in state): a file
	// of the root module, relative to the repository. GitHub code scanning
	// refuses a SARIF result without a file, and the whole upload with it.
	DefaultFile string
}

// Drift is one drift record with the lines of its attributes.
type Drift struct {
	*drift.Drift
	// Lines maps a changed attribute to the line of Terraform.File where
	// the code sets it. An attribute the code does not write (a default, a
	// computed value) has no entry: it is shown at the resource's line.
	Lines map[string]int
	// Rule is the drift rule that gave the severity (the first matching
	// rule of that severity), "" when no rule with a severity matched.
	Rule string
}

// Line returns the line an attribute is reported at: its own, else the
// resource's (0 when the resource is not in the code).
func (d Drift) Line(attr string) int {
	if l, ok := d.Lines[attr]; ok && l > 0 {
		return l
	}
	return d.Terraform.Line
}

// position is where a drift's attribute is shown: its file and line, or
// the root's DefaultFile at line 1 when the resource is not in the code
// (declared is then false). file is "" only when neither is known.
func (r Root) position(d Drift, attr string) (file string, line int, declared bool) {
	if d.Terraform.File != "" {
		return d.Terraform.File, d.Line(attr), true
	}
	if r.DefaultFile != "" {
		return r.DefaultFile, 1, false
	}
	return "", 0, false
}

// Drifts returns every drift of every root, in root order.
func (r *Report) Drifts() []Drift {
	var out []Drift
	for _, root := range r.Roots {
		out = append(out, root.Drifts...)
	}
	return out
}

// Count is the number of drifted resources (drift records).
func (r *Report) Count() int {
	n := 0
	for _, root := range r.Roots {
		n += len(root.Drifts)
	}
	return n
}

// MaxSeverity is the highest severity of any drift, "" when there is none.
func (r *Report) MaxSeverity() drift.Severity {
	var max drift.Severity
	for _, d := range r.Drifts() {
		max = drift.Max(max, d.Severity)
	}
	return max
}

// Failed lists the roots that could not be checked.
func (r *Report) Failed() []Root {
	var out []Root
	for _, root := range r.Roots {
		if root.Err != nil {
			out = append(out, root)
		}
	}
	return out
}

// AtOrAbove counts the drifts at or above a severity.
func (r *Report) AtOrAbove(min drift.Severity) int {
	n := 0
	for _, d := range r.Drifts() {
		if d.Severity.AtLeast(min) {
			n++
		}
	}
	return n
}

// MaxSeverity is the highest severity of the root's drifts, "" when none.
func (r Root) MaxSeverity() drift.Severity {
	var max drift.Severity
	for _, d := range r.Drifts {
		max = drift.Max(max, d.Severity)
	}
	return max
}

// attrs returns what a drift reports: its changed attributes, sorted, or
// one "" for a drift without any (a deleted resource).
func attrs(d Drift) []string {
	names := d.Attributes()
	if len(names) == 0 {
		return []string{""}
	}
	return names
}

// where renders file:line, or "" when the resource is not in the code.
func where(file string, line int) string {
	switch {
	case file == "":
		return ""
	case line <= 0:
		return file
	}
	return fmt.Sprintf("%s:%d", file, line)
}

// plural renders "1 resource", "2 resources".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// ruleID is the SARIF rule of a drift: the drift rule that gave its
// severity, else DefaultRuleID.
func ruleID(d Drift) string {
	if d.Rule != "" {
		return d.Rule
	}
	return DefaultRuleID
}

// DefaultRuleID is the SARIF rule of a drift that no drift rule matched.
const DefaultRuleID = "tfdrift/drift"

// oneLine makes any text safe for a single line: control characters
// become spaces and the result is cut to max runes with an ellipsis.
func oneLine(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if rs := []rune(s); len(rs) > max {
		return string(rs[:max-1]) + "…"
	}
	return s
}

// sortedDrifts returns a root's drifts by severity (highest first), then
// address, for the tables people read.
func sortedDrifts(ds []Drift) []Drift {
	out := append([]Drift(nil), ds...)
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := out[i].Severity.Rank(), out[j].Severity.Rank(); a != b {
			return a > b
		}
		return out[i].ResourceAddress < out[j].ResourceAddress
	})
	return out
}
