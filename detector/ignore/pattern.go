package ignore

import (
	"errors"
	"strings"
)

// ptok is one compiled pattern token.
type ptok struct {
	text       string // glob text ('*' wildcards) for names and keys
	key        bool   // a bracketed key: web[0] compiles to "web", key "0"
	doubleStar bool   // '**': any number of segments
	star       bool   // exactly '*': one segment, or a whole resource
	literal    bool   // no wildcard: compared with ==
}

// pattern is one compiled line of the ignore file.
type pattern struct {
	toks []ptok
	// stars counts '**' tokens; with more than one, matching memoises so a
	// hostile pattern cannot make it exponential.
	stars int
}

func compilePattern(s string) (pattern, error) {
	segs, err := splitSegments(s)
	if err != nil {
		return pattern{}, err
	}
	var p pattern
	for _, sg := range segs {
		switch {
		case sg.name == "**":
			if len(sg.keys) > 0 {
				return pattern{}, errors.New("'**' cannot take an instance key")
			}
			// "**.**" means the same as "**"; collapsing keeps matching linear.
			if n := len(p.toks); n > 0 && p.toks[n-1].doubleStar {
				continue
			}
			p.toks = append(p.toks, ptok{doubleStar: true})
			p.stars++
			continue
		case strings.Contains(sg.name, "**"):
			return pattern{}, errors.New("'**' must be a whole segment (between dots)")
		case sg.name == "":
			return pattern{}, errors.New("instance key without a name")
		}
		p.toks = append(p.toks, newTok(sg.name, false))
		for _, k := range sg.keys {
			p.toks = append(p.toks, newTok(k, true))
		}
	}
	return p, nil
}

func newTok(text string, key bool) ptok {
	return ptok{
		text:    text,
		key:     key,
		star:    text == "*",
		literal: !strings.Contains(text, "*"),
	}
}

func (t ptok) matches(s string) bool {
	if t.literal {
		return t.text == s
	}
	return glob(t.text, s)
}

// glob matches s against a pattern where '*' stands for any run of bytes
// (no other metacharacters: names never contain them).
func glob(pat, s string) bool {
	// Classic two-pointer wildcard match with a single backtrack point:
	// linear in practice, never exponential.
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		switch {
		case pi < len(pat) && pat[pi] == '*':
			starP, starS = pi, si
			pi++
		case pi < len(pat) && pat[pi] == s[si]:
			pi++
			si++
		case starP >= 0:
			pi = starP + 1
			starS++
			si = starS
		default:
			return false
		}
	}
	for pi < len(pat) && pat[pi] == '*' {
		pi++
	}
	return pi == len(pat)
}
