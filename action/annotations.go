package action

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// Annotations writes GitHub Actions workflow commands that annotate the
// code: one ::error, ::warning or ::notice per drifted attribute (per
// deleted resource), at the attribute's line, by severity (critical and
// high: error, medium: warning, low and info: notice), and one ::error per
// root that could not be checked. The runner reads them from the step's
// stdout.
//
// Every value is escaped as the Actions toolkit escapes it, so a drifted
// value holding a newline, "::" or a comma cannot end the command early or
// start another one.
type Annotations struct {
	W io.Writer
}

// Write implements Output.
func (a Annotations) Write(r *Report) error {
	w := bufio.NewWriter(a.W)
	for _, root := range r.Roots {
		if root.Err != nil {
			writeCommand(w, "error", []prop{{"title", "tfdrift check: root module " + root.Dir + " was not checked"}}, root.Err.Error())
			continue
		}
		for _, d := range root.Drifts {
			for _, attr := range attrs(d) {
				file, line, declared := root.position(d, attr)
				var props []prop
				if file != "" {
					props = append(props, prop{"file", file})
					if line > 0 {
						props = append(props, prop{"line", strconv.Itoa(line)})
					}
				}
				props = append(props, prop{"title", annotationTitle(d, attr)})
				msg := resultText(d, attr)
				if !declared {
					msg += " " + notDeclared
				}
				writeCommand(w, annotationLevel(d.Severity), props, oneLine(msg, 1000))
			}
		}
	}
	return w.Flush()
}

func annotationLevel(s drift.Severity) string {
	switch {
	case s.AtLeast(drift.High):
		return "error"
	case s.AtLeast(drift.Medium):
		return "warning"
	}
	return "notice"
}

func annotationTitle(d Drift, attr string) string {
	what := joinAttr(d.ResourceAddress, attr)
	if attr == "" {
		what += " " + string(d.ChangeType)
	}
	return fmt.Sprintf("tfdrift: %s drift: %s", d.Severity, what)
}

// prop is one key=value of a workflow command, in order.
type prop struct{ key, value string }

// writeCommand writes "::name k=v,k=v::message\n".
func writeCommand(w io.Writer, name string, props []prop, message string) {
	var b strings.Builder
	b.WriteString("::")
	b.WriteString(name)
	for i, p := range props {
		if i == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(p.key)
		b.WriteByte('=')
		b.WriteString(EscapeProperty(p.value))
	}
	b.WriteString("::")
	b.WriteString(EscapeData(message))
	b.WriteByte('\n')
	io.WriteString(w, b.String())
}

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// EscapeData escapes a workflow command's message: %, CR and LF.
func EscapeData(s string) string { return dataEscaper.Replace(s) }

// EscapeProperty escapes a workflow command's property value: %, CR, LF,
// ':' and ','.
func EscapeProperty(s string) string { return propertyEscaper.Replace(s) }
