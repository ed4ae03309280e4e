package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

var compactCases = []string{
	`{}`,
	`{"a":1}`,
	"{\n            \"ami\": \"ami-0c55\",\n            \"tags\": {\n              \"Name\": \"web  server\"\n            }\n          }",
	"{ \"s\" : \"a \\\" b\\\\\" , \"t\":[ 1 ,\t2,\r\n 3 ] , \"u\" : \"\\\\\" }",
	`{"k":"tab\tin string, \\u0020 and spaces   "}`,
	"[ ]",
	`"  "`,
}

// TestCompactCopy: the kept attributes are exactly what json.Compact makes
// of them, in an allocation of their own with no spare capacity.
func TestCompactCopy(t *testing.T) {
	for _, in := range compactCases {
		var want bytes.Buffer
		if err := json.Compact(&want, []byte(in)); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		src := []byte(in)
		got := compactCopy(src)
		if string(got) != want.String() {
			t.Errorf("compactCopy(%q) = %q, want %q", in, got, want.String())
		}
		if cap(got) != len(got) {
			t.Errorf("compactCopy(%q): cap %d, len %d", in, cap(got), len(got))
		}
		if len(got) > 0 && len(src) > 0 && &got[0] == &src[0] {
			t.Errorf("compactCopy(%q) shares its input", in)
		}
	}
}

// TestParseCompactsAttributes: a state's indentation is not kept, and the
// attributes read back the same.
func TestParseCompactsAttributes(t *testing.T) {
	data := []byte(`{"version": 4, "resources": [{"mode": "managed", "type": "aws_vpc", "name": "v",
	  "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
	  "instances": [{"attributes": {
	      "cidr_block": "10.0.0.0/16",
	      "id": "vpc-1",
	      "tags": { "Name": "a  b" }
	  }}]}]}`)
	snap, err := Parse(data, Source{Name: "s"})
	if err != nil {
		t.Fatal(err)
	}
	r := snap.Resources[0]
	if got, want := string(r.RawAttributes()), `{"cidr_block":"10.0.0.0/16","id":"vpc-1","tags":{"Name":"a  b"}}`; got != want {
		t.Errorf("RawAttributes = %s, want %s", got, want)
	}
	m, err := r.AttributesOf([]string{"tags", "id"})
	if err != nil {
		t.Fatal(err)
	}
	if m["id"] != "vpc-1" || m["tags"].(map[string]any)["Name"] != "a  b" {
		t.Errorf("AttributesOf = %v", m)
	}
}

// FuzzCompactCopy: for any valid JSON, compactCopy agrees with
// json.Compact.
func FuzzCompactCopy(f *testing.F) {
	for _, c := range compactCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		var want bytes.Buffer
		if err := json.Compact(&want, data); err != nil {
			t.Fatal(err)
		}
		// json.Compact keeps leading and trailing space out of nothing:
		// compare the value itself.
		if got := compactCopy(bytes.TrimSpace(data)); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("compactCopy(%q) = %q, want %q", data, got, want.Bytes())
		}
	})
}

// TestParseFromSharesUnchangedAttributes: a new version of a loaded state
// holds one copy of the attributes of the resources it did not change,
// whatever their indentation, and its own copy of those it changed.
func TestParseFromSharesUnchangedAttributes(t *testing.T) {
	const doc = `{"version": 4, "serial": %d, "resources": [
	  {"mode": "managed", "type": "aws_vpc", "name": "a", "instances": [{"attributes": %s}]},
	  {"mode": "managed", "type": "aws_vpc", "name": "b", "instances": [{"attributes": %s}]}]}`
	ix := NewIndex(KeySpec{Default: []string{"id"}})
	v1, err := Parse(fmt.Appendf(nil, doc, 1, `{"id": "vpc-a", "x": 1}`, `{"id": "vpc-b", "x": 1}`), Source{Name: "s"})
	if err != nil {
		t.Fatal(err)
	}
	ix.Replace(v1)
	if ix.Previous("other", "") != nil {
		t.Error("Previous of a source never loaded is not nil")
	}
	prev := ix.Previous("s", "")
	v2, err := ParseFrom(fmt.Appendf(nil, doc, 2, "{\n  \"id\": \"vpc-a\",\n  \"x\": 1\n}", `{"id": "vpc-b", "x": 2}`), Source{Name: "s"}, prev)
	if err != nil {
		t.Fatal(err)
	}
	a1, b1, a2, b2 := v1.Resources[0].attrs, v1.Resources[1].attrs, v2.Resources[0].attrs, v2.Resources[1].attrs
	if &a2[0] != &a1[0] {
		t.Error("unchanged aws_vpc.a holds a second copy of its attributes")
	}
	if &b2[0] == &b1[0] || string(b2) != `{"id":"vpc-b","x":2}` {
		t.Errorf("changed aws_vpc.b has attributes %s, shared: %v", b2, &b2[0] == &b1[0])
	}
	ix.Replace(v2)
	if got := ix.Lookup("", "", "aws_vpc", "id", "vpc-b"); len(got) != 1 || got[0] != v2.Resources[1] {
		t.Errorf("after the reload, vpc-b finds %v", got)
	}
}

func TestCompactEqual(t *testing.T) {
	for _, tc := range []struct {
		src, c string
		want   bool
	}{
		{"{ \"a\" : 1 }", `{"a":1}`, true},
		{"{ \"a\" : 1 }", `{"a":2}`, false},
		{"{ \"a\" : 1 }", `{"a":1,"b":2}`, false},
		{"{ \"a\" : 1 , \"b\":2}", `{"a":1}`, false},
		{`{"a b":1}`, `{"ab":1}`, false},
		{`{"a":"x\"y"}`, `{"a":"x\"y"}`, true},
		{`{"a":"x\"y"}`, `{"a":"x\"`, false},
	} {
		if got := compactEqual([]byte(tc.src), []byte(tc.c)); got != tc.want {
			t.Errorf("compactEqual(%q, %q) = %v, want %v", tc.src, tc.c, got, tc.want)
		}
	}
}
