package config

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a configuration file, or one warning.
type Problem struct {
	File   string
	Line   int // 1-based; 0 when the problem concerns the whole file
	Column int
	// Path is the key path: "notifications.webhooks[1].url",
	// "drift_rules[0].conditions[0].pattern". Empty for file-level
	// problems such as YAML syntax errors.
	Path string
	Msg  string
}

// String renders "file:line: path: message". A message that starts with
// its own path ("notifications.webhook is defined twice …") is printed
// without repeating it.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Path != "" && !strings.HasPrefix(p.Msg, p.Path+" ") {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ValidationError lists every problem found in a file. Load and Parse
// collect all of them before returning, so one run shows the whole list.
type ValidationError struct {
	Problems []Problem
}

// Error prints one problem per line, in file order.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Column < ps[j].Column
	})
}
