package detector

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/rules"
	"github.com/tfdrift/tfdrift/detector/state"
)

// testEntries add two events the built-in catalog does not need, to test
// the engine's handling of hidden values independently of the tables.
var testEntries = []catalog.Entry{{
	Provider: change.AWS, Service: "ec2.amazonaws.com", Event: "TestSetUserData",
	Targets: []catalog.Target{{Type: "aws_instance", Op: catalog.Modify, Key: "id", ID: catalog.ReqID("instanceId"),
		Attrs: []catalog.Attr{{Name: "user_data", Value: catalog.Redacted("userData")}}}},
}}

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

type fakeCode struct {
	loc    map[string]drift.Location
	ignore map[string][]string
}

func (f fakeCode) Location(_ *state.Source, a string) (drift.Location, bool) {
	l, ok := f.loc[a]
	return l, ok
}
func (f fakeCode) IgnoreChanges(_ *state.Source, a string) []string { return f.ignore[a] }

type ignoreFunc func(address, attr string) bool

func (f ignoreFunc) Ignored(a, b string) bool { return f(a, b) }

func newTestEngine(t *testing.T, mod func(*Options)) (*Engine, *fakeClock) {
	t.Helper()
	var tables [][]catalog.Entry
	for _, e := range catalog.Default().Entries() {
		tables = append(tables, []catalog.Entry{*e})
	}
	tables = append(tables, testEntries)
	cat, err := catalog.New(tables...)
	if err != nil {
		t.Fatal(err)
	}
	ix := state.NewIndex(state.KeySpec{ByType: cat.KeysByType(), Default: []string{"id", "arn"}})
	snap, _, err := state.Load(context.Background(), state.NewLocal("testdata/state.tfstate",
		state.Source{Name: "prod", Workspace: "default", Account: "111111111111"}))
	if err != nil {
		t.Fatal(err)
	}
	ix.Replace(snap)
	clock := &fakeClock{t: time.Date(2025, 1, 20, 14, 32, 20, 0, time.UTC)}
	o := Options{Catalog: cat, Index: ix, Now: clock.now}
	if mod != nil {
		mod(&o)
	}
	return New(o), clock
}

var sshToWorld = `{"groupId":"%s","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}`

func ev(name, id, req, resp string) *change.Change {
	c := &change.Change{
		Provider: change.AWS, Account: "111111111111", Region: "us-east-1", Service: "ec2.amazonaws.com",
		EventName: name, RawEventName: name, EventID: id, UserAgent: "console.ec2.amazonaws.com",
		Time:  time.Date(2025, 1, 20, 14, 32, 15, 0, time.UTC),
		Actor: change.Actor{Type: "AssumedRole", UserName: "bob@example.com", ARN: "arn:aws:sts::111111111111:assumed-role/Admin/bob@example.com", IssuerARN: "arn:aws:iam::111111111111:role/Admin"},
	}
	if req != "" {
		c.Request = json.RawMessage(req)
	}
	if resp != "" {
		c.Response = json.RawMessage(resp)
	}
	return c
}

func sprintf(format, a string) string { return jsonf(format, a) }

func jsonf(format, a string) string {
	out := ""
	for i := 0; i < len(format); i++ {
		if format[i] == '%' && i+1 < len(format) && format[i+1] == 's' {
			out += a
			i++
			continue
		}
		out += string(format[i])
	}
	return out
}

