package state

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAttributesOfAgreesWithAttributes: the engine's partial decode gives
// exactly what the full decode gives for the names asked, on every
// resource of every test state, and leaves absent names out.
func TestAttributesOfAgreesWithAttributes(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.tfstate")
	if len(files) == 0 {
		t.Fatal("no test states")
	}
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		snap, err := Parse(data, Source{Name: f})
		if err != nil {
			continue // the invalid fixtures have their own tests
		}
		for _, r := range snap.Resources {
			full, err := r.Attributes()
			if err != nil {
				t.Fatal(err)
			}
			names := make([]string, 0, len(full)+1)
			for k := range full {
				names = append(names, k)
			}
			sort.Strings(names)
			for i := 0; i <= len(names); i++ {
				ask := append(append([]string{}, names[:i]...), "no_such_attribute")
				part, err := r.AttributesOf(ask)
				if err != nil {
					t.Fatalf("%s %s: %v", f, r.Address, err)
				}
				want := map[string]any{}
				for _, n := range names[:i] {
					want[n] = full[n]
				}
				if diff := cmp.Diff(want, part); diff != "" {
					t.Fatalf("%s %s asking %v (-full +partial):\n%s", f, r.Address, ask, diff)
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("nothing checked")
	}
}

func FuzzAttributesOf(f *testing.F) {
	f.Add([]byte(`{"id":"i-1","tags":{"a":"b"},"n":1.5,"s":"x\u00e9\"y","b":true,"z":null,"l":[1,"2",{"k":[]}]}`), "tags")
	f.Fuzz(func(t *testing.T, attrs []byte, name string) {
		r := &Resource{Address: "x.y", attrs: attrs}
		full, ferr := r.Attributes()
		part, perr := r.AttributesOf([]string{name})
		if ferr != nil || perr != nil {
			return // invalid input: both may refuse; neither may panic
		}
		if v, ok := full[name]; ok && !cmp.Equal(v, part[name]) {
			t.Fatalf("%q: full %#v, partial %#v", name, v, part[name])
		}
	})
}
