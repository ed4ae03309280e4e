package catalog

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
)

// bindingEvent builds a CRM SetIamPolicy event whose raw record carries
// the deltas.
func bindingEvent(t testing.TB, resourceName, deltas string) *Event {
	t.Helper()
	raw := `{"protoPayload":{"resourceName":"` + resourceName + `","serviceData":{"policyDelta":{"bindingDeltas":` + deltas + `}}}}`
	if !json.Valid([]byte(raw)) {
		t.Fatalf("bad deltas: %s", deltas)
	}
	return NewEvent(&change.Change{Provider: change.GCP, Service: gcpCRMService, EventName: "SetIamPolicy",
		ResourceName: resourceName, Raw: json.RawMessage(raw)})
}

func TestGCPBindingDeltas(t *testing.T) {
	deltas := `[
		{"action":"ADD","role":"roles/owner","member":"user:mallory@gmail.com"},
		{"action":"REMOVE","role":"roles/owner","member":"user:bob@example.com"},
		{"action":"ADD","role":"roles/viewer","member":"user:carol@example.com","condition":{"title":"temp","expression":"request.time < timestamp('2026-01-01T00:00:00Z')"}},
		{"action":"BOGUS","role":"roles/viewer","member":"user:x@example.com"},
		{"action":"ADD","role":"","member":"user:y@example.com"}
	]`
	ev := bindingEvent(t, "projects/acme", deltas)
	targets := gcpBindingTargets("project", "project", gcpNameAfter("projects/"))
	var got [][]string
	for _, tg := range targets {
		got = append(got, tg.ID(ev))
	}
	want := [][]string{
		{"acme:roles/owner:user:mallory@gmail.com"},
		{"acme:roles/owner:user:bob@example.com"},
		{"acme:roles/owner"},
	}
	if !cmp.Equal(got, want) {
		t.Fatalf("ids: got %q, want %q", got, want)
	}
	members := targets[2].DeriveFor(ev, "acme:roles/owner", map[string]any{"members": []any{"user:bob@example.com", "group:ops@example.com"}})
	if want := []any{"group:ops@example.com", "user:mallory@gmail.com"}; !sameValue(members["members"], want) {
		t.Errorf("members = %v, want %v", members["members"], want)
	}
	attrs := targets[0].DeriveFor(ev, "acme:roles/owner:user:mallory@gmail.com", nil)
	if want := map[string]any{"role": "roles/owner", "member": "user:mallory@gmail.com"}; !cmp.Equal(attrs, want) {
		t.Errorf("member attrs = %v, want %v", attrs, want)
	}
}

func TestGCPBindingsWithoutRawRecord(t *testing.T) {
	// A Falco alert has no LogEntry behind it: nothing resolves, nothing
	// panics.
	ev := NewEvent(&change.Change{Provider: change.GCP, ResourceName: "projects/acme", Raw: json.RawMessage(`{"output_fields":{}}`)})
	for _, tg := range gcpBindingTargets("project", "project", gcpNameAfter("projects/")) {
		if ids := tg.ID(ev); len(ids) != 0 {
			t.Errorf("%s: resolved %v without deltas", tg.Type, ids)
		}
	}
	if _, ok := gcpPolicyDelta()(ev, `{"bindings":[]}`); ok {
		t.Error("policy derived without deltas")
	}
}

func TestGCPPolicyDelta(t *testing.T) {
	ev := bindingEvent(t, "projects/_/buckets/logs", `[
		{"action":"ADD","role":"roles/storage.objectViewer","member":"allUsers"},
		{"action":"REMOVE","role":"roles/storage.admin","member":"user:bob@example.com"}
	]`)
	cur := `{"bindings":[{"role":"roles/storage.admin","members":["user:bob@example.com"]},` +
		`{"role":"roles/storage.objectViewer","members":["group:a@example.com"],"condition":{"title":"t"}}],"auditConfigs":[]}`
	got, ok := gcpPolicyDelta()(ev, cur)
	if !ok {
		t.Fatal("no policy derived")
	}
	want := `{"auditConfigs":[],"bindings":[{"members":["allUsers"],"role":"roles/storage.objectViewer"},` +
		`{"condition":{"title":"t"},"members":["group:a@example.com"],"role":"roles/storage.objectViewer"}]}`
	if got != want {
		t.Errorf("policy_data:\n got %s\nwant %s", got, want)
	}
}

// FuzzGCPBindingDeltas feeds arbitrary raw records to the delta reader and
// every target that uses it: nothing may panic.
func FuzzGCPBindingDeltas(f *testing.F) {
	f.Add(`{"protoPayload":{"serviceData":{"policyDelta":{"bindingDeltas":[{"action":"ADD","role":"r","member":"m"}]}}}}`, `{"bindings":[]}`)
	f.Add(`{"protoPayload":{"serviceData":{"policyDelta":{"bindingDeltas":"x"}}}}`, `[]`)
	f.Add(`[1,2,3]`, `{"bindings":[{"role":5,"members":"m"}]}`)
	f.Add(``, `not json`)
	targets := append(gcpCRMPolicyTargets(), gcpBindingTargets("storage_bucket", "bucket", gcpBucketIAMParent())...)
	f.Fuzz(func(t *testing.T, raw, cur string) {
		for _, name := range []string{"projects/p", "folders/1", "organizations/2", "projects/_/buckets/b"} {
			ev := NewEvent(&change.Change{Provider: change.GCP, ResourceName: name, Raw: json.RawMessage(raw)})
			for i := range targets {
				for _, id := range targets[i].ID(ev) {
					targets[i].DeriveFor(ev, id, map[string]any{"members": []any{cur}, "policy_data": cur})
				}
			}
			gcpPolicyDelta()(ev, cur)
		}
	})
}
