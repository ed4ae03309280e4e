package state

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/tfdrift/tfdrift/internal/jsonscan"
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

// scanner is the module's validating JSON scanner, which reads a state
// file without building it: state files run to hundreds of megabytes and
// almost all of their bytes are attribute values tfdrift only needs to
// skip. Every value it skips is still fully checked, so a document it
// accepts is one json.Valid accepts. Loading the 100,000-resource state of
// BenchmarkParseIndex100k (and indexing it) takes 1.0 CPU-s this way;
// json.Unmarshal of the same file into its shape, attributes kept raw and
// no index built, takes 2.7 (BenchmarkLoad100kEncodingJSON).
type scanner struct {
	jsonscan.Scanner
}

// withLine turns the scanner's *jsonscan.SyntaxError into a *SyntaxError
// with the line and column of its offset in data; other errors pass as
// they are.
func withLine(data []byte, err error) error {
	var se *jsonscan.SyntaxError
	if !errors.As(err, &se) || error(se) != err {
		return err
	}
	pos := min(se.Off, len(data))
	col := pos + 1
	if nl := bytes.LastIndexByte(data[:pos], '\n'); nl >= 0 {
		col = pos - nl
	}
	return &SyntaxError{Offset: int64(pos), Line: 1 + bytes.Count(data[:pos], []byte{'\n'}), Column: col, Msg: se.Msg}
}

// decodeString turns raw string contents into a Go string exactly as
// encoding/json (and so Resource.Attributes) does: an ID read here always
// equals the attribute.
func decodeString(raw []byte, escaped bool) (string, error) {
	v, ok := jsonscan.StringValue(raw, escaped)
	if !ok {
		return "", fmt.Errorf("invalid JSON string %q", raw)
	}
	return v, nil
}

// scalar reads a value that may identify a resource: a string (decoded) or
// a number (its JSON text). Anything else is skipped and reported as "".
func (s *scanner) scalar() (string, error) {
	switch c := s.Peek(); {
	case c == '"':
		raw, esc, err := s.ReadString()
		if err != nil {
			return "", err
		}
		return decodeString(raw, esc)
	case c == '-' || jsonscan.IsDigit(c):
		num, err := s.ReadNumber()
		return string(num), err
	default:
		return "", s.SkipValue()
	}
}
