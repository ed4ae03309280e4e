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
	checked, sorted := 0, 0
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
			if r.sortedAttrs {
				sorted++
			}
			// Prefixes with and without a name past every key, and each
			// name alone: a sorted walk stops at a different point for
			// each.
			var asks [][]string
			for i := 0; i <= len(names); i++ {
				asks = append(asks, names[:i], append(append([]string{}, names[:i]...), "no_such_attribute"))
				if i < len(names) {
					asks = append(asks, []string{names[i]}, []string{names[i], "a_missing_name"})
				}
			}
			for _, ask := range asks {
				part, err := r.AttributesOf(ask)
				if err != nil {
					t.Fatalf("%s %s: %v", f, r.Address, err)
				}
				want := map[string]any{}
				for _, n := range ask {
					if v, ok := full[n]; ok {
						want[n] = v
					}
				}
				if diff := cmp.Diff(want, part); diff != "" {
					t.Fatalf("%s %s asking %v (-full +partial):\n%s", f, r.Address, ask, diff)
				}
				checked++
			}
		}
	}
	if checked == 0 || sorted == 0 {
		t.Fatalf("%d asks checked, %d resources with sorted keys: want both", checked, sorted)
	}
}

// TestSortedAttributes: the parser notes when attribute keys are sorted
// (Terraform's order), which lets AttributesOf stop early; an unsorted,
// repeated or escaped key turns it off, so the last of two equal keys
// still wins as with encoding/json.
func TestSortedAttributes(t *testing.T) {
	for _, tc := range []struct {
		attrs  string
		sorted bool
		want   any
	}{
		{`{"a":1,"b":2,"c":"x"}`, true, "x"},
		{`{}`, true, nil},
		{`{"a":1,"c":"x","b":2}`, false, "x"},
		{`{"a":1,"c":"x","c":"y"}`, false, "y"},
		{`{"a":1,"\u0063":"x"}`, false, "x"},
	} {
		r, err := NewResource(Resource{Type: "t", Name: "n"}, []byte(tc.attrs))
		if err != nil {
			t.Fatal(err)
		}
		if r.sortedAttrs != tc.sorted {
			t.Errorf("%s: sorted = %v, want %v", tc.attrs, r.sortedAttrs, tc.sorted)
		}
		got, err := r.AttributesOf([]string{"c"})
		if err != nil {
			t.Fatal(err)
		}
		if got["c"] != tc.want {
			t.Errorf("%s: c = %#v, want %#v", tc.attrs, got["c"], tc.want)
		}
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
		// Through NewResource, which validates and notes sorted keys.
		nr, err := NewResource(Resource{Type: "t", Name: "n"}, attrs)
		if err != nil {
			return
		}
		for _, ask := range [][]string{{name}, {name, "m"}} {
			part, err := nr.AttributesOf(ask)
			if err != nil {
				t.Fatalf("%q: %v", attrs, err)
			}
			for _, n := range ask {
				v, ok := full[n]
				if got, gotOK := part[n]; ok != gotOK || !cmp.Equal(v, got) {
					t.Fatalf("%q asking %q: full %#v (%v), partial %#v (%v)", attrs, ask, v, ok, got, gotOK)
				}
			}
		}
	})
}
