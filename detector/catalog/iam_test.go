package catalog

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/normalize"
)

func TestCTToNumber(t *testing.T) {
	tests := []struct {
		in   any
		want any
	}{
		{"300", json.Number("300")},
		{" 2 ", json.Number("2")},
		{"1.5", json.Number("1.5")},
		{"1e3", "1e3"}, // an identifier as often as a number
		{"NaN", "NaN"},
		{"0x10", "0x10"},
		{"", ""},
		{"alias/orders", "alias/orders"},
		{true, true},
		{json.Number("7"), json.Number("7")},
	}
	for _, tt := range tests {
		if got := ctToNumber(tt.in); got != tt.want {
			t.Errorf("ctToNumber(%#v) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestCTSets(t *testing.T) {
	ev := ctEvent(t, `{"policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}`)
	cur := []any{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/X"}
	got, _ := ctSetAdd("policyArn")(ev, cur)
	if !normalize.Equal(got, cur) {
		t.Errorf("adding a present value: got %v, want %v", got, cur)
	}
	got, _ = ctSetRemove("policyArn")(ev, cur)
	if diff := cmp.Diff([]any{"arn:aws:iam::aws:policy/X"}, got); diff != "" {
		t.Errorf("remove (-want +got):\n%s", diff)
	}
	got, _ = ctSetAdd("policyArn")(ev, nil)
	if diff := cmp.Diff([]any{"arn:aws:iam::aws:policy/ReadOnlyAccess"}, got); diff != "" {
		t.Errorf("add to an absent set (-want +got):\n%s", diff)
	}
}

func TestIAMInlinePolicyPut(t *testing.T) {
	ev := ctEvent(t, `{"roleName":"r","policyName":"p","policyDocument":"%7B%22Version%22%3A%222012-10-17%22%7D"}`)
	cur := []any{
		map[string]any{"name": "p", "policy": `{"Version":"2008-10-17"}`},
		map[string]any{"name": "q", "policy": `{}`},
	}
	got, ok := iamInlinePolicyPut()(ev, cur)
	want := []any{
		map[string]any{"name": "q", "policy": `{}`},
		map[string]any{"name": "p", "policy": `{"Version":"2012-10-17"}`},
	}
	if !ok {
		t.Fatal("not derived")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inline_policy (-want +got):\n%s", diff)
	}
}

func TestIAMDefaultVersionDoc(t *testing.T) {
	for req, want := range map[string]bool{
		`{"policyArn":"a","policyDocument":"{}","setAsDefault":true}`:   true,
		`{"policyArn":"a","policyDocument":"{}","setAsDefault":"true"}`: true,
		`{"policyArn":"a","policyDocument":"{}","setAsDefault":false}`:  false,
		`{"policyArn":"a","policyDocument":"{}"}`:                       false,
	} {
		if _, ok := iamDefaultVersionDoc()(ctEvent(t, req), nil); ok != want {
			t.Errorf("%s: derived = %v, want %v", req, ok, want)
		}
	}
}

// TestGuardedTablesIgnoreOtherServices proves that an event name shared by
// two AWS services resolves nothing when it comes from the other one.
func TestGuardedTablesIgnoreOtherServices(t *testing.T) {
	entry := Default().Lookup(change.AWS, "DeleteTable")
	if entry == nil {
		t.Fatal("DeleteTable is not in the catalog")
	}
	req := json.RawMessage(`{"databaseName":"db","tableName":"orders"}`)
	for service, want := range map[string]int{
		"timestream.amazonaws.com": 0,
		dynamodbService:            1,
		"":                         1, // a record without eventSource is trusted
	} {
		ev := NewEvent(&change.Change{Provider: change.AWS, Service: service, Request: req})
		if got := entry.Resolve(ev); len(got) != want {
			t.Errorf("%q: %d resolutions, want %d", service, len(got), want)
		}
	}
}

// BenchmarkIAMPutRolePolicy measures resolving a PutRolePolicy and deriving
// every target against a role with several inline policies, the hottest
// IAM path (policies are re-parsed per target).
func BenchmarkIAMPutRolePolicy(b *testing.B) {
	req := `{"roleName":"app_role","policyName":"app_policy","policyDocument":"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D"}`
	cur := map[string]any{"inline_policy": []any{
		map[string]any{"name": "a", "policy": `{"Version":"2012-10-17"}`},
		map[string]any{"name": "app_policy", "policy": `{"Version":"2012-10-17"}`},
		map[string]any{"name": "b", "policy": `{"Version":"2012-10-17"}`},
	}}
	entry := Default().Lookup(change.AWS, "PutRolePolicy")
	if n := len(entry.Resolve(ctEventFrom(b, iamService, req))); n != 3 {
		b.Fatalf("%d resolutions, want 3", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		ev := ctEventFrom(b, iamService, req)
		for _, r := range entry.Resolve(ev) {
			r.Target.Derive(ev, cur)
		}
	}
}
