package falcohttp

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/internal/jsonscan"
)

// probeResult is probeAlert's answer in comparable form.
type probeResult struct {
	Rule, UUID, EventID string
	Reason              string
}

// runProbe parses b as a body that must hold exactly one alert.
func runProbe(b []byte) probeResult {
	as, err := parseAlerts(nil, b)
	if err != nil {
		return probeResult{Reason: err.reason}
	}
	if len(as) != 1 {
		return probeResult{Reason: "several alerts"}
	}
	p := as[0].p
	return probeResult{Rule: stringValue(p.rule), UUID: stringValue(p.uuid), EventID: stringValue(p.eventID)}
}

// referenceProbe is probeAlert written the slow, obvious way with
// encoding/json; the fuzz target checks that both agree.
func referenceProbe(b []byte) probeResult {
	var top map[string]json.RawMessage
	if !json.Valid(b) {
		return probeResult{Reason: ReasonBadJSON}
	}
	if err := json.Unmarshal(b, &top); err != nil || top == nil {
		return probeResult{Reason: ReasonNotAlert}
	}
	str := func(raw json.RawMessage) (string, bool) {
		var s string
		if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	}
	rule, ok := str(top["rule"])
	var fields map[string]json.RawMessage
	raw := top["output_fields"]
	isObj := len(raw) > 0 && raw[0] == '{' && json.Unmarshal(raw, &fields) == nil
	if !ok || rule == "" || !isObj {
		return probeResult{Reason: ReasonNotAlert}
	}
	r := probeResult{Rule: rule}
	r.UUID, _ = str(top["uuid"])
	// Walk output_fields in order: the last ID key in the text wins.
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	_, _ = dec.Token() // '{'
	for dec.More() {
		tok, _ := dec.Token()
		var v json.RawMessage
		_ = dec.Decode(&v)
		if k, _ := tok.(string); k == fieldCloudTrailID || k == fieldGCPInsertID {
			r.EventID, _ = str(v)
		}
	}
	return r
}

