package action

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"
	"strings"
)

// Output names: the step outputs the check writes and action.yml
// forwards. They are a contract with every workflow that reads them.
const (
	OutputHasDrift    = "has-drift"
	OutputDriftCount  = "drift-count"
	OutputMaxSeverity = "max-severity"
	OutputReportJSON  = "report-json"
	OutputReportSARIF = "report-sarif"
)

// OutputNames lists the step outputs in the order they are written.
var OutputNames = []string{OutputHasDrift, OutputDriftCount, OutputMaxSeverity, OutputReportJSON, OutputReportSARIF}

// NoSeverity is max-severity's value when there is no drift.
const NoSeverity = "none"

// StepOutputs appends the step outputs to the $GITHUB_OUTPUT file:
// has-drift (true or false), drift-count (drifted resources),
// max-severity (the highest severity, or "none"), report-json and
// report-sarif (the paths of the reports, empty when not written). All
// five are always written, so a clean run says has-drift=false and
// drift-count=0 rather than nothing.
type StepOutputs struct {
	W io.Writer
	// JSONPath and SARIFPath are the report paths as given to the check.
	JSONPath, SARIFPath string
}

// Write implements Output.
func (s StepOutputs) Write(r *Report) error {
	max := string(r.MaxSeverity())
	if max == "" {
		max = NoSeverity
	}
	values := map[string]string{
		OutputHasDrift:    strconv.FormatBool(r.Count() > 0),
		OutputDriftCount:  strconv.Itoa(r.Count()),
		OutputMaxSeverity: max,
		OutputReportJSON:  s.JSONPath,
		OutputReportSARIF: s.SARIFPath,
	}
	var b strings.Builder
	for _, name := range OutputNames {
		b.WriteString(FormatOutput(name, values[name]))
	}
	_, err := io.WriteString(s.W, b.String())
	return err
}

// FormatOutput renders one entry of a $GITHUB_OUTPUT (or $GITHUB_ENV)
// file. A one-line value is "name=value"; a value holding a line break
// uses the runner's delimiter form
//
//	name<<DELIMITER
//	value
//	DELIMITER
//
// with a delimiter derived from the value's hash and lengthened until no
// line of the value equals it, so a value can never end its own entry.
// Line breaks in the value are written as LF.
func FormatOutput(name, value string) string {
	if !strings.ContainsAny(value, "\r\n") {
		return name + "=" + value + "\n"
	}
	// The runner reads CR, LF and CRLF as line ends and hands the value on
	// with LF; writing LF only keeps a CR before the closing line break
	// from merging with it.
	value = strings.ReplaceAll(strings.ReplaceAll(value, "\r\n", "\n"), "\r", "\n")
	sum := sha256.Sum256([]byte(value))
	delim := "tfdrift_" + hex.EncodeToString(sum[:8])
	for containsLine(value, delim) {
		delim += "_"
	}
	return name + "<<" + delim + "\n" + value + "\n" + delim + "\n"
}

// containsLine reports whether some line of s equals line. Lines end at
// LF, CR or CRLF: the runner reads the file with a line reader that
// accepts all three.
func containsLine(s, line string) bool {
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }) {
		if l == line {
			return true
		}
	}
	return false
}
