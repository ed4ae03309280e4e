package catalog

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLambdaName(t *testing.T) {
	for in, want := range map[string]string{
		"orders-api": "orders-api",
		"arn:aws:lambda:us-east-1:123456789012:function:orders-api":      "orders-api",
		"arn:aws:lambda:us-east-1:123456789012:function:orders-api:live": "orders-api",
		"123456789012:function:orders-api":                               "orders-api",
		"arn:aws-cn:lambda:cn-north-1:123456789012:function:f:$LATEST":   "f",
	} {
		if got := lambdaName(in); got != want {
			t.Errorf("lambdaName(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzLambdaName checks that a FunctionName parameter always reduces to a
// name without the ARN's separators.
func FuzzLambdaName(f *testing.F) {
	for _, s := range []string{"f", "arn:aws:lambda:us-east-1:1:function:f:7", "1:function:f", ":function:", "function:f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := lambdaName(s)
		if strings.Contains(s, ":function:") && strings.Contains(got, ":") {
			t.Fatalf("lambdaName(%q) = %q still holds a qualifier", s, got)
		}
		if lambdaName(got) != got && !strings.Contains(got, ":function:") {
			t.Fatalf("lambdaName not idempotent on %q: %q", s, got)
		}
	})
}

func TestLambdaUnqualifiedFunction(t *testing.T) {
	tests := []struct {
		req  string
		want []string
	}{
		{`{"functionName":"orders-api"}`, []string{"orders-api"}},
		{`{"functionName":"arn:aws:lambda:us-east-1:1:function:orders-api"}`, []string{"orders-api"}},
		{`{"functionName":"orders-api","qualifier":"7"}`, nil},
		{`{"functionName":"arn:aws:lambda:us-east-1:1:function:orders-api:7"}`, nil},
	}
	for _, tt := range tests {
		if got := lambdaUnqualifiedFunction()(ctEvent(t, tt.req)); !cmp.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.req, got, tt.want)
		}
	}
}

func TestLambdaEnvironment(t *testing.T) {
	tests := []struct {
		name, req string
		want      any
		ok        bool
	}{
		{"hidden", `{"functionName":"f","environment":{}}`, Unknown, true},
		{"masked values", `{"functionName":"f","environment":{"variables":{"A":"****"}}}`, Unknown, true},
		{"in clear", `{"functionName":"f","environment":{"variables":{"A":"1"}}}`,
			[]any{map[string]any{"variables": map[string]any{"A": "1"}}}, true},
		{"not written", `{"functionName":"f","timeout":3}`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := lambdaEnvironment()(ctEvent(t, tt.req), nil)
			if ok != tt.ok || !cmp.Equal(got, tt.want, cmp.Comparer(func(a, b unknownValue) bool { return true })) {
				t.Errorf("got %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
