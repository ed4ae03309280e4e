package config

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// minScrubPrefix is the shortest prefix of a secret's rendering that is
// scrubbed where the whole is not present: messages truncate long values
// ("first 40 characters…"). Secrets shorter than this are scrubbed whole
// only (and not at all under minScrubLen).
const (
	minScrubPrefix = 12
	minScrubLen    = 4
)

// scrubber replaces every rendering of secret values in a message with
// the variable's reference, ${NAME}: the raw value, its Go-quoted (%q)
// and JSON-escaped forms, and a truncated prefix of any of them at least
// minScrubPrefix bytes long. ASCII letters match whatever their case.
type scrubber struct{ pats []scrubPattern }

type scrubPattern struct {
	text string // one rendering of a secret
	min  int    // the shortest prefix of text that is replaced
	ref  string
}

func newScrubber(secrets map[string]string) *scrubber {
	s := &scrubber{}
	for v, name := range secrets {
		if len(v) < minScrubLen {
			continue
		}
		ref := "${" + name + "}"
		seen := map[string]bool{}
		for _, r := range renderings(v) {
			if r == "" || seen[r] {
				continue
			}
			seen[r] = true
			s.pats = append(s.pats, scrubPattern{text: r, min: min(len(r), max(minScrubPrefix, minScrubLen)), ref: ref})
		}
	}
	// Longest first, so that a secret containing another is replaced
	// whole; ties in a fixed order.
	sort.Slice(s.pats, func(i, j int) bool {
		a, b := s.pats[i], s.pats[j]
		if len(a.text) != len(b.text) {
			return len(a.text) > len(b.text)
		}
		return a.text < b.text
	})
	return s
}

// renderings are the forms a value takes in a message: raw; inside %q
// (strconv.Quote and QuoteToASCII); inside JSON, with and without HTML
// escaping.
func renderings(v string) []string {
	unquote := func(q string) string { return q[1 : len(q)-1] }
	out := []string{v, unquote(strconv.Quote(v)), unquote(strconv.QuoteToASCII(v))}
	for _, html := range []bool{false, true} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		if enc.Encode(v) == nil {
			out = append(out, unquote(strings.TrimSuffix(b.String(), "\n")))
		}
	}
	return out
}

// Scrub returns msg with every rendering of a secret replaced.
func (s *scrubber) Scrub(msg string) string {
	for _, p := range s.pats {
		msg = p.replace(msg)
	}
	return msg
}

// replace substitutes p.ref for every occurrence in msg of a prefix of
// p.text at least p.min bytes long, each as long as it matches.
func (p scrubPattern) replace(msg string) string {
	if len(msg) < p.min {
		return msg
	}
	lower, head := asciiLower(msg), asciiLower(p.text[:p.min])
	var b strings.Builder
	last := 0
	for i := 0; i+p.min <= len(msg); {
		k := strings.Index(lower[i:], head)
		if k < 0 {
			break
		}
		i += k
		n := p.min
		for n < len(p.text) && i+n < len(msg) && foldEq(msg[i+n], p.text[n]) {
			n++
		}
		b.WriteString(msg[last:i])
		b.WriteString(p.ref)
		i += n
		last = i
	}
	if last == 0 {
		return msg
	}
	b.WriteString(msg[last:])
	return b.String()
}

// asciiLower lower-cases ASCII letters only, so that offsets stay valid.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// foldEq compares bytes, ASCII letters without regard to case.
func foldEq(a, b byte) bool {
	if a == b {
		return true
	}
	if 'A' <= a && a <= 'Z' {
		a += 'a' - 'A'
	}
	if 'A' <= b && b <= 'Z' {
		b += 'a' - 'A'
	}
	return a == b
}
