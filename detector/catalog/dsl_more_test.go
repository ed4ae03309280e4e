package catalog

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
)

func TestDSLMoreValues(t *testing.T) {
	params := []any{
		map[string]any{"name": "timeout", "value": "300"},
		map[string]any{"name": "maxmemory-policy", "value": "allkeys-lru"},
	}
	tests := []struct {
		name   string
		v      Value
		req    string
		cur    any
		want   any
		wantOK bool
	}{
		{"hidden marker", Hidden(Req("definition")), `{"definition":"HIDDEN_DUE_TO_SECURITY_REASONS"}`, nil, Unknown, true},
		{"hidden passes values", Hidden(Req("definition")), `{"definition":"{}"}`, nil, "{}", true},
		{"or default when absent", OrDefault(List("alarmActions"), []any{}), `{}`, []any{"x"}, []any{}, true},
		{"or default keeps value", OrDefault(List("alarmActions"), []any{}), `{"alarmActions":["a"]}`, nil, []any{"a"}, true},
		{"list keeps an empty list", List("ids"), `{"ids":[]}`, nil, []any{}, true},
		{"in state: absent attribute left alone", InState(Const("DISABLED")), `{}`, nil, nil, false},
		{"in state: present attribute derived", InState(Const("DISABLED")), `{}`, "ENABLED", "DISABLED", true},
		{"set edit adds and removes", SetEdit("add", "remove"), `{"add":["c","a"],"remove":["b"]}`, []any{"a", "b"},
			[]any{"a", "c"}, true},
		{"set edit: what is both added and removed goes", SetEdit("add", "remove"), `{"add":["x"],"remove":["x"]}`, []any{"a"},
			[]any{"a"}, true},
		{"set edit without either list", SetEdit("add", "remove"), `{}`, []any{"a"}, nil, false},
		{"merge by name", MergeByName("p", "parameterName", "parameterValue"),
			`{"p":[{"parameterName":"timeout","parameterValue":"0"},{"parameterName":"b-new","parameterValue":"1"}]}`, params,
			[]any{
				map[string]any{"name": "timeout", "value": "0"},
				map[string]any{"name": "maxmemory-policy", "value": "allkeys-lru"},
				map[string]any{"name": "b-new", "value": "1"},
			}, true},
		{"block keeps unmodelled attributes", Block("opts", Field{Attr: "status", Path: "status"}),
			`{"opts":{"status":"DISABLED"}}`, []any{map[string]any{"status": "ENABLED", "other": true}},
			[]any{map[string]any{"status": "DISABLED", "other": true}}, true},
		{"blocks with defaults and numbers", Blocks("items", Field{Attr: "a", Path: "a", Default: ""}, Field{Attr: "n", Path: "n", Num: true}),
			`{"items":[{"n":"7"},{"a":"x"}]}`, nil,
			[]any{map[string]any{"a": "", "n": json.Number("7")}, map[string]any{"a": "x"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := NewEvent(&change.Change{Provider: change.AWS, Request: json.RawMessage(tt.req)})
			got, ok := tt.v(ev, tt.cur)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v (value %#v)", ok, tt.wantOK, got)
			}
			if ok && !cmp.Equal(got, tt.want) && !sameValue(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDSLMoreIDs(t *testing.T) {
	ev := NewEvent(&change.Change{Provider: change.AWS, Account: "123456789012",
		Request: json.RawMessage(`{"secretId":"arn:aws:secretsmanager:us-east-1:1:secret:a-Xy","streamARN":"arn:aws:kinesis:us-east-1:1:stream/clicks","resourceType":"Parameter","resourceId":"/p"}`)})
	tests := []struct {
		name string
		ids  IDs
		want []string
	}{
		{"arn only", ARNOnly(ReqID("secretId")), []string{"arn:aws:secretsmanager:us-east-1:1:secret:a-Xy"}},
		{"name only drops an ARN", NameOnly(ReqID("secretId")), nil},
		{"name from ARN", ARNName(ReqID("streamARN"), "/"), []string{"clicks"}},
		{"when request matches", WhenReq("resourceType", "parameter", ReqID("resourceId")), []string{"/p"}},
		{"when request differs", WhenReq("resourceType", "Document", ReqID("resourceId")), nil},
		{"constant", ConstID("iam-account-password-policy"), []string{"iam-account-password-policy"}},
		{"account", accountID(), []string{"123456789012"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ids(ev); !cmp.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzAllEntries feeds arbitrary request and response documents to every
// entry of the catalog, with the entry's own service: resolving and
// deriving must never panic, whatever the shape.
func FuzzAllEntries(f *testing.F) {
	f.Add(`{"tags":[{"key":1},{"Key":"a"}],"alarmNames":"x"}`, `{"summary":{"id":7}}`)
	f.Add(`{"backupPlan":[],"lifecyclePolicies":[{"transitionToIA":{}}],"targets":[{"id":5}]}`, `[]`)
	f.Add(`{"parameterNameValues":[{"parameterName":"p"}],"eventSelectors":[{"dataResources":"x"}]}`, `null`)
	f.Add(`{"change":{"additions":[{"name":"a.","type":"A","rrdata":"x"}]},"managedZone":"z"}`, ``)
	current := map[string]any{
		"tags": map[string]any{"a": "b"}, "parameter": []any{"x", map[string]any{"name": 1}},
		"members": "m", "lifecycle_policy": []any{map[string]any{}}, "state": "ENABLED", "policy_data": "{",
	}
	entries := Default().Entries()
	f.Fuzz(func(t *testing.T, req, resp string) {
		for _, e := range entries {
			ev := NewEvent(&change.Change{Provider: e.Provider, Service: e.Service, EventName: e.Event,
				Account: "123456789012", Region: "us-east-1", ResourceName: "projects/p/topics/t",
				Request: json.RawMessage(req), Response: json.RawMessage(resp)})
			for _, r := range e.Resolve(ev) {
				r.Target.DeriveFor(ev, r.ID, nil)
				r.Target.DeriveFor(ev, r.ID, current)
			}
		}
	})
}
