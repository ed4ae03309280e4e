package ignore

import (
	"fmt"
	"strconv"
	"strings"
)

// segment is one dot-separated part of an address, attribute path or
// pattern: a name with zero or more bracketed keys (web["a"], ingress[0]).
type segment struct {
	name string
	keys []string // unquoted key text: `"a"` becomes a, 0 stays 0
}

// splitSegments splits s at dots outside brackets and quotes. It is the one
// lexer for patterns, addresses and attribute paths, so a key that contains
// a dot (tags["kubernetes.io/role"]) survives in all three.
func splitSegments(s string) ([]segment, error) {
	var (
		segs []segment
		cur  segment
		name strings.Builder
		// afterKey is set once a key closed the current segment's name, so
		// only another key or a dot may follow.
		afterKey bool
	)
	flush := func(pos int) error {
		cur.name = name.String()
		if cur.name == "" && len(cur.keys) == 0 {
			return fmt.Errorf("empty segment at offset %d", pos)
		}
		segs = append(segs, cur)
		cur = segment{}
		name.Reset()
		afterKey = false
		return nil
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '.':
			if err := flush(i); err != nil {
				return nil, err
			}
			i++
		case c == '[':
			key, n, err := scanKey(s[i:])
			if err != nil {
				return nil, fmt.Errorf("offset %d: %w", i, err)
			}
			cur.keys = append(cur.keys, key)
			afterKey = true
			i += n
		case c == ']':
			return nil, fmt.Errorf("unbalanced ']' at offset %d", i)
		case c == '"':
			return nil, fmt.Errorf("quote outside brackets at offset %d", i)
		case afterKey:
			return nil, fmt.Errorf("unexpected %q after ']' at offset %d (want '.' or '[')", c, i)
		default:
			name.WriteByte(c)
			i++
		}
	}
	if err := flush(len(s)); err != nil {
		return nil, err
	}
	return segs, nil
}

// scanKey reads one bracketed key at the start of s ("[0]", `["a.b"]`) and
// returns its text and how many bytes it used.
func scanKey(s string) (key string, n int, err error) {
	// s[0] is '['.
	if len(s) > 1 && s[1] == '"' {
		j := 2
		for ; j < len(s); j++ {
			if s[j] == '\\' {
				j++
				continue
			}
			if s[j] == '"' {
				break
			}
		}
		if j >= len(s) {
			return "", 0, fmt.Errorf("unterminated string key")
		}
		quoted := s[1 : j+1]
		if j+1 >= len(s) || s[j+1] != ']' {
			return "", 0, fmt.Errorf("missing ']' after key %s", quoted)
		}
		text, uerr := strconv.Unquote(quoted)
		if uerr != nil {
			// HCL escapes are a superset of Go's in places (\${); keep the
			// raw text rather than reject an address Terraform accepted.
			text = quoted[1 : len(quoted)-1]
		}
		return text, j + 2, nil
	}
	end := strings.IndexAny(s[1:], "[]\".")
	if end < 0 {
		return "", 0, fmt.Errorf("unterminated key (missing ']')")
	}
	if s[1+end] != ']' {
		return "", 0, fmt.Errorf("invalid key: want a number, a quoted string or *, found %q", s[1+end])
	}
	text := strings.TrimSpace(s[1 : 1+end])
	if text == "" {
		return "", 0, fmt.Errorf("empty key []")
	}
	return text, end + 2, nil
}
