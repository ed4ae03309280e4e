package action

import (
	"strings"
	"testing"
)

// parseOutputFile reads a $GITHUB_OUTPUT file as the runner does: lines
// end at LF, CR or CRLF; "name=value", or "name<<DELIM" then value lines
// up to a line equal to DELIM, joined with LF.
func parseOutputFile(t *testing.T, s string) map[string][]string {
	t.Helper()
	lines := splitKeepEmpty(s)
	out := map[string][]string{}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l == "" {
			continue
		}
		eq, hd := strings.Index(l, "="), strings.Index(l, "<<")
		if eq >= 0 && (hd < 0 || eq < hd) {
			out[l[:eq]] = append(out[l[:eq]], l[eq+1:])
			continue
		}
		if hd < 0 {
			t.Fatalf("line %q is neither name=value nor name<<DELIM", l)
		}
		name, delim := l[:hd], l[hd+2:]
		var val []string
		for i++; ; i++ {
			if i >= len(lines) {
				t.Fatalf("no closing delimiter %q", delim)
			}
			if lines[i] == delim {
				break
			}
			val = append(val, lines[i])
		}
		out[name] = append(out[name], strings.Join(val, "\n"))
	}
	return out
}

func splitKeepEmpty(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// FuzzFormatOutput: any value, multi-line or holding what looks like a
// delimiter, reads back as exactly one entry with that value.
func FuzzFormatOutput(f *testing.F) {
	for _, s := range []string{"", "plain", "two\nlines", "a=b<<c", "x\r\ny", "tfdrift_0000\n", "ghadelimiter\nEOF\n", "\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		file := FormatOutput("report-json", value) + FormatOutput("has-drift", "true")
		got := parseOutputFile(t, file)
		want := strings.ReplaceAll(strings.ReplaceAll(value, "\r\n", "\n"), "\r", "\n")
		if !strings.ContainsAny(value, "\r\n") {
			want = value
		}
		if len(got["report-json"]) != 1 || got["report-json"][0] != want {
			t.Fatalf("value %q read back as %q", value, got["report-json"])
		}
		if len(got["has-drift"]) != 1 || got["has-drift"][0] != "true" || len(got) != 2 {
			t.Fatalf("value %q disturbed the next entry: %q", value, got)
		}
	})
}

// unescapeCommand reverses the toolkit's escaping, as the runner does.
var unescapeCommand = strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%")

// FuzzWorkflowCommand: an escaped value stays on one line, a property
// holds no separator, and the runner gets the original text back.
func FuzzWorkflowCommand(f *testing.F) {
	for _, s := range []string{"", "a,b:c", "100%", "%0A", "line\nnext", "::error::x", "\r\n%25"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, d := EscapeProperty(s), EscapeData(s)
		if strings.ContainsAny(p, "\r\n:,") || strings.ContainsAny(d, "\r\n") {
			t.Fatalf("escaped %q as property %q, data %q", s, p, d)
		}
		if got := unescapeCommand.Replace(p); got != s {
			t.Fatalf("property %q reads back as %q", s, got)
		}
		if got := unescapeCommand.Replace(d); got != s {
			t.Fatalf("data %q reads back as %q", s, got)
		}
	})
}

// FuzzMarkdownCell: no text can open markup or a table cell.
func FuzzMarkdownCell(f *testing.F) {
	for _, s := range []string{"a|b", "<script>", "`x`", "*bold*", "[l](u)", "$x$", "line\nnext", "&amp;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{md(s), strings.TrimSuffix(strings.TrimPrefix(code(s), "<code>"), "</code>")} {
			if strings.ContainsAny(out, "|<>`*_~[]$\n\r\\\"'") {
				t.Fatalf("md(%q) = %q keeps a markup character", s, out)
			}
		}
		body := fenced(s)
		fence := body[:strings.Index(body, "text\n")]
		if strings.Contains(strings.TrimSuffix(strings.TrimPrefix(body, fence+"text\n"), fence+"\n"), fence) {
			t.Fatalf("fenced(%q) = %q: the text holds the fence", s, body)
		}
	})
}
