package falcohttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// The handler must answer in well under a millisecond, so it never builds
// the alert: it checks the bytes with json.Valid, then walks the top level
// once to find what it needs (is it a Falco alert, and which IDs identify
// it for de-duplication). The detector decodes the alert properly later.

// Keys of output_fields that identify the underlying cloud event. The same
// event seen twice (two Falco replicas reading one CloudTrail bucket) carries
// the same ID.
const (
	fieldCloudTrailID = "ct.id"
	fieldGCPInsertID  = "json.value[/insertId]"
)

// probe is what the handler learns from one alert.
type probe struct {
	// rule is the raw JSON string token of "rule", quotes stripped and
	// escapes left in place: good enough for hashing.
	rule []byte
	// uuid is falcosidekick's ID, raw like rule; nil when absent.
	uuid []byte
	// eventID is output_fields' ct.id or GCP insertId, raw; nil when absent.
	eventID []byte
	// hasFields says output_fields is present and is an object.
	hasFields bool
}

// alertError says why a body is not an alert the handler accepts.
type alertError struct {
	reason string // a Reason* constant, for the counters
	msg    string // for the client
}

func (e *alertError) Error() string { return e.msg }

func badJSON(format string, args ...any) *alertError {
	return &alertError{reason: ReasonBadJSON, msg: fmt.Sprintf(format, args...)}
}

func notAlert(format string, args ...any) *alertError {
	return &alertError{reason: ReasonNotAlert, msg: fmt.Sprintf(format, args...)}
}

// probeAlert reads one alert. b must be valid JSON (json.Valid) and is not
// modified.
func probeAlert(b []byte) (probe, *alertError) {
	var p probe
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return p, notAlert("want a JSON object, got %s", jsonKind(b[i:]))
	}
	hasRule := false
	i++
	for {
		i = skipWS(b, i)
		if b[i] == '}' {
			break
		}
		if b[i] == ',' {
			i = skipWS(b, i+1)
		}
		ks := i
		i = stringEnd(b, i)
		key := b[ks+1 : i-1]
		i = skipWS(b, i) + 1 // ':'
		i = skipWS(b, i)
		vs := i
		i = skipValue(b, i)
		val := b[vs:i]
		switch topKey(key) {
		case keyRule:
			// Last duplicate wins, as in encoding/json.
			hasRule = len(val) > 2 && val[0] == '"'
			p.rule = nil
			if hasRule {
				p.rule = val[1 : len(val)-1]
			}
		case keyUUID:
			p.uuid = nil
			if len(val) > 2 && val[0] == '"' {
				p.uuid = val[1 : len(val)-1]
			}
		case keyOutputFields:
			p.hasFields = val[0] == '{'
			p.eventID = nil
			if p.hasFields {
				p.eventID = eventIDOf(val)
			}
		}
	}
	switch {
	case !hasRule && !p.hasFields:
		return p, notAlert(`not a Falco alert: no "rule" and no "output_fields" object (is json_output enabled in falco.yaml?)`)
	case !hasRule:
		return p, notAlert(`not a Falco alert: "rule" is missing or not a non-empty string`)
	case !p.hasFields:
		return p, notAlert(`not a Falco alert: "output_fields" is missing or not an object`)
	}
	return p, nil
}

// eventIDOf returns the raw string of ct.id or the GCP insertId inside the
// output_fields object b. Null or non-string values count as absent.
func eventIDOf(b []byte) []byte {
	var id []byte
	i := 1
	for {
		i = skipWS(b, i)
		if b[i] == '}' {
			return id
		}
		if b[i] == ',' {
			i = skipWS(b, i+1)
		}
		ks := i
		i = stringEnd(b, i)
		key := b[ks+1 : i-1]
		i = skipWS(b, i) + 1
		i = skipWS(b, i)
		vs := i
		i = skipValue(b, i)
		val := b[vs:i]
		if isEventIDKey(key) {
			id = nil
			if len(val) > 2 && val[0] == '"' {
				id = val[1 : len(val)-1]
			}
		}
	}
}

// Top-level keys the handler reads.
const (
	keyOther = iota
	keyRule
	keyUUID
	keyOutputFields
)

// topKey classifies a raw key token. The comparisons are written as
// string(raw) == "…" so that the compiler does not allocate.
func topKey(raw []byte) int {
	if bytes.IndexByte(raw, '\\') >= 0 {
		raw = []byte(unescape(raw)) // rare: nobody escapes these keys
	}
	switch {
	case string(raw) == "rule":
		return keyRule
	case string(raw) == "uuid":
		return keyUUID
	case string(raw) == "output_fields":
		return keyOutputFields
	}
	return keyOther
}

