package jsonany

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/internal/jsonscan"
)

// reference decodes raw the way the callers used to, with the success
// criterion made strict: raw must be exactly one JSON value.
func reference(raw []byte) (any, bool) {
	if !json.Valid(raw) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

// decodeFirst is what detector/catalog does to keep json.Decoder.Decode's
// acceptance of data after the first value.
func decodeFirst(raw []byte) (any, error) {
	v, err := Decode(raw)
	if se, ok := err.(*SyntaxError); ok && se.Trailing {
		return Decode(raw[:se.Offset])
	}
	return v, err
}

func num(s string) json.Number { return json.Number(s) }

func TestDecode(t *testing.T) {
	many := func(n int) (string, map[string]any, []any) {
		var o, a strings.Builder
		m := map[string]any{}
		var s []any
		o.WriteByte('{')
		a.WriteByte('[')
		for i := range n {
			if i > 0 {
				o.WriteByte(',')
				a.WriteByte(',')
			}
			k := string(rune('a'+i%26)) + strings.Repeat("x", i/26)
			o.WriteString(`"` + k + `":"` + k + `"`)
			a.WriteString(`"` + k + `"`)
			m[k] = k
			s = append(s, k)
		}
		o.WriteByte('}')
		a.WriteByte(']')
		return o.String() + a.String(), m, s
	}
	_, m8, s8 := many(8)
	_, m9, s9 := many(9)
	_, m40, s40 := many(40)
	obj := func(n int) string { s, _, _ := many(n); return s[:strings.IndexByte(s, '}')+1] }
	arr := func(n int) string { s, _, _ := many(n); return s[strings.IndexByte(s, '}')+1:] }

	for _, tc := range []struct {
		name, in string
		want     any
	}{
		{"null", `null`, nil},
		{"true", `true`, true},
		{"false", `false`, false},
		{"surrounding whitespace", " \t\r\n{ \"a\" :\n[ 1 , true ,null ] }\r\n\t ", map[string]any{"a": []any{num("1"), true, nil}}},
		{"empty object", `{}`, map[string]any{}},
		{"empty array", `[]`, []any{}},
		{"empty containers nested", `{"a":{},"b":[],"c":[{},[ ]]}`, map[string]any{"a": map[string]any{}, "b": []any{}, "c": []any{map[string]any{}, []any{}}}},
		{"empty string", `""`, ""},
		{"empty key", `{"":1}`, map[string]any{"": num("1")}},
		{"simple escapes", `"a\"b\\c\/d\be\ff\ng\rh\ti"`, "a\"b\\c/d\be\ff\ng\rh\ti"},
		{"unicode escapes", `"\u00e9\u4E2D\u0041"`, "é中A"},
		{"nul escape", `"a\u0000b"`, "a\x00b"},
		{"surrogate pair", `"\ud83d\ude00"`, "😀"},
		{"surrogate pair upper hex", `"x\uD83D\uDE00y"`, "x😀y"},
		{"lone high surrogate", `"\ud83d"`, "\ufffd"},
		{"lone low surrogate", `"\ude00"`, "\ufffd"},
		{"high surrogate then text", `"\ud83dx"`, "\ufffdx"},
		{"high surrogate then non-surrogate escape", `"\ud83d\u0041"`, "\ufffdA"},
		{"high high low", `"\ud83d\ud83d\ude00"`, "\ufffd😀"},
		{"low high", `"\ude00\ud83d"`, "\ufffd\ufffd"},
		{"high surrogate then other escape", `"\ud83d\n"`, "\ufffd\n"},
		{"invalid utf-8 byte", "\"a\xffb\"", "a\ufffdb"},
		{"invalid utf-8 after escape", "\"\\n\xff\"", "\n\ufffd"},
		{"encoded surrogate", "\"\xed\xa0\x80\"", "\ufffd\ufffd\ufffd"},
		{"truncated sequence", "\"\xe4\xb8\"", "\ufffd\ufffd"},
		{"literal replacement char kept", "\"\xef\xbf\xbd\"", "\ufffd"},
		{"valid utf-8", `"héllo, 世界 😀"`, "héllo, 世界 😀"},
		{"del byte", "\"\x7f\"", "\x7f"},
		{"escaped key", `{"a\u0062":1,"\ud800":2}`, map[string]any{"ab": num("1"), "\ufffd": num("2")}},
		{"invalid utf-8 key", "{\"\xff\":1}", map[string]any{"\ufffd": num("1")}},
		{"zero", `0`, num("0")},
		{"negative zero", `-0`, num("-0")},
		{"negative zero float", `-0.0`, num("-0.0")},
		{"big integer", `123456789012345678901234567890`, num("123456789012345678901234567890")},
		{"account id keeps text", `{"accountId":123456789012}`, map[string]any{"accountId": num("123456789012")}},
		{"huge exponent", `1e400`, num("1e400")},
		{"exponent forms", `[1E+2,1e-2,-1.5E10,0.000001,2e0]`, []any{num("1E+2"), num("1e-2"), num("-1.5E10"), num("0.000001"), num("2e0")}},
		{"number then space", `12 `, num("12")},
		{"duplicate keys last wins", `{"a":1,"b":2,"a":3}`, map[string]any{"a": num("3"), "b": num("2")}},
		{"duplicate keys across spill", `{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k0":"x","k8":8,"k1":"y"}`,
			map[string]any{"k0": "x", "k1": "y", "k2": num("2"), "k3": num("3"), "k4": num("4"), "k5": num("5"), "k6": num("6"), "k7": num("7"), "k8": num("8")}},
		{"object of 8", obj(8), m8},
		{"object of 9", obj(9), m9},
		{"object of 40", obj(40), m40},
		{"array of 8", arr(8), s8},
		{"array of 9", arr(9), s9},
		{"array of 40", arr(40), s40},
		{"deepest allowed", strings.Repeat("[", jsonscan.MaxDepth) + strings.Repeat("]", jsonscan.MaxDepth), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.in))
			if err != nil {
				t.Fatalf("Decode(%q): %v", tc.in, err)
			}
			ref, ok := reference([]byte(tc.in))
			if !ok {
				t.Fatalf("encoding/json rejects %q", tc.in)
			}
			if !reflect.DeepEqual(got, ref) {
				t.Errorf("Decode(%q) differs from encoding/json (-json +jsonany):\n%s", tc.in, cmp.Diff(ref, got))
			}
			if tc.name == "deepest allowed" {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Decode(%q) (-want +got):\n%s", tc.in, cmp.Diff(tc.want, got))
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		in       string
		offset   int64
		trailing bool
		msg      string // part of the message
	}{
		{``, 0, false, "unexpected end of input"},
		{" \n\t", 3, false, "unexpected end"},
		{`{`, 1, false, "unexpected end"},
		{`[`, 1, false, "unexpected end"},
		{`{"a"`, 4, false, "unexpected end"},
		{`{"a":`, 5, false, "unexpected end"},
		{`{"a":1`, 6, false, "unexpected end"},
		{`[1,`, 3, false, "unexpected end"},
		{`"abc`, 4, false, "unexpected end"},
		{`"abc\`, 5, false, "unexpected end"},
		{`"\u12`, 5, false, "unexpected end"},
		{`"\n\u12`, 7, false, "unexpected end"},
		{"\"\xff", 2, false, "unexpected end"},
		{`[1,]`, 3, false, `invalid character ']', want a JSON value`},
		{`{"a":1,}`, 7, false, `invalid character '}', want string for object key`},
		{`{"a"}`, 4, false, `invalid character '}', want ':' after object key`},
		{`{a:1}`, 1, false, `invalid character 'a', want string for object key`},
		{`{"a":1 "b":2}`, 7, false, `after object member`},
		{`[1 2]`, 3, false, `after array element`},
		{`01`, 1, true, `after top-level value`},
		{`[01]`, 2, false, `after array element`},
		{`-`, 1, false, "unexpected end"},
		{`-a`, 1, false, `invalid character 'a', want digit in number`},
		{`+1`, 0, false, `want a JSON value`},
		{`.5`, 0, false, `want a JSON value`},
		{`1.`, 2, false, "unexpected end"},
		{`1.e5`, 2, false, `want digit after decimal point`},
		{`1e`, 2, false, "unexpected end"},
		{`1e+`, 3, false, "unexpected end"},
		{`1ex`, 2, false, `want digit in exponent`},
		{`tru`, 3, false, "unexpected end"},
		{`trUe`, 2, false, `invalid character 'U', want literal true`},
		{`{"a":nul}`, 8, false, `want literal null`},
		{`nulll`, 4, true, `invalid character 'l' after top-level value`},
		{`NaN`, 0, false, `want a JSON value`},
		{`Infinity`, 0, false, `want a JSON value`},
		{`'a'`, 0, false, `invalid character '\'', want`},
		{"\"a\x01\"", 2, false, `invalid control character 0x01 in string`},
		{"\"a\tb\"", 2, false, `invalid control character 0x09 in string`},
		{"\"\\\xff\\n\"", 2, false, `escape character`},
		{"\"\xff\x01\"", 2, false, `control character 0x01 in string`},
		{`"\q"`, 2, false, `invalid escape character 'q' in string`},
		{`"\u12g4"`, 5, false, `in \u escape`},
		{`"\ud83d\uZZZZ"`, 9, false, `in \u escape`},
		{`{"a":1}x`, 7, true, `invalid character 'x' after top-level value`},
		{`{"a":1} {"b":2}`, 8, true, `after top-level value`},
		{`1 2`, 2, true, `after top-level value`},
		{"\"a\"\x00", 3, true, `after top-level value`},
		{strings.Repeat("[", jsonscan.MaxDepth+1) + strings.Repeat("]", jsonscan.MaxDepth+1), jsonscan.MaxDepth, false, "nesting exceeds 10000 levels"},
		{strings.Repeat(`{"a":`, jsonscan.MaxDepth+1) + "1" + strings.Repeat("}", jsonscan.MaxDepth+1), 5 * jsonscan.MaxDepth, false, "nesting exceeds 10000 levels"},
		{strings.Repeat(`[`, jsonscan.MaxDepth+5), jsonscan.MaxDepth, false, "nesting exceeds 10000 levels"},
	} {
		name := tc.in
		if len(name) > 40 {
			name = name[:40] + "..."
		}
		t.Run(name, func(t *testing.T) {
			v, err := Decode([]byte(tc.in))
			if err == nil {
				t.Fatalf("Decode(%q) = %#v, want error", tc.in, v)
			}
			if v != nil {
				t.Errorf("Decode(%q) returned %#v with its error", tc.in, v)
			}
			if _, ok := reference([]byte(tc.in)); ok {
				t.Errorf("encoding/json accepts %q", tc.in)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is %T, want *SyntaxError", err, err)
			}
			if se.Offset != tc.offset || se.Trailing != tc.trailing {
				t.Errorf("Decode(%q): offset %d trailing %v, want %d %v (%v)", name, se.Offset, se.Trailing, tc.offset, tc.trailing, err)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.msg) || !strings.HasSuffix(msg, " at offset "+strconv.FormatInt(tc.offset, 10)) {
				t.Errorf("Decode(%q) error %q, want it to contain %q and end with its offset", name, msg, tc.msg)
			}
		})
	}
}

// TestDecodeFirst checks the pattern detector/catalog uses to accept what
// json.Decoder.Decode did: one value followed by anything.
func TestDecodeFirst(t *testing.T) {
	for _, in := range []string{`{"a":1} junk`, `[1,2]]`, `"x"y`, `truex`, `0123`, `1.5.`, `1e5x`, `{"a":"b"}{"c":"d"}`, ` 7 8 `} {
		got, err := decodeFirst([]byte(in))
		want, wantErr := jsonDecoderDecode([]byte(in))
		if err != nil || wantErr != nil {
			t.Errorf("%q: decodeFirst error %v, json.Decoder error %v", in, err, wantErr)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: decodeFirst = %#v, json.Decoder = %#v", in, got, want)
		}
	}
}

func jsonDecoderDecode(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// TestDecodeAllocs pins the allocation count: one per key, two per
// object, array, string and number (the data and its interface box; a map
// is a header and a group). One-byte strings are free in Go.
func TestDecodeAllocs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
	}{
		{`{}`, 1},
		{`[]`, 1}, // the box; an empty slice has no data
		{`[true,false,null]`, 2},
		{`"abc"`, 2},
		{`{"ab":"cd"}`, 2 + 1 + 2}, // a non-empty map is a header and a group
		{`["a\nb","c\u00e9"]`, 2 + 2*2},
		{`[10,20]`, 2 + 2*2},
		{`{"ab":{"cd":[10]}}`, 2 + 1 + 2 + 1 + 2 + 2},
	} {
		raw := []byte(tc.in)
		got := testing.AllocsPerRun(100, func() {
			if _, err := Decode(raw); err != nil {
				t.Fatal(err)
			}
		})
		if got != tc.want {
			t.Errorf("Decode(%s): %v allocations, want %v", tc.in, got, tc.want)
		}
	}
}

var fuzzSeeds = []string{
	``, ` `, `null`, `true`, `false`, `0`, `-0`, `1e400`, `-1.5E+10`, `12345678901234567890`,
	`""`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\ud83d\ude00\ud83d\ude00x\ude00"`, "\"\xff\xed\xa0\x80\"",
	`{}`, `[]`, `{"a":{},"b":[]}`, `{"a":1,"a":2}`, `[1,[2,[3,[4]]]]`,
	`{"a":1}x`, `1 2`, `[1,]`, `{"a"}`, `01`, `1.`, `1e`, `tru`, `"\u12g4"`, "\"\x01\"",
	`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k0":"x","k8":8}`,
	`[0,1,2,3,4,5,6,7,8,9,10]`,
	cloudTrailRequest,
	`"{\"policy\":{\"bindings\":[{\"role\":\"roles/owner\",\"members\":[\"user:a@example.com\"]}]}}"`,
	`{"tags":{"Name":"web","env":"prod"},"ingress":[{"from_port":443,"cidr_blocks":["0.0.0.0/0"]}]}`,
}

func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := Decode(raw)
		want, ok := reference(raw)
		if ok != (err == nil) {
			t.Fatalf("Decode(%q) error %v; encoding/json valid: %v", raw, err, ok)
		}
		if err != nil {
			if got != nil {
				t.Fatalf("Decode(%q) returned %#v with error %v", raw, got, err)
			}
			se, isSE := err.(*SyntaxError)
			if !isSE || se.Offset < 0 || se.Offset > int64(len(raw)) {
				t.Fatalf("Decode(%q): bad error %#v", raw, err)
			}
		} else if !reflect.DeepEqual(got, want) {
			t.Fatalf("Decode(%q) differs from encoding/json (-json +jsonany):\n%s", raw, cmp.Diff(want, got))
		}

		// json.Decoder.Decode semantics, which detector/catalog keeps.
		first, err := decodeFirst(raw)
		dfirst, derr := jsonDecoderDecode(raw)
		if (err == nil) != (derr == nil) {
			t.Fatalf("decodeFirst(%q) error %v; json.Decoder error %v", raw, err, derr)
		}
		if err == nil && !reflect.DeepEqual(first, dfirst) {
			t.Fatalf("decodeFirst(%q) differs from json.Decoder (-json +jsonany):\n%s", raw, cmp.Diff(dfirst, first))
		}
	})
}

// cloudTrailRequest is an AuthorizeSecurityGroupIngress requestParameters
// as CloudTrail records it.
const cloudTrailRequest = `{"groupId":"sg-0a1b2c3d4e5f60718","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":443,"toPort":443,"groups":{},"ipRanges":{"items":[{"cidrIp":"10.20.0.0/16","description":"office VPN"}]},"ipv6Ranges":{},"prefixListIds":{"items":[{"prefixListId":"pl-0123abcd"}]}}]},"dryRun":false}`

func BenchmarkDecode(b *testing.B) {
	benchDecode(b, func(raw []byte) (any, error) { return Decode(raw) })
}

// BenchmarkDecodeEncodingJSON is the way the callers decoded before.
func BenchmarkDecodeEncodingJSON(b *testing.B) {
	benchDecode(b, func(raw []byte) (any, error) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		err := dec.Decode(&v)
		return v, err
	})
}

// benchDecode decodes cloudTrailRequest.
func benchDecode(b *testing.B, decode func([]byte) (any, error)) {
	raw := []byte(cloudTrailRequest)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}
