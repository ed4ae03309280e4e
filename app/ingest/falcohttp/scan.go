package falcohttp

import (
	"bytes"
	"fmt"

	"github.com/tfdrift/tfdrift/internal/jsonscan"
)

// The handler must answer in well under a millisecond, so it never builds
// the alert. One pass of the module's validating scanner checks the JSON
// (json.Valid's grammar) and, at the top level of each alert, notes what
// the handler needs: is it a Falco alert, and which IDs identify it for
// de-duplication. The detector decodes the alert later.
//
// Measured end to end (BenchmarkFalcoHTTPEndToEndRawClient, side by side
// on the 2-core machine): json.Valid plus json.Unmarshal of the alert in
// its place raise the daemon's CPU per alert from 46 to 73 µs (+58%) and
// halve the alerts per second.

// Keys of output_fields that identify the underlying cloud event. The same
// event seen twice (two Falco replicas reading one CloudTrail bucket)
// carries the same ID.
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
	s := jsonscan.NewScanner(body)
	switch s.Peek() {
	case '{':
		for n := 1; !s.AtEnd(); n++ {
			prefix := ""
			if n > 1 {
				prefix = fmt.Sprintf("value %d: ", n)
			}
			if s.Peek() != '{' {
				return dst, notObject(&s, prefix)
			}
			a, err := readAlert(&s)
			if err != nil {
				err.msg = prefix + err.msg
				return dst, err
			}
			dst = append(dst, a)
		}
		return dst, nil
	case '[':
		if err := s.BeginArray("'['"); err != nil {
			return dst, syntax(err)
		}
		for n := 1; ; n++ {
			prefix := fmt.Sprintf("alert %d: ", n)
			ok, err := s.NextElement(n == 1)
			if err != nil {
				return dst, prefixed(prefix, syntax(err))
			}
			if !ok {
				break
			}
			if s.Peek() != '{' {
				return dst, notObject(&s, prefix)
			}
			a, aerr := readAlert(&s)
			if aerr != nil {
				return dst, prefixed(prefix, aerr)
			}
			dst = append(dst, a)
		}
		if !s.AtEnd() {
			return dst, syntax(s.Unexpected("end of input after the array"))
		}
		if len(dst) == 0 {
			return dst, &alertError{reason: ReasonEmpty, msg: "empty JSON array: want at least one Falco alert"}
		}
		return dst, nil
	case 0:
		if s.AtEnd() {
			return dst, &alertError{reason: ReasonEmpty, msg: "empty body: want a Falco alert as JSON"}
		}
	}
	start := s.Pos
	if s.SkipValue() == nil && s.AtEnd() {
		return dst, notAlert("want a JSON object, got %s", jsonKind(body[start:]))
	}
	return dst, badJSON("body is not JSON (starts with %q); Falco's http_output needs json_output: true", preview(body[start:]))
}

func prefixed(prefix string, err *alertError) *alertError {
	err.msg = prefix + err.msg
	return err
}

// syntax words the scanner's error for the client.
func syntax(err error) *alertError {
	if se, ok := err.(*jsonscan.SyntaxError); ok {
		return badJSON("invalid JSON at byte %d: %s", se.Off, se.Msg)
	}
	return badJSON("invalid JSON: %v", err)
}

// notObject explains a value where an alert object was expected: a syntax
// error when it is not JSON, otherwise its JSON type.
func notObject(s *jsonscan.Scanner, prefix string) *alertError {
	start := s.Pos
	if err := s.SkipValue(); err != nil {
		return prefixed(prefix, syntax(err))
	}
	return notAlert("%swant a JSON object, got %s", prefix, jsonKind(s.Data[start:]))
}

// readAlert reads the object at the scanner's position as a Falco alert.
func readAlert(s *jsonscan.Scanner) (alert, *alertError) {
	start := s.Pos
	p, err := probeAlert(s)
	if err != nil {
		return alert{}, syntax(err)
	}
	switch {
	case !p.hasRule && !p.hasFields:
		return alert{}, notAlert(`not a Falco alert: no "rule" and no "output_fields" object (is json_output enabled in falco.yaml?)`)
	case !p.hasRule:
		return alert{}, notAlert(`not a Falco alert: "rule" is missing or not a non-empty string`)
	case !p.hasFields:
		return alert{}, notAlert(`not a Falco alert: "output_fields" is missing or not an object`)
	}
	return alert{raw: s.Data[start:s.Pos], p: p}, nil
}

// probeAlert reads and checks an object, noting the top-level keys the
// handler needs and the event ID inside output_fields. Of duplicate keys
// the last wins, as in encoding/json.
func probeAlert(s *jsonscan.Scanner) (probe, error) {
	var p probe
	if err := s.BeginObject("'{'"); err != nil {
		return p, err
	}
	for first := true; ; first = false {
		key, esc, ok, err := s.NextMember(first)
		if err != nil || !ok {
			return p, err
		}
		vs := s.Pos
		k := topKey(key, esc)
		if k == keyOutputFields && vs < len(s.Data) && s.Data[vs] == '{' {
			p.eventID = nil
			err = probeFields(s, &p)
		} else {
			err = s.SkipValue()
		}
		if err != nil {
			return p, err
		}
		val := s.Data[vs:s.Pos]
		switch k {
		case keyRule:
			p.rule = stringInner(val)
			p.hasRule = p.rule != nil
		case keyUUID:
			p.uuid = stringInner(val)
		case keyOutputFields:
			p.hasFields = val[0] == '{'
			if !p.hasFields {
				p.eventID = nil
			}
		}
	}
}

// probeFields reads output_fields, noting the event ID.
func probeFields(s *jsonscan.Scanner, p *probe) error {
	if err := s.BeginObject("'{'"); err != nil {
		return err
	}
	for first := true; ; first = false {
		key, esc, ok, err := s.NextMember(first)
		if err != nil || !ok {
			return err
		}
		vs := s.Pos
		if err := s.SkipValue(); err != nil {
			return err
		}
		if isEventIDKey(key, esc) {
			p.eventID = stringInner(s.Data[vs:s.Pos])
		}
	}
}

// stringInner returns the inside of a non-empty string value, escapes in
// place, or nil for anything else.
func stringInner(val []byte) []byte {
	if len(val) > 2 && val[0] == '"' {
		return val[1 : len(val)-1]
	}
	return nil
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
func topKey(raw []byte, escaped bool) int {
	if escaped {
		raw = []byte(stringValue(raw)) // rare: nobody escapes these keys
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

func isEventIDKey(raw []byte, escaped bool) bool {
	if escaped {
		raw = []byte(stringValue(raw)) // "json.value[\/insertId]" is legal JSON
	}
	return string(raw) == fieldCloudTrailID || string(raw) == fieldGCPInsertID
}

// stringValue returns the value of a string token's raw contents (quotes
// stripped, escapes in place), which the scanner has checked.
func stringValue(raw []byte) string {
	s, _ := jsonscan.StringValue(raw, bytes.IndexByte(raw, '\\') >= 0)
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
