package decode

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
)

// This file holds a small structural JSON scanner. It finds where values
// start and end without building them, which is what lets Stream classify
// a record and ask Options.Keep about it before paying for a full
// encoding/json decode. It checks structure (brackets, strings, member
// syntax) but not every detail of the grammar: records that are kept are
// fully validated later by encoding/json.

// maxDepth bounds nesting, as encoding/json does, so hostile input cannot
// grow the bracket stack without limit.
const maxDepth = 10000

// errUnexpectedEnd reports a value cut short by the end of the data. The
// stream reader uses it to tell "read more" from "malformed".
var errUnexpectedEnd = errors.New("unexpected end of JSON input")

// syntaxError is a structural error at a byte offset of the scanned data.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at offset %d: %s", e.off, e.msg)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace returns the index of the first non-whitespace byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// stringEnd returns the index just past the closing quote of the string
// whose opening quote is b[i].
func stringEnd(b []byte, i int) (int, error) {
	j := i + 1
	for {
		// Look at eight bytes at a time for a quote or a backslash: most
		// strings in audit records are short, too short for IndexByte's
		// set-up cost to pay off, and escapes are rare.
		for j+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[j:])
			if m := hasByte(x, '"') | hasByte(x, '\\'); m != 0 {
				j += bits.TrailingZeros64(m) / 8
				break
			}
			j += 8
		}
		for j < len(b) && b[j] != '"' && b[j] != '\\' {
			j++
		}
		if j >= len(b) {
			return len(b), errUnexpectedEnd
		}
		if b[j] == '"' {
			return j + 1, nil
		}
		j += 2 // a backslash and the byte it escapes
	}
}

// hasByte returns a word whose lowest set bit marks the first byte of x
// equal to c (little-endian), or 0 when there is none. Bits above the
// lowest may be false positives, which callers ignore.
func hasByte(x uint64, c byte) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	y := x ^ (ones * uint64(c))
	return (y - ones) &^ y & highs
}

// valueEnd returns the index just past the JSON value starting at b[i]
// (which must not be whitespace). b holds all the data there is.
func valueEnd(b []byte, i int) (int, error) { return scanValue(b, i, true) }

// scanValue is valueEnd for data that may be continued: unless final, a
// number or literal that runs to the end of b is reported as
// errUnexpectedEnd, since more digits may follow. This keeps the result
// independent of how the input was split into reads.
func scanValue(b []byte, i int, final bool) (int, error) {
	if i >= len(b) {
		return i, errUnexpectedEnd
	}
	switch c := b[i]; {
	case c == '"':
		return stringEnd(b, i)
	case c == '{' || c == '[':
		return containerEnd(b, i)
	case c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n':
		j := i + 1
		for j < len(b) && isScalarByte(b[j]) {
			j++
		}
		if j == len(b) && !final {
			return j, errUnexpectedEnd
		}
		if !validScalar(b[i:j]) {
			return j, &syntaxError{i, fmt.Sprintf("invalid literal %q", truncate(b[i:j], 20))}
		}
		return j, nil
	default:
		return i, &syntaxError{i, fmt.Sprintf("unexpected character %q", c)}
	}
}

// isScalarByte reports whether c can be part of a number or literal.
func isScalarByte(c byte) bool {
	return c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// validScalar reports whether s is true, false, null or a JSON number.
func validScalar(s []byte) bool {
	switch string(s) {
	case "true", "false", "null":
		return true
	}
	if s[0] < '0' && s[0] != '-' || s[0] > '9' {
		return false
	}
	// A full number check is left to encoding/json; a number that starts
	// like one and is made of number characters is accepted here.
	for _, c := range s {
		if !(c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || (c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

// containerEnd returns the index just past the object or array starting at
// b[i]. It only checks that strings end and brackets match: it is the fast
// path for skipping values nobody looks at.
func containerEnd(b []byte, i int) (int, error) {
	var stackBuf [32]byte
	stack := stackBuf[:0]
	j := i
	for {
		for j < len(b) && !structural[b[j]] {
			j++
		}
		if j >= len(b) {
			return j, errUnexpectedEnd
		}
		switch c := b[j]; c {
		case '"':
			e, err := stringEnd(b, j)
			if err != nil {
				return e, err
			}
			j = e
			continue
		case '{', '[':
			if len(stack) >= maxDepth {
				return j, &syntaxError{j, "nesting too deep"}
			}
			stack = append(stack, c)
		default: // '}', ']'
			if len(stack) == 0 {
				return j, &syntaxError{j, fmt.Sprintf("unexpected %q", c)}
			}
			open := stack[len(stack)-1]
			if (open == '{') != (c == '}') {
				return j, &syntaxError{j, fmt.Sprintf("%q closed by %q", open, c)}
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return j + 1, nil
			}
		}
		j++
	}
}

// structural marks the bytes containerEnd stops at.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// objectMembers calls fn for each member of the object starting at b[i]
// and returns the index just past the object. key is the raw key without
// quotes (escapes, if any, are left in place); val is the raw value.
func objectMembers(b []byte, i int, fn func(key, val []byte)) (int, error) {
	if i >= len(b) || b[i] != '{' {
		return i, &syntaxError{i, "expected an object"}
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) {
			return i, errUnexpectedEnd
		}
		if b[i] != '"' {
			return i, &syntaxError{i, fmt.Sprintf("expected an object key, found %q", b[i])}
		}
		ke, err := stringEnd(b, i)
		if err != nil {
			return ke, err
		}
		key := b[i+1 : ke-1]
		i = skipSpace(b, ke)
		if i >= len(b) {
			return i, errUnexpectedEnd
		}
		if b[i] != ':' {
			return i, &syntaxError{i, fmt.Sprintf("expected ':' after object key, found %q", b[i])}
		}
		i = skipSpace(b, i+1)
		ve, err := valueEnd(b, i)
		if err != nil {
			return ve, err
		}
		fn(key, b[i:ve])
		i = skipSpace(b, ve)
		if i >= len(b) {
			return i, errUnexpectedEnd
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, &syntaxError{i, fmt.Sprintf("expected ',' or '}' after object member, found %q", b[i])}
		}
	}
}

// arrayElements calls fn for each element of the array starting at b[i]
// and returns the index just past the array. fn's error stops the walk.
func arrayElements(b []byte, i int, fn func(elem []byte) error) (int, error) {
	if i >= len(b) || b[i] != '[' {
		return i, &syntaxError{i, "expected an array"}
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		ve, err := valueEnd(b, i)
		if err != nil {
			return ve, err
		}
		if err := fn(b[i:ve]); err != nil {
			return ve, err
		}
		i = skipSpace(b, ve)
		if i >= len(b) {
			return i, errUnexpectedEnd
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, &syntaxError{i, fmt.Sprintf("expected ',' or ']' after array element, found %q", b[i])}
		}
	}
}

// stringValue returns the Go string for a raw JSON string value, or ok ==
// false when raw is not a string. Escape-free strings (almost all keys and
// names) are converted without going through encoding/json.
func stringValue(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// kindOf names the JSON type of a raw value for error messages.
func kindOf(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch c := raw[0]; {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	default:
		return "a number"
	}
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
