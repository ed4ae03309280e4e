package jsonany

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth is encoding/json's nesting limit: 10000 nested arrays or objects
// decode, one more is an error. It bounds the recursion so hostile input
// cannot exhaust the stack.
const maxDepth = 10000

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
	d := decoder{data: raw}
	d.skipSpace()
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.pos < len(d.data) {
		return nil, &SyntaxError{
			Offset:   int64(d.pos),
			Trailing: true,
			msg:      "invalid character " + quoteChar(d.data[d.pos]) + " after top-level value",
		}
	}
	return v, nil
}

type decoder struct {
	data  []byte
	pos   int
	depth int
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

// plain marks the bytes a string may hold as they are: printable ASCII
// other than the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func (d *decoder) skipSpace() {
	i, data := d.pos, d.data
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
			continue
		}
		break
	}
	d.pos = i
}

// value decodes the value starting at d.pos, which is not whitespace.
func (d *decoder) value() (any, error) {
	if d.pos >= len(d.data) {
		return nil, d.errEOF()
	}
	switch c := d.data[d.pos]; c {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return s, nil
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return d.number()
	default:
		return nil, d.errChar(d.pos, "looking for beginning of value")
	}
}

func (d *decoder) enter() error {
	d.depth++
	if d.depth > maxDepth {
		return d.errAt(d.pos, "exceeded max depth of "+strconv.Itoa(maxDepth))
	}
	return nil
}

// next consumes what follows a member or element: a comma (done is
// false, and d.pos is at the next one) or the closing byte (done is true).
func (d *decoder) next(closing byte, context string) (done bool, err error) {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return false, d.errEOF()
	}
	c := d.data[d.pos]
	d.pos++
	switch c {
	case ',':
		d.skipSpace()
		return false, nil
	case closing:
		return true, nil
	}
	return false, d.errChar(d.pos-1, context)
}

// object decodes the object starting at d.pos.
func (d *decoder) object() (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	d.pos++ // '{'
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		d.depth--
		return map[string]any{}, nil
	}
	var small [smallLen]member
	n := 0
	var m map[string]any // once more than smallLen members
	for {
		if d.pos >= len(d.data) {
			return nil, d.errEOF()
		}
		if d.data[d.pos] != '"' {
			return nil, d.errChar(d.pos, "looking for beginning of object key string")
		}
		key, err := d.str()
		if err != nil {
			return nil, err
		}
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, d.errEOF()
		}
		if d.data[d.pos] != ':' {
			return nil, d.errChar(d.pos, "after object key")
		}
		d.pos++
		d.skipSpace()
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
		if done, err := d.next('}', "after object key:value pair"); err != nil {
			return nil, err
		} else if done {
			break
		}
	}
	d.depth--
	if m == nil {
		// In order, so that of duplicate keys the last wins.
		m = make(map[string]any, n)
		for _, kv := range small[:n] {
			m[kv.key] = kv.val
		}
	}
	return m, nil
}

// array decodes the array starting at d.pos.
func (d *decoder) array() (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	d.pos++ // '['
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		d.depth--
		return []any{}, nil
	}
	var small [smallLen]any
	n := 0
	var s []any // once more than smallLen elements
	for {
		val, err := d.value()
		if err != nil {
			return nil, err
		}
		switch {
		case s != nil:
			s = append(s, val)
		case n < smallLen:
			small[n] = val
			n++
		default:
			s = make([]any, smallLen, 2*smallLen)
			copy(s, small[:])
			s = append(s, val)
		}
		if done, err := d.next(']', "after array element"); err != nil {
			return nil, err
		} else if done {
			break
		}
	}
	d.depth--
	if s == nil {
		s = make([]any, n)
		copy(s, small[:n])
	}
	return s, nil
}

// literal consumes lit (true, false or null), whose first byte is at d.pos.
func (d *decoder) literal(lit string) error {
	for i := 1; i < len(lit); i++ {
		p := d.pos + i
		if p >= len(d.data) {
			return d.errEOF()
		}
		if d.data[p] != lit[i] {
			return d.errChar(p, "in literal "+lit+" (expecting "+quoteChar(lit[i])+")")
		}
	}
	d.pos += len(lit)
	return nil
}

