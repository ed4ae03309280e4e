package normalize

import (
	"encoding/json"
	"math"
	"net/url"
	"strings"
	"testing"
)

func num(s string) json.Number { return json.Number(s) }

func TestEqual(t *testing.T) {
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}]}`
	tests := []struct {
		name string
		a, b any
		want bool
	}{
		{"same string", "t3.micro", "t3.micro", true},
		{"different string", "t3.micro", "m5.8xlarge", false},
		{"number and string", num("22"), "22", true},
		{"int and json number", 1000, num("1000"), true},
		{"float and int", 22.0, 22, true},
		{"number forms", num("1.50"), "1.5", true},
		{"leading zero is an identifier", "007", num("7"), false},
		{"bool", true, true, true},
		{"bool vs string", false, "false", false},
		{"null equals empty list", nil, []any{}, true},
		{"null equals empty map", nil, map[string]any{}, true},
		{"null equals empty string", nil, "", true},
		{"list order ignored", []any{"10.0.0.0/8", "0.0.0.0/0"}, []any{"0.0.0.0/0", "10.0.0.0/8"}, true},
		{"list multiplicity kept", []any{"a", "a"}, []any{"a"}, false},
		{"map with empty value equals map without key", map[string]any{"a": "x", "b": []any{}}, map[string]any{"a": "x"}, true},
		{"nested rule sets", []any{map[string]any{"from_port": num("22"), "cidr_blocks": []any{"b", "a"}}},
			[]any{map[string]any{"from_port": "22", "cidr_blocks": []any{"a", "b"}}}, true},
		{"policy whitespace and key order", policy,
			"{\n  \"Statement\": [{\"Resource\": \"arn:aws:s3:::b/*\", \"Action\": \"s3:GetObject\", \"Effect\": \"Allow\"}],\n  \"Version\": \"2012-10-17\"\n}", true},
		{"policy url-encoded", policy, url.QueryEscape(policy), true},
		{"policy single statement object", policy,
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*"]}}`, true},
		{"policy widened", policy, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":"*"}]}`, false},
		{"json string vs non-json", `{"a":1}`, `{a:1}`, false},
		{"nan does not panic", math.NaN(), "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Equal(tt.a, tt.b); got != tt.want {
				t.Errorf("Equal(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := Equal(tt.b, tt.a); got != tt.want {
				t.Errorf("Equal is not symmetric for %v, %v", tt.a, tt.b)
			}
			if eq, diff := Compare(tt.a, tt.b); eq != tt.want || diff != Diff(tt.a, tt.b) || (diff == "") != eq {
				t.Errorf("Compare(%v, %v) = %v, %q; want Equal and Diff's %v, %q", tt.a, tt.b, eq, diff, tt.want, Diff(tt.a, tt.b))
			}
		})
	}
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name string
		a, b any
		want string
	}{
		{"equal", "x", "x", ""},
		{"scalar", "t3.micro", "m5.8xlarge", `"t3.micro" → "m5.8xlarge"`},
		{"number", num("100"), num("1000"), "100 → 1000"},
		{"to none", "AES256", nil, `"AES256" → (none)`},
		{"list added", []any{"10.0.0.0/8"}, []any{"10.0.0.0/8", "0.0.0.0/0"}, `added "0.0.0.0/0"`},
		{"list removed and added", []any{"a", "b"}, []any{"b", "c"}, `added "c"; removed "a"`},
		{"rule objects flattened", []any{}, []any{map[string]any{"from_port": num("22"), "to_port": num("22"), "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"}, "self": false}},
			"added cidr_blocks=0.0.0.0/0 from_port=22 protocol=tcp self=false to_port=22"},
		{"map keys", map[string]any{"Owner": "a", "Env": "prod"}, map[string]any{"Owner": "b", "Team": "x"},
			`Env removed (was "prod"); Owner: "a" → "b"; Team added ("x")`},
		{"policy widened", `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-app-bucket/*"}]}`,
			`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
			"excessive permissions: granted Allow s3:* on *; revoked Allow s3:GetObject on arn:aws:s3:::my-app-bucket/*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Diff(tt.a, tt.b); got != tt.want {
				t.Errorf("Diff = %q\nwant   %q", got, tt.want)
			}
		})
	}
}

func TestDiffIsBounded(t *testing.T) {
	var long []any
	for i := 0; i < 500; i++ {
		long = append(long, strings.Repeat("x", 20)+string(rune('a'+i%26)))
	}
	if got := Diff(nil, long); len(got) > maxDiffLen+4 {
		t.Errorf("diff is %d bytes, want at most %d", len(got), maxDiffLen)
	}
}

func FuzzEqual(f *testing.F) {
	for _, s := range []string{`"22"`, `22`, `[1,2]`, `{"a":[]}`, `"%7B%22a%22%3A1%7D"`, `"{\"Statement\":{}}"`, `null`} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		var va, vb any
		da := json.NewDecoder(strings.NewReader(a))
		da.UseNumber()
		if da.Decode(&va) != nil {
			va = a
		}
		db := json.NewDecoder(strings.NewReader(b))
		db.UseNumber()
		if db.Decode(&vb) != nil {
			vb = b
		}
		if !Equal(va, va) {
			t.Fatalf("Equal not reflexive for %q", a)
		}
		if Equal(va, vb) != Equal(vb, va) {
			t.Fatalf("Equal not symmetric for %q, %q", a, b)
		}
		if Equal(va, vb) != (Diff(va, vb) == "") {
			t.Fatalf("Equal and Diff disagree for %q, %q", a, b)
		}
		if eq, diff := Compare(va, vb); eq != Equal(va, vb) || diff != Diff(va, vb) {
			t.Fatalf("Compare disagrees with Equal and Diff for %q, %q", a, b)
		}
	})
}

func BenchmarkEqualPolicy(b *testing.B) {
	p1 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"}]}`
	p2 := url.QueryEscape(p1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if !Equal(p1, p2) {
			b.Fatal("not equal")
		}
	}
}

func BenchmarkEqualRuleSet(b *testing.B) {
	rule := func(port string) any {
		return map[string]any{"from_port": num(port), "to_port": num(port), "protocol": "tcp", "cidr_blocks": []any{"10.0.0.0/8"}, "self": false}
	}
	a := []any{rule("22"), rule("443"), rule("80")}
	c := []any{rule("443"), rule("80"), rule("22")}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if !Equal(a, c) {
			b.Fatal("not equal")
		}
	}
}
