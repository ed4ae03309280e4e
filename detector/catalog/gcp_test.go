package catalog

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
)

// gcpTestEvent builds an event from a request and response JSON text.
func gcpTestEvent(req, resp, resourceName string) *Event {
	c := &change.Change{Provider: change.GCP, Account: "acme-prod", ResourceName: resourceName}
	if req != "" {
		c.Request = json.RawMessage(req)
	}
	if resp != "" {
		c.Response = json.RawMessage(resp)
	}
	return NewEvent(c)
}

type gcpValueCase struct {
	name   string
	req    string
	resp   string
	cur    any
	want   any
	wantOK bool
}

func runGCPValueCases(t *testing.T, v Value, cases []gcpValueCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := v(gcpTestEvent(tc.req, tc.resp, ""), tc.cur)
			if ok != tc.wantOK {
				t.Fatalf("ok = %v, want %v (value %#v)", ok, tc.wantOK, got)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("value mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGCPFirewallRules(t *testing.T) {
	t.Run("allow", func(t *testing.T) {
		runGCPValueCases(t, gcpFirewallRules("alloweds", "denieds", false), []gcpValueCase{
			{name: "ports kept as strings, protocol lower-cased",
				req: `{"alloweds":[{"IPProtocol":"TCP","ports":["22","8000-8080"]},{"IPProtocol":"icmp"}]}`,
				want: []any{
					map[string]any{"protocol": "tcp", "ports": []any{"22", "8000-8080"}},
					map[string]any{"protocol": "icmp", "ports": []any{}},
				}, wantOK: true},
			{name: "API spelling of the protocol key",
				req:  `{"alloweds":[{"ipProtocol":"udp","ports":["53"]}]}`,
				want: []any{map[string]any{"protocol": "udp", "ports": []any{"53"}}}, wantOK: true},
			{name: "denieds only empties allow", req: `{"denieds":[{"IPProtocol":"all"}]}`,
				want: []any{}, wantOK: true},
			{name: "neither kind: untouched", req: `{"priority":"10"}`},
			{name: "operation.last entry", req: `{"@type":"type.googleapis.com/compute.firewalls.patch"}`},
		})
	})
	t.Run("replace", func(t *testing.T) {
		runGCPValueCases(t, gcpFirewallRules("denieds", "alloweds", true), []gcpValueCase{
			{name: "absent means none", req: `{"sourceRanges":["10.0.0.0/8"]}`, want: []any{}, wantOK: true},
		})
	})
}

func TestGCPFirewallLogConfig(t *testing.T) {
	runGCPValueCases(t, gcpFirewallLogConfig(false), []gcpValueCase{
		{name: "enabled without metadata gets the API default", req: `{"logConfig":{"enable":true}}`,
			want: []any{map[string]any{"metadata": "INCLUDE_ALL_METADATA"}}, wantOK: true},
		{name: "enabled with metadata", req: `{"logConfig":{"enable":true,"metadata":"EXCLUDE_ALL_METADATA"}}`,
			want: []any{map[string]any{"metadata": "EXCLUDE_ALL_METADATA"}}, wantOK: true},
		{name: "disabled", req: `{"logConfig":{"enable":false}}`, want: []any{}, wantOK: true},
		{name: "enable omitted means false", req: `{"logConfig":{"metadata":"INCLUDE_ALL_METADATA"}}`,
			want: []any{}, wantOK: true},
		{name: "absent", req: `{"priority":"1000"}`},
	})
}

func TestGCPLabels(t *testing.T) {
	state := map[string]any{"env": "prod", "team": "api"}
	t.Run("all", func(t *testing.T) {
		runGCPValueCases(t, gcpAllLabels("labels", "labelFingerprint"), []gcpValueCase{
			{name: "key/value list, first duplicate wins",
				req:  `{"labels":[{"key":"a","value":"1"},{"key":"a","value":"2"},{"key":"b"}],"labelFingerprint":"x"}`,
				want: map[string]any{"a": "1", "b": ""}, wantOK: true},
			{name: "plain map", req: `{"labels":{"a":"1"}}`, want: map[string]any{"a": "1"}, wantOK: true},
			{name: "fingerprint only clears", req: `{"labelFingerprint":"x"}`, want: map[string]any{}, wantOK: true},
			{name: "nothing about labels", req: `{"@type":"type.googleapis.com/compute.instances.setLabels"}`},
		})
	})
	t.Run("managed", func(t *testing.T) {
		runGCPValueCases(t, gcpManagedLabels("labels", "labelFingerprint"), []gcpValueCase{
			{name: "keeps state's keys only", cur: state,
				req:  `{"labels":[{"key":"env","value":"dev"},{"key":"owner","value":"bob"}],"labelFingerprint":"x"}`,
				want: map[string]any{"env": "dev"}, wantOK: true},
			{name: "no labels in state: nothing managed", cur: nil,
				req: `{"labels":[{"key":"owner","value":"bob"}]}`, want: map[string]any{}, wantOK: true},
		})
	})
	t.Run("effective", func(t *testing.T) {
		runGCPValueCases(t, gcpEffectiveLabels("labels", "labelFingerprint"), []gcpValueCase{
			{name: "provider 5 state", cur: map[string]any{"env": "prod"},
				req: `{"labels":[{"key":"owner","value":"bob"}]}`, want: map[string]any{"owner": "bob"}, wantOK: true},
			{name: "provider 4 state has no effective_labels", cur: nil,
				req: `{"labels":[{"key":"owner","value":"bob"}]}`},
		})
	})
}

func TestGCPStringList(t *testing.T) {
	runGCPValueCases(t, gcpStringList("fingerprint", "tags", "items"), []gcpValueCase{
		{name: "setTags body", req: `{"fingerprint":"x","tags":["web","ssh"]}`, want: []any{"web", "ssh"}, wantOK: true},
		{name: "API spelling", req: `{"fingerprint":"x","items":["web"]}`, want: []any{"web"}, wantOK: true},
		{name: "cleared", req: `{"fingerprint":"x"}`, want: []any{}, wantOK: true},
		{name: "last entry", req: `{"@type":"type.googleapis.com/compute.instances.setTags"}`},
	})
}

func TestGCPMasked(t *testing.T) {
	v := gcpMasked("display_name", gcpMaskFields, "", Req("service_account.display_name"))
	runGCPValueCases(t, v, []gcpValueCase{
		{name: "camelCase mask", req: `{"service_account":{"display_name":"ci"},"update_mask":"displayName,description"}`,
			want: "ci", wantOK: true},
		{name: "snake_case mask object", req: `{"service_account":{"display_name":"ci"},"update_mask":{"paths":["display_name"]}}`,
			want: "ci", wantOK: true},
		{name: "masked and omitted means cleared", req: `{"service_account":{},"update_mask":"display_name"}`,
			want: "", wantOK: true},
		{name: "not masked", req: `{"service_account":{"display_name":"ci"},"update_mask":"description"}`},
		{name: "no mask: fields present", req: `{"service_account":{"display_name":"ci"}}`, want: "ci", wantOK: true},
		{name: "no mask, absent", req: `{"service_account":{}}`},
	})
}

func TestGCPPolicyData(t *testing.T) {
	runGCPValueCases(t, gcpPolicyData(), []gcpValueCase{
		{name: "response wins, etag and version dropped",
			req:    `{"resource":"p","policy":{"bindings":[{"role":"roles/viewer","members":["user:a@x"]}]}}`,
			resp:   `{"@type":"type.googleapis.com/google.iam.v1.Policy","bindings":[{"role":"roles/owner","members":["user:b@x"]}],"etag":"e","version":1}`,
			want:   `{"bindings":[{"members":["user:b@x"],"role":"roles/owner"}]}`,
			wantOK: true},
		{name: "request when no response",
			req:    `{"resource":"p","policy":{"bindings":[{"role":"roles/viewer","members":["user:a@x"],"condition":{"title":"t","expression":"true"}}],"etag":"e"}}`,
			want:   `{"bindings":[{"condition":{"expression":"true","title":"t"},"members":["user:a@x"],"role":"roles/viewer"}]}`,
			wantOK: true},
		{name: "snake_case audit configs become the provider's camelCase",
			resp:   `{"bindings":[],"audit_configs":[{"service":"allServices","audit_log_configs":[{"log_type":"DATA_READ","exempted_members":["user:a@x"]}]}]}`,
			want:   `{"auditConfigs":[{"auditLogConfigs":[{"exemptedMembers":["user:a@x"],"logType":"DATA_READ"}],"service":"allServices"}]}`,
			wantOK: true},
		{name: "empty policy", resp: `{"@type":"type.googleapis.com/google.iam.v1.Policy","etag":"e"}`,
			want: `{}`, wantOK: true},
		{name: "no policy anywhere", req: `{"resource":"p"}`, resp: `{"@type":"type.googleapis.com/google.protobuf.Empty"}`},
	})
}

func TestGCPInstanceMetadata(t *testing.T) {
	state := map[string]any{"enable-oslogin": "TRUE", "ssh-keys": "deploy:ssh-ed25519 AAAA"}
	runGCPValueCases(t, gcpInstanceMetadata(), []gcpValueCase{
		{name: "no key lists", req: `{"@type":"type.googleapis.com/compute.instances.setMetadata"}`, cur: state,
			want: Unknown, wantOK: true},
		{name: "deletion only is exact", req: `{"Metadata Keys Deleted":["ssh-keys"]}`, cur: state,
			want: map[string]any{"enable-oslogin": "TRUE"}, wantOK: true},
		{name: "added key hides the value", req: `{"Metadata Keys Added":["ssh-keys"]}`, cur: state,
			want: Unknown, wantOK: true},
		{name: "startup-script tracked outside metadata", req: `{"Metadata Keys Modified":["startup-script"]}`,
			cur: state, want: state, wantOK: true},
		{name: "startup-script tracked in metadata",
			req: `{"Metadata Keys Modified":["startup-script"]}`,
			cur: map[string]any{"startup-script": "echo hi"}, want: Unknown, wantOK: true},
	})
	runGCPValueCases(t, gcpStartupScript(), []gcpValueCase{
		{name: "modified", req: `{"Metadata Keys Modified":["startup-script"]}`, want: Unknown, wantOK: true},
		{name: "deleted", req: `{"Metadata Keys Deleted":["startup-script","ssh-keys"]}`, want: "", wantOK: true},
		{name: "other keys", req: `{"Metadata Keys Added":["ssh-keys"]}`},
		{name: "no key lists", req: `{}`},
	})
}

func TestGCPSmallValues(t *testing.T) {
	t.Run("int", func(t *testing.T) {
		runGCPValueCases(t, gcpInt(Req("sizeGb")), []gcpValueCase{
			{name: "int64 as string", req: `{"sizeGb":"1000"}`, want: json.Number("1000"), wantOK: true},
			{name: "number", req: `{"sizeGb":200}`, want: json.Number("200"), wantOK: true},
			{name: "not a number is kept", req: `{"sizeGb":"big"}`, want: "big", wantOK: true},
		})
	})
	t.Run("short name", func(t *testing.T) {
		runGCPValueCases(t, gcpShortName(Req("machineType")), []gcpValueCase{
			{name: "relative URL", req: `{"machineType":"zones/us-central1-a/machineTypes/e2-medium"}`,
				want: "e2-medium", wantOK: true},
			{name: "bare name", req: `{"machineType":"e2-small"}`, want: "e2-small", wantOK: true},
		})
	})
	t.Run("deletion protection", func(t *testing.T) {
		runGCPValueCases(t, gcpOrUnknown(Bool(Req("deletionProtection"))), []gcpValueCase{
			{name: "logged", req: `{"deletionProtection":false}`, want: false, wantOK: true},
			{name: "not logged", req: `{}`, want: Unknown, wantOK: true},
		})
	})
	t.Run("desired status", func(t *testing.T) {
		runGCPValueCases(t, gcpWhenManaged(Const("TERMINATED")), []gcpValueCase{
			{name: "managed", cur: "RUNNING", want: "TERMINATED", wantOK: true},
			{name: "not configured", cur: ""},
		})
	})
	t.Run("service account", func(t *testing.T) {
		runGCPValueCases(t, gcpSetServiceAccount(), []gcpValueCase{
			{name: "set", req: `{"email":"a@p.iam.gserviceaccount.com","scopes":["https://www.googleapis.com/auth/cloud-platform"]}`,
				want: []any{map[string]any{"email": "a@p.iam.gserviceaccount.com",
					"scopes": []any{"https://www.googleapis.com/auth/cloud-platform"}}}, wantOK: true},
			{name: "removed", req: `{"email":"","scopes":[]}`, want: []any{}, wantOK: true},
			{name: "last entry", req: `{"@type":"type.googleapis.com/compute.instances.setServiceAccount"}`},
		})
	})
}

func TestGCPIdentifiers(t *testing.T) {
	cases := []struct {
		name         string
		ids          IDs
		req, resp    string
		resourceName string
		want         []string
	}{
		{name: "bucket name", ids: gcpNameAfter("projects/_/buckets/"),
			resourceName: "projects/_/buckets/logs", want: []string{"logs"}},
		{name: "object is not a bucket", ids: gcpNameAfter("projects/_/buckets/"),
			resourceName: "projects/_/buckets/logs/objects/a.txt"},
		{name: "project", ids: gcpNameAfter("projects/"), resourceName: "projects/acme-prod", want: []string{"acme-prod"}},
		{name: "folder is not a project", ids: gcpNameAfter("projects/"), resourceName: "folders/123"},
		{name: "email from the name", ids: gcpServiceAccountEmail("name"),
			req:  `{"name":"projects/-/serviceAccounts/ci@acme-prod.iam.gserviceaccount.com"}`,
			want: []string{"ci@acme-prod.iam.gserviceaccount.com"}},
		{name: "unique ID only without email", ids: gcpServiceAccountUniqueID("name"),
			req:          `{"name":"projects/-/serviceAccounts/ci@acme-prod.iam.gserviceaccount.com"}`,
			resourceName: "projects/-/serviceAccounts/1048"},
		{name: "unique ID from the request", ids: gcpServiceAccountUniqueID("name"),
			req: `{"name":"projects/acme-prod/serviceAccounts/1048"}`, want: []string{"1048"}},
		{name: "unique ID from resourceName", ids: gcpServiceAccountUniqueID("name"),
			req: `{}`, resourceName: "projects/-/serviceAccounts/1048", want: []string{"1048"}},
		{name: "wildcard project from the email domain", ids: gcpServiceAccountProject(ReqID("name")),
			req:  `{"name":"projects/-/serviceAccounts/ci@other-proj.iam.gserviceaccount.com/keys/k1"}`,
			want: []string{"projects/other-proj/serviceAccounts/ci@other-proj.iam.gserviceaccount.com/keys/k1"}},
		{name: "wildcard project from the record", ids: gcpServiceAccountProject(ReqID("name")),
			req:  `{"name":"projects/-/serviceAccounts/123-compute@developer.gserviceaccount.com"}`,
			want: []string{"projects/acme-prod/serviceAccounts/123-compute@developer.gserviceaccount.com"}},
		{name: "explicit project kept", ids: gcpServiceAccountProject(ReqID("name")),
			req:  `{"name":"projects/x/serviceAccounts/a@x.iam.gserviceaccount.com"}`,
			want: []string{"projects/x/serviceAccounts/a@x.iam.gserviceaccount.com"}},
		{name: "new account email without response", ids: gcpNewServiceAccountEmail(),
			req: `{"name":"projects/acme-prod","account_id":"backup"}`, want: []string{"backup@acme-prod.iam.gserviceaccount.com"}},
		{name: "new account email needs the project", ids: gcpNewServiceAccountEmail(),
			req: `{"name":"projects/-","account_id":"backup"}`},
		{name: "role name from the request", ids: gcpNewRoleName(),
			req: `{"parent":"organizations/9","role_id":"r"}`, want: []string{"organizations/9/roles/r"}},
		{name: "only project roles", ids: gcpPrefixed("projects/", ReqID("name")),
			req: `{"name":"organizations/9/roles/r"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.ids(gcpTestEvent(tc.req, tc.resp, tc.resourceName))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ids mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzGCPEntries feeds arbitrary request and response payloads through
// every Google Cloud entry: audit records come from outside, and no shape
// may make a hook panic.
func FuzzGCPEntries(f *testing.F) {
	f.Add(`{"alloweds":[{"IPProtocol":"tcp","ports":["22"]}],"sourceRanges":["0.0.0.0/0"]}`, `{}`,
		"projects/p/global/firewalls/fw")
	f.Add(`{"labels":[{"key":"a","value":"b"}],"labelFingerprint":"x"}`, ``, "projects/p/zones/z/instances/i")
	f.Add(`{"Metadata Keys Deleted":["ssh-keys"],"Metadata Keys Added":[1,{"k":2}]}`, ``, "projects/p/zones/z/instances/i")
	f.Add(`{"resource":"p","policy":{"bindings":[{"role":"r","members":["user:a"]}]}}`,
		`{"bindings":"oops","audit_configs":[{"audit_log_configs":[null]}]}`, "projects/p")
	f.Add(`{"service_account":{"name":"projects/-/serviceAccounts/a@b"},"update_mask":{"paths":[1,"x"]}}`, `[]`,
		"projects/-/serviceAccounts/1")
	f.Add(`"{\"logConfig\":{\"enable\":\"yes\"}}"`, `null`, "")
	cat := Default()
	var entries []*Entry
	for _, e := range cat.Entries() {
		if e.Provider == change.GCP {
			entries = append(entries, e)
		}
	}
	f.Fuzz(func(t *testing.T, req, resp, resourceName string) {
		for _, entry := range entries {
			ev := gcpTestEvent(req, resp, resourceName)
			if !json.Valid([]byte(req)) {
				ev = gcpTestEvent("", "", resourceName)
			}
			for _, r := range entry.Resolve(ev) {
				current := map[string]any{"labels": map[string]any{"a": "b"}, "metadata": map[string]any{"x": "y"},
					"desired_status": "RUNNING", "effective_labels": map[string]any{}}
				r.Target.Derive(ev, current)
				r.Target.Derive(ev, nil)
			}
		}
	})
}

func BenchmarkGCPFirewallPatch(b *testing.B) {
	entry := Default().Lookup(change.GCP, "compute.firewalls.patch")
	req := `{"@type":"type.googleapis.com/compute.firewalls.patch","priority":"1000",` +
		`"alloweds":[{"IPProtocol":"tcp","ports":["443"]},{"IPProtocol":"tcp","ports":["22"]}],` +
		`"sourceRanges":["0.0.0.0/0"],"targetTags":["web"],"logConfig":{"enable":false}}`
	current := map[string]any{"priority": json.Number("1000"), "target_tags": []any{"web"}}
	b.ReportAllocs()
	for b.Loop() {
		ev := gcpTestEvent(req, "", "projects/p/global/firewalls/allow-https")
		for _, r := range entry.Resolve(ev) {
			r.Target.Derive(ev, current)
		}
	}
}

func BenchmarkGCPSetIamPolicy(b *testing.B) {
	entry := Default().Lookup(change.GCP, "SetIamPolicy")
	var bindings []string
	for i := 0; i < 40; i++ {
		bindings = append(bindings, `{"role":"roles/r`+strings.Repeat("x", i%7)+`","members":["user:a@example.com","group:g@example.com"]}`)
	}
	resp := `{"@type":"type.googleapis.com/google.iam.v1.Policy","etag":"e","version":1,"bindings":[` +
		strings.Join(bindings, ",") + `]}`
	b.ReportAllocs()
	for b.Loop() {
		ev := gcpTestEvent(`{"resource":"p"}`, resp, "projects/p")
		for _, r := range entry.Resolve(ev) {
			r.Target.Derive(ev, nil)
		}
	}
}
