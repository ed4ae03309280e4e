package ghissue

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// Markers are read back from bodies anyone with triage rights can edit:
// reading never fails badly, a marker survives any surrounding text, and
// two resources never share one.
func FuzzMarkers(f *testing.F) {
	f.Add("s3://b/prod.tfstate", "default", `aws_instance.a["k"]`, "s3://b/prod.tfstate", "", `aws_instance.a["k"]`, "text")
	f.Add("x#y", "a/b", `a.b["--> <!-- "]`, "x", "y/a#b", `a.b["--> <!-- "]`, "<!-- tfdrift:resource=x -->")
	f.Add("", "", "a.b", "/", "", "a.b", historyPrefix+"H4sI -->")
	f.Add("st", "ws", "a.b/c", "st/a.b", "ws", "c", overflowPrefix+base64.RawURLEncoding.EncodeToString([]byte("not gzip"))+markerEnd)
	f.Fuzz(func(t *testing.T, state1, ws1, addr1, state2, ws2, addr2, body string) {
		// Whatever the body, reading it does not panic.
		ParseMarker(body)
		ParseHistory(body)
		parseOverflow(body)
		IsOverflow(body)

		d1 := &drift.Drift{ResourceAddress: addr1, Terraform: drift.Location{State: state1, Workspace: ws1}}
		d2 := &drift.Drift{ResourceAddress: addr2, Terraform: drift.Location{State: state2, Workspace: ws2}}
		if addr1 == "" || addr2 == "" {
			return
		}
		id := ResourceID(d1)
		if strings.ContainsAny(id, " \t\r\n<>") || !utf8.ValidString(id) {
			t.Fatalf("ResourceID %q could end its comment early", id)
		}
		if got, ok := ParseMarker(Marker(d1) + body); !ok || got != id {
			t.Fatalf("ParseMarker(Marker + %q) = %q, %v; want %q", body, got, ok, id)
		}
		norm := func(ws string) string {
			if ws == "" {
				return "default"
			}
			return ws
		}
		same := state1 == state2 && norm(ws1) == norm(ws2) && addr1 == addr2
		if (ResourceID(d2) == id) != same {
			t.Fatalf("(%q, %q, %q) and (%q, %q, %q): IDs %q and %q", state1, ws1, addr1, state2, ws2, addr2, id, ResourceID(d2))
		}
	})
}

// The escaping keeps any text inside its code span or its sentence: no
// line break, no table cell break, no HTML, no mention, no reference.
func FuzzMarkdownEscaping(f *testing.F) {
	for _, s := range []string{"", "`", "``a``", " x ", "a|b", `\|`, "<script>alert(1)</script>", "@octocat", "see #12 and GH-7",
		"acme/infra#3", "line1\nline2\r\n", "\x00\x01\u2028", "*bold* _it_ [l](u) ![i](u) ~~s~~", "\xff\xfe", "@", "#", "GH-", "a & b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, cell := range []bool{false, true} {
			c := code(s, cell)
			if strings.ContainsAny(c, "\r\n") || !utf8.ValidString(c) {
				t.Fatalf("code(%q) = %q breaks the line", s, c)
			}
			if oneLine(s) == "" {
				continue
			}
			n := longestRun(c, '`')
			fence := strings.Repeat("`", n)
			inner, ok := strings.CutPrefix(c, fence)
			if !ok || !strings.HasSuffix(inner, fence) {
				t.Fatalf("code(%q) = %q is not fenced by its longest run of backticks", s, c)
			}
			if cell {
				for i := 0; i < len(c); i++ {
					if c[i] == '|' && (i == 0 || c[i-1] != '\\') {
						t.Fatalf("code(%q, cell) = %q has an unescaped pipe", s, c)
					}
				}
			}
		}
		x := text(s)
		if strings.ContainsAny(x, "\r\n<>") || !utf8.ValidString(x) {
			t.Fatalf("text(%q) = %q holds a line break or HTML", s, x)
		}
		for i := 0; i < len(x); i++ {
			ch := x[i]
			switch {
			case ch == '\\':
				i++ // the escaped character; "\#" is still a reference
				if i < len(x) && x[i] == '#' {
					if r, _ := utf8.DecodeRuneInString(x[i+1:]); isWord(r) {
						t.Fatalf("text(%q) = %q keeps a reference", s, x)
					}
				}
			case strings.IndexByte(mdPunct, ch) >= 0:
				t.Fatalf("text(%q) = %q leaves %q unescaped", s, x, ch)
			case ch == '@':
				if r, _ := utf8.DecodeRuneInString(x[i+1:]); isWord(r) {
					t.Fatalf("text(%q) = %q keeps a mention", s, x)
				}
			}
		}
		if h := htmlText(s); strings.ContainsAny(h, "<>\r\n") {
			t.Fatalf("htmlText(%q) = %q", s, h)
		}
		fb := fenced(s, "")
		if lines := strings.Split(strings.TrimSuffix(fb, "\n"), "\n"); !strings.HasPrefix(lines[len(lines)-1], "```") || lines[0] != lines[len(lines)-1] {
			t.Fatalf("fenced(%q) = %q does not close with its own fence", s, fb)
		}
	})
}
