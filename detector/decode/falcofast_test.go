package decode

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/internal/jsonscan"
)

// FuzzFalcoFastPath: whenever the structural fast path accepts an alert,
// it must read exactly what encoding/json reads (of the fields the
// fillers use: the fast path keeps no others).
func FuzzFalcoFastPath(f *testing.F) {
	files, _ := filepath.Glob("testdata/falco*.json")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"time":"2025-01-20T14:50:00Z","output_fields":{"ct.name":"X","ct.id":1,"ct.error":null},"Time":"x"}`))
	f.Add([]byte(`{"output_fields":{"a":"1"},"output_fields":{"b":"2"},"time":"t","time":"u"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var fast falcoAlert
		if !jsonscan.Valid(raw) || !fastFalco(raw, &fast) {
			return
		}
		var slow falcoAlert
		if _, err := unmarshalRecord(raw, &slow); err != nil {
			t.Fatalf("fast path accepted what encoding/json refuses (%v): %q", err, raw)
		}
		norm := func(m map[string]json.RawMessage) map[string]string {
			out := map[string]string{}
			for k, v := range m {
				if _, read := falcoFieldNames[k]; read {
					out[k] = string(v)
				}
			}
			return out
		}
		if fast.Time != slow.Time || !cmp.Equal(norm(fast.OutputFields), norm(slow.OutputFields)) {
			t.Fatalf("fast %+v\nslow %+v\ninput %q", fast, slow, raw)
		}
	})
}