func TestProbeAlert(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want probeResult
	}{
		{"cloudtrail", readFixture(t, "alert_cloudtrail.json"), probeResult{Rule: "Terraform-managed resource changed", EventID: "6c4d7b1a-3f0e-4a7e-9d61-2b8f5e0c9a11"}},
		{"sidekick gcp", readFixture(t, "sidekick.json"), probeResult{Rule: "GCP firewall rule modified", UUID: "5a3e2c1b-8f7d-4e6a-9b0c-1d2e3f4a5b6c", EventID: "-a1b2c3d4e5f6"}},
		{"minimal", `{"rule":"r","output_fields":{}}`, probeResult{Rule: "r"}},
		{"white space everywhere", " {\n \"rule\" : \"r\" ,\t\"output_fields\" : { \"ct.id\" : \"x\" } } ", probeResult{Rule: "r", EventID: "x"}},
		{"escaped key", `{"rule":"r","output_fields":{"json.value[\/insertId]":"i"}}`, probeResult{Rule: "r", EventID: "i"}},
		{"escaped values", `{"rule":"a\"b","uuid":"\u0041","output_fields":{"ct.id":"\\x"}}`, probeResult{Rule: `a"b`, UUID: "A", EventID: `\x`}},
		{"nested look-alike keys ignored", `{"rule":"r","output":{"uuid":"u","ct.id":"x"},"output_fields":{"n":{"ct.id":"y"}}}`, probeResult{Rule: "r"}},
		{"numeric ct.id ignored", `{"rule":"r","output_fields":{"ct.id":12}}`, probeResult{Rule: "r"}},
		{"duplicate key, last wins", `{"rule":"r","output_fields":{},"rule":""}`, probeResult{Reason: ReasonNotAlert}},
		{"empty rule", `{"rule":"","output_fields":{}}`, probeResult{Reason: ReasonNotAlert}},
		{"rule not a string", `{"rule":1,"output_fields":{}}`, probeResult{Reason: ReasonNotAlert}},
		{"fields null", `{"rule":"r","output_fields":null}`, probeResult{Reason: ReasonNotAlert}},
		{"empty array", `[]`, probeResult{Reason: ReasonEmpty}},
		{"number", `12`, probeResult{Reason: ReasonNotAlert}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, runProbe([]byte(tc.in))); diff != "" {
				t.Errorf("probeAlert (-want +got):\n%s", diff)
			}
			if tc.want.Reason == ReasonEmpty {
				return
			}
			if diff := cmp.Diff(tc.want, referenceProbe([]byte(tc.in))); diff != "" {
				t.Errorf("reference disagrees with the table (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAlerts(t *testing.T) {
	const a, b, c = `{"rule":"a","output_fields":{}}`, `{"rule":"b","output_fields":{"x":"}"}}`, `{"rule":"c","output_fields":{"y":[1,"]"]}}`
	tests := []struct {
		name   string
		in     string
		want   []string
		reason string
		frag   string
	}{
		{name: "object", in: a, want: []string{a}},
		{name: "object in white space", in: " \n" + a + "\r\n", want: []string{a}},
		{name: "array", in: " [ " + a + " , " + c + " ] ", want: []string{a, c}},
		{name: "ndjson", in: a + "\n" + b + "\r\n\n" + c, want: []string{a, b, c}},
		{name: "concatenated", in: a + b, want: []string{a, b}},
		{name: "empty", in: "  ", reason: ReasonEmpty, frag: "empty body"},
		{name: "empty array", in: " [ ] ", reason: ReasonEmpty, frag: "empty JSON array"},
		{name: "empty array then data", in: "[] x", reason: ReasonBadJSON, frag: "byte 3: invalid character 'x', want end of input after the array"},
		{name: "text", in: "Warning x", reason: ReasonBadJSON, frag: "json_output: true"},
		{name: "number", in: "12", reason: ReasonNotAlert, frag: "got a number"},
		{name: "two numbers", in: "12 13", reason: ReasonBadJSON, frag: "not JSON"},
		{name: "trailing comma in array", in: "[" + a + ",]", reason: ReasonBadJSON, frag: "alert 2: invalid JSON at byte 33: invalid character ']', want a JSON value"},
		{name: "array element not an object", in: "[" + a + ",1]", reason: ReasonNotAlert, frag: "alert 2: want a JSON object, got a number"},
		{name: "array not closed", in: "[" + a, reason: ReasonBadJSON, frag: "unexpected end of input, want ',' or ']' after array element"},
		{name: "array bad separator", in: "[" + a + ";" + b + "]", reason: ReasonBadJSON, frag: "character ';', want ',' or ']' after array element"},
		{name: "data after array", in: "[" + a + "] {}", reason: ReasonBadJSON, frag: "want end of input after the array"},
		{name: "alert 2 not an alert", in: "[" + a + `,{"rule":"r"}]`, reason: ReasonNotAlert, frag: `alert 2: not a Falco alert: "output_fields" is missing`},
		{name: "second value broken", in: a + "\n{\"b\":}\n", reason: ReasonBadJSON, frag: "value 2: invalid JSON at byte 37: invalid character '}', want a JSON value"},
		{name: "second value not an object", in: a + "\n[]", reason: ReasonNotAlert, frag: "value 2: want a JSON object, got an array"},
		{name: "garbage after", in: a + " x", reason: ReasonBadJSON, frag: "value 2: invalid JSON"},
		{name: "cut short", in: `{"rule":"r","output_fields":{"b":1}`, reason: ReasonBadJSON, frag: "byte 35: unexpected end of input, want ',' or '}' after object member"},
		{name: "cut short after output_fields", in: `{"rule":"r","output_fields":`, reason: ReasonBadJSON, frag: "byte 28: unexpected end of input, want a JSON value"},
		{name: "not an alert", in: `{"a":1}`, reason: ReasonNotAlert, frag: `no "rule" and no "output_fields"`},
		{name: "control character", in: "{\"rule\":\"a\tb\",\"output_fields\":{}}", reason: ReasonBadJSON, frag: "invalid control character 0x09 in string"},
		{name: "bad escape", in: `{"rule":"a\qb","output_fields":{}}`, reason: ReasonBadJSON, frag: "invalid escape character 'q' in string"},
		{name: "short unicode escape", in: `{"rule":"\u12","output_fields":{}}`, reason: ReasonBadJSON, frag: "invalid character '\"' in \\u escape"},
		{name: "bad number", in: `{"rule":"r","output_fields":{"n":01}}`, reason: ReasonBadJSON, frag: "invalid character '1', want ',' or '}' after object member"},
		{name: "bad literal", in: `{"rule":"r","output_fields":{"n":nul}}`, reason: ReasonBadJSON, frag: "want literal null"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseAlerts(nil, []byte(tc.in))
			if tc.reason != "" {
				if err == nil || err.reason != tc.reason || !strings.Contains(err.msg, tc.frag) {
					t.Fatalf("error %v, want reason %s containing %q", err, tc.reason, tc.frag)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var gs []string
			for _, g := range got {
				gs = append(gs, string(g.raw))
			}
			if diff := cmp.Diff(tc.want, gs); diff != "" {
				t.Errorf("parseAlerts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNestingLimit(t *testing.T) {
	// encoding/json refuses more than 10000 levels; parseAlerts agrees.
	for _, depth := range []int{jsonscan.MaxDepth, jsonscan.MaxDepth + 1} {
		inner := depth - 2 // the alert and output_fields are two levels
		doc := []byte(`{"rule":"r","output_fields":{"x":` + strings.Repeat("[", inner) + strings.Repeat("]", inner) + `}}`)
		_, err := parseAlerts(nil, doc)
		if got, want := err == nil, json.Valid(doc); got != want {
			t.Errorf("depth %d: parseAlerts error %v, json.Valid %v", depth, err, want)
		}
	}
}
