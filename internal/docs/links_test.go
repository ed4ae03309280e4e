package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// markdownFiles are README.md and docs/*.md.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{filepath.Join(root, "README.md")}, files...)
}

var (
	// inlineLink is [text](target) and ![alt](target); the target stops
	// at a space (an optional "title") or the closing parenthesis.
	inlineLink = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	fence      = regexp.MustCompile("^\\s*(```|~~~)")
	codeSpan   = regexp.MustCompile("`[^`]*`")
	heading    = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
)

// TestRelativeLinksResolve: every relative link in README.md and
// docs/*.md names a file or directory that exists, and an anchor names a
// heading of the file it points into.
func TestRelativeLinksResolve(t *testing.T) {
	anchorsOf := map[string]map[string]bool{}
	anchors := func(path string) map[string]bool {
		if a, ok := anchorsOf[path]; ok {
			return a
		}
		a := map[string]bool{}
		if data, err := os.ReadFile(path); err == nil {
			for _, line := range proseLines(string(data)) {
				if m := heading.FindStringSubmatch(line); m != nil {
					slug := slugify(m[1])
					for n := 1; a[slug]; n++ { // GitHub numbers repeated headings
						slug = slugify(m[1]) + "-" + itoa(n)
					}
					a[slug] = true
				}
			}
		}
		anchorsOf[path] = a
		return a
	}
	links := 0
	for _, file := range markdownFiles(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range proseLines(string(data)) {
			for _, m := range inlineLink.FindAllStringSubmatch(codeSpan.ReplaceAllString(line, ""), -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				links++
				where := filepath.Base(file) + ":" + itoa(i+1)
				path, anchor, _ := strings.Cut(target, "#")
				dest := file
				if path != "" {
					dest = filepath.Join(filepath.Dir(file), filepath.FromSlash(path))
					if _, err := os.Stat(dest); err != nil {
						t.Errorf("%s: link %s: %v", where, target, err)
						continue
					}
				}
				if anchor != "" && strings.HasSuffix(dest, ".md") && !anchors(dest)[anchor] {
					t.Errorf("%s: link %s: no heading with anchor #%s in %s", where, target, anchor, filepath.Base(dest))
				}
			}
		}
	}
	if links < 10 {
		t.Errorf("found only %d relative links: is the link pattern right?", links)
	}
}

// proseLines returns the lines of a Markdown file with fenced code blocks
// blanked, so that line numbers stay right and code is not read as links.
func proseLines(doc string) []string {
	lines := strings.Split(doc, "\n")
	in := false
	for i, l := range lines {
		if fence.MatchString(l) {
			in = !in
			lines[i] = ""
			continue
		}
		if in {
			lines[i] = ""
		}
	}
	return lines
}

// slugify is GitHub's anchor for a heading: lower case, code and
// punctuation marks dropped except hyphens and underscores, spaces turned
// into hyphens.
func slugify(h string) string {
	h = strings.ReplaceAll(h, "`", "")
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && isLetterOrDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func itoa(n int) string { return strconv.Itoa(n) }
