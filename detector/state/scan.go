package state

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/tfdrift/tfdrift/detector/internal/swar"
)

// SyntaxError reports malformed JSON in a state file: truncated uploads,
// torn writes and hand edits all end up here, so it names the exact byte.
type SyntaxError struct {
	Offset int64 // byte offset of the first byte that could not be read
	Line   int   // 1-based line of Offset
	Column int   // 1-based column (in bytes) of Offset
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte offset %d (line %d, column %d): %s", e.Offset, e.Line, e.Column, e.Msg)
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack; it is
// the same limit encoding/json applies.
const maxDepth = 10000

// scanner is a validating, allocation-free reader over one JSON document
// held in memory. State files run to hundreds of megabytes and almost all of
// their bytes are attribute values tfdrift only needs to skip, so skipping
// is done here byte by byte instead of through encoding/json's reflection
// and token machinery (an order of magnitude slower on this workload).
//
// Every value it skips is still fully validated, so a document it accepts
// is one json.Valid accepts.
type scanner struct {
	data  []byte
	pos   int
	depth int
}

// strPlain marks bytes that may appear unescaped inside a string and need no
// further attention: everything but '"', '\\' and control characters.
var strPlain = func() (t [256]bool) {
	for i := 0x20; i < 256; i++ {
		t[i] = true
	}
	t['"'] = false
	t['\\'] = false
	return t
}()

func (s *scanner) errAt(pos int, format string, args ...any) *SyntaxError {
	if pos > len(s.data) {
		pos = len(s.data)
	}
	line := 1 + bytes.Count(s.data[:pos], []byte{'\n'})
	col := pos + 1
	if nl := bytes.LastIndexByte(s.data[:pos], '\n'); nl >= 0 {
		col = pos - nl
	}
	return &SyntaxError{Offset: int64(pos), Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) errUnexpected(what string) *SyntaxError {
	if s.pos >= len(s.data) {
		return s.errAt(s.pos, "unexpected end of input, want %s", what)
	}
	return s.errAt(s.pos, "invalid character %q, want %s", s.data[s.pos], what)
}

// ws skips insignificant white space. Terraform indents state two spaces
// per level, so attribute lines start with long runs of spaces; those are
// skipped eight bytes at a time.
func (s *scanner) ws() {
	data, i := s.data, s.pos
	for i < len(data) {
		switch data[i] {
		case ' ', '\n', '\t', '\r':
			i++
			for i+8 <= len(data) && binary.LittleEndian.Uint64(data[i:]) == 0x2020202020202020 {
				i += 8
			}
		default:
			s.pos = i
			return
		}
	}
	s.pos = i
}

// peek returns the next significant byte, or 0 at the end of input.
func (s *scanner) peek() byte {
	s.ws()
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

// expect consumes c after optional white space.
func (s *scanner) expect(c byte, what string) error {
	if s.peek() != c {
		return s.errUnexpected(what)
	}
	s.pos++
	return nil
}

// readString reads a string at s.pos (which must hold '"') and returns its
// raw contents between the quotes. escaped reports whether decodeString
// must run to get the Go value.
func (s *scanner) readString() (raw []byte, escaped bool, err error) {
	data := s.data
	start := s.pos + 1
	i := start
	for i < len(data) {
		// Cross plain runs eight bytes at a time.
		if i = swar.SkipPlain(data, i); i >= len(data) {
			break
		}
		c := data[i]
		if strPlain[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			s.pos = i + 1
			return data[start:i], escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(data) {
				return nil, false, s.errAt(len(data), "unexpected end of input in string escape")
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(data) {
					return nil, false, s.errAt(len(data), "unexpected end of input in \\u escape")
				}
				for j := i + 2; j < i+6; j++ {
					if !isHex(data[j]) {
						return nil, false, s.errAt(j, "invalid character %q in \\u escape", data[j])
					}
				}
				i += 6
			default:
				return nil, false, s.errAt(i+1, "invalid escape character %q in string", data[i+1])
			}
		default:
			return nil, false, s.errAt(i, "invalid control character %#02x in string", c)
		}
	}
	return nil, false, s.errAt(len(data), "unexpected end of input in string")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// decodeString turns raw string contents into a Go string. Strings with
// escapes or invalid UTF-8 go to encoding/json, so that \u escapes,
// surrogate pairs and invalid bytes (replaced by U+FFFD) get exactly the
// treatment Resource.Attributes gives them; an ID read here always equals
// the attribute. Identifiers almost never need it, so its cost does not
// matter.
func decodeString(raw []byte, escaped bool) (string, error) {
	if !escaped && utf8.Valid(raw) {
		return string(raw), nil
	}
	quoted := make([]byte, 0, len(raw)+2)
	quoted = append(quoted, '"')
	quoted = append(quoted, raw...)
	quoted = append(quoted, '"')
	var out string
	if err := json.Unmarshal(quoted, &out); err != nil {
		return "", err
	}
	return out, nil
}

// readNumber reads a number at s.pos and returns its text, checking the
// JSON grammar -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *scanner) readNumber() ([]byte, error) {
	data := s.data
	start := s.pos
	i := start
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && '1' <= data[i] && data[i] <= '9':
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	default:
		s.pos = i
		return nil, s.errUnexpected("digit in number")
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || !isDigit(data[i]) {
			s.pos = i
			return nil, s.errUnexpected("digit after decimal point")
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			s.pos = i
			return nil, s.errUnexpected("digit in exponent")
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	s.pos = i
	return data[start:i], nil
}

// literal consumes one of true, false, null.
func (s *scanner) literal(lit string) error {
	end := s.pos + len(lit)
	if end > len(s.data) || string(s.data[s.pos:end]) != lit {
		// Point at the first byte that differs.
		i := s.pos
		for i < len(s.data) && i < end && s.data[i] == lit[i-s.pos] {
			i++
		}
		s.pos = i
		return s.errUnexpected("literal " + lit)
	}
	s.pos = end
	return nil
}

// enter and leave track nesting for the depth limit.
func (s *scanner) enter() error {
	s.depth++
	if s.depth > maxDepth {
		return s.errAt(s.pos, "nesting exceeds %d levels", maxDepth)
	}
	return nil
}

func (s *scanner) leave() { s.depth-- }

// beginObject consumes '{'.
func (s *scanner) beginObject(what string) error {
	if s.peek() != '{' {
		return s.errUnexpected(what)
	}
	s.pos++
	return s.enter()
}

// nextMember advances to the next member of an object whose '{' or
// previous member value has just been consumed. It returns the member's key
// with the scanner positioned at its value, or ok=false after consuming the
// closing '}'.
func (s *scanner) nextMember(first bool) (key []byte, escaped, ok bool, err error) {
	c := s.peek()
	if c == '}' {
		s.pos++
		s.leave()
		return nil, false, false, nil
	}
	if !first {
		if c != ',' {
			return nil, false, false, s.errUnexpected("',' or '}' after object member")
		}
		s.pos++
		c = s.peek()
	}
	if c != '"' {
		return nil, false, false, s.errUnexpected("string for object key")
	}
	key, escaped, err = s.readString()
	if err != nil {
		return nil, false, false, err
	}
	if err := s.expect(':', "':' after object key"); err != nil {
		return nil, false, false, err
	}
	s.ws()
	return key, escaped, true, nil
}

// beginArray consumes '['.
func (s *scanner) beginArray(what string) error {
	if s.peek() != '[' {
		return s.errUnexpected(what)
	}
	s.pos++
	return s.enter()
}

// nextElement advances to the next element of an array whose '[' or
// previous element has just been consumed; ok=false after the closing ']'.
func (s *scanner) nextElement(first bool) (ok bool, err error) {
	c := s.peek()
	if c == ']' {
		s.pos++
		s.leave()
		return false, nil
	}
	if !first {
		if c != ',' {
			return false, s.errUnexpected("',' or ']' after array element")
		}
		s.pos++
		s.ws()
	}
	return true, nil
}

// skipValue consumes and validates one value of any kind.
func (s *scanner) skipValue() error {
	switch c := s.peek(); {
	case c == '"':
		_, _, err := s.readString()
		return err
	case c == '{':
		s.pos++
		if err := s.enter(); err != nil {
			return err
		}
		for first := true; ; first = false {
			_, _, ok, err := s.nextMember(first)
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			if err := s.skipValue(); err != nil {
				return err
			}
		}
	case c == '[':
		s.pos++
		if err := s.enter(); err != nil {
			return err
		}
		for first := true; ; first = false {
			ok, err := s.nextElement(first)
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			if err := s.skipValue(); err != nil {
				return err
			}
		}
	case c == '-' || isDigit(c):
		_, err := s.readNumber()
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	default:
		return s.errUnexpected("a JSON value")
	}
}

// scalar reads a value that may identify a resource: a string (decoded) or
// a number (its JSON text). Anything else is skipped and reported as "".
func (s *scanner) scalar() (string, error) {
	switch c := s.peek(); {
	case c == '"':
		raw, esc, err := s.readString()
		if err != nil {
			return "", err
		}
		v, err := decodeString(raw, esc)
		if err != nil {
			return "", s.errAt(s.pos, "bad string: %v", err)
		}
		return v, nil
	case c == '-' || isDigit(c):
		num, err := s.readNumber()
		return string(num), err
	default:
		return "", s.skipValue()
	}
}
