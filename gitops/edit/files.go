package edit

import (
	"bytes"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// srcFile is one file Accept reads and possibly edits. Edits are byte
// splices on the original text, so everything they do not cover stays
// byte-identical (hclwrite's own round trip would not: it re-spaces
// trailing comments).
type srcFile struct {
	path string // repo-relative, slash-separated
	src  []byte
	json bool
	body *hclsyntax.Body // native syntax only

	splices []splice
	notes   []Note
}

// splice replaces src[start:end] with text.
type splice struct {
	start, end int
	text       string
}

func isJSONFile(name string) bool { return strings.HasSuffix(name, ".json") }

// file returns the parsed file, reading it on first use.
func (e *engine) file(name string) (*srcFile, error) {
	if f, ok := e.files[name]; ok {
		return f, nil
	}
	src, err := fs.ReadFile(e.fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	f := &srcFile{path: name, src: src, json: isJSONFile(name)}
	if f.json {
		if _, diags := hcljson.Parse(src, name); diags.HasErrors() {
			return nil, fmt.Errorf("parse %s: %s", name, diags.Error())
		}
	} else {
		hf, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, fmt.Errorf("parse %s: %s", name, diags.Error())
		}
		f.body = hf.Body.(*hclsyntax.Body)
	}
	e.files[name] = f
	return f, nil
}

// text returns the source of a range, as written.
func (f *srcFile) text(r hcl.Range) string {
	if r.Start.Byte < 0 || r.End.Byte > len(f.src) || r.Start.Byte > r.End.Byte {
		return ""
	}
	return string(f.src[r.Start.Byte:r.End.Byte])
}

// lineOf returns the 1-based line of a byte offset.
func (f *srcFile) lineOf(off int) int {
	if off > len(f.src) {
		off = len(f.src)
	}
	return bytes.Count(f.src[:off], []byte{'\n'}) + 1
}

// lineStart is the offset of the first byte of off's line.
func (f *srcFile) lineStart(off int) int {
	return bytes.LastIndexByte(f.src[:off], '\n') + 1
}

// lineEnd is the offset just past off's line, newline included.
func (f *srcFile) lineEnd(off int) int {
	if i := bytes.IndexByte(f.src[off:], '\n'); i >= 0 {
		return off + i + 1
	}
	return len(f.src)
}

// indentAt is the leading whitespace of off's line.
func (f *srcFile) indentAt(off int) string {
	s := f.lineStart(off)
	e := s
	for e < len(f.src) && (f.src[e] == ' ' || f.src[e] == '\t') {
		e++
	}
	return string(f.src[s:e])
}

// aloneOnLines reports whether [start,end) is the only thing on its lines
// apart from whitespace and a trailing comment.
func (f *srcFile) aloneOnLines(start, end int) bool {
	before := f.src[f.lineStart(start):start]
	if len(bytes.TrimSpace(before)) != 0 {
		return false
	}
	le := f.lineEnd(end)
	after := bytes.TrimSpace(f.src[end:le])
	after = bytes.TrimPrefix(after, []byte{','})
	after = bytes.TrimSpace(after)
	return len(after) == 0 || after[0] == '#' || bytes.HasPrefix(after, []byte("//")) || bytes.HasPrefix(after, []byte("/*"))
}

func isCommentLine(line []byte) bool {
	t := bytes.TrimSpace(line)
	return bytes.HasPrefix(t, []byte("#")) || bytes.HasPrefix(t, []byte("//")) ||
		(bytes.HasPrefix(t, []byte("/*")) && bytes.HasSuffix(t, []byte("*/")))
}

func isBlankLine(line []byte) bool { return len(bytes.TrimSpace(line)) == 0 }

// prevLine returns the bounds of the line before the one starting at ls.
func (f *srcFile) prevLine(ls int) (int, int, bool) {
	if ls == 0 {
		return 0, 0, false
	}
	return f.lineStart(ls - 1), ls, true
}

// removalRange widens [start,end) to whole lines, with the comment lines
// directly above (which hclwrite also treats as belonging to the item) and,
// when blankToo, one blank line around it so a removed block leaves no
// double gap.
func (f *srcFile) removalRange(start, end int, blankToo bool) (int, int) {
	s, e := f.lineStart(start), f.lineEnd(end)
	for {
		ps, pe, ok := f.prevLine(s)
		if !ok || !isCommentLine(f.src[ps:pe]) {
			break
		}
		s = ps
	}
	if !blankToo {
		return s, e
	}
	if ps, pe, ok := f.prevLine(s); ok && isBlankLine(f.src[ps:pe]) {
		return ps, e
	}
	if e < len(f.src) {
		ne := f.lineEnd(e)
		if isBlankLine(f.src[e:ne]) && ne < len(f.src) {
			return s, ne
		}
	}
	return s, e
}

// unit is a span formatted as a whole after editing: a top-level block,
// or the whole file for variable files (top-level attributes align with
// each other).
type unit struct{ start, end int }

func (f *srcFile) units() []unit {
	if f.body == nil {
		return nil
	}
	if len(f.body.Attributes) > 0 {
		return []unit{{0, len(f.src)}}
	}
	var out []unit
	for _, b := range f.body.Blocks {
		r := b.Range()
		out = append(out, unit{r.Start.Byte, r.End.Byte})
	}
	return out
}

// result applies the splices. In native files every top-level block that
// was hclwrite.Format-clean before is formatted again after, so realigned
// "=" signs and new lines look like terraform fmt wrote them; blocks that
// were not clean keep their own layout (only the new text is formatted).
func (f *srcFile) result() ([]byte, error) {
	sp := append([]splice(nil), f.splices...)
	sort.Slice(sp, func(i, j int) bool {
		if sp[i].start != sp[j].start {
			return sp[i].start < sp[j].start
		}
		return sp[i].end < sp[j].end
	})
	for i := 1; i < len(sp); i++ {
		if sp[i].start < sp[i-1].end {
			return nil, fmt.Errorf("%s: overlapping edits at bytes %d and %d", f.path, sp[i-1].start, sp[i].start)
		}
	}
	// newPos maps an offset outside every splice to the output.
	newPos := func(orig int) int {
		pos := orig
		for _, s := range sp {
			if s.end <= orig {
				pos += len(s.text) - (s.end - s.start)
			}
		}
		return pos
	}
	type touched struct{ start, end int }
	var ts []touched
	for _, u := range f.units() {
		orig := f.src[u.start:u.end]
		for _, s := range sp {
			if s.start >= u.start && s.end <= u.end {
				if bytes.Equal(hclwrite.Format(orig), orig) {
					ts = append(ts, touched{newPos(u.start), newPos(u.end)})
				}
				break
			}
		}
	}
	var out bytes.Buffer
	last := 0
	for _, s := range sp {
		out.Write(f.src[last:s.start])
		out.WriteString(s.text)
		last = s.end
	}
	out.Write(f.src[last:])
	b := out.Bytes()
	for i := len(ts) - 1; i >= 0; i-- {
		t := ts[i]
		formatted := hclwrite.Format(b[t.start:t.end])
		nb := make([]byte, 0, len(b)+len(formatted))
		nb = append(nb, b[:t.start]...)
		nb = append(nb, formatted...)
		nb = append(nb, b[t.end:]...)
		b = nb
	}
	return b, nil
}

// checkParses re-parses an edited file: Accept never hands back code that
// Terraform could not read.
func checkParses(name string, src []byte) error {
	var diags hcl.Diagnostics
	if isJSONFile(name) {
		_, diags = hcljson.Parse(src, name)
	} else {
		_, diags = hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	}
	if diags.HasErrors() {
		return fmt.Errorf("edited %s does not parse (this is a tfdrift bug): %s", name, diags.Error())
	}
	return nil
}
