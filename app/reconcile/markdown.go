package reconcile

import (
	"strings"
	"unicode/utf8"
)

// Markdown helpers: every value that comes from a drift, the cloud or a
// repository is printed through one of these, so none can break out of
// its code span, table cell or fence, or inject markup.

// code is s as an inline code span, with a fence longer than any run of
// backticks in s.
func code(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r", " "), "\n", " ")
	ticks := strings.Repeat("`", longestRun(s, '`')+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || s == "" {
		pad = " "
	}
	return ticks + pad + s + pad + ticks
}

// fence is text as a fenced code block of lang, with a fence longer than
// any run of backticks in text.
func fence(lang, text string) string {
	ticks := strings.Repeat("`", max(3, longestRun(text, '`')+1))
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return ticks + lang + "\n" + text + ticks + "\n"
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// cell makes s safe in a table cell: one line of escaped text (pipes
// included), cut to limit bytes before escaping, so that no cut can
// leave a lone backslash before the cell's closing pipe.
func cell(s string, limit int) string { return text(clip(s, limit)) }

// text makes s safe as Markdown prose: markup characters escaped.
func text(s string) string {
	var b strings.Builder
	for _, r := range strings.NewReplacer("\r", " ", "\n", " ").Replace(s) {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~', '!', '@':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// clip cuts s to at most n bytes on a character boundary, marking the
// cut with an ellipsis.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := max(n-len("…"), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// details is a collapsed block.
func details(summary, body string) string {
	return "<details><summary>" + htmlEscape(summary) + "</summary>\n\n" + body + "\n</details>\n"
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