func TestProcessOutcomes(t *testing.T) {
	tests := []struct {
		name   string
		change func() *change.Change
		want   Outcome
	}{
		{"read only", func() *change.Change {
			c := ev("AuthorizeSecurityGroupIngress", "e1", sprintf(sshToWorld, "sg-web"), "")
			c.ReadOnly = true
			return c
		}, OutcomeReadOnly},
		{"failed call", func() *change.Change {
			c := ev("AuthorizeSecurityGroupIngress", "e1", sprintf(sshToWorld, "sg-web"), "")
			c.ErrorCode = "UnauthorizedOperation"
			return c
		}, OutcomeFailed},
		{"unmapped", func() *change.Change { return ev("RebootInstances", "e1", `{}`, "") }, OutcomeUnmapped},
		{"terraform", func() *change.Change {
			c := ev("AuthorizeSecurityGroupIngress", "e1", sprintf(sshToWorld, "sg-web"), "")
			c.UserAgent = "APN/1.0 HashiCorp/1.0 Terraform/1.5.7 (+https://www.terraform.io) terraform-provider-aws/5.31.0"
			return c
		}, OutcomeTerraform},
		{"opentofu", func() *change.Change {
			c := ev("AuthorizeSecurityGroupIngress", "e1", sprintf(sshToWorld, "sg-web"), "")
			c.UserAgent = "APN/1.0 OpenTofu/1.6.0 terraform-provider-aws/5.31.0"
			return c
		}, OutcomeTerraform},
		{"unmanaged group", func() *change.Change {
			return ev("AuthorizeSecurityGroupIngress", "e1", sprintf(sshToWorld, "sg-other"), "")
		}, OutcomeNotInState},
		{"other account", func() *change.Change {
			c := ev("AuthorizeSecurityGroupIngress", "e1", sprintf(sshToWorld, "sg-web"), "")
			c.Account = "222222222222"
			return c
		}, OutcomeNotInState},
		{"re-grant of an existing rule", func() *change.Change {
			return ev("AuthorizeSecurityGroupIngress", "e1", `{"groupId":"sg-web","ipPermissions":{"items":[{"ipProtocol":"6","fromPort":"443","toPort":"443","ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"}]}}]}}`, "")
		}, OutcomeNoChange},
		{"drift", func() *change.Change {
			return ev("AuthorizeSecurityGroupIngress", "e1", sprintf(sshToWorld, "sg-web"), "")
		}, OutcomeDrift},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := newTestEngine(t, nil)
			if got := e.Process(tt.change()).Outcome; got != tt.want {
				t.Errorf("outcome %s, want %s", got, tt.want)
			}
		})
	}
}

func TestModifiedDrift(t *testing.T) {
	code := fakeCode{loc: map[string]drift.Location{
		"module.net.aws_security_group.web": {Module: "modules/net", ModuleAddress: "module.net", File: "modules/net/sg.tf", Line: 3},
	}}
	e, _ := newTestEngine(t, func(o *Options) { o.Code = code })
	res := e.Process(ev("AuthorizeSecurityGroupIngress", "e1", sprintf(sshToWorld, "sg-web"), ""))
	if len(res.Drifts) != 1 {
		t.Fatalf("got %d drifts, want 1 (outcome %s)", len(res.Drifts), res.Outcome)
	}
	d := res.Drifts[0]
	if d.ChangeType != drift.Modified || d.ResourceAddress != "module.net.aws_security_group.web" || d.ResourceID != "sg-web" || d.ResourceType != "aws_security_group" {
		t.Errorf("wrong resource: %+v", d)
	}
	if d.Severity != drift.Medium {
		t.Errorf("severity %s, want the default medium", d.Severity)
	}
	want := drift.Location{State: "prod", Workspace: "default", Module: "modules/net", ModuleAddress: "module.net", File: "modules/net/sg.tf", Line: 3}
	if diff := cmp.Diff(want, d.Terraform); diff != "" {
		t.Errorf("location (-want +got):\n%s", diff)
	}
	ac, ok := d.Changes["ingress"]
	if !ok || len(d.Changes) != 1 {
		t.Fatalf("changes = %v, want only ingress", d.Changes)
	}
	if got := len(ac.Actual.([]any)); got != 2 {
		t.Errorf("actual ingress has %d rules, want 2", got)
	}
	if ac.Diff != "added cidr_blocks=0.0.0.0/0 description= from_port=22 ipv6_cidr_blocks= prefix_list_ids= protocol=tcp security_groups= self=false to_port=22" &&
		ac.Diff != "added cidr_blocks=0.0.0.0/0 from_port=22 protocol=tcp self=false to_port=22" {
		t.Errorf("diff = %q", ac.Diff)
	}
	if d.Fingerprint == "" || len(d.EventID) != len("evt_")+16 || d.DetectedAt.IsZero() || d.Event == nil {
		t.Errorf("fingerprint %q, event id %q, detected %v", d.Fingerprint, d.EventID, d.DetectedAt)
	}
}

