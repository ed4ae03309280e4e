package state

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/iotest"
)

// FuzzParse feeds arbitrary bytes to Parse and, when they parse, through
// the index. Beyond "never panics" it checks that Parse accepts only valid
// JSON, that every resource's attributes decode, and that every resource
// can be found again by its id and address.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.tfstate"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, seed := range []string{
		``,
		`{}`,
		`{"version":4}`,
		`{"version":4,"resources":null}`,
		`{"resources":[{"mode":"managed","type":"a_b","name":"c","instances":[{"index_key":"k","attributes":{"id":1}}]}],"version":4}`,
		`{"version":4,"resources":[{"module":"module.m[\"x\"]","mode":"managed","type":"a_b","name":"c","instances":[{"index_key":-3,"attributes":{"id":"\u0000","arn":"a"}},{"deposed":"d","attributes":{}}]}]}`,
		`{"version":4,"resources":[{"mode":"managed","type":"a_b","name":"c","instances":[{"attributes_flat":{"id":"f"}}]}]}`,
		`{"version":4,"x":[[[[[[{"a":"\ud83d"}]]]]]]}`,
	} {
		f.Add([]byte(seed))
	}

	keys := KeySpec{
		ByType:  map[string][]string{"a_b": {"arn:id", "name"}},
		Default: []string{"id", "arn"},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		snap, err := Parse(data, Source{Name: "fuzz"})
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("Parse accepted invalid JSON %q", data)
		}
		ix := NewIndex(keys)
		ix.Replace(snap)
		if ix.Len() != len(snap.Resources) {
			t.Fatalf("Len = %d, want %d", ix.Len(), len(snap.Resources))
		}
		for _, r := range snap.Resources {
			attrs, err := r.Attributes()
			if err != nil {
				t.Fatalf("%s: Attributes: %v", r.Address, err)
			}
			if id, ok := attrs["id"].(string); ok && id != r.ID {
				t.Fatalf("%s: ID = %q, attributes say %q", r.Address, r.ID, id)
			}
			if ix.ByAddress("", r.Address) == nil {
				t.Fatalf("%s: not found by address", r.Address)
			}
			if r.ID == "" {
				continue
			}
			found := false
			for _, got := range ix.Lookup("", "", r.Type, "id", r.ID) {
				found = found || got == r
			}
			if !found {
				t.Fatalf("%s: not found by id %q", r.Address, r.ID)
			}
		}
		ix.Remove("fuzz", "")
		if ix.Len() != 0 {
			t.Fatalf("Len after Remove = %d", ix.Len())
		}
	})
}

// FuzzParseStream holds ParseStream to Parse on arbitrary bytes: the same
// snapshot or the same error, whatever the buffer size and however the
// reads split the input.
func FuzzParseStream(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.tfstate"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(3))
	}
	for _, seed := range []string{
		``,
		` `,
		`{}`,
		`{"version":4}`,
		`{"version":4,"resources":null}`,
		`{"version":4,"serial":12,"lineage":"l"}  `,
		`{"resources":[{"mode":"managed","type":"a_b","name":"c","instances":[{"index_key":"k","attributes":{"id":1}}]}],"version":4}`,
		`{"resources":[],"version":4,"resources":[{"mode":"data","type":"a_b","name":"c"}]}`,
		`{"version":4,"resources":[{"module":"module.m[\"x\"]","mode":"managed","type":"a_b","name":"c","instances":[{"index_key":-3,"attributes":{"id":"\u0000","arn":"a"}},{"deposed":"d","attributes":{}}]}]}`,
		`{"version":4,"resources":[{"mode":"managed","type":"a_b","name":"c","instances":[{"attributes_flat":{"id":"f"}}]}]}`,
		`{"version":4,"x":[[[[[[{"a":"\ud83d"}]]]]]]}`,
		`{"version":4,"resources":[{"mode":"managed"}]}`,
		`{"version":4} {`,
	} {
		f.Add([]byte(seed), uint8(1))
	}
	f.Fuzz(func(t *testing.T, data []byte, bufSize uint8) {
		src := Source{Name: "fuzz"}
		want, wantErr := Parse(data, src)
		got, n, err := parseStream(iotest.HalfReader(bytes.NewReader(data)), src, nil, int(bufSize))
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("ParseStream error %v, Parse error %v", err, wantErr)
		}
		if err != nil {
			if err.Error() != wantErr.Error() {
				t.Fatalf("ParseStream error %q, Parse error %q", err, wantErr)
			}
			return
		}
		if n != int64(len(data)) {
			t.Fatalf("read %d bytes of %d", n, len(data))
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseStream and Parse differ:\n%#v\n%#v", got, want)
		}
	})
}
