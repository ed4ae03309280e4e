package jsonscan

import (
	"encoding/binary"
	"fmt"
)

// Scanner reads one JSON document held in memory token by token and checks
// the whole grammar as it goes: whatever it reads through is text that
// json.Valid accepts (FuzzValid holds it to that). It allocates nothing.
//
// It is the module's one validating JSON reader. detector/state walks a
// state file with it, picking out the few fields it keeps and skipping
// attribute values; detector/decode checks a kept record with Valid;
// app/ingest/falcohttp checks an alert and reads its rule and IDs in the
// same pass; internal/jsonany builds values from its tokens.
//
// Errors are *SyntaxError with the offset of the first byte that could
// not be read (len(Data) when the input ended too soon).
type Scanner struct {
	Data  []byte
	Pos   int
	depth int
}

// NewScanner returns a Scanner at the start of data.
func NewScanner(data []byte) Scanner { return Scanner{Data: data} }

// Errorf returns a *SyntaxError at pos (clamped to the data).
func (s *Scanner) Errorf(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Off: min(pos, len(s.Data)), Msg: fmt.Sprintf(format, args...)}
}

// Unexpected reports the byte at Pos (or the end of input) where want was
// expected.
func (s *Scanner) Unexpected(want string) *SyntaxError {
	if s.Pos >= len(s.Data) {
		return s.Errorf(s.Pos, "unexpected end of input, want %s", want)
	}
	return s.Errorf(s.Pos, "invalid character %q, want %s", s.Data[s.Pos], want)
}

// Space skips insignificant white space. Terraform indents state two
// spaces per level, so lines start with long runs of spaces; those are
// crossed eight bytes at a time.
func (s *Scanner) Space() {
	data, i := s.Data, s.Pos
	for i < len(data) {
		switch data[i] {
		case ' ', '\n', '\t', '\r':
			i++
			for i+8 <= len(data) && binary.LittleEndian.Uint64(data[i:]) == 0x2020202020202020 {
				i += 8
			}
		default:
			s.Pos = i
			return
		}
	}
	s.Pos = i
}

// Peek skips white space and returns the next byte, or 0 at the end.
func (s *Scanner) Peek() byte {
	s.Space()
	if s.Pos >= len(s.Data) {
		return 0
	}
	return s.Data[s.Pos]
}

// Expect consumes c after optional white space; want names it for the
// error.
func (s *Scanner) Expect(c byte, want string) error {
	if s.Peek() != c {
		return s.Unexpected(want)
	}
	s.Pos++
	return nil
}

// AtEnd reports whether only white space is left.
func (s *Scanner) AtEnd() bool { return s.Peek() == 0 && s.Pos == len(s.Data) }

// ReadString reads the string whose opening quote is at Pos and returns
// its contents between the quotes, escapes left in place; escaped says
// whether there are any (StringValue decodes them).
func (s *Scanner) ReadString() (raw []byte, escaped bool, err error) {
	data := s.Data
	start := s.Pos + 1
	i := start
	for i < len(data) {
		if i = skipPlain(data, i); i >= len(data) {
			break
		}
		c := data[i]
		switch {
		case c == '"':
			s.Pos = i + 1
			return data[start:i], escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(data) {
				return nil, false, s.Errorf(len(data), "unexpected end of input in string escape")
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(data) {
					return nil, false, s.Errorf(len(data), "unexpected end of input in \\u escape")
				}
				for j := i + 2; j < i+6; j++ {
					if !isHex(data[j]) {
						return nil, false, s.Errorf(j, "invalid character %q in \\u escape", data[j])
					}
				}
				i += 6
			default:
				return nil, false, s.Errorf(i+1, "invalid escape character %q in string", data[i+1])
			}
		case c < 0x20:
			return nil, false, s.Errorf(i, "invalid control character %#02x in string", c)
		default:
			i++ // a plain byte that skipPlain's word-at-a-time loop left
		}
	}
	return nil, false, s.Errorf(len(data), "unexpected end of input in string")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// IsDigit reports whether c is an ASCII digit.
func IsDigit(c byte) bool { return '0' <= c && c <= '9' }

// ReadNumber reads the number at Pos and returns its text, checking the
// grammar -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *Scanner) ReadNumber() ([]byte, error) {
	data := s.Data
	start := s.Pos
	i := start
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && '1' <= data[i] && data[i] <= '9':
		i = digits(data, i+1)
	default:
		s.Pos = i
		return nil, s.Unexpected("digit in number")
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || !IsDigit(data[i]) {
			s.Pos = i
			return nil, s.Unexpected("digit after decimal point")
		}
		i = digits(data, i+1)
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !IsDigit(data[i]) {
			s.Pos = i
			return nil, s.Unexpected("digit in exponent")
		}
		i = digits(data, i+1)
	}
	s.Pos = i
	return data[start:i], nil
}