// number consumes the number starting at d.pos and returns its text.
func (d *decoder) number() (any, error) {
	data := d.data
	start, i := d.pos, d.pos
	if data[i] == '-' {
		i++
		if i >= len(data) {
			return nil, d.errEOF()
		}
		if !isDigit(data[i]) {
			return nil, d.errChar(i, "in numeric literal")
		}
	}
	// Integer part: 0 or [1-9][0-9]*.
	if data[i] == '0' {
		i++
	} else {
		for i++; i < len(data) && isDigit(data[i]); i++ {
		}
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) {
			return nil, d.errEOF()
		}
		if !isDigit(data[i]) {
			return nil, d.errChar(i, "after decimal point in numeric literal")
		}
		for i++; i < len(data) && isDigit(data[i]); i++ {
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) {
			return nil, d.errEOF()
		}
		if !isDigit(data[i]) {
			return nil, d.errChar(i, "in exponent of numeric literal")
		}
		for i++; i < len(data) && isDigit(data[i]); i++ {
		}
	}
	d.pos = i
	return json.Number(data[start:i]), nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// str consumes the string starting at d.pos and returns its value.
func (d *decoder) str() (string, error) {
	data := d.data
	start := d.pos + 1
	i := start
	for {
		for i < len(data) && plain[data[i]] {
			i++
		}
		if i >= len(data) {
			return "", d.errEOF()
		}
		c := data[i]
		if c == '"' {
			d.pos = i + 1
			return string(data[start:i]), nil
		}
		if c < utf8.RuneSelf {
			break // a backslash or a control character
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	return d.strSlow(start, i)
}

// strSlow finishes a string that needs unescaping or has invalid UTF-8,
// from i, the first such byte, on; data[start:i] is literal text.
// It unescapes the way encoding/json does.
func (d *decoder) strSlow(start, i int) (string, error) {
	data := d.data
	// Size the result once: unescaping only shrinks the text, except
	// that an invalid UTF-8 byte grows into the three of U+FFFD.
	end := i
	for end < len(data) && data[end] != '"' {
		if data[end] == '\\' {
			end++
		}
		end++
	}
	var b strings.Builder
	b.Grow(min(end, len(data)) - start)
	b.Write(data[start:i])
	for i < len(data) {
		c := data[i]
		switch {
		case plain[c]:
			j := i + 1
			for j < len(data) && plain[data[j]] {
				j++
			}
			b.Write(data[i:j])
			i = j
		case c == '"':
			d.pos = i + 1
			return b.String(), nil
		case c == '\\':
			if i+1 >= len(data) {
				return "", d.errEOF()
			}
			switch e := data[i+1]; e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, err := d.hex4(i + 2)
				if err != nil {
					return "", err
				}
				i += 6
				if utf16.IsSurrogate(r) {
					// A valid pair is consumed whole; otherwise the first
					// half becomes U+FFFD and what follows is read on its
					// own, as encoding/json does.
					if r2 := getu4(data[i:]); r2 >= 0 {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							b.WriteRune(dec)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				b.WriteRune(r)
				continue
			default:
				return "", d.errChar(i+1, "in string escape code")
			}
			i += 2
		case c < 0x20:
			return "", d.errChar(i, "in string literal")
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				b.WriteRune(utf8.RuneError)
			} else {
				b.Write(data[i : i+size])
			}
			i += size
		}
	}
	return "", d.errEOF()
}

// hex4 reads the four hex digits of a \u escape at data[i:].
func (d *decoder) hex4(i int) (rune, error) {
	var r rune
	for j := i; j < i+4; j++ {
		if j >= len(d.data) {
			return 0, d.errEOF()
		}
		h := hexVal(d.data[j])
		if h < 0 {
			return 0, d.errChar(j, "in \\u hexadecimal character escape")
		}
		r = r<<4 | h
	}
	return r, nil
}

// getu4 decodes a \uXXXX escape at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		h := hexVal(c)
		if h < 0 {
			return -1
		}
		r = r<<4 | h
	}
	return r
}

func hexVal(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

func (d *decoder) errAt(off int, msg string) error {
	return &SyntaxError{Offset: int64(off), msg: msg}
}

// errChar reports the unexpected byte at data[off].
func (d *decoder) errChar(off int, context string) error {
	return d.errAt(off, "invalid character "+quoteChar(d.data[off])+" "+context)
}

func (d *decoder) errEOF() error {
	return d.errAt(len(d.data), "unexpected end of JSON input")
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