func isEventIDKey(raw []byte) bool {
	if bytes.IndexByte(raw, '\\') >= 0 {
		raw = []byte(unescape(raw)) // "json.value[\/insertId]" is legal JSON
	}
	return string(raw) == fieldCloudTrailID || string(raw) == fieldGCPInsertID
}

// stringValue returns a raw string token's value as a Go string.
func stringValue(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw)
	}
	return unescape(raw)
}

// unescape decodes the inside of a valid JSON string token.
func unescape(raw []byte) string {
	quoted := make([]byte, 0, len(raw)+2)
	quoted = append(quoted, '"')
	quoted = append(quoted, raw...)
	quoted = append(quoted, '"')
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		// Unreachable for a token from a json.Valid document; keep the
		// raw text rather than lose the value.
		return string(raw)
	}
	return s
}

// splitAlerts returns the alerts in a request body: one JSON object, a JSON
// array of objects, or several objects separated by whitespace (NDJSON).
// Each returned slice is valid JSON; it is not yet checked to be an alert.
func splitAlerts(body []byte) ([][]byte, *alertError) {
	start := skipWS(body, 0)
	if start == len(body) {
		return nil, &alertError{reason: ReasonEmpty, msg: "empty body: want a Falco alert as JSON"}
	}
	switch body[start] {
	case '{':
		if json.Valid(body) {
			return [][]byte{body}, nil
		}
		return splitStream(body, start)
	case '[':
		if !json.Valid(body) {
			return nil, syntaxError(body, "JSON array")
		}
		return splitArray(body, start)
	default:
		if json.Valid(body) {
			return nil, notAlert("want a JSON object, got %s", jsonKind(body[start:]))
		}
		return nil, badJSON("body is not JSON (starts with %q); Falco's http_output needs json_output: true", preview(body[start:]))
	}
}

// splitArray splits a valid JSON array into its elements.
func splitArray(body []byte, i int) ([][]byte, *alertError) {
	var out [][]byte
	i++
	for {
		i = skipWS(body, i)
		if body[i] == ']' {
			break
		}
		if body[i] == ',' {
			i = skipWS(body, i+1)
		}
		s := i
		i = skipValue(body, i)
		out = append(out, body[s:i])
	}
	if len(out) == 0 {
		return nil, &alertError{reason: ReasonEmpty, msg: "empty JSON array: want at least one Falco alert"}
	}
	return out, nil
}

// splitStream splits whitespace-separated JSON values (NDJSON). Each value is
// validated on its own so the error names the one that is broken.
func splitStream(body []byte, i int) ([][]byte, *alertError) {
	var out [][]byte
	for n := 1; i < len(body); n++ {
		s := i
		i = skipValueLoose(body, i)
		if i < 0 {
			return nil, badJSON("value %d: unterminated JSON (body cut short?)", n)
		}
		v := body[s:i]
		if !json.Valid(v) {
			return nil, syntaxError(v, fmt.Sprintf("value %d", n))
		}
		out = append(out, v)
		i = skipWS(body, i)
	}
	return out, nil
}

// syntaxError describes why b is not valid JSON, with the byte offset. It
// runs only on the error path, where allocation does not matter.
func syntaxError(b []byte, what string) *alertError {
	var v any
	err := json.Unmarshal(b, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return badJSON("%s: invalid JSON at byte %d: %v", what, se.Offset, se)
	}
	if err != nil {
		return badJSON("%s: invalid JSON: %v", what, err)
	}
	return badJSON("%s: invalid JSON", what)
}

// jsonKind names the JSON type that b starts with, for error messages.
func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// preview returns a short, printable start of b for error messages.
func preview(b []byte) string {
	const max = 20
	if len(b) > max {
		b = b[:max]
	}
	return string(b)
}

func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// stringEnd returns the index just past the string token starting at b[i]
// ('"'). b must be valid JSON.
func stringEnd(b []byte, i int) int {
	i++
	for {
		switch b[i] {
		case '\\':
			i += 2
		case '"':
			return i + 1
		default:
			i++
		}
	}
}

// skipValue returns the index just past the value starting at b[i]. b must
// be valid JSON.
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for {
			switch b[i] {
			case '"':
				i = stringEnd(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
	default:
		for i < len(b) {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return i
	}
}

// skipValueLoose is skipValue for input not yet validated: it finds where a
// value would end and returns -1 when the input ends first. It never reads
// out of bounds; the caller validates the slice it delimits.
func skipValueLoose(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEndLoose(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = stringEndLoose(b, i)
				if i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	default:
		for i < len(b) {
			switch b[i] {
			case ' ', '\t', '\n', '\r', '{', '[', '"':
				return i
			}
			i++
		}
		return i
	}
}

func stringEndLoose(b []byte, i int) int {
	i++
	for i < len(b) {
		switch b[i] {
		case '\\':
			i += 2
		case '"':
			return i + 1
		default:
			i++
		}
	}
	return -1
}
