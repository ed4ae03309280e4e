package action

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/internal/golden"
)

// TestGolden renders every output for the sample and the clean report.
func TestGolden(t *testing.T) {
	outputs := []struct {
		name string
		make func(w *bytes.Buffer) Output
	}{
		{"text.txt", func(w *bytes.Buffer) Output { return Text{W: w} }},
		{"records.ndjson", func(w *bytes.Buffer) Output { return JSONLines{W: w} }},
		{"sarif.json", func(w *bytes.Buffer) Output { return SARIF{W: w} }},
		{"summary.md", func(w *bytes.Buffer) Output { return Summary{W: w} }},
		{"annotations.txt", func(w *bytes.Buffer) Output { return Annotations{W: w} }},
		{"outputs.txt", func(w *bytes.Buffer) Output {
			return StepOutputs{W: w, JSONPath: "/runner/tmp/tfdrift.ndjson", SARIFPath: "drift results.sarif"}
		}},
	}
	reports := map[string]func() *Report{"sample": sampleReport, "clean": cleanReport}
	for name, report := range reports {
		for _, o := range outputs {
			t.Run(name+"/"+o.name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := o.make(&buf).Write(report()); err != nil {
					t.Fatal(err)
				}
				golden.Check(t, "testdata/golden/"+name+"-"+o.name, buf.Bytes())
			})
		}
	}
}

func TestReportCounts(t *testing.T) {
	r := sampleReport()
	if r.Count() != 3 || r.MaxSeverity() != "high" || len(r.Failed()) != 1 || r.AtOrAbove("medium") != 2 {
		t.Errorf("Count %d, MaxSeverity %q, Failed %d, AtOrAbove(medium) %d; want 3, high, 1, 2",
			r.Count(), r.MaxSeverity(), len(r.Failed()), r.AtOrAbove("medium"))
	}
	failed := r.Roots[2]
	r.Roots = r.Roots[:2]
	for _, tt := range []struct {
		failOn, want string
	}{
		{"none", "--fail-on none: drift never fails the check."},
		{"critical", "Nothing at or above critical."},
		{"low", "3 drifts at or above low: the check fails."},
	} {
		r.FailOn = tt.failOn
		if got := Headline(r); !strings.HasSuffix(got, tt.want) {
			t.Errorf("fail-on %s: headline %q, want it to end %q", tt.failOn, got, tt.want)
		}
	}
	r.Roots = append(r.Roots, failed)
	r.FailOn = "none"
	if got := Headline(r); !strings.HasSuffix(got, "The check fails: not every root module was checked.") {
		t.Errorf("with a failed root: headline %q", got)
	}
}

// TestAnnotationLines: each annotation is one line the runner reads as one
// command, whatever the drifted values hold.
func TestAnnotationLines(t *testing.T) {
	var buf bytes.Buffer
	if err := (Annotations{W: &buf}).Write(sampleReport()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 5 { // 4 drifted attributes or resources, 1 failed root
		t.Fatalf("%d lines, want 5:\n%s", len(lines), buf.String())
	}
	for _, l := range lines {
		cmd, rest, ok := strings.Cut(strings.TrimPrefix(l, "::"), "::")
		name, props, _ := strings.Cut(cmd, " ")
		if !ok || !strings.HasPrefix(l, "::") || (name != "error" && name != "warning" && name != "notice") {
			t.Errorf("not a workflow command: %q", l)
		}
		for _, p := range strings.Split(props, ",") {
			if k, _, ok := strings.Cut(p, "="); !ok || (k != "file" && k != "line" && k != "title") {
				t.Errorf("property %q of %q", p, l)
			}
		}
		if unescapeCommand.Replace(rest) == rest && strings.Contains(rest, "%") {
			t.Errorf("message %q has an unescaped %%", rest)
		}
	}
}
