package state

import (
	"bytes"
	"encoding/json"
)

// compactCopy returns a copy of the validated JSON value src with the
// whitespace between tokens removed, in an allocation of its own and of
// exactly its size. Terraform indents state files, and an attribute object
// sits twelve spaces deep: its indentation is a third of a typical
// state's bytes, which the index would otherwise keep for as long as the
// state is loaded.
func compactCopy(src []byte) json.RawMessage {
	var scratch []byte
	return compactCopyVia(&scratch, src)
}

// compactCopyVia is compactCopy compacting through *scratch, which it
// grows as needed for the next call: one pass over src, then one copy.
func compactCopyVia(scratch *[]byte, src []byte) json.RawMessage {
	c := appendCompact((*scratch)[:0], src)
	*scratch = c
	dst := make(json.RawMessage, len(c))
	copy(dst, c)
	return dst
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// appendCompact appends src without its insignificant whitespace,
// copying strings whole.
func appendCompact(dst, src []byte) []byte {
	start := 0 // first byte of the run not yet copied
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '"':
			i = stringEnd(src, i) - 1
		case isSpace(c):
			dst = append(dst, src[start:i]...)
			for i+1 < len(src) && isSpace(src[i+1]) {
				i++
			}
			start = i + 1
		}
	}
	return append(dst, src[start:]...)
}

// stringEnd returns the index just past the string that starts with the
// quote at src[i]. src is valid JSON, so the string is closed; an
// unclosed one ends at len(src).
func stringEnd(src []byte, i int) int {
	for j := i + 1; j < len(src); {
		q := bytes.IndexByte(src[j:], '"')
		if q < 0 {
			return len(src)
		}
		j += q
		// The quote closes the string unless an odd number of
		// backslashes precedes it.
		n := 0
		for k := j - 1; k > i && src[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return j + 1
		}
		j++
	}
	return len(src)
}

// compactEqual reports whether the validated JSON value src, compacted,
// is exactly c, without compacting it.
func compactEqual(src []byte, c []byte) bool {
	k := 0
	for i := 0; i < len(src); i++ {
		ch := src[i]
		switch {
		case ch == '"':
			j := stringEnd(src, i)
			if k+j-i > len(c) || string(src[i:j]) != string(c[k:k+j-i]) {
				return false
			}
			k += j - i
			i = j - 1
		case isSpace(ch):
		default:
			if k >= len(c) || c[k] != ch {
				return false
			}
			k++
		}
	}
	return k == len(c)
}
