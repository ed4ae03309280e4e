package fakeaws

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestPolicyEqual(t *testing.T) {
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}`
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"identical", doc, doc, true},
		{"reindented", doc, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\"], \"Resource\": \"*\"}]\n}", true},
		{"keys reordered", doc, `{"Statement":[{"Resource":"*","Action":["s3:GetObject"],"Effect":"Allow"}],"Version":"2012-10-17"}`, true},
		{"action widened", doc, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":"*"}]}`, false},
		{"list order matters", `{"A":["x","y"]}`, `{"A":["y","x"]}`, false},
		{"invalid left", "{", doc, false},
		{"invalid both but equal", "{", "{", true},
		{"trailing garbage", doc + "x", doc, false},
		{"two documents", doc + doc, doc, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PolicyEqual(tt.a, tt.b); got != tt.want {
				t.Errorf("PolicyEqual = %v, want %v", got, tt.want)
			}
			if got := PolicyEqual(tt.b, tt.a); got != tt.want {
				t.Errorf("PolicyEqual reversed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCanonicalPolicy(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		// The form jsonencode() gives: compact, sorted keys, <>& escaped.
		{`{ "b": 1, "a": ["<&>"] }`, `{"a":["\u003c\u0026\u003e"],"b":1}`, true},
		{`{"Version": "2012-10-17"}`, `{"Version":"2012-10-17"}`, true},
		{`not json`, ``, false},
	}
	for _, tt := range tests {
		got, ok := canonicalPolicy(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("canonicalPolicy(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzPolicyEqual checks the properties the provider's Read relies on:
// equality is reflexive and symmetric, and reformatting valid JSON or
// spelling it canonically never makes it unequal.
func FuzzPolicyEqual(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, `{}`)
	f.Add(`{"a":1.0}`, `{"a":1}`)
	f.Add(`[1,2,3]`, `[1, 2, 3]`)
	f.Add(`{`, `}`)
	f.Add(`"x"`, `"x" `)
	f.Fuzz(func(t *testing.T, a, b string) {
		if !PolicyEqual(a, a) {
			t.Errorf("not reflexive: %q", a)
		}
		if PolicyEqual(a, b) != PolicyEqual(b, a) {
			t.Errorf("not symmetric: %q %q", a, b)
		}
		if !json.Valid([]byte(a)) {
			return
		}
		var buf bytes.Buffer
		if err := json.Indent(&buf, []byte(a), "", "\t"); err != nil {
			t.Fatal(err)
		}
		if !PolicyEqual(a, buf.String()) {
			t.Errorf("reindented %q is unequal", a)
		}
		if c, ok := canonicalPolicy(a); ok && !PolicyEqual(a, c) {
			t.Errorf("canonical %q of %q is unequal", c, a)
		}
	})
}
