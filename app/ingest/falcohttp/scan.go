package falcohttp

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// The handler must answer in well under a millisecond, so it never builds
// the alert. One pass over the bytes validates the JSON (the same grammar
// as json.Valid, which a fuzz target checks) and, at the top level of each
// alert, notes what the handler needs: is it a Falco alert, and which IDs
// identify it for de-duplication. The detector decodes the alert later.
// json.Valid alone was twice as slow as this whole pass.

// Keys of output_fields that identify the underlying cloud event. The same
// event seen twice (two Falco replicas reading one CloudTrail bucket)
// carries the same ID.
const (
	fieldCloudTrailID = "ct.id"
	fieldGCPInsertID  = "json.value[/insertId]"
)

// maxDepth is encoding/json's nesting limit, kept so that both agree.
const maxDepth = 10000

// probe is what the handler learns from one alert.
type probe struct {
	// rule is the raw JSON string token of "rule", quotes stripped and
	// escapes left in place: good enough for hashing.
	rule []byte
	// uuid is falcosidekick's ID, raw like rule; nil when absent.
	uuid []byte
	// eventID is output_fields' ct.id or GCP insertId, raw; nil when absent.
	eventID []byte
	// hasRule says "rule" is a non-empty string.
	hasRule bool
	// hasFields says output_fields is present and is an object.
	hasFields bool
}

