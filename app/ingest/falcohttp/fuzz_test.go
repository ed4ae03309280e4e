package falcohttp

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func addSeeds(f *testing.F) {
	for _, name := range []string{"alert_cloudtrail.json", "sidekick.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"rule":"r","output_fields":{"ct.id":"a","json.value[/insertId]":"b"}}`,
		`{"rule":"r","output_fields":{"json.value[\/insertId]":"b","ct.id":null}}`,
		`{"rule":"\u0072","uuid":"\"","output_fields":{}}`,
		`[{"rule":"r","output_fields":{}},{"rule":"s","output_fields":{}}]`,
		"{\"rule\":\"r\",\"output_fields\":{}}\n{\"rule\":\"s\"}",
		`{"a":{"b":[1,2,{"c":"]}"}]}}`,
		`{"a":1} x`, `"x"`, `[`, `{`, `{"a":"\`, ``,
	} {
		f.Add([]byte(s))
	}
}

// FuzzProbeAlert checks what the scanner reads from an alert against
// encoding/json.
func FuzzProbeAlert(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		// One valid JSON object: the case both can judge alone.
		if t := bytes.TrimLeft(b, " \t\r\n"); !json.Valid(b) || len(t) == 0 || t[0] != '{' {
			return
		}
		got, want := runProbe(b), referenceProbe(b)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("probeAlert(%q) disagrees with encoding/json (-want +got):\n%s", b, diff)
		}
	})
}

// FuzzParseAlerts checks that parsing never panics, that every alert found
// is valid JSON and a slice of the body, and that every error has a reason
// and a message.
func FuzzParseAlerts(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		as, err := parseAlerts(nil, b)
		if err != nil {
			if err.reason == "" || err.msg == "" {
				t.Fatalf("error without reason or message: %+v", err)
			}
			return
		}
		if len(as) == 0 {
			t.Fatal("no error and no alerts")
		}
		for _, a := range as {
			if !json.Valid(a.raw) || !bytes.Contains(b, a.raw) {
				t.Fatalf("alert %q of %q is not valid JSON from the body", a.raw, b)
			}
			if !a.p.hasRule || !a.p.hasFields {
				t.Fatalf("alert %q accepted without rule and output_fields", a.raw)
			}
		}
	})
}
