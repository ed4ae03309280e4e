package falcohttp

import (
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

// FuzzProbeAlert checks the hand-written scanner against encoding/json on
// every valid document.
func FuzzProbeAlert(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		got, want := runProbe(b), referenceProbe(b)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("probeAlert(%q) disagrees with encoding/json (-want +got):\n%s", b, diff)
		}
	})
}

// FuzzSplitAlerts checks that splitting never panics, that every piece is
// valid JSON, and that a valid single object comes back whole.
func FuzzSplitAlerts(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		parts, err := splitAlerts(b)
		if err != nil {
			if err.reason == "" || err.msg == "" {
				t.Fatalf("error without reason or message: %+v", err)
			}
			return
		}
		if len(parts) == 0 {
			t.Fatal("no error and no alerts")
		}
		for _, p := range parts {
			if !json.Valid(p) {
				t.Fatalf("piece %q of %q is not valid JSON", p, b)
			}
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(b, &obj) == nil && obj != nil && len(parts) != 1 {
			t.Fatalf("a single object %q split into %d pieces", b, len(parts))
		}
	})
}
