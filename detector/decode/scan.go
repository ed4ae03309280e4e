package decode

import "github.com/tfdrift/tfdrift/internal/jsonscan"

// stringValue returns the Go string for a raw JSON string value, or ok ==
// false when raw is not a string.
func stringValue(raw []byte) (string, bool) { return jsonscan.Unquote(raw) }

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
