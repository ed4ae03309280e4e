package rules

import "strings"

// matcher tests names against a list of patterns: exact names go in a map,
// globs ("*" any run of characters, "?" one character) are tried in turn.
// Unlike path.Match, "*" crosses "/" and ":", which ARNs need.
type matcher struct {
	exact map[string]struct{}
	globs []string
	any   bool // a bare "*"
}

func newMatcher(patterns []string) matcher {
	m := matcher{}
	for _, p := range patterns {
		switch {
		case p == "*":
			m.any = true
		case strings.ContainsAny(p, "*?"):
			m.globs = append(m.globs, p)
		default:
			if m.exact == nil {
				m.exact = make(map[string]struct{}, len(patterns))
			}
			m.exact[p] = struct{}{}
		}
	}
	return m
}

// empty reports whether the matcher has no patterns (a filter that is not set).
func (m matcher) empty() bool { return !m.any && len(m.exact) == 0 && len(m.globs) == 0 }

func (m matcher) match(s string) bool {
	if m.any {
		return true
	}
	if _, ok := m.exact[s]; ok {
		return true
	}
	for _, g := range m.globs {
		if globMatch(g, s) {
			return true
		}
	}
	return false
}

// globMatch reports whether s matches pattern, where "*" matches any run of
// bytes and "?" any single byte. It backtracks only to the last star, so it
// runs in O(len(pattern)*len(s)) at worst.
func globMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
