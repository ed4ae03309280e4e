package ghissue

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Everything user-controlled (addresses, values, user names, a resolve
// note) reaches Markdown through one of these. Two rules make it safe:
//
//   - identifiers and values go in code spans (code), inside which GitHub
//     interprets no Markdown, no HTML, no @mention and no #reference;
//   - free text (a reason, the detector's diff line) goes through text,
//     which escapes Markdown and HTML and breaks mentions and references
//     with a zero-width space, so nobody is pinged and no other issue gets
//     a "mentioned this" backlink.
//
// Both keep to one line: a table row, or a sentence, must not be broken
// by a value's newline.

// zwsp breaks "@name" and "#12" so GitHub links neither.
const zwsp = "\u200b"

// oneLine replaces line breaks, tabs and other control characters with
// spaces (C0, DEL and C1 controls: none belong in a Markdown line), and
// invalid UTF-8 with U+FFFD.
func oneLine(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if isControl(r) {
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029'
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	best, cur := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}

// code renders s as an inline code span on one line. cell is set for a
// table cell: GitHub splits a row on "|" even inside a code span, so
// pipes are escaped there (the table parser removes the backslash before
// the code span is read). An empty s is shown as "(empty)".
func code(s string, cell bool) string {
	s = oneLine(s)
	if s == "" {
		return "*(empty)*"
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	// A span that starts or ends with a backtick or a space needs padding:
	// CommonMark strips one space from each end when both are there.
	if s[0] == '`' || s[len(s)-1] == '`' || s[0] == ' ' || s[len(s)-1] == ' ' {
		s = " " + s + " "
	}
	if cell {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	return fence + s + fence
}

// mdPunct are the characters text backslash-escapes: everything that
// starts or ends inline Markdown in the middle of a line.
const mdPunct = "\\`*_[]()!|~#"

// text renders free text safely on one line: Markdown punctuation
// escaped, <, > and & as entities, and "@name" and "#12" broken so they
// are neither mentions nor references. It is safe in a table cell.
func text(s string) string {
	s = oneLine(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, r := range s {
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '@' || r == '#':
			if r == '#' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
			// A mention or reference needs a word character right after;
			// a zero-width space denies it one. "GH-12" is a reference
			// too: its digits get the same.
			if next, _ := utf8.DecodeRuneInString(s[i+1:]); isWord(next) {
				b.WriteString(zwsp)
			}
		case r == '-' && i >= 2 && strings.EqualFold(s[i-2:i], "gh"):
			b.WriteRune(r)
			b.WriteString(zwsp)
		case r < utf8.RuneSelf && strings.ContainsRune(mdPunct, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isWord(r rune) bool {
	return r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// htmlText escapes s for an HTML context (a <summary>), on one line,
// with mentions and references broken as in text.
func htmlText(s string) string {
	s = html.EscapeString(oneLine(s))
	s = strings.ReplaceAll(s, "@", "@"+zwsp)
	return strings.ReplaceAll(s, "#", "#"+zwsp)
}

// fenced renders s as a fenced code block whose fence is longer than any
// run of backticks in s, so nothing inside can close it. lang may be "".
func fenced(s, lang string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return fence + lang + "\n" + s + fence + "\n"
}

// truncateRunes cuts s to at most n runes, ending in "…" when it cut.
func truncateRunes(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	return s[:i] + "…"
}
