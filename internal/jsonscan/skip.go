package jsonscan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// MaxDepth bounds nesting, as encoding/json does, so hostile input cannot
// grow the bracket stack without limit.
const MaxDepth = 10000

// ErrUnexpectedEnd reports a value cut short by the end of the data. The
// stream reader uses it to tell "read more" from "malformed".
var ErrUnexpectedEnd = errors.New("unexpected end of JSON input")

// SyntaxError is a structural error at a byte offset of the scanned data.
type SyntaxError struct {
	Off int
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at offset %d: %s", e.Off, e.Msg)
}

func IsSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// SkipSpace returns the index of the first non-whitespace byte at or after i.
func SkipSpace(b []byte, i int) int {
	for i < len(b) && IsSpace(b[i]) {
		i++
	}
	return i
}

// StringEnd returns the index just past the closing quote of the string
// whose opening quote is b[i].
func StringEnd(b []byte, i int) (int, error) {
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
			return len(b), ErrUnexpectedEnd
		}
		if b[j] == '"' {
			return j + 1, nil
		}
		j += 2 // a backslash and the byte it escapes
	}
}

// ValueEnd returns the index just past the JSON value starting at b[i]
// (which must not be whitespace). b holds all the data there is.
func ValueEnd(b []byte, i int) (int, error) { return ScanValue(b, i, true) }

// ScanValue is ValueEnd for data that may be continued: unless final, a
// number or literal that runs to the end of b is reported as
// ErrUnexpectedEnd, since more digits may follow. This keeps the result
// independent of how the input was split into reads.
func ScanValue(b []byte, i int, final bool) (int, error) {
	if i >= len(b) {
		return i, ErrUnexpectedEnd
	}
	switch c := b[i]; {
	case c == '"':
		return StringEnd(b, i)
	case c == '{' || c == '[':
		return ContainerEnd(b, i)
	case c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n':
		j := i + 1
		for j < len(b) && isScalarByte(b[j]) {
			j++
		}
		if j == len(b) && !final {
			return j, ErrUnexpectedEnd
		}
		if !validScalar(b[i:j]) {
			return j, &SyntaxError{i, fmt.Sprintf("invalid literal %q", truncate(b[i:j], 20))}
		}
		return j, nil
	default:
		return i, &SyntaxError{i, fmt.Sprintf("unexpected character %q", c)}
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

// ContainerEnd returns the index just past the object or array starting at
// b[i]. It only checks that strings end and brackets match: it is the fast
// path for skipping values nobody looks at.
func ContainerEnd(b []byte, i int) (int, error) {
	var stackBuf [32]byte
	stack := stackBuf[:0]
	j := i
	for {
		for j < len(b) && !structural[b[j]] {
			j++
		}
		if j >= len(b) {
			return j, ErrUnexpectedEnd
		}
		switch c := b[j]; c {
		case '"':
			e, err := StringEnd(b, j)
			if err != nil {
				return e, err
			}
			j = e
			continue
		case '{', '[':
			if len(stack) >= MaxDepth {
				return j, &SyntaxError{j, "nesting too deep"}
			}
			stack = append(stack, c)
		default: // '}', ']'
			if len(stack) == 0 {
				return j, &SyntaxError{j, fmt.Sprintf("unexpected %q", c)}
			}
			open := stack[len(stack)-1]
			if (open == '{') != (c == '}') {
				return j, &SyntaxError{j, fmt.Sprintf("%q closed by %q", open, c)}
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return j + 1, nil
			}
		}
		j++
	}
}

// structural marks the bytes ContainerEnd stops at.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// ObjectMembers calls fn for each member of the object starting at b[i]
// and returns the index just past the object. key is the raw key without
// quotes (escapes, if any, are left in place); val is the raw value.
func ObjectMembers(b []byte, i int, fn func(key, val []byte)) (int, error) {
	return EachMember(b, i, func(key, val []byte) bool {
		fn(key, val)
		return true
	})
}

// EachMember is ObjectMembers whose fn may stop the walk by returning
// false; it then returns the index just past that member's value, and
// the rest of the object is not checked.
func EachMember(b []byte, i int, fn func(key, val []byte) bool) (int, error) {
	if i >= len(b) || b[i] != '{' {
		return i, &SyntaxError{i, "expected an object"}
	}
	i = SkipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) {
			return i, ErrUnexpectedEnd
		}
		if b[i] != '"' {
			return i, &SyntaxError{i, fmt.Sprintf("expected an object key, found %q", b[i])}
		}
		ke, err := StringEnd(b, i)
		if err != nil {
			return ke, err
		}
		key := b[i+1 : ke-1]
		i = SkipSpace(b, ke)
		if i >= len(b) {
			return i, ErrUnexpectedEnd
		}
		if b[i] != ':' {
			return i, &SyntaxError{i, fmt.Sprintf("expected ':' after object key, found %q", b[i])}
		}
		i = SkipSpace(b, i+1)
		ve, err := ValueEnd(b, i)
		if err != nil {
			return ve, err
		}
		if !fn(key, b[i:ve]) {
			return ve, nil
		}
		var done bool
		if i, done, err = Next(b, ve, '}', "object member"); err != nil || done {
			return i, err
		}
	}
}

// ArrayElements calls fn for each element of the array starting at b[i]
// and returns the index just past the array. fn's error stops the walk.
func ArrayElements(b []byte, i int, fn func(elem []byte) error) (int, error) {
	if i >= len(b) || b[i] != '[' {
		return i, &SyntaxError{i, "expected an array"}
	}
	i = SkipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		ve, err := ValueEnd(b, i)
		if err != nil {
			return ve, err
		}
		if err := fn(b[i:ve]); err != nil {
			return ve, err
		}
		var done bool
		if i, done, err = Next(b, ve, ']', "array element"); err != nil || done {
			return i, err
		}
	}
}

// Next reads what follows a member or element ending at i: a comma (done
// is false, and the index is that of the next one) or the closing byte
// (done is true, and the index is just past it).
func Next(b []byte, i int, closing byte, after string) (int, bool, error) {
	i = SkipSpace(b, i)
	if i >= len(b) {
		return i, false, ErrUnexpectedEnd
	}
	switch b[i] {
	case ',':
		return SkipSpace(b, i+1), false, nil
	case closing:
		return i + 1, true, nil
	}
	return i, false, &SyntaxError{i, fmt.Sprintf("expected ',' or '%c' after %s, found %q", closing, after, b[i])}
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
