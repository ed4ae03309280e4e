package jsonscan

import (
	"errors"
	"strings"
	"testing"
)

// TestStringEnd compares StringEnd with a byte-by-byte reference on
// strings whose quotes and backslashes fall on every position of the
// eight-byte words it reads.
func TestStringEnd(t *testing.T) {
	reference := func(b []byte, i int) (int, bool) {
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '"':
				return j + 1, true
			case '\\':
				j++
			}
		}
		return len(b), false
	}
	alphabet := []byte{'a', '"', '\\', 'é'}
	// Every string of up to 7 symbols, placed after 0–8 filler bytes.
	var gen func(prefix []byte, n int)
	checked := 0
	gen = func(prefix []byte, n int) {
		for pad := 0; pad <= 8; pad++ {
			b := append([]byte(`"`+strings.Repeat("x", pad)), prefix...)
			want, ok := reference(b, 0)
			got, err := StringEnd(b, 0)
			if ok != (err == nil) || got != want {
				t.Fatalf("StringEnd(%q) = %d, %v; want %d, %v", b, got, err, want, ok)
			}
			if !ok && !errors.Is(err, ErrUnexpectedEnd) {
				t.Fatalf("StringEnd(%q) error %v, want ErrUnexpectedEnd", b, err)
			}
			checked++
		}
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			gen(append(append([]byte(nil), prefix...), c), n-1)
		}
	}
	gen(nil, 7)
	if checked < 10000 {
		t.Fatalf("only %d cases checked", checked)
	}
}

func TestObjectMembersAndArrayElements(t *testing.T) {
	in := []byte(` {"a" : 1 , "b":[1, {"c":"}"}], "d\"e": "x\\", "f":null, "g": -1.5e3 } tail`)
	var keys, vals []string
	end, err := ObjectMembers(in, 1, func(k, v []byte) {
		keys = append(keys, string(k))
		vals = append(vals, string(v))
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(in[end:]) != " tail" {
		t.Errorf("end at %q", in[end:])
	}
	wantKeys := []string{"a", "b", `d\"e`, "f", "g"}
	wantVals := []string{"1", `[1, {"c":"}"}]`, `"x\\"`, "null", "-1.5e3"}
	if strings.Join(keys, "|") != strings.Join(wantKeys, "|") || strings.Join(vals, "|") != strings.Join(wantVals, "|") {
		t.Errorf("members %q = %q", keys, vals)
	}

	var elems []string
	if _, err := ArrayElements([]byte(`[ {"x":[]} ,"s", 3,true]`), 0, func(e []byte) error {
		elems = append(elems, string(e))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(elems, "|"); got != `{"x":[]}|"s"|3|true` {
		t.Errorf("elements = %s", got)
	}

	for _, bad := range []string{`{"a" 1}`, `{"a":1 "b":2}`, `{1:2}`, `{"a":}`, `{"a":[}`, `{"a":1`, `{"a":tru}`} {
		if _, err := ObjectMembers([]byte(bad), 0, func(_, _ []byte) {}); err == nil {
			t.Errorf("ObjectMembers(%s) succeeded", bad)
		}
	}
}

func TestScanValuePartial(t *testing.T) {
	// A number at the end of the data may continue in the next read.
	if _, err := ScanValue([]byte("12"), 0, false); !errors.Is(err, ErrUnexpectedEnd) {
		t.Errorf("partial number: err = %v", err)
	}
	if end, err := ScanValue([]byte("12"), 0, true); err != nil || end != 2 {
		t.Errorf("final number: %d, %v", end, err)
	}
	if _, err := ScanValue([]byte("tru"), 0, true); err == nil {
		t.Error("final 'tru' accepted")
	}
}

// TestEachMemberStops: returning false ends the walk just past the value
// of the member that stopped it; the rest of the object is not looked at.
func TestEachMemberStops(t *testing.T) {
	in := []byte(`{"a":1,"b":[2,3],"c":not json at all`)
	var keys []string
	end, err := EachMember(in, 0, func(k, v []byte) bool {
		keys = append(keys, string(k))
		return string(k) != "b"
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(keys, ",") != "a,b" || string(in[:end]) != `{"a":1,"b":[2,3]` {
		t.Errorf("keys %q, stopped at %q", keys, in[:end])
	}
}
