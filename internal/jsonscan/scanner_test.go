package jsonscan

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// cloudTrailRecord is a CloudTrail record of the usual shape (names and
// IDs invented), a seed that exercises every token kind.
const cloudTrailRecord = `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEID:dana","arn":"arn:aws:sts::111122223333:assumed-role/Deployer/dana","accountId":"111122223333","sessionContext":{"attributes":{"mfaAuthenticated":"false"}}},"eventTime":"2025-03-04T05:06:07Z","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","requestParameters":{"groupId":"sg-0123456789abcdef0","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}},"responseElements":{"_return":true},"readOnly":false,"eventID":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","managementEvent":true,"ratio":-1.5e-3,"none":null}`

var validSeeds = []string{
	"", " ", "{}", "[]", "[[]]", "null", "123", `"x"`, cloudTrailRecord,
	`"\u00e9\n"`, `"\u00G0"`, "\"a\tb\"", `-0.5e+10`, `01`, `1.`, `-`, `[1,]`, `{"a":1,}`, `{"a"}`,
	`[[[[]]]]`, "\"\xff\"", `tru`, `nul`, ` true `, `{"a":{"b":[1,2,{"c":null}]}}`, `"\/"`, `1e`, `.5`,
	`{"a":1} {"b":2}`, "[1 2]", "{\"Records\" : [ 1 ,", `"\ud83d\ude00"`, "\"\x00\"", "1\x00",
}

// FuzzValid holds Valid, and so the Scanner every validating caller uses,
// to encoding/json's grammar.
func FuzzValid(f *testing.F) {
	for _, s := range validSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := Valid(data), json.Valid(data); got != want {
			t.Fatalf("Valid(%q) = %v, json.Valid = %v", data, got, want)
		}
	})
}

// TestValidDepth: encoding/json's nesting limit, exactly.
func TestValidDepth(t *testing.T) {
	for _, depth := range []int{MaxDepth, MaxDepth + 1} {
		for _, open := range []string{"[", `{"a":`} {
			close := map[string]string{"[": "]", `{"a":`: "}"}[open]
			doc := []byte(strings.Repeat(open, depth) + "1" + strings.Repeat(close, depth))
			if got, want := Valid(doc), json.Valid(doc); got != want {
				t.Errorf("%s × %d: Valid = %v, json.Valid = %v", open, depth, got, want)
			}
		}
	}
}

// FuzzStringValue holds StringValue and Unquote to what encoding/json
// makes of a string token, escapes, bad UTF-8 and lone surrogates
// included.
func FuzzStringValue(f *testing.F) {
	for _, s := range []string{
		`""`, `"a"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\ud83d\ude00\ud83d\ude00x\ude00"`, "\"\xff\xed\xa0\x80\"",
		`"\ud800\u0041"`, `"\ud800\ud800\udc00"`, `"\u12g4"`, `"\q"`, "\"\x01\"", `"json.value[\/insertId]"`, `"`, `x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, tok []byte) {
		var want string
		// A token exactly: encoding/json would also take white space around it.
		wantOK := len(tok) > 1 && tok[0] == '"' && tok[len(tok)-1] == '"' && json.Unmarshal(tok, &want) == nil
		got, ok := Unquote(tok)
		if ok != wantOK || got != want {
			t.Fatalf("Unquote(%q) = %q, %v; encoding/json %q, %v", tok, got, ok, want, wantOK)
		}
		if !ok {
			return
		}
		// The same through the scanner, as every caller reads strings.
		s := NewScanner(tok)
		raw, esc, err := s.ReadString()
		if err != nil || s.Pos != len(tok) {
			t.Fatalf("ReadString(%q): %v at %d", tok, err, s.Pos)
		}
		if got, ok := StringValue(raw, esc); !ok || got != want {
			t.Fatalf("StringValue(%q, %v) = %q, %v; want %q", raw, esc, got, ok, want)
		}
	})
}

// TestScannerErrors pins the offset and wording of each kind of error,
// which state files and Falco clients are shown.
func TestScannerErrors(t *testing.T) {
	tests := []struct {
		in   string
		off  int
		want string
	}{
		{``, 0, "unexpected end of input, want a JSON value"},
		{`[1,]`, 3, "invalid character ']', want a JSON value"},
		{`{"a":1,}`, 7, "invalid character '}', want string for object key"},
		{`{"a" 1}`, 5, "invalid character '1', want ':' after object key"},
		{`{"a":1 "b":2}`, 7, `invalid character '"', want ',' or '}' after object member`},
		{`[1 2]`, 3, `invalid character '2', want ',' or ']' after array element`},
		{`-a`, 1, "invalid character 'a', want digit in number"},
		{`1.e`, 2, "invalid character 'e', want digit after decimal point"},
		{`1ex`, 2, "invalid character 'x', want digit in exponent"},
		{`trUe`, 2, "invalid character 'U', want literal true"},
		{"\"a\x01\"", 2, "invalid control character 0x01 in string"},
		{`"\q"`, 2, "invalid escape character 'q' in string"},
		{`"\u12g4"`, 5, `invalid character 'g' in \u escape`},
		{`"\u12`, 5, `unexpected end of input in \u escape`},
		{`"abc`, 4, "unexpected end of input in string"},
		{`"\`, 2, "unexpected end of input in string escape"},
		{strings.Repeat("[", MaxDepth+1), MaxDepth, "nesting exceeds 10000 levels"},
	}
	for _, tc := range tests {
		name := tc.in
		if len(name) > 20 {
			name = name[:20]
		}
		t.Run(name, func(t *testing.T) {
			s := NewScanner([]byte(tc.in))
			err := s.SkipValue()
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("SkipValue(%q) = %v, want a *SyntaxError", tc.in, err)
			}
			if se.Off != tc.off || se.Msg != tc.want {
				t.Errorf("SkipValue(%q) = %d %q, want %d %q", tc.in, se.Off, se.Msg, tc.off, tc.want)
			}
		})
	}
}

// TestScannerWalk reads an object member by member and an array element
// by element, as detector/state and app/ingest/falcohttp do.
func TestScannerWalk(t *testing.T) {
	s := NewScanner([]byte(` { "a" : [ 1 , "x" ] , "b\u0041" : {"c":null} } `))
	if err := s.BeginObject("'{'"); err != nil {
		t.Fatal(err)
	}
	var got []string
	for first := true; ; first = false {
		key, esc, ok, err := s.NextMember(first)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		name, _ := StringValue(key, esc)
		got = append(got, name)
		if name != "a" {
			if err := s.SkipValue(); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := s.BeginArray("'['"); err != nil {
			t.Fatal(err)
		}
		for first := true; ; first = false {
			ok, err := s.NextElement(first)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			start := s.Pos
			if err := s.SkipValue(); err != nil {
				t.Fatal(err)
			}
			got = append(got, string(s.Data[start:s.Pos]))
		}
	}
	if !s.AtEnd() {
		t.Errorf("not at the end: %q", s.Data[s.Pos:])
	}
	if strings.Join(got, "|") != `a|1|"x"|bA` {
		t.Errorf("walk = %q", got)
	}
}

func BenchmarkValid(b *testing.B) {
	data := []byte(cloudTrailRecord)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if !Valid(data) {
			b.Fatal("invalid")
		}
	}
}

// BenchmarkValidEncodingJSON is the baseline BenchmarkValid replaces.
func BenchmarkValidEncodingJSON(b *testing.B) {
	data := []byte(cloudTrailRecord)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if !json.Valid(data) {
			b.Fatal("invalid")
		}
	}
}
