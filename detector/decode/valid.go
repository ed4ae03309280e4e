package decode

import (
	"github.com/tfdrift/tfdrift/detector/internal/jsonscan"
	"github.com/tfdrift/tfdrift/detector/internal/swar"
)

// isValidJSON reports whether b is one JSON value, optionally surrounded by
// whitespace, exactly as json.Valid does (FuzzValid checks that they
// agree). It is several times faster than json.Valid, whose byte-at-a-time
// state machine was the largest cost of decoding a kept record.
func isValidJSON(b []byte) bool {
	v := validator{b: b}
	i, ok := v.value(jsonscan.SkipSpace(b, 0))
	return ok && jsonscan.SkipSpace(b, i) == len(b)
}

type validator struct {
	b     []byte
	depth int
}

func (v *validator) value(i int) (int, bool) {
	b := v.b
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		return v.str(i)
	case c == '{':
		return v.object(i)
	case c == '[':
		return v.array(i)
	case c == 't':
		return v.literal(i, "true")
	case c == 'f':
		return v.literal(i, "false")
	case c == 'n':
		return v.literal(i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return v.number(i)
	}
	return i, false
}

func (v *validator) literal(i int, lit string) (int, bool) {
	if len(v.b)-i < len(lit) || string(v.b[i:i+len(lit)]) != lit {
		return i, false
	}
	return i + len(lit), true
}

// number checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (v *validator) number(i int) (int, bool) {
	b := v.b
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// str checks a string: no raw control characters, valid escapes.
func (v *validator) str(i int) (int, bool) {
	b := v.b
	j := i + 1
	for {
		j = swar.SkipPlain(b, j)
		for j < len(b) && b[j] != '"' && b[j] != '\\' && b[j] >= 0x20 {
			j++
		}
		if j >= len(b) || b[j] < 0x20 {
			return j, false
		}
		if b[j] == '"' {
			return j + 1, true
		}
		// An escape.
		j++
		if j >= len(b) {
			return j, false
		}
		switch b[j] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			j++
		case 'u':
			if len(b)-j < 5 {
				return j, false
			}
			for _, h := range b[j+1 : j+5] {
				if !isHex(h) {
					return j, false
				}
			}
			j += 5
		default:
			return j, false
		}
	}
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func (v *validator) object(i int) (int, bool) {
	if v.depth++; v.depth > jsonscan.MaxDepth {
		return i, false
	}
	i, ok := v.members(i)
	v.depth--
	return i, ok
}

func (v *validator) members(i int) (int, bool) {
	b := v.b
	i = jsonscan.SkipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return i, false
		}
		var ok bool
		if i, ok = v.str(i); !ok {
			return i, false
		}
		i = jsonscan.SkipSpace(b, i)
		if i >= len(b) || b[i] != ':' {
			return i, false
		}
		if i, ok = v.value(jsonscan.SkipSpace(b, i+1)); !ok {
			return i, false
		}
		var done bool
		var err error
		if i, done, err = jsonscan.Next(b, i, '}', "object member"); err != nil || done {
			return i, err == nil
		}
	}
}

func (v *validator) array(i int) (int, bool) {
	if v.depth++; v.depth > jsonscan.MaxDepth {
		return i, false
	}
	i, ok := v.elements(i)
	v.depth--
	return i, ok
}

func (v *validator) elements(i int) (int, bool) {
	b := v.b
	i = jsonscan.SkipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for {
		var ok bool
		if i, ok = v.value(i); !ok {
			return i, false
		}
		var done bool
		var err error
		if i, done, err = jsonscan.Next(b, i, ']', "array element"); err != nil || done {
			return i, err == nil
		}
	}
}
