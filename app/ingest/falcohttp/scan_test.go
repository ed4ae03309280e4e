package falcohttp

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// probeResult is probeAlert's answer in comparable form.
type probeResult struct {
	Rule, UUID, EventID string
	Reason              string
}

func runProbe(b []byte) probeResult {
	p, err := probeAlert(b)
	if err != nil {
		return probeResult{Reason: err.reason}
	}
	return probeResult{Rule: unescape(p.rule), UUID: unescape(p.uuid), EventID: unescape(p.eventID)}
}

// referenceProbe is probeAlert written the slow, obvious way with
// encoding/json; the fuzz target checks that both agree.
func referenceProbe(b []byte) probeResult {
	var top map[string]json.RawMessage
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
		{"array", `[]`, probeResult{Reason: ReasonNotAlert}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, runProbe([]byte(tc.in))); diff != "" {
				t.Errorf("probeAlert (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, referenceProbe([]byte(tc.in))); diff != "" {
				t.Errorf("reference disagrees with the table (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSplitAlerts(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   []string
		reason string
		frag   string
	}{
		{name: "object", in: `{"a":1}`, want: []string{`{"a":1}`}},
		{name: "object with trailing newline", in: "{\"a\":1}\n", want: []string{"{\"a\":1}\n"}},
		{name: "array", in: ` [ {"a":1} , {"b":[2,"]"]} ] `, want: []string{`{"a":1}`, `{"b":[2,"]"]}`}},
		{name: "ndjson", in: "{\"a\":1}\n{\"b\":\"}\"}\r\n\n{\"c\":3}", want: []string{`{"a":1}`, `{"b":"}"}`, `{"c":3}`}},
		{name: "concatenated", in: `{"a":1}{"b":2}`, want: []string{`{"a":1}`, `{"b":2}`}},
		{name: "empty", in: "  ", reason: ReasonEmpty},
		{name: "empty array", in: " [ ] ", reason: ReasonEmpty},
		{name: "text", in: "Warning x", reason: ReasonBadJSON, frag: "json_output"},
		{name: "number", in: "12", reason: ReasonNotAlert, frag: "a number"},
		{name: "bad array", in: `[{"a":1},]`, reason: ReasonBadJSON, frag: "JSON array: invalid JSON at byte"},
		{name: "second value broken", in: "{\"a\":1}\n{\"b\":}\n", reason: ReasonBadJSON, frag: "value 2"},
		{name: "cut short", in: `{"a":{"b":1}`, reason: ReasonBadJSON, frag: "unterminated"},
		{name: "garbage after", in: `{"a":1} x`, reason: ReasonBadJSON, frag: "value 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := splitAlerts([]byte(tc.in))
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
				gs = append(gs, string(g))
			}
			if diff := cmp.Diff(tc.want, gs); diff != "" {
				t.Errorf("splitAlerts (-want +got):\n%s", diff)
			}
		})
	}
}
