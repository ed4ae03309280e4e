package catalog

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/normalize"
)

// ctEvent builds an S3 event from a requestParameters JSON text; hooks
// other than the service guard do not look at the service.
func ctEvent(t testing.TB, req string) *Event { return ctEventFrom(t, s3Service, req) }

// ctEventFrom builds an event of service from a requestParameters JSON text.
func ctEventFrom(t testing.TB, service, req string) *Event {
	t.Helper()
	if !json.Valid([]byte(req)) {
		t.Fatalf("bad request JSON: %s", req)
	}
	return NewEvent(&change.Change{Provider: change.AWS, Service: service, Request: json.RawMessage(req)})
}

// decodeState decodes a state attribute value written as JSON, numbers as
// json.Number like the state reader does.
func decodeState(t testing.TB, s string) any {
	t.Helper()
	if s == "" {
		return nil
	}
	return decodeJSON(json.RawMessage(s))
}

func TestS3CannedACLExpansion(t *testing.T) {
	const owner = `[{"grant":[{"grantee":[{"id":"OWNER","type":"CanonicalUser","display_name":"acme"}],"permission":"FULL_CONTROL"}],"owner":[{"id":"OWNER","display_name":"acme"}]}]`
	tests := []struct {
		name, req, cur string
		want           any
		ok             bool
	}{
		{
			name: "public-read adds AllUsers READ",
			req:  `{"bucketName":"b","x-amz-acl":["public-read"]}`, cur: owner, ok: true,
			want: []any{map[string]any{
				"grant": []any{
					map[string]any{"grantee": []any{map[string]any{"id": "OWNER", "type": "CanonicalUser", "display_name": "acme"}}, "permission": "FULL_CONTROL"},
					map[string]any{"grantee": []any{map[string]any{"type": "Group", "uri": s3AllUsers}}, "permission": "READ"},
				},
				"owner": []any{map[string]any{"id": "OWNER", "display_name": "acme"}},
			}},
		},
		{
			name: "header as a plain string",
			req:  `{"bucketName":"b","x-amz-acl":"private"}`, cur: owner, ok: true,
			want: decodeState(t, owner),
		},
		{
			name: "canned ACL without an owner in state is unknown",
			req:  `{"bucketName":"b","x-amz-acl":["public-read"]}`, ok: true, want: Unknown,
		},
		{
			name: "aws-exec-read grantee is not in the record",
			req:  `{"bucketName":"b","x-amz-acl":"aws-exec-read"}`, cur: owner, ok: true, want: Unknown,
		},
		{
			name: "grant headers are not modelled",
			req:  `{"bucketName":"b","acl":"","x-amz-grant-read":["uri=http://acs.amazonaws.com/groups/global/AllUsers"]}`, cur: owner, ok: true, want: Unknown,
		},
		{
			name: "no ACL in the request",
			req:  `{"bucketName":"b","acl":""}`, cur: owner, ok: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s3AccessControlPolicy()(ctEvent(t, tt.req), decodeState(t, tt.cur))
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if tt.want == Unknown {
				if got != Unknown {
					t.Fatalf("got %v, want Unknown", got)
				}
				return
			}
			if !normalize.Equal(got, tt.want) {
				t.Errorf("got %s\nwant %s", normalize.Text(normalize.Canonical(got)), normalize.Text(normalize.Canonical(tt.want)))
			}
		})
	}
}

func TestS3LegacyGrantsGroupPermissions(t *testing.T) {
	cur := decodeState(t, `[{"id":"OWNER","type":"CanonicalUser","permissions":["FULL_CONTROL"],"uri":""}]`)
	got, ok := s3LegacyGrants()(ctEvent(t, `{"bucketName":"b","x-amz-acl":["log-delivery-write"]}`), cur)
	if !ok {
		t.Fatal("not derived")
	}
	want := []any{
		map[string]any{"id": "OWNER", "type": "CanonicalUser", "permissions": []any{"FULL_CONTROL"}},
		map[string]any{"type": "Group", "uri": s3LogDelivery, "permissions": []any{"WRITE", "READ_ACP"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("grants (-want +got):\n%s", diff)
	}
}

func TestS3EncryptionKeepsUnmodelledAttributes(t *testing.T) {
	// A provider version that adds an attribute to the rule block must not
	// make a re-applied configuration look like drift.
	cur := decodeState(t, `[{"apply_server_side_encryption_by_default":[{"kms_master_key_id":"","sse_algorithm":"AES256"}],"bucket_key_enabled":false,"blocked_encryption_types":["SSE-C"]}]`)
	ev := ctEvent(t, `{"bucketName":"b","ServerSideEncryptionConfiguration":{"Rule":{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}}}`)
	got, ok := s3EncryptionRules(false)(ev, cur)
	if !ok || !normalize.Equal(got, cur) {
		t.Errorf("got %v (ok %v), want state unchanged", got, ok)
	}
}

func TestS3LifecycleFilterObjectSize(t *testing.T) {
	tests := []struct {
		name, filter, cur string
		want              any
	}{
		{"unset keeps the provider's null", `{"Prefix":"a/"}`, `{"object_size_greater_than":null}`, nil},
		{"unset keeps the provider's zero", `{"Prefix":"a/"}`, `{"object_size_greater_than":0}`, json.Number("0")},
		{"removed bound becomes null", `{"Prefix":"a/"}`, `{"object_size_greater_than":1024}`, nil},
		{"request value wins", `{"ObjectSizeGreaterThan":2048}`, `{"object_size_greater_than":1024}`, json.Number("2048")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := decodeState(t, tt.filter).(map[string]any)
			cur := decodeState(t, tt.cur).(map[string]any)
			got := s3LifecycleFilter(f, cur)["object_size_greater_than"]
			if !normalize.Equal(got, tt.want) {
				t.Errorf("object_size_greater_than = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestS3Day(t *testing.T) {
	for in, want := range map[string]string{
		"2025-01-01T00:00:00.000Z": "2025-01-01",
		"2025-01-01":               "2025-01-01",
		"":                         "",
	} {
		if got := s3Day(in); got != want {
			t.Errorf("s3Day(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkS3PutBucketAcl measures resolving and deriving a PutBucketAcl
// with explicit grants against a bucket ACL in state, the heaviest S3 hook.
func BenchmarkS3PutBucketAcl(b *testing.B) {
	req := `{"bucketName":"b","acl":"","AccessControlPolicy":{"AccessControlList":{"Grant":[
		{"Grantee":{"xsi:type":"CanonicalUser","ID":"OWNER"},"Permission":"FULL_CONTROL"},
		{"Grantee":{"xsi:type":"Group","URI":"http://acs.amazonaws.com/groups/global/AllUsers"},"Permission":"READ"}]},
		"Owner":{"ID":"OWNER"}}}`
	cur := map[string]any{"access_control_policy": decodeState(b, `[{"grant":[{"grantee":[{"id":"OWNER","type":"CanonicalUser","display_name":"acme"}],"permission":"FULL_CONTROL"}],"owner":[{"id":"OWNER","display_name":"acme"}]}]`)}
	entry := Default().Lookup(change.AWS, "PutBucketAcl")
	if n := len(entry.Resolve(ctEvent(b, req))); n != 2 {
		b.Fatalf("%d resolutions, want 2", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		ev := ctEvent(b, req)
		for _, r := range entry.Resolve(ev) {
			r.Target.Derive(ev, cur)
		}
	}
}