// alert is one alert found in a request body.
type alert struct {
	raw []byte // the alert's JSON object, a slice of the body
	p   probe
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

// parseAlerts returns the alerts in a request body, appended to dst: one
// JSON object, a JSON array of objects, or objects separated by white space
// (NDJSON). Every alert is checked; the first problem is returned.
func parseAlerts(dst []alert, body []byte) ([]alert, *alertError) {
	s := scanner{b: body}
	i := s.ws(0)
	if i == len(body) {
		return dst, &alertError{reason: ReasonEmpty, msg: "empty body: want a Falco alert as JSON"}
	}
	switch body[i] {
	case '{':
		for n := 1; i < len(body); n++ {
			if body[i] != '{' {
				return dst, s.notObject(i, fmt.Sprintf("value %d: ", n))
			}
			a, end, err := s.alert(i)
			if err != nil {
				if n > 1 {
					err.msg = fmt.Sprintf("value %d: %s", n, err.msg)
				}
				return dst, err
			}
			dst = append(dst, a)
			i = s.ws(end)
		}
		return dst, nil
	case '[':
		i = s.ws(i + 1)
		if i < len(body) && body[i] == ']' {
			if s.ws(i+1) != len(body) {
				return dst, s.syntax(s.ws(i+1), "data after the array")
			}
			return dst, &alertError{reason: ReasonEmpty, msg: "empty JSON array: want at least one Falco alert"}
		}
		for n := 1; ; n++ {
			if i == len(body) {
				return dst, s.syntax(i, "end of input inside the array")
			}
			prefix := fmt.Sprintf("alert %d: ", n)
			if body[i] != '{' {
				return dst, s.notObject(i, prefix)
			}
			a, end, err := s.alert(i)
			if err != nil {
				err.msg = prefix + err.msg
				return dst, err
			}
			dst = append(dst, a)
			i = s.ws(end)
			switch {
			case i == len(body):
				return dst, s.syntax(i, "end of input inside the array")
			case body[i] == ',':
				i = s.ws(i + 1)
			case body[i] == ']':
				if j := s.ws(i + 1); j != len(body) {
					return dst, s.syntax(j, "data after the array")
				}
				return dst, nil
			default:
				return dst, s.syntax(i, "character "+quoteByte(body[i])+" after an array element")
			}
		}
	default:
		if end := s.value(i, 0); end >= 0 && s.ws(end) == len(body) {
			return dst, notAlert("want a JSON object, got %s", jsonKind(body[i:]))
		}
		return dst, badJSON("body is not JSON (starts with %q); Falco's http_output needs json_output: true", preview(body[i:]))
	}
}

// notObject explains a value where an alert object was expected: a syntax
// error when it is not JSON, otherwise its JSON type.
func (s *scanner) notObject(i int, prefix string) *alertError {
	s.err = nil
	if end := s.value(i, 0); end < 0 {
		s.err.msg = prefix + s.err.msg
		return s.err
	}
	return notAlert("%swant a JSON object, got %s", prefix, jsonKind(s.b[i:]))
}

// alert scans the object at b[i] as a Falco alert and returns it with the
// index just past it.
func (s *scanner) alert(i int) (alert, int, *alertError) {
	var p probe
	end := s.object(i, 1, modeAlert, &p)
	if end < 0 {
		return alert{}, 0, s.err
	}
	switch {
	case !p.hasRule && !p.hasFields:
		return alert{}, 0, notAlert(`not a Falco alert: no "rule" and no "output_fields" object (is json_output enabled in falco.yaml?)`)
	case !p.hasRule:
		return alert{}, 0, notAlert(`not a Falco alert: "rule" is missing or not a non-empty string`)
	case !p.hasFields:
		return alert{}, 0, notAlert(`not a Falco alert: "output_fields" is missing or not an object`)
	}
	return alert{raw: s.b[i:end], p: p}, end, nil
}

// What object() records while it scans.
const (
	modeNone   = iota
	modeAlert  // the top level of an alert: rule, uuid, output_fields
	modeFields // output_fields: the event ID
)

// scanner validates JSON. Its methods return the index just past what they
// scanned, or -1 with s.err set.
type scanner struct {
	b   []byte
	err *alertError
}

func (s *scanner) syntax(i int, what string) *alertError {
	return badJSON("invalid JSON at byte %d: unexpected %s", i, what)
}

func (s *scanner) fail(i int, what string) int {
	if s.err == nil {
		s.err = s.syntax(i, what)
	}
	return -1
}

func (s *scanner) unexpected(i int, context string) int {
	if i >= len(s.b) {
		return s.fail(i, "end of input "+context)
	}
	return s.fail(i, "character "+quoteByte(s.b[i])+" "+context)
}

func (s *scanner) ws(i int) int {
	for i < len(s.b) {
		switch s.b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func (s *scanner) value(i, depth int) int {
	if i >= len(s.b) {
		return s.fail(i, "end of input looking for a value")
	}
	switch c := s.b[i]; {
	case c == '{':
		return s.object(i, depth+1, modeNone, nil)
	case c == '[':
		return s.array(i, depth+1)
	case c == '"':
		return s.str(i)
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number(i)
	case c == 't':
		return s.literal(i, "true")
	case c == 'f':
		return s.literal(i, "false")
	case c == 'n':
		return s.literal(i, "null")
	}
	return s.unexpected(i, "looking for a value")
}

func (s *scanner) literal(i int, lit string) int {
	if len(s.b)-i < len(lit) || string(s.b[i:i+len(lit)]) != lit {
		return s.fail(i, "text; want "+lit)
	}
	return i + len(lit)
}

// object scans {…} at b[i]. In modeAlert and modeFields it records keys of
// interest into p; the last duplicate key wins, as in encoding/json.
func (s *scanner) object(i, depth, mode int, p *probe) int {
	if depth > maxDepth {
		return s.fail(i, "nesting deeper than 10000")
	}
	i = s.ws(i + 1)
	if i < len(s.b) && s.b[i] == '}' {
		return i + 1
	}
	for {
		if i >= len(s.b) || s.b[i] != '"' {
			return s.unexpected(i, "looking for an object key")
		}
		ks := i
		if i = s.str(i); i < 0 {
			return -1
		}
		key := s.b[ks+1 : i-1]
		if i = s.ws(i); i >= len(s.b) || s.b[i] != ':' {
			return s.unexpected(i, "after an object key")
		}
		vs := s.ws(i + 1)
		if mode == modeAlert && vs < len(s.b) && s.b[vs] == '{' && topKey(key) == keyOutputFields {
			p.eventID = nil
			i = s.object(vs, depth+1, modeFields, p)
		} else {
			i = s.value(vs, depth)
		}
		if i < 0 {
			return -1
		}
		if mode != modeNone {
			s.record(mode, key, s.b[vs:i], p)
		}
		i = s.ws(i)
		if i >= len(s.b) {
			return s.unexpected(i, "inside an object")
		}
		switch s.b[i] {
		case ',':
			i = s.ws(i + 1)
		case '}':
			return i + 1
		default:
			return s.unexpected(i, "after an object value")
		}
	}
}

// record notes a key of interest with its (valid) value.
func (s *scanner) record(mode int, key, val []byte, p *probe) {
	// inner is the content of a non-empty string value, else nil.
	var inner []byte
	isStr := len(val) > 2 && val[0] == '"'
	if isStr {
		inner = val[1 : len(val)-1]
	}
	if mode == modeFields {
		if isEventIDKey(key) {
			p.eventID = inner
		}
		return
	}
	switch topKey(key) {
	case keyRule:
		p.hasRule = isStr
		p.rule = inner
	case keyUUID:
		p.uuid = inner
	case keyOutputFields:
		p.hasFields = val[0] == '{'
		if !p.hasFields {
			p.eventID = nil
		}
	}
}

func (s *scanner) array(i, depth int) int {
	if depth > maxDepth {
		return s.fail(i, "nesting deeper than 10000")
	}
	i = s.ws(i + 1)
	if i < len(s.b) && s.b[i] == ']' {
		return i + 1
	}
	for {
		if i = s.value(i, depth); i < 0 {
			return -1
		}
		i = s.ws(i)
		if i >= len(s.b) {
			return s.unexpected(i, "inside an array")
		}
		switch s.b[i] {
		case ',':
			i = s.ws(i + 1)
		case ']':
			return i + 1
		default:
			return s.unexpected(i, "after an array element")
		}
	}
}

// str scans a string token at b[i] ('"'). Like json.Valid it does not check
// UTF-8; control characters and bad escapes are errors.
func (s *scanner) str(i int) int {
	b := s.b
	for i++; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '"':
			return i + 1
		case c < 0x20:
			return s.unexpected(i, "control character in a string")
		case c == '\\':
			i++
			if i >= len(b) {
				return s.unexpected(i, "in a string escape")
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i <= 4 || !isHex(b[i+1]) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) {
					return s.fail(i, "\\u escape without four hex digits")
				}
				i += 4
			default:
				return s.unexpected(i, "in a string escape")
			}
		}
	}
	return s.unexpected(i, "inside a string")
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number(i int) int {
	b := s.b
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return s.unexpected(i, "in a number")
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return s.unexpected(j, "after a decimal point")
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
			return s.unexpected(j, "in an exponent")
		}
		i = j
	}
	return i
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// validJSON is json.Valid by this scanner, for the fuzz target.
func validJSON(b []byte) bool {
	s := scanner{b: b}
	end := s.value(s.ws(0), 0)
	return end >= 0 && s.ws(end) == len(b)
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
		// Unreachable for a token the scanner accepted; keep the raw
		// text rather than lose the value.
		return string(raw)
	}
	return s
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

// preview returns a short start of b for error messages.
func preview(b []byte) string {
	const max = 20
	if len(b) > max {
		b = b[:max]
	}
	return string(b)
}

func quoteByte(c byte) string { return fmt.Sprintf("%q", rune(c)) }
