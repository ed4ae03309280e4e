package ignore

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// FileName is the conventional name of the ignore file at a repo root.
const FileName = ".tfdriftignore"

// maxLine bounds one line of the file; an address plus attribute path is
// far shorter, so a longer line is a wrong file, not a pattern.
const maxLine = 64 * 1024

// Rule is one pattern line of an ignore file.
type Rule struct {
	// Pattern is the line as written, without the leading '!'.
	Pattern string
	// Negate is set for a '!' line: a match re-includes.
	Negate bool
	// File and Line say where the rule was read, for "ignored by …"
	// messages.
	File string
	Line int

	compiled pattern
}

// Matcher answers whether a drifted attribute is ignored. The zero value
// and a nil *Matcher ignore nothing. A Matcher is immutable after Parse and
// safe for concurrent use.
type Matcher struct {
	rules []Rule
}

// Parse reads gitignore-style patterns from r. name is used in errors
// ("NAME:LINE: …") and in Rule.File.
func Parse(name string, r io.Reader) (*Matcher, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	m := &Matcher{}
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rule := Rule{File: name, Line: lineNo}
		if strings.HasPrefix(line, "!") {
			rule.Negate = true
			line = strings.TrimSpace(line[1:])
			if line == "" {
				return nil, fmt.Errorf("%s:%d: '!' without a pattern", name, lineNo)
			}
		}
		// A comment may follow a pattern after whitespace; '#' cannot
		// appear in an address outside a quoted key.
		if i := trailingComment(line); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		p, err := compilePattern(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: pattern %q: %w", name, lineNo, line, err)
		}
		rule.Pattern = line
		rule.compiled = p
		m.rules = append(m.rules, rule)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes", name, lineNo+1, maxLine)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

// trailingComment returns the index of a " #" comment outside brackets, or
// -1.
func trailingComment(line string) int {
	depth, quoted := 0, false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case quoted:
			if c == '\\' {
				i++
			} else if c == '"' {
				quoted = false
			}
		case c == '"':
			quoted = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '#' && depth == 0 && i > 0 && (line[i-1] == ' ' || line[i-1] == '\t'):
			return i
		}
	}
	return -1
}

// Load reads the ignore file at path. A missing file is not an error: it
// yields an empty Matcher, because most repos have none.
func Load(path string) (*Matcher, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Matcher{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ignore file: %w", err)
	}
	defer f.Close()
	return Parse(path, f)
}

// Ignored reports whether the attribute of the resource at address is
// ignored. address is a resource instance address as state writes it
// (module.app[0].aws_instance.web["a"]); attribute is a path such as
// "tags", "tags.Owner" or "ingress.0.cidr_blocks", or "" to ask whether
// the whole resource is ignored. An address that cannot be parsed is never
// ignored: hiding drift by mistake is worse than reporting it.
func (m *Matcher) Ignored(address, attribute string) bool {
	r, ok := m.Match(address, attribute)
	return ok && !r.Negate
}

// Match returns the rule that decides for address and attribute (the last
// matching line) and whether any line matched. A negated rule means the
// attribute is explicitly re-included.
func (m *Matcher) Match(address, attribute string) (Rule, bool) {
	if m == nil || len(m.rules) == 0 {
		return Rule{}, false
	}
	s, err := subject(address, attribute)
	if err != nil {
		return Rule{}, false
	}
	// Last match wins, so scan from the end and stop at the first hit.
	for i := len(m.rules) - 1; i >= 0; i-- {
		if m.rules[i].compiled.match(s) {
			return m.rules[i], true
		}
	}
	return Rule{}, false
}

// Len returns the number of pattern lines.
func (m *Matcher) Len() int {
	if m == nil {
		return 0
	}
	return len(m.rules)
}

// Rules returns the pattern lines in file order.
func (m *Matcher) Rules() []Rule {
	if m == nil {
		return nil
	}
	return append([]Rule(nil), m.rules...)
}
