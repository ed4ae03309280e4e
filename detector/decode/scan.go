package decode

import (
	"bytes"

	"github.com/tfdrift/tfdrift/detector/internal/jsonany"
)

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
	v, err := jsonany.Decode(raw)
	s, ok := v.(string)
	return s, err == nil && ok
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
