package edit

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEqual(t *testing.T) {
	n := func(s string) json.Number { return json.Number(s) }
	tests := []struct {
		a, b any
		want bool
	}{
		{n("443"), n("443.0"), true},
		{n("443"), "443", true},
		{"443", n("443"), true},
		{n("1e2"), n("100"), true},
		{n("0.1"), n("0.10000000000000001"), false},
		{true, "true", true},
		{false, "true", false},
		{nil, "", false},
		{[]any{"a", n("1")}, []any{"a", "1"}, true},
		{[]any{"a"}, []any{"a", "b"}, false},
		{map[string]any{"a": nil}, map[string]any{}, false},
		{map[string]any{"a": n("1")}, map[string]any{"a": n("1.0")}, true},
	}
	for _, tt := range tests {
		if got := equal(tt.a, tt.b); got != tt.want {
			t.Errorf("equal(%#v, %#v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	got, err := normalize(map[string]any{"ports": []int{22, 443}, "tags": map[string]string{"a": "b"}, "f": 1.5})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"ports": []any{json.Number("22"), json.Number("443")}, "tags": map[string]any{"a": "b"}, "f": json.Number("1.5")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := normalize(make(chan int)); err == nil {
		t.Errorf("normalize(chan) succeeded")
	}
}

func TestHCLText(t *testing.T) {
	tests := []struct {
		in   string // JSON
		want string
	}{
		{`"t3.large"`, `"t3.large"`},
		{`"${aws:username} %{x} \"q\"\n"`, `"$${aws:username} %%{x} \"q\"\n"`},
		{`443`, `443`},
		{`-1.25`, `-1.25`},
		{`null`, `null`},
		{`["a", 1, true]`, `["a", 1, true]`},
		{`{}`, `{}`},
		{`{"Name": "web", "a b": 1, "null": 2}`, "{\n  Name   = \"web\"\n  \"a b\"  = 1\n  \"null\" = 2\n}"},
		{`[{"Effect": "Allow", "Action": "s3:*"}]`, "[{\n  Effect = \"Allow\"\n  Action = \"s3:*\"\n}]"},
		{`[{"a": 1}, {"b": 2}]`, "[\n  {\n    a = 1\n  },\n  {\n    b = 2\n  },\n]"},
	}
	for _, tt := range tests {
		v, err := decodeJSON([]byte(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		got, err := hclText(v)
		if err != nil {
			t.Fatalf("hclText(%s): %v", tt.in, err)
		}
		if got != tt.want {
			t.Errorf("hclText(%s) =\n%s\nwant\n%s", tt.in, got, tt.want)
		}
	}
	if _, err := hclText(json.Number("1e999999")); err == nil {
		t.Errorf("hclText(1e999999) succeeded; out-of-range numbers must be refused")
	}
}

func TestDescribe(t *testing.T) {
	dec := func(s string) any {
		v, err := decodeJSON([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		old, act string
		hasOld   bool
		want     string
	}{
		{`"t3.micro"`, `"t3.large"`, true, `"t3.micro" → "t3.large"`},
		{`null`, `"x"`, false, `set to "x"`},
		{`{"a":"1","b":"2"}`, `{"a":"1","c":"3"}`, true, `removed b; added c = "3"`},
		{`["x","y"]`, `["y","z","w"]`, true, `added "z", "w", removed "x"`},
		{`"{\"Statement\":[{\"Action\":\"s3:Get*\"}]}"`, `"{\"Statement\":[{\"Action\":\"s3:*\"}]}"`, true, `document Statement[0].Action: "s3:Get*" → "s3:*"`},
		{`{"k1":1,"k2":1,"k3":1,"k4":1,"k5":1}`, `{}`, true, `removed k1; removed k2; removed k3; removed k4; and 1 more`},
	}
	for _, tt := range tests {
		if got := describe(dec(tt.old), tt.hasOld, dec(tt.act)); got != tt.want {
			t.Errorf("describe(%s, %s) = %q, want %q", tt.old, tt.act, got, tt.want)
		}
	}
}

func TestOrderedJSON(t *testing.T) {
	old, err := decodeOrdered([]byte(`{"Version":"1","Statement":[{"Effect":"Allow","Action":["a"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := decodeJSON([]byte(`{"Statement":[{"Action":"b","Effect":"Allow","Sid":"x"}],"Version":"1","Id":"p"}`))
	merged := mergeOrdered(old, want)
	got, err := writeJSON(merged, jsonStyle{})
	if err != nil {
		t.Fatal(err)
	}
	// Old keys keep their order; new ones follow in generation order.
	if w := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"b","Sid":"x"}],"Id":"p"}`; got != w {
		t.Errorf("compact = %s, want %s", got, w)
	}
	pretty, err := writeJSON(merged, jsonStyle{pretty: true, unit: "  ", prefix: "    "})
	if err != nil {
		t.Fatal(err)
	}
	wantPretty := "{\n      \"Version\": \"1\",\n      \"Statement\": [\n        {\n          \"Effect\": \"Allow\",\n          \"Action\": \"b\",\n          \"Sid\": \"x\"\n        }\n      ],\n      \"Id\": \"p\"\n    }"
	if pretty != wantPretty {
		t.Errorf("pretty =\n%s\nwant\n%s", pretty, wantPretty)
	}
	if s := jsonString("<a&b>"); s != `"<a&b>"` {
		t.Errorf("jsonString escapes HTML: %s", s)
	}
}

func TestParseInstanceKeys(t *testing.T) {
	tests := []struct {
		addr     string
		modules  map[string]instKey
		resource instKey
		wantErr  bool
	}{
		{addr: "aws_instance.web", modules: map[string]instKey{}},
		{addr: "aws_instance.w[2]", modules: map[string]instKey{}, resource: instKey{set: true, isNum: true, num: 2, str: "2"}},
		{addr: `module.a["x"].module.b.aws_s3_bucket.b["logs"]`, modules: map[string]instKey{
			"module.a": {set: true, str: "x"}, "module.a.module.b": {},
		}, resource: instKey{set: true, str: "logs"}},
		{addr: "aws_instance.w[1.5]", wantErr: true},
		{addr: "aws_instance.w[*]", wantErr: true},
		{addr: "aws_instance.", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseInstanceKeys(tt.addr)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, want error %v", tt.addr, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if diff := cmp.Diff(tt.modules, got.modules, cmp.AllowUnexported(instKey{})); diff != "" {
			t.Errorf("%s modules (-want +got):\n%s", tt.addr, diff)
		}
		if got.resource != tt.resource {
			t.Errorf("%s resource key = %+v, want %+v", tt.addr, got.resource, tt.resource)
		}
	}
}
