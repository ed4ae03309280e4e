package canonjson

import (
	"encoding/json"
	"testing"
)

// marshalScalar spells scalars as encoding/json does.
func marshalScalar(b []byte, v any) []byte {
	s, err := json.Marshal(v)
	if err != nil {
		return append(b, '?')
	}
	return append(b, s...)
}

// TestAppendMatchesMarshal: with encoding/json's scalars, the canonical
// form of a JSON-model value is json.Marshal's (which sorts map keys).
func TestAppendMatchesMarshal(t *testing.T) {
	for _, in := range []string{
		`null`, `"a<b>&"`, `1.5`, `[]`, `{}`, `[1,"x",null,true,{"b":1,"a":[{"d":2,"c":3}]}]`,
		`{"zeta":{"y":1,"x":[3,2,1]},"Alpha":"A","alpha":"a","":0,"é":1,"e":2}`,
	} {
		var v any
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(v)
		if got := (Spelling{Scalar: marshalScalar}).String(v); got != string(want) {
			t.Errorf("String(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestSpelling: keys and leaves go through Scalar unless Key is set;
// Scalar may convert a value and write it with Append.
func TestSpelling(t *testing.T) {
	var sp Spelling
	sp.Scalar = func(b []byte, v any) []byte {
		switch v := v.(type) {
		case string:
			return append(b, "<"+v+">"...)
		case []string: // converted into the JSON model
			l := make([]any, len(v))
			for i, s := range v {
				l[i] = s
			}
			return sp.Append(b, l)
		}
		return append(b, '_')
	}
	v := map[string]any{"b": []string{"y", "x"}, "a": 7}
	if got, want := sp.String(v), `{<a>:_,<b>:[<y>,<x>]}`; got != want {
		t.Errorf("String = %s, want %s", got, want)
	}
	sp.Key = func(b []byte, k string) []byte { return append(b, k...) }
	if got, want := sp.String(v), `{a:_,b:[<y>,<x>]}`; got != want {
		t.Errorf("String with Key = %s, want %s", got, want)
	}
}

func FuzzAppendMatchesMarshal(f *testing.F) {
	for _, s := range []string{`{"b":[1,{"d":null,"c":"\u2028"}],"a":"<"}`, `[{"":""}]`, `"\ud800"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var v any
		if json.Unmarshal(in, &v) != nil {
			return
		}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal of a decoded value: %v", err)
		}
		if got := (Spelling{Scalar: marshalScalar}).String(v); got != string(want) {
			t.Fatalf("String(%s) = %s, want %s", in, got, want)
		}
	})
}