func TestDedup(t *testing.T) {
	e, clock := newTestEngine(t, nil)
	first := e.Process(ev("AuthorizeSecurityGroupIngress", "e1", sprintf(sshToWorld, "sg-web"), ""))
	if first.Outcome != OutcomeDrift {
		t.Fatalf("first: %s", first.Outcome)
	}
	if got := e.Process(ev("AuthorizeSecurityGroupIngress", "e1", sprintf(sshToWorld, "sg-web"), "")).Outcome; got != OutcomeDuplicate {
		t.Errorf("same event ID again: %s, want %s", got, OutcomeDuplicate)
	}
	// The same edit made again (another event ID) within the window is a
	// repeat: the record is updated, nobody is alerted.
	clock.t = clock.t.Add(10 * time.Minute)
	second := e.Process(ev("AuthorizeSecurityGroupIngress", "e2", sprintf(sshToWorld, "sg-web"), ""))
	if second.Outcome != OutcomeRepeat || len(second.Repeats) != 1 || second.Repeats[0].Fingerprint != first.Drifts[0].Fingerprint {
		t.Errorf("second: outcome %s, repeats %d", second.Outcome, len(second.Repeats))
	}
	clock.t = clock.t.Add(DefaultDedupWindow + time.Minute)
	if got := e.Process(ev("AuthorizeSecurityGroupIngress", "e3", sprintf(sshToWorld, "sg-web"), "")).Outcome; got != OutcomeDrift {
		t.Errorf("after the window: %s, want drift", got)
	}
	if e.Stats.Processed.Load() != 4 || e.Stats.Drifts.Load() != 2 || e.Stats.Repeats.Load() != 1 {
		t.Errorf("stats processed=%d drifts=%d repeats=%d", e.Stats.Processed.Load(), e.Stats.Drifts.Load(), e.Stats.Repeats.Load())
	}
}

func TestDedupCapacityBoundsMemory(t *testing.T) {
	d := newDedup(time.Hour, 3)
	now := time.Now()
	for _, k := range []string{"a", "b", "c", "d"} {
		if !d.firstEvent("aws", k, now) {
			t.Fatalf("%s reported as seen", k)
		}
	}
	if len(d.seen) != 3 {
		t.Errorf("remembered %d keys, want 3", len(d.seen))
	}
	if !d.firstEvent("aws", "a", now) {
		t.Error("the oldest key should have been forgotten")
	}
	if d.firstEvent("aws", "d", now) {
		t.Error("a recent key was forgotten")
	}
}

func TestDeletedAndCreated(t *testing.T) {
	e, _ := newTestEngine(t, nil)
	del := e.Process(ev("DeleteSecurityGroup", "d1", `{"groupId":"sg-db"}`, ""))
	if len(del.Drifts) != 1 || del.Drifts[0].ChangeType != drift.Deleted || del.Drifts[0].ResourceAddress != "aws_security_group.db" {
		t.Fatalf("delete: %+v", del)
	}
	created := e.Process(ev("CreateSecurityGroup", "c1", `{"groupName":"rogue","groupDescription":"made by hand","vpcId":"vpc-1"}`, `{"groupId":"sg-rogue"}`))
	if len(created.Drifts) != 1 {
		t.Fatalf("create: %+v", created)
	}
	d := created.Drifts[0]
	if d.ChangeType != drift.Created || d.ResourceID != "sg-rogue" || d.ResourceAddress != "" || d.Changes["name"].Actual != "rogue" {
		t.Errorf("created drift: %+v", d)
	}
	// A create whose ID state already holds is not an unmanaged resource.
	if got := e.Process(ev("CreateSecurityGroup", "c2", `{"groupName":"web"}`, `{"groupId":"sg-web"}`)).Outcome; got != OutcomeNoChange {
		t.Errorf("create of a managed ID: %s", got)
	}
}

func TestSecondaryCreatesOnlyForUnmanagedParents(t *testing.T) {
	e, _ := newTestEngine(t, nil)
	resp := `{"securityGroupRuleSet":{"items":[{"securityGroupRuleId":"sgr-1"}]}}`
	managed := e.Process(ev("AuthorizeSecurityGroupIngress", "s1", sprintf(sshToWorld, "sg-web"), resp))
	for _, d := range managed.Drifts {
		if d.ResourceType != "aws_security_group" {
			t.Errorf("managed group: unexpected %s drift", d.ResourceType)
		}
	}
	unmanaged := e.Process(ev("AuthorizeSecurityGroupIngress", "s2", sprintf(sshToWorld, "sg-other"), resp))
	if len(unmanaged.Drifts) != 1 || unmanaged.Drifts[0].ResourceType != "aws_vpc_security_group_ingress_rule" || unmanaged.Drifts[0].ChangeType != drift.Created {
		t.Errorf("unmanaged group: %+v", unmanaged.Drifts)
	}
}

