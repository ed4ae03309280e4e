package jsonany

import (
	"encoding/json"
	"strconv"

	"github.com/tfdrift/tfdrift/internal/jsonscan"
)

// SyntaxError reports input that is not exactly one JSON value.
type SyntaxError struct {
	// Offset is the byte offset in the input at which the problem was
	// found: the offending byte, or the input's length when it ended too
	// soon.
	Offset int64
	// Trailing is set when the input began with one complete JSON value
	// and Offset is the first non-whitespace byte after it, so that
	// input[:Offset] decodes. json.Decoder.Decode would have returned
	// that value and ignored the rest.
	Trailing bool

	msg string
}

func (e *SyntaxError) Error() string {
	return "jsonany: " + e.msg + " at offset " + strconv.FormatInt(e.Offset, 10)
}

// Decode decodes raw, which must hold exactly one JSON value optionally
// surrounded by whitespace, into what json.Unmarshal with UseNumber would
// store in an any. Errors are *SyntaxError.
func Decode(raw []byte) (any, error) {
	d := decoder{s: jsonscan.NewScanner(raw)}
	v, err := d.value()
	if err != nil {
		se, _ := err.(*jsonscan.SyntaxError)
		return nil, &SyntaxError{Offset: int64(se.Off), msg: se.Msg}
	}
	if !d.s.AtEnd() {
		return nil, &SyntaxError{
			Offset:   int64(d.s.Pos),
			Trailing: true,
			msg:      "invalid character " + quoteChar(raw[d.s.Pos]) + " after top-level value",
		}
	}
	return v, nil
}

// decoder builds values from the tokens of the module's one validating
// scanner; all it adds is the values.
type decoder struct {
	s jsonscan.Scanner
}

// member is an object member held until the object's size is known.
type member struct {
	key string
	val any
}

// smallLen is how many members or elements a container collects on the
// stack before it allocates: containers up to this size are allocated
// once, at their exact size.
const smallLen = 8

// value decodes the value at the scanner's position. Errors are
// *jsonscan.SyntaxError.
func (d *decoder) value() (any, error) {
	s := &d.s
	switch c := s.Peek(); {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		return d.str()
	case c == 't':
		return true, s.Literal("true")
	case c == 'f':
		return false, s.Literal("false")
	case c == 'n':
		return nil, s.Literal("null")
	case c == '-' || jsonscan.IsDigit(c):
		num, err := s.ReadNumber()
		if err != nil {
			return nil, err
		}
		return json.Number(num), nil
	}
	return nil, s.Unexpected("a JSON value")
}

func (d *decoder) str() (string, error) {
	raw, esc, err := d.s.ReadString()
	if err != nil {
		return "", err
	}
	v, _ := jsonscan.StringValue(raw, esc) // ReadString checked the escapes
	return v, nil
}

// object decodes the object at the scanner's position.
func (d *decoder) object() (any, error) {
	s := &d.s
	if err := s.BeginObject("'{'"); err != nil {
		return nil, err
	}
	var small [smallLen]member
	n := 0
	var m map[string]any // once more than smallLen members
	for first := true; ; first = false {
		rawKey, esc, ok, err := s.NextMember(first)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		key, _ := jsonscan.StringValue(rawKey, esc)
		val, err := d.value()
		if err != nil {
			return nil, err
		}
		switch {
		case m != nil:
			m[key] = val
		case n < smallLen:
			small[n] = member{key, val}
			n++
		default:
			m = make(map[string]any, 2*smallLen)
			for _, kv := range small {
				m[kv.key] = kv.val
			}
			m[key] = val
		}
	}
	if m == nil {
		// In order, so that of duplicate keys the last wins.
		m = make(map[string]any, n)
		for _, kv := range small[:n] {
			m[kv.key] = kv.val
		}
	}
	return m, nil
}

// array decodes the array at the scanner's position.
func (d *decoder) array() (any, error) {
	s := &d.s
	if err := s.BeginArray("'['"); err != nil {
		return nil, err
	}
	var small [smallLen]any
	n := 0
	var out []any // once more than smallLen elements
	for first := true; ; first = false {
		ok, err := s.NextElement(first)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		val, err := d.value()
		if err != nil {
			return nil, err
		}
		switch {
		case out != nil:
			out = append(out, val)
		case n < smallLen:
			small[n] = val
			n++
		default:
			out = make([]any, smallLen, 2*smallLen)
			copy(out, small[:])
			out = append(out, val)
		}
	}
	if out == nil {
		out = make([]any, n)
		copy(out, small[:n])
	}
	return out, nil
}

// quoteChar formats c as a quoted character literal, as encoding/json does.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}
