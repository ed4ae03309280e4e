package detector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/decode"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/normalize"
)

// sgCaseState is the state of the security group the successive-edit
// records write: web servers, one inbound rule (443 from 10.0.0.0/8).
func sgCaseState(t *testing.T) []stateResource {
	t.Helper()
	c := loadCaseFile(t, "aws/ec2/AuthorizeSecurityGroupIngress.json")
	return []stateResource{{Type: c.State[0].Type, Name: "web", Attributes: c.State[0].Attributes}}
}

// replayFile runs a CloudTrail log file through the engine as replay does.
func replayFile(t *testing.T, e *Engine, path string) []Result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Result
	if _, err := decode.Stream(f, decode.Options{Name: path, Keep: e.Keep}, func(r decode.Record) error {
		if r.Err != nil {
			return r.Err
		}
		out = append(out, e.Process(r.Change))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// ingressRules renders a rule set as "protocol/from-to source" atoms,
// sorted.
func ingressRules(t *testing.T, v any) []string {
	t.Helper()
	var out []string
	for _, r := range v.([]any) {
		m := r.(map[string]any)
		for _, c := range m["cidr_blocks"].([]any) {
			out = append(out, fmt.Sprint(m["protocol"], "/", m["from_port"], " ", c))
		}
	}
	slices.Sort(out)
	return out
}

// TestSuccessiveEditsAccumulate is issue 13's first case: three console
// edits to one security group in one replay (open 22 to the world, revoke
// the corp https rule, open 8080 to an internal range). Each drift's
// actual is the cloud after all edits so far; expected stays state's.
func TestSuccessiveEditsAccumulate(t *testing.T) {
	ti := newTestIndex(t)
	ti.load(12, sgCaseState(t))
	e := New(Options{Catalog: catalog.Default(), Index: ti.ix})
	results := replayFile(t, e, "testdata/successive_sg_edits.json")
	if len(results) != 3 {
		t.Fatalf("%d results, want 3", len(results))
	}
	want := [][]string{
		{"tcp/22 0.0.0.0/0", "tcp/443 10.0.0.0/8"},
		{"tcp/22 0.0.0.0/0"},
		{"tcp/22 0.0.0.0/0", "tcp/8080 10.1.0.0/16"},
	}
	for i, res := range results {
		if len(res.Drifts) != 1 {
			t.Fatalf("edit %d: outcome %s, %d drifts", i+1, res.Outcome, len(res.Drifts))
		}
		d := res.Drifts[0]
		ac := d.Changes["ingress"]
		if got := ingressRules(t, ac.Actual); !slices.Equal(got, want[i]) {
			t.Errorf("edit %d: actual ingress %q, want %q", i+1, got, want[i])
		}
		if got := ingressRules(t, ac.Expected); !slices.Equal(got, []string{"tcp/443 10.0.0.0/8"}) {
			t.Errorf("edit %d: expected ingress %q, want state's", i+1, got)
		}
		if d.ResourceAddress != "aws_security_group.web" || d.ChangeType != drift.Modified {
			t.Errorf("edit %d: drift on %s (%s)", i+1, d.ResourceAddress, d.ChangeType)
		}
	}
	if results[0].Drifts[0].Fingerprint == results[2].Drifts[0].Fingerprint {
		t.Error("different cloud states share a fingerprint: the later edit would be taken for a repeat")
	}
}

// TestEditApplyEdit: an edit, then an apply whose state holds it (the
// drift is resolved: the apply is Terraform's own write and alerts
// nobody), then another edit, whose drift is against the new state alone.
func TestEditApplyEdit(t *testing.T) {
	ti := newTestIndex(t)
	ti.load(12, sgCaseState(t))
	shadow := NewMemoryShadow(0)
	e := New(Options{Catalog: catalog.Default(), Index: ti.ix, Shadow: shadow})
	c := loadCaseFile(t, "aws/ec2/AuthorizeSecurityGroupIngress.json")

	first := e.Process(recordChange(t, c.Record))
	if len(first.Drifts) != 1 {
		t.Fatalf("first edit: %s", first.Outcome)
	}
	accepted := first.Drifts[0].Changes["ingress"].Actual

	// terraform apply after the code accepted the edit: its own call is
	// not drift, and the state it writes (serial 13) holds the rule.
	apply := recordChange(t, c.Record)
	apply.EventID = "apply-1"
	apply.UserAgent = "APN/1.0 HashiCorp/1.0 Terraform/1.5.7 (+https://www.terraform.io) terraform-provider-aws/5.31.0"
	if res := e.Process(apply); res.Outcome != OutcomeTerraform || len(res.Drifts) != 0 {
		t.Fatalf("apply: outcome %s, %d drifts", res.Outcome, len(res.Drifts))
	}
	applied := sgCaseState(t)
	applied[0].Attributes["ingress"] = accepted
	ti.load(13, applied)
	if err := shadow.Drop(context.Background(), "prod", "default", 13); err != nil {
		t.Fatal(err)
	}
	if shadow.Len() != 0 {
		t.Errorf("the shadow still holds %d resources the new state accounts for", shadow.Len())
	}

	// The first edit again (another event): state now holds it, no drift.
	again := recordChange(t, c.Record)
	again.EventID = "again-1"
	if res := e.Process(again); res.Outcome != OutcomeNoChange {
		t.Errorf("the accepted edit repeated: outcome %s %q, want no change", res.Outcome, summarize(res))
	}

	// Another edit: revoke the corp rule.
	r := loadCaseFile(t, "aws/ec2/RevokeSecurityGroupIngress.json")
	second := e.Process(recordChange(t, r.Record))
	if len(second.Drifts) != 1 {
		t.Fatalf("second edit: %s", second.Outcome)
	}
	ac := second.Drifts[0].Changes["ingress"]
	if got := ingressRules(t, ac.Expected); !slices.Equal(got, []string{"tcp/22 0.0.0.0/0", "tcp/443 10.0.0.0/8"}) {
		t.Errorf("expected %q, want the applied state", got)
	}
	if got := ingressRules(t, ac.Actual); !slices.Equal(got, []string{"tcp/22 0.0.0.0/0"}) {
		t.Errorf("actual %q", got)
	}
	if !strings.HasPrefix(ac.Diff, "removed ") || strings.Contains(ac.Diff, "added") {
		t.Errorf("diff %q: only the revoked rule changed", ac.Diff)
	}
}

// TestStaleShadowIsIgnored: without an explicit Drop, values learnt
// against an older serial are not used once state moves on.
func TestStaleShadowIsIgnored(t *testing.T) {
	ti := newTestIndex(t)
	ti.load(12, sgCaseState(t))
	e := New(Options{Catalog: catalog.Default(), Index: ti.ix})
	c := loadCaseFile(t, "aws/ec2/AuthorizeSecurityGroupIngress.json")
	if res := e.Process(recordChange(t, c.Record)); len(res.Drifts) != 1 {
		t.Fatalf("edit: %s", res.Outcome)
	}
	// terraform apply reverted the edit: the new state is the old rules.
	ti.load(13, sgCaseState(t))
	r := loadCaseFile(t, "aws/ec2/RevokeSecurityGroupIngress.json")
	res := e.Process(recordChange(t, r.Record))
	if len(res.Drifts) != 1 {
		t.Fatalf("revoke: %s", res.Outcome)
	}
	if got := ingressRules(t, res.Drifts[0].Changes["ingress"].Actual); len(got) != 0 {
		t.Errorf("actual %q: the reverted edit came back", got)
	}
}

// TestAtomicOperationsAccumulate: the one-item calls (tag one key,
// attach one policy, put one inline policy, add one member) build on each
// other.
func TestAtomicOperationsAccumulate(t *testing.T) {
	iam := func(name, req string) *change.Change {
		c := ev(name, "", req, "")
		c.Service = "iam.amazonaws.com"
		return c
	}
	tests := []struct {
		name  string
		state []string
		calls []*change.Change
		attr  string
		want  any
	}{
		{"tags on an instance",
			[]string{`{"type":"aws_instance","attributes":{"id":"i-1","tags":{"Name":"web"},"tags_all":{"Name":"web"}}}`},
			[]*change.Change{
				ev("CreateTags", "", `{"resourcesSet":{"items":[{"resourceId":"i-1"}]},"tagSet":{"items":[{"key":"Owner","value":"alice"}]}}`, ""),
				ev("CreateTags", "", `{"resourcesSet":{"items":[{"resourceId":"i-1"}]},"tagSet":{"items":[{"key":"Team","value":"data"}]}}`, ""),
				ev("DeleteTags", "", `{"resourcesSet":{"items":[{"resourceId":"i-1"}]},"tagSet":{"items":[{"key":"Name"}]}}`, ""),
			},
			"tags", map[string]any{"Owner": "alice", "Team": "data"}},
		{"managed policies of a role",
			[]string{`{"type":"aws_iam_role","attributes":{"id":"app","name":"app","managed_policy_arns":["arn:aws:iam::aws:policy/ReadOnlyAccess"]}}`},
			[]*change.Change{
				iam("AttachRolePolicy", `{"roleName":"app","policyArn":"arn:aws:iam::aws:policy/AmazonS3FullAccess"}`),
				iam("AttachRolePolicy", `{"roleName":"app","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}`),
				iam("DetachRolePolicy", `{"roleName":"app","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}`),
			},
			"managed_policy_arns", []any{"arn:aws:iam::aws:policy/AmazonS3FullAccess", "arn:aws:iam::aws:policy/AdministratorAccess"}},
		{"inline policies of a role",
			[]string{`{"type":"aws_iam_role","attributes":{"id":"app","name":"app","inline_policy":[{"name":"read","policy":"{\"Statement\":[]}"}]}}`},
			[]*change.Change{
				iam("PutRolePolicy", `{"roleName":"app","policyName":"write","policyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"*\"}]}"}`),
				iam("DeleteRolePolicy", `{"roleName":"app","policyName":"read"}`),
			},
			"inline_policy", []any{map[string]any{"name": "write", "policy": `{"Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`}}},
		{"members of a group",
			[]string{`{"type":"aws_iam_group_membership","attributes":{"id":"admins","name":"admins","group":"admins","users":["alice"]}}`},
			[]*change.Change{
				iam("AddUserToGroup", `{"groupName":"admins","userName":"bob"}`),
				iam("AddUserToGroup", `{"groupName":"admins","userName":"carol"}`),
				iam("RemoveUserFromGroup", `{"groupName":"admins","userName":"alice"}`),
			},
			"users", []any{"bob", "carol"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := engineWithState(t, tt.state)
			var last *drift.Drift
			for i, c := range tt.calls {
				c.Account = ""
				c.EventID = tt.name + string(rune('a'+i))
				res := e.Process(c)
				if len(res.Drifts) != 1 {
					t.Fatalf("call %d (%s): outcome %s", i+1, c.EventName, res.Outcome)
				}
				last = res.Drifts[0]
			}
			got := last.Changes[tt.attr].Actual
			if !normalize.Equal(got, tt.want) {
				t.Errorf("%s after every call = %v, want %v", tt.attr, got, tt.want)
			}
		})
	}
}

// failingShadow fails every call.
type failingShadow struct{}

var errShadowDown = errors.New("shadow store down")

func (failingShadow) Get(context.Context, ShadowRef, int64) (map[string]json.RawMessage, error) {
	return nil, errShadowDown
}
func (failingShadow) Put(context.Context, ShadowRef, int64, map[string]json.RawMessage) error {
	return errShadowDown
}
func (failingShadow) Drop(context.Context, string, string, int64) error { return errShadowDown }

// TestShadowFailureFallsBackToState: a shadow that cannot be read costs
// accuracy, never the drift: the write is compared with state and counted.
func TestShadowFailureFallsBackToState(t *testing.T) {
	ti := newTestIndex(t)
	ti.load(12, sgCaseState(t))
	e := New(Options{Catalog: catalog.Default(), Index: ti.ix, Shadow: failingShadow{}})
	results := replayFile(t, e, "testdata/successive_sg_edits.json")
	if len(results) != 3 || len(results[2].Drifts) != 1 {
		t.Fatalf("results %+v", results)
	}
	got := ingressRules(t, results[2].Drifts[0].Changes["ingress"].Actual)
	if !slices.Equal(got, []string{"tcp/443 10.0.0.0/8", "tcp/8080 10.1.0.0/16"}) {
		t.Errorf("actual %q, want state plus the last edit", got)
	}
	if n := e.Stats.ShadowErrors.Load(); n < 3 {
		t.Errorf("ShadowErrors = %d, want every failed call counted", n)
	}
}

// TestDefaultTagWrittenTwice: a default tag changed, then the same change
// again, then another tag: the repeat is the same drift (not "no
// change", although the shadow already holds the value), and the last
// drift holds both changes.
func TestDefaultTagWrittenTwice(t *testing.T) {
	e := engineWithState(t, []string{`{"type":"aws_instance","attributes":{"id":"i-1","tags":{"Name":"web"},"tags_all":{"Name":"web","Owner":"platform"}}}`})
	tag := func(id, key, value string) Result {
		c := ev("CreateTags", id, `{"resourcesSet":{"items":[{"resourceId":"i-1"}]},"tagSet":{"items":[{"key":"`+key+`","value":"`+value+`"}]}}`, "")
		c.Account = ""
		return e.Process(c)
	}
	first := tag("t1", "Owner", "someone-else")
	if got := summarize(first); !slices.Equal(got, []string{"aws_instance modified tags_all"}) {
		t.Fatalf("first: %q (%s)", got, first.Outcome)
	}
	if again := tag("t2", "Owner", "someone-else"); again.Outcome != OutcomeRepeat {
		t.Errorf("the same change again: %s %q, want a repeat", again.Outcome, summarize(again))
	}
	last := tag("t3", "Team", "data")
	if got := summarize(last); !slices.Equal(got, []string{"aws_instance modified tags,tags_all"}) {
		t.Fatalf("last: %q (%s)", got, last.Outcome)
	}
	d := last.Drifts[0]
	if want := map[string]any{"Name": "web", "Team": "data"}; !normalize.Equal(d.Changes["tags"].Actual, want) {
		t.Errorf("tags = %v, want %v", d.Changes["tags"].Actual, want)
	}
	if want := map[string]any{"Name": "web", "Team": "data", "Owner": "someone-else"}; !normalize.Equal(d.Changes["tags_all"].Actual, want) {
		t.Errorf("tags_all = %v, want %v", d.Changes["tags_all"].Actual, want)
	}
}

// TestRevertReportsInSync: a write that puts a drifted value back (the
// rule opened to the world is revoked by hand) is no drift, and the
// result names the resource it left as state holds it, with the values
// it set, so the drift can be resolved as reverted in the cloud. A drift
// reports no resource in sync.
func TestRevertReportsInSync(t *testing.T) {
	ti := newTestIndex(t)
	ti.load(12, sgCaseState(t))
	e := New(Options{Catalog: catalog.Default(), Index: ti.ix})
	c := loadCaseFile(t, "aws/ec2/AuthorizeSecurityGroupIngress.json")
	opened := e.Process(recordChange(t, c.Record))
	if len(opened.Drifts) != 1 || opened.InSync != nil || opened.InSyncAttrs != nil {
		t.Fatalf("the edit: outcome %s, %d drifts, in sync %v", opened.Outcome, len(opened.Drifts), opened.InSync)
	}
	revoke := strings.Replace(string(c.Record), `"AuthorizeSecurityGroupIngress"`, `"RevokeSecurityGroupIngress"`, 1)
	revoke = strings.Replace(revoke, `"eventID": "`, `"eventID": "revoke-`, 1)
	res := e.Process(recordChange(t, []byte(revoke)))
	if res.Outcome != OutcomeNoChange || len(res.Drifts) != 0 {
		t.Fatalf("the revert: outcome %s %q, want no change", res.Outcome, summarize(res))
	}
	if res.InSync == nil || res.InSync.Address != "aws_security_group.web" {
		t.Fatalf("the revert names no resource in sync: %+v", res.InSync)
	}
	if _, ok := res.InSyncAttrs["ingress"]; !ok {
		t.Errorf("the values it set: %v, want ingress", res.InSyncAttrs)
	}
	if !normalize.Equal(res.InSyncAttrs["ingress"], opened.Drifts[0].Changes["ingress"].Expected) {
		t.Errorf("ingress %v, want state's %v", res.InSyncAttrs["ingress"], opened.Drifts[0].Changes["ingress"].Expected)
	}
}