func TestIgnored(t *testing.T) {
	t.Run("lifecycle ignore_changes", func(t *testing.T) {
		e, _ := newTestEngine(t, func(o *Options) {
			o.Code = fakeCode{ignore: map[string][]string{"module.net.aws_security_group.web": {"ingress"}}}
		})
		if got := e.Process(ev("AuthorizeSecurityGroupIngress", "i1", sprintf(sshToWorld, "sg-web"), "")).Outcome; got != OutcomeIgnored {
			t.Errorf("outcome %s, want ignored", got)
		}
	})
	t.Run("tfdriftignore", func(t *testing.T) {
		e, _ := newTestEngine(t, func(o *Options) {
			o.Ignore = ignoreFunc(func(a, attr string) bool { return a == "module.net.aws_security_group.web" && attr == "ingress" })
		})
		if got := e.Process(ev("AuthorizeSecurityGroupIngress", "i1", sprintf(sshToWorld, "sg-web"), "")).Outcome; got != OutcomeIgnored {
			t.Errorf("outcome %s, want ignored", got)
		}
		if got := e.Process(ev("AuthorizeSecurityGroupIngress", "i2", sprintf(sshToWorld, "sg-db"), "")).Outcome; got != OutcomeDrift {
			t.Errorf("another group: %s, want drift", got)
		}
	})
}

func TestTrustedActors(t *testing.T) {
	var nudged []string
	e, _ := newTestEngine(t, func(o *Options) {
		o.TrustedActors = []string{"arn:aws:iam::111111111111:role/Admin"}
		o.OnTrustedWrite = func(c *change.Change) { nudged = append(nudged, c.EventID) }
	})
	if got := e.Process(ev("AuthorizeSecurityGroupIngress", "t1", sprintf(sshToWorld, "sg-web"), "")).Outcome; got != OutcomeTrusted {
		t.Errorf("outcome %s, want trusted", got)
	}
	if diff := cmp.Diff([]string{"t1"}, nudged); diff != "" {
		t.Errorf("OnTrustedWrite calls (-want +got):\n%s", diff)
	}
}

func TestRulesApplied(t *testing.T) {
	e, _ := newTestEngine(t, func(o *Options) {
		o.Rules = rules.NewSet([]rules.Rule{{
			Name: "SG ingress", ResourceTypes: []string{"aws_security_group"}, WatchedAttributes: []string{"ingress"},
			Severity: drift.Critical, Tags: []string{"security"},
		}, {
			Name: "Excluded", ResourceTypes: []string{"*"}, Severity: drift.Low, ExcludeUsers: []string{"bob@example.com"},
		}}, drift.Medium)
	})
	d := e.Process(ev("AuthorizeSecurityGroupIngress", "r1", sprintf(sshToWorld, "sg-web"), "")).Drifts[0]
	if d.Severity != drift.Critical || !cmp.Equal(d.Rules, []string{"SG ingress"}) || !cmp.Equal(d.Tags, []string{"security"}) {
		t.Errorf("severity %s rules %v tags %v", d.Severity, d.Rules, d.Tags)
	}
}

func TestHiddenValueIsReported(t *testing.T) {
	e, _ := newTestEngine(t, nil)
	res := e.Process(ev("TestSetUserData", "u1", `{"instanceId":"i-app","userData":"<sensitiveDataRemoved>"}`, ""))
	if len(res.Drifts) != 1 {
		t.Fatalf("outcome %s", res.Outcome)
	}
	ac := res.Drifts[0].Changes["user_data"]
	if !ac.Unknown || ac.Actual != nil || ac.Expected != "abc" {
		t.Errorf("user_data change = %+v", ac)
	}
}

func TestProcessIsConcurrencySafe(t *testing.T) {
	e, _ := newTestEngine(t, nil)
	done := make(chan int)
	for g := 0; g < 4; g++ {
		go func(g int) {
			n := 0
			for i := 0; i < 200; i++ {
				id := string(rune('a'+g)) + string(rune('a'+i%26)) + string(rune('a'+i/26))
				n += len(e.Process(ev("AuthorizeSecurityGroupIngress", id, sprintf(sshToWorld, "sg-web"), "")).Drifts)
			}
			done <- n
		}(g)
	}
	total := 0
	for g := 0; g < 4; g++ {
		total += <-done
	}
	if total != 1 {
		t.Errorf("%d drifts reported for one edit made 800 times, want 1", total)
	}
}