func digits(b []byte, i int) int {
	for i < len(b) && IsDigit(b[i]) {
		i++
	}
	return i
}

// Literal consumes lit (true, false or null), which starts at Pos.
func (s *Scanner) Literal(lit string) error {
	end := s.Pos + len(lit)
	if end > len(s.Data) || string(s.Data[s.Pos:end]) != lit {
		// Point at the first byte that differs.
		i := s.Pos
		for i < len(s.Data) && i < end && s.Data[i] == lit[i-s.Pos] {
			i++
		}
		s.Pos = i
		return s.Unexpected("literal " + lit)
	}
	s.Pos = end
	return nil
}

// NewScannerAt returns a Scanner at the start of data, which is a piece
// of a larger document nested depth levels deep: the depth limit counts
// from the document's top.
func NewScannerAt(data []byte, depth int) Scanner { return Scanner{Data: data, depth: depth} }

// enter and leave track nesting for the depth limit.
func (s *Scanner) enter() error {
	s.depth++
	if s.depth > MaxDepth {
		return s.Errorf(s.Pos-1, "nesting exceeds %d levels", MaxDepth) // at the bracket
	}
	return nil
}

func (s *Scanner) leave() { s.depth-- }

// BeginObject consumes '{' after optional white space; want names it for
// the error.
func (s *Scanner) BeginObject(want string) error {
	if s.Peek() != '{' {
		return s.Unexpected(want)
	}
	s.Pos++
	return s.enter()
}

// NextMember advances to the next member of an object whose '{' or
// previous member value has just been read. It returns the member's key
// (raw, as ReadString does) with Pos at its value, or ok == false after
// consuming the closing '}'.
func (s *Scanner) NextMember(first bool) (key []byte, escaped, ok bool, err error) {
	c := s.Peek()
	if c == '}' {
		s.Pos++
		s.leave()
		return nil, false, false, nil
	}
	if !first {
		if c != ',' {
			return nil, false, false, s.Unexpected("',' or '}' after object member")
		}
		s.Pos++
		c = s.Peek()
	}
	if c != '"' {
		return nil, false, false, s.Unexpected("string for object key")
	}
	if key, escaped, err = s.ReadString(); err != nil {
		return nil, false, false, err
	}
	if err := s.Expect(':', "':' after object key"); err != nil {
		return nil, false, false, err
	}
	s.Space()
	return key, escaped, true, nil
}

// BeginArray consumes '[' after optional white space.
func (s *Scanner) BeginArray(want string) error {
	if s.Peek() != '[' {
		return s.Unexpected(want)
	}
	s.Pos++
	return s.enter()
}

// NextElement advances to the next element of an array whose '[' or
// previous element has just been read; ok == false after the closing ']'.
func (s *Scanner) NextElement(first bool) (ok bool, err error) {
	c := s.Peek()
	if c == ']' {
		s.Pos++
		s.leave()
		return false, nil
	}
	if !first {
		if c != ',' {
			return false, s.Unexpected("',' or ']' after array element")
		}
		s.Pos++
		s.Space()
	}
	return true, nil
}

// SkipValue reads and checks one value of any kind.
func (s *Scanner) SkipValue() error {
	switch c := s.Peek(); {
	case c == '"':
		_, _, err := s.ReadString()
		return err
	case c == '{':
		s.Pos++
		if err := s.enter(); err != nil {
			return err
		}
		for first := true; ; first = false {
			_, _, ok, err := s.NextMember(first)
			if err != nil || !ok {
				return err
			}
			if err := s.SkipValue(); err != nil {
				return err
			}
		}
	case c == '[':
		s.Pos++
		if err := s.enter(); err != nil {
			return err
		}
		for first := true; ; first = false {
			ok, err := s.NextElement(first)
			if err != nil || !ok {
				return err
			}
			if err := s.SkipValue(); err != nil {
				return err
			}
		}
	case c == '-' || IsDigit(c):
		_, err := s.ReadNumber()
		return err
	case c == 't':
		return s.Literal("true")
	case c == 'f':
		return s.Literal("false")
	case c == 'n':
		return s.Literal("null")
	default:
		return s.Unexpected("a JSON value")
	}
}

// Valid reports whether b is one JSON value, optionally surrounded by
// white space, exactly as json.Valid does (FuzzValid checks that they
// agree). It costs no code of its own, and json.Valid in its place costs
// BenchmarkReplayMix 2–8% of its events per CPU-second (decode checks
// every kept record with it).
func Valid(b []byte) bool {
	s := Scanner{Data: b}
	return s.SkipValue() == nil && s.AtEnd()
}