// TestSecondaryModifyDefersToTheManagedResource: PutRolePolicy on a policy
// managed by aws_iam_role_policy is drift on that resource only; the role's
// computed inline_policy is drift only when nothing else manages the policy.
func TestSecondaryModifyDefersToTheManagedResource(t *testing.T) {
	role := `{"type":"aws_iam_role","attributes":{"id":"app","name":"app","inline_policy":[{"name":"p","policy":"{\"Statement\":[{\"Action\":\"s3:GetObject\",\"Effect\":\"Allow\",\"Resource\":\"*\"}]}"}]}}`
	policy := `{"type":"aws_iam_role_policy","attributes":{"id":"app:p","role":"app","name":"p","policy":"{\"Statement\":[{\"Action\":\"s3:GetObject\",\"Effect\":\"Allow\",\"Resource\":\"*\"}]}"}}`
	put := `{"roleName":"app","policyName":"p","policyDocument":"{\"Statement\":[{\"Action\":\"s3:*\",\"Effect\":\"Allow\",\"Resource\":\"*\"}]}"}`
	for _, tt := range []struct {
		name  string
		state []string
		want  []string
	}{
		{"policy resource managed", []string{role, policy}, []string{"aws_iam_role_policy"}},
		{"only the role's inline_policy", []string{role}, []string{"aws_iam_role"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := engineWithState(t, tt.state)
			c := ev("PutRolePolicy", "p1", put, "")
			c.Service = "iam.amazonaws.com"
			res := e.Process(c)
			var got []string
			for _, d := range res.Drifts {
				got = append(got, d.ResourceType)
			}
			if !cmp.Equal(got, tt.want) {
				t.Errorf("drifts on %v, want %v (outcome %s)", got, tt.want, res.Outcome)
			}
		})
	}
}

// engineWithState builds an engine over the given resources (JSON objects
// with type and attributes) in one state.
func engineWithState(t *testing.T, resources []string) *Engine {
	t.Helper()
	var rs []string
	for i, r := range resources {
		var parsed struct {
			Type       string          `json:"type"`
			Attributes json.RawMessage `json:"attributes"`
		}
		if err := json.Unmarshal([]byte(r), &parsed); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, `{"mode":"managed","type":"`+parsed.Type+`","name":"r`+string(rune('a'+i))+`","provider":"provider[\"registry.terraform.io/hashicorp/aws\"]","instances":[{"schema_version":0,"attributes":`+string(parsed.Attributes)+`}]}`)
	}
	doc := `{"version":4,"terraform_version":"1.5.7","serial":1,"lineage":"x","resources":[` + strings.Join(rs, ",") + `]}`
	cat := catalog.Default()
	ix := state.NewIndex(state.KeySpec{ByType: cat.KeysByType(), Default: []string{"id", "arn"}})
	snap, err := state.Parse([]byte(doc), state.Source{Name: "s", Workspace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	ix.Replace(snap)
	return New(Options{Catalog: cat, Index: ix})
}

// TestDedupKeysKeepPartsApart: hashed keys still tell apart what the old
// string keys did: the split between provider and ID, and events from
// drifts.
func TestDedupKeysKeepPartsApart(t *testing.T) {
	d := newDedup(time.Hour, 10)
	now := time.Now()
	for _, k := range [][2]string{{"aws", "x1"}, {"aw", "sx1"}, {"gcp", "x1"}, {"aws", "x2"}} {
		if !d.firstEvent(k[0], k[1], now) {
			t.Errorf("event %q reported as seen", k)
		}
	}
	if !d.firstDrift("aws", now) || !d.firstDrift("x1", now) {
		t.Error("a drift fingerprint collided with an event ID")
	}
	if d.firstEvent("aws", "x1", now) {
		t.Error("a repeated event was not recognised")
	}
	d.forget(d.eventKey("aws", "x1"))
	if !d.firstEvent("aws", "x1", now) {
		t.Error("a forgotten event is still remembered")
	}
}
