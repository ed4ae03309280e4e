package rules

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
)

// jsonValue decodes s the way the detector holds attribute values.
func jsonValue(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return v
}

type driftOpt func(*drift.Drift)

func newDrift(typ string, changes map[string]drift.AttrChange, opts ...driftOpt) *drift.Drift {
	d := &drift.Drift{
		ChangeType:   drift.Modified,
		ResourceType: typ,
		Changes:      changes,
		Event: &change.Change{
			Provider: change.AWS,
			Account:  "123456789012",
			Region:   "us-east-1",
			Actor: change.Actor{
				Type:        "IAMUser",
				UserName:    "developer@example.com",
				ARN:         "arn:aws:iam::123456789012:user/developer",
				PrincipalID: "AIDAEXAMPLE",
			},
		},
	}
	for _, o := range opts {
		o(d)
	}
	return d
}

func withActor(a change.Actor) driftOpt { return func(d *drift.Drift) { d.Event.Actor = a } }
func withProvider(p change.Provider, account, region string) driftOpt {
	return func(d *drift.Drift) {
		d.Event.Provider, d.Event.Account, d.Event.Region = p, account, region
	}
}
func withChangeType(ct drift.ChangeType) driftOpt { return func(d *drift.Drift) { d.ChangeType = ct } }
func withoutEvent() driftOpt                      { return func(d *drift.Drift) { d.Event = nil } }

func ch(expected, actual any) drift.AttrChange {
	return drift.AttrChange{Expected: expected, Actual: actual}
}

const (
	ingressHTTP = `[{"from_port":80,"to_port":80,"protocol":"tcp","cidr_blocks":["10.0.0.0/8"],"description":"web"}]`
	// one more rule: SSH from anywhere
	ingressSSHOpen = `[{"from_port":80,"to_port":80,"protocol":"tcp","cidr_blocks":["10.0.0.0/8"],"description":"web"},` +
		`{"from_port":22,"to_port":22,"protocol":"tcp","cidr_blocks":["0.0.0.0/0"],"description":""}]`
	// port 80 moved to 8080: no CIDR changed
	ingressPortOnly = `[{"from_port":8080,"to_port":8080,"protocol":"tcp","cidr_blocks":["10.0.0.0/8"],"description":"web"}]`
	// SSH is internal and 443 is public: no single rule opens 22 to the world
	ingressSplit = `[{"from_port":22,"to_port":22,"protocol":"tcp","cidr_blocks":["10.0.0.0/8"]},` +
		`{"from_port":443,"to_port":443,"protocol":"tcp","cidr_blocks":["0.0.0.0/0"]}]`
)

func sgIngress(t testing.TB, before, after string, opts ...driftOpt) *drift.Drift {
	return newDrift("aws_security_group", map[string]drift.AttrChange{
		"ingress": ch(jsonValue(t, before), jsonValue(t, after)),
	}, opts...)
}

func TestRuleMatches(t *testing.T) {
	re := regexp.MustCompile
	policyOld := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}`
	policyEsc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole","sts:AssumeRole"],"Resource":"*"}]}`
	policyPass := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole"],"Resource":"*"}]}`
	instance := func(from, to string) *drift.Drift {
		return newDrift("aws_instance", map[string]drift.AttrChange{"instance_type": ch(from, to)})
	}
	tests := []struct {
		name string
		rule Rule
		d    *drift.Drift
		want bool
	}{
		// resource types
		{"type exact", Rule{ResourceTypes: []string{"aws_security_group"}}, sgIngress(t, ingressHTTP, ingressSSHOpen), true},
		{"type other", Rule{ResourceTypes: []string{"aws_s3_bucket"}}, sgIngress(t, ingressHTTP, ingressSSHOpen), false},
		{"type star", Rule{ResourceTypes: []string{"*"}}, sgIngress(t, ingressHTTP, ingressSSHOpen), true},
		{"type glob", Rule{ResourceTypes: []string{"aws_iam_*"}}, newDrift("aws_iam_role_policy", map[string]drift.AttrChange{"policy": ch("a", "b")}), true},
		{"type glob miss", Rule{ResourceTypes: []string{"aws_iam_*"}}, newDrift("aws_s3_bucket", map[string]drift.AttrChange{"acl": ch("a", "b")}), false},
		{"type question mark", Rule{ResourceTypes: []string{"aws_?nstance"}}, instance("t3.micro", "t3.large"), true},
		{"no types", Rule{}, instance("t3.micro", "t3.large"), false},

		// watched attributes
		{"watched direct", Rule{ResourceTypes: []string{"*"}, WatchedAttributes: []string{"ingress"}}, sgIngress(t, ingressHTTP, ingressSSHOpen), true},
		{"watched other attribute", Rule{ResourceTypes: []string{"*"}, WatchedAttributes: []string{"egress"}}, sgIngress(t, ingressHTTP, ingressSSHOpen), false},
		{"watched nested key differs", Rule{ResourceTypes: []string{"*"}, WatchedAttributes: []string{"cidr_blocks"}}, sgIngress(t, ingressHTTP, ingressSSHOpen), true},
		{"watched nested key unchanged", Rule{ResourceTypes: []string{"*"}, WatchedAttributes: []string{"cidr_blocks"}}, sgIngress(t, ingressHTTP, ingressPortOnly), false},
		{"watched dotted path", Rule{ResourceTypes: []string{"*"}, WatchedAttributes: []string{"ingress.cidr_blocks"}}, sgIngress(t, ingressHTTP, ingressSSHOpen), true},
		{"watched dotted path other block", Rule{ResourceTypes: []string{"*"}, WatchedAttributes: []string{"egress.cidr_blocks"}}, sgIngress(t, ingressHTTP, ingressSSHOpen), false},
		{"watched reorder only", Rule{ResourceTypes: []string{"*"}, WatchedAttributes: []string{"cidr_blocks"}},
			sgIngress(t, ingressSplit, `[{"from_port":443,"to_port":443,"protocol":"tcp","cidr_blocks":["0.0.0.0/0"]},{"from_port":22,"to_port":22,"protocol":"tcp","cidr_blocks":["10.0.0.0/8"]}]`), false},
		{"watched block, sub-attribute changed", Rule{ResourceTypes: []string{"*"}, WatchedAttributes: []string{"tags"}},
			newDrift("aws_instance", map[string]drift.AttrChange{"tags.env": ch("prod", "dev")}), true},
		{"watched hidden value", Rule{ResourceTypes: []string{"*"}, WatchedAttributes: []string{"cidr_blocks"}},
			newDrift("aws_security_group", map[string]drift.AttrChange{"ingress": {Expected: jsonValue(t, ingressHTTP), Unknown: true}}), true},
		{"watched, deleted resource", Rule{ResourceTypes: []string{"*"}, WatchedAttributes: []string{"ingress"}},
			newDrift("aws_security_group", nil, withChangeType(drift.Deleted)), true},
		{"watched, created resource", Rule{ResourceTypes: []string{"*"}, WatchedAttributes: []string{"ingress"}},
			newDrift("aws_security_group", nil, withChangeType(drift.Created)), true},
		{"watched, modified without changes", Rule{ResourceTypes: []string{"*"}, WatchedAttributes: []string{"ingress"}},
			newDrift("aws_security_group", nil), false},

		// conditions: pattern
		{"pattern over ingress element", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "ingress", Pattern: re(`port=22.*cidr_blocks.*0\.0\.0\.0/0`)}}},
			sgIngress(t, ingressHTTP, ingressSSHOpen), true},
		{"pattern not across elements", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "ingress", Pattern: re(`port=22.*cidr_blocks.*0\.0\.0\.0/0`)}}},
			sgIngress(t, ingressHTTP, ingressSplit), false},
		{"pattern on any attribute", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "*", Pattern: re(`0\.0\.0\.0/0`)}}},
			newDrift("google_compute_firewall", map[string]drift.AttrChange{"source_ranges": ch([]any{"10.0.0.0/8"}, []any{"0.0.0.0/0"})}), true},
		{"pattern on any attribute, none", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "*", Pattern: re(`0\.0\.0\.0/0`)}}},
			sgIngress(t, ingressSSHOpen, ingressHTTP), false},
		{"pattern on string", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "instance_type", Pattern: re(`^m5\.`)}}},
			instance("t3.micro", "m5.8xlarge"), true},
		{"pattern on unchanged attribute", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "ami", Pattern: re(`.`)}}},
			instance("t3.micro", "m5.8xlarge"), false},
		{"pattern on hidden value", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "user_data", Pattern: re(`.*`)}}},
			newDrift("aws_instance", map[string]drift.AttrChange{"user_data": {Expected: "a", Unknown: true}}), false},

		// conditions: contains, all must hold
		{"contains both", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "policy", Contains: "iam:PassRole"}, {Attribute: "policy", Contains: "sts:AssumeRole"}}},
			newDrift("aws_iam_role_policy", map[string]drift.AttrChange{"policy": ch(policyOld, policyEsc)}), true},
		{"contains one of two", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "policy", Contains: "iam:PassRole"}, {Attribute: "policy", Contains: "sts:AssumeRole"}}},
			newDrift("aws_iam_role_policy", map[string]drift.AttrChange{"policy": ch(policyOld, policyPass)}), false},
		{"contains in JSON of a list", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "ingress", Contains: `"0.0.0.0/0"`}}},
			sgIngress(t, ingressHTTP, ingressSSHOpen), true},

		// conditions: value
		{"value false equals bool", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "block_public_acls", Value: false}}},
			newDrift("aws_s3_bucket_public_access_block", map[string]drift.AttrChange{"block_public_acls": ch(true, false)}), true},
		{"value false equals string", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "block_public_acls", Value: false}}},
			newDrift("aws_s3_bucket_public_access_block", map[string]drift.AttrChange{"block_public_acls": ch("true", "false")}), true},
		{"value false, actual true", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "block_public_acls", Value: false}}},
			newDrift("aws_s3_bucket_public_access_block", map[string]drift.AttrChange{"block_public_acls": ch(false, true)}), false},
		{"value 22 equals string", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "port", Value: 22}}},
			newDrift("aws_db_instance", map[string]drift.AttrChange{"port": ch("5432", "22")}), true},
		{"value string equals number", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "port", Value: "22"}}},
			newDrift("aws_db_instance", map[string]drift.AttrChange{"port": ch(5432.0, 22.0)}), true},
		{"value in list", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "source_ranges", Value: "0.0.0.0/0"}}},
			newDrift("google_compute_firewall", map[string]drift.AttrChange{"source_ranges": ch([]string{"10.0.0.0/8"}, []string{"10.0.0.0/8", "0.0.0.0/0"})}), true},
		{"value through dotted path", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "ingress.cidr_blocks", Value: "0.0.0.0/0"}}},
			sgIngress(t, ingressHTTP, ingressSSHOpen), true},
		{"value through dotted path, absent", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "ingress.cidr_blocks", Value: "0.0.0.0/0"}}},
			sgIngress(t, ingressSSHOpen, ingressHTTP), false},
		{"value nil equals null", Rule{ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "kms_key_id"}}},
			newDrift("aws_s3_bucket", map[string]drift.AttrChange{"kms_key_id": ch("k", nil)}), true},

		// filters
		{"account filter", Rule{ResourceTypes: []string{"*"}, Filters: Filters{Accounts: []string{"123456789012"}}}, instance("a", "b"), true},
		{"account filter miss", Rule{ResourceTypes: []string{"*"}, Filters: Filters{Accounts: []string{"999999999999"}}}, instance("a", "b"), false},
		{"account filter glob", Rule{ResourceTypes: []string{"*"}, Filters: Filters{Accounts: []string{"1234*"}}}, instance("a", "b"), true},
		{"region filter", Rule{ResourceTypes: []string{"*"}, Filters: Filters{Regions: []string{"eu-*"}}}, instance("a", "b"), false},
		{"region filter match", Rule{ResourceTypes: []string{"*"}, Filters: Filters{Regions: []string{"us-east-1", "us-west-2"}}}, instance("a", "b"), true},
		{"provider filter", Rule{ResourceTypes: []string{"*"}, Filters: Filters{Providers: []string{"GCP"}}},
			newDrift("google_compute_firewall", map[string]drift.AttrChange{"allowed": ch(nil, nil)}, withProvider(change.GCP, "my-project-123", "global")), true},
		{"provider filter miss", Rule{ResourceTypes: []string{"*"}, Filters: Filters{Providers: []string{"gcp"}}}, instance("a", "b"), false},
		{"filters without event", Rule{ResourceTypes: []string{"*"}, Filters: Filters{Accounts: []string{"123456789012"}}}, newDrift("aws_instance", nil, withoutEvent()), false},
		{"instance type pattern", Rule{ResourceTypes: []string{"*"}, Filters: Filters{InstanceTypePattern: re(`^(m5|c5|r5)\.(8|12|16|24)xlarge$`)}}, instance("t3.micro", "m5.8xlarge"), true},
		{"instance type pattern, cheap", Rule{ResourceTypes: []string{"*"}, Filters: Filters{InstanceTypePattern: re(`^(m5|c5|r5)\.(8|12|16|24)xlarge$`)}}, instance("m5.8xlarge", "t3.micro"), false},
		{"instance type pattern, no instance_type change", Rule{ResourceTypes: []string{"*"}, Filters: Filters{InstanceTypePattern: re(`.*`)}},
			newDrift("aws_instance", map[string]drift.AttrChange{"tags": ch(nil, nil)}), false},

		// exclude_users
		{"excluded user name", Rule{ResourceTypes: []string{"*"}, ExcludeUsers: []string{"developer@example.com"}}, instance("a", "b"), false},
		{"excluded other user", Rule{ResourceTypes: []string{"*"}, ExcludeUsers: []string{"terraform-ci-cd@example.com"}}, instance("a", "b"), true},
		{"excluded role via issuer", Rule{ResourceTypes: []string{"*"}, ExcludeUsers: []string{"arn:aws:iam::123456789012:role/TerraformRole"}},
			newDrift("aws_instance", nil, withActor(change.Actor{Type: "AssumedRole", ARN: "arn:aws:sts::123456789012:assumed-role/TerraformRole/ci", IssuerARN: "arn:aws:iam::123456789012:role/TerraformRole", UserName: "ci"})), false},
		{"excluded session glob", Rule{ResourceTypes: []string{"*"}, ExcludeUsers: []string{"arn:aws:sts::*:assumed-role/TerraformRole/*"}},
			newDrift("aws_instance", nil, withActor(change.Actor{ARN: "arn:aws:sts::123456789012:assumed-role/TerraformRole/ci"})), false},
		{"excluded by principal id", Rule{ResourceTypes: []string{"*"}, ExcludeUsers: []string{"AIDAEXAMPLE"}}, instance("a", "b"), false},
		{"exclude without event", Rule{ResourceTypes: []string{"*"}, ExcludeUsers: []string{"x"}}, newDrift("aws_instance", nil, withoutEvent()), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rule.Name = "r"
			got := NewSet([]Rule{tt.rule}, "").Matched(tt.d)
			if (len(got) == 1) != tt.want {
				t.Errorf("matched = %v, want %v", len(got) == 1, tt.want)
			}
		})
	}
}

func TestApply(t *testing.T) {
	rs := []Rule{
		{Name: "any", ResourceTypes: []string{"*"}, Severity: drift.Low, Tags: []string{"all", "x"}},
		{Name: "sg", ResourceTypes: []string{"aws_security_group"}, Severity: drift.Critical, Tags: []string{"security", "x"}},
		{Name: "tag only", ResourceTypes: []string{"aws_*"}, Tags: []string{"aws", "security"}},
		{Name: "s3", ResourceTypes: []string{"aws_s3_bucket"}, Severity: drift.High},
		{Name: "both", ResourceTypes: []string{"aws_security_group", "aws_*"}, Severity: drift.Info, Tags: []string{"both"}},
	}
	tests := []struct {
		name      string
		rules     []Rule
		def       drift.Severity
		d         *drift.Drift
		wantSev   drift.Severity
		wantRules []string
		wantTags  []string
	}{
		{"highest wins, config order, tags merged", rs, "", newDrift("aws_security_group", nil),
			drift.Critical, []string{"any", "sg", "tag only", "both"}, []string{"all", "x", "security", "aws", "both"}},
		{"glob and star only", rs, "", newDrift("aws_instance", nil),
			drift.Low, []string{"any", "tag only", "both"}, []string{"all", "x", "aws", "security", "both"}},
		{"no match gets default", rs[1:2], "", newDrift("aws_instance", nil), drift.Medium, nil, nil},
		{"configured default", rs[1:2], drift.Info, newDrift("aws_instance", nil), drift.Info, nil, nil},
		{"tag-only rule keeps default", rs[2:3], drift.Low, newDrift("aws_instance", nil), drift.Low, []string{"tag only"}, []string{"aws", "security"}},
		{"no rules", nil, "", newDrift("aws_instance", nil), drift.Medium, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.d.Tags = []string{"stale"}
			s := NewSet(tt.rules, tt.def)
			s.Apply(tt.d)
			if tt.d.Severity != tt.wantSev {
				t.Errorf("severity = %q, want %q", tt.d.Severity, tt.wantSev)
			}
			if diff := cmp.Diff(tt.wantRules, tt.d.Rules); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantTags, tt.d.Tags); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
			var names []string
			for _, r := range s.Matched(tt.d) {
				names = append(names, r.Name)
			}
			if diff := cmp.Diff(tt.wantRules, names); diff != "" {
				t.Errorf("Matched (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewSetCopiesRules(t *testing.T) {
	rs := []Rule{{Name: "a", ResourceTypes: []string{"*"}, Severity: drift.High}}
	s := NewSet(rs, "")
	rs[0].Name, rs[0].Severity = "changed", drift.Info
	d := newDrift("aws_instance", nil)
	s.Apply(d)
	if d.Severity != drift.High || d.Rules[0] != "a" {
		t.Errorf("Set saw caller's later edit: severity %q rules %v", d.Severity, d.Rules)
	}
}

// TestConcurrentApply shares one Set between goroutines, as the detector
// does; run with -race.
func TestConcurrentApply(t *testing.T) {
	set := NewSet(seedRules(), drift.Medium)
	done := make(chan []string)
	for range 8 {
		d := sgIngress(t, ingressHTTP, ingressSSHOpen)
		go func() {
			for range 50 {
				set.Apply(d)
			}
			done <- d.Rules
		}()
	}
	want := []string{"Security Group Ingress Rule Violation", "Console Change Detection", "Potential Backdoor - Public SSH Access",
		"AWS Security Group Change", "Public Internet Exposure (Any Cloud)"}
	for range 8 {
		if diff := cmp.Diff(want, <-done); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
}

func TestNilSet(t *testing.T) {
	var s *Set
	if got := s.Matched(newDrift("aws_instance", nil)); got != nil {
		t.Errorf("nil Set matched %v", got)
	}
}

// seedRules are the drift_rules of use cases 1, 3, 4, 8, 9 and 10, as
// app/config builds them.
func seedRules() []Rule {
	re := regexp.MustCompile
	off := false
	return []Rule{
		{Name: "Security Group Ingress Rule Violation", ResourceTypes: []string{"aws_security_group", "aws_security_group_rule"},
			WatchedAttributes: []string{"ingress", "cidr_blocks"}, Severity: drift.Critical},
		{Name: "S3 Encryption Disabled", ResourceTypes: []string{"aws_s3_bucket"},
			WatchedAttributes: []string{"server_side_encryption_configuration"}, Severity: drift.Critical, Tags: []string{"compliance", "encryption", "soc2"}},
		{Name: "EC2 Instance Type Change", ResourceTypes: []string{"aws_instance"}, WatchedAttributes: []string{"instance_type"}, Severity: drift.High},
		{Name: "High-Cost Instance Upgrade", ResourceTypes: []string{"aws_instance"},
			Filters: Filters{InstanceTypePattern: re(`^(m5|c5|r5)\.(8|12|16|24)xlarge$`)}, Severity: drift.Critical},
		{Name: "Console Change Detection", ResourceTypes: []string{"*"},
			ExcludeUsers: []string{"terraform-ci-cd@example.com", "arn:aws:iam::123456789012:role/TerraformRole"}, Severity: drift.High,
			Actions: []Action{{Type: ActionAlert, Channels: []string{"slack", "email"}},
				{Type: ActionCreateTicket, System: "jira", Project: "INFRA", IssueType: "Task", Summary: "Manual Infrastructure Change Detected"},
				{Type: ActionAutoRevert, Enabled: &off}}},
		{Name: "Potential Backdoor - Public SSH Access", ResourceTypes: []string{"aws_security_group"},
			Conditions: []Condition{{Attribute: "ingress", Pattern: re(`port=22.*cidr_blocks.*0\.0\.0\.0/0`)}},
			Severity:   drift.Critical, Tags: []string{"security-incident", "potential-breach"},
			Actions: []Action{{Type: ActionAlert, Priority: "p1"}, {Type: ActionWebhook, URL: "https://incident-response.example.com/trigger"}}},
		{Name: "IAM Privilege Escalation Attempt", ResourceTypes: []string{"aws_iam_role_policy", "aws_iam_user_policy"},
			Conditions: []Condition{{Attribute: "policy", Contains: "iam:PassRole"}, {Attribute: "policy", Contains: "sts:AssumeRole"}},
			Severity:   drift.Critical, Tags: []string{"security-incident", "privilege-escalation"}},
		{Name: "S3 Bucket Made Public", ResourceTypes: []string{"aws_s3_bucket_public_access_block"},
			Conditions: []Condition{{Attribute: "block_public_acls", Value: false}},
			Severity:   drift.Critical, Tags: []string{"security-incident", "data-exfiltration-risk"}},
		{Name: "AWS Security Group Change", ResourceTypes: []string{"aws_security_group"}, WatchedAttributes: []string{"ingress", "egress"}, Severity: drift.High},
		{Name: "GCP Firewall Rule Change", ResourceTypes: []string{"google_compute_firewall"},
			WatchedAttributes: []string{"allowed", "denied", "source_ranges"}, Severity: drift.High},
		{Name: "Public Internet Exposure (Any Cloud)", ResourceTypes: []string{"aws_security_group", "google_compute_firewall"},
			Conditions: []Condition{{Attribute: "*", Pattern: re(`0\.0\.0\.0/0`)}}, Severity: drift.Critical},
	}
}

func TestSeedRules(t *testing.T) {
	for i, r := range seedRules() {
		if err := r.Validate(); err != nil {
			t.Errorf("seed rule %d: %v", i, err)
		}
	}
	set := NewSet(seedRules(), drift.Medium)
	ci := change.Actor{Type: "AssumedRole", UserName: "ci", ARN: "arn:aws:sts::123456789012:assumed-role/TerraformRole/ci",
		IssuerARN: "arn:aws:iam::123456789012:role/TerraformRole"}
	gcpFirewall := func(before, after string, opts ...driftOpt) *drift.Drift {
		opts = append([]driftOpt{withProvider(change.GCP, "my-project-123", "global")}, opts...)
		return newDrift("google_compute_firewall", map[string]drift.AttrChange{"source_ranges": ch(jsonValue(t, before), jsonValue(t, after))}, opts...)
	}
	tests := []struct {
		name      string
		d         *drift.Drift
		wantSev   drift.Severity
		wantRules []string
		wantTags  []string
	}{
		{"uc1+uc9+uc10: SSH opened to the world", sgIngress(t, ingressHTTP, ingressSSHOpen), drift.Critical,
			[]string{"Security Group Ingress Rule Violation", "Console Change Detection", "Potential Backdoor - Public SSH Access",
				"AWS Security Group Change", "Public Internet Exposure (Any Cloud)"},
			[]string{"security-incident", "potential-breach"}},
		{"uc1: internal port change, by terraform's role", sgIngress(t, ingressHTTP, ingressPortOnly, withActor(ci)), drift.Critical,
			[]string{"Security Group Ingress Rule Violation", "AWS Security Group Change"}, nil},
		{"uc3: encryption removed", newDrift("aws_s3_bucket", map[string]drift.AttrChange{
			"server_side_encryption_configuration": ch(jsonValue(t, `[{"rule":[{"apply_server_side_encryption_by_default":[{"sse_algorithm":"AES256"}]}]}]`), []any{}),
		}), drift.Critical, []string{"S3 Encryption Disabled", "Console Change Detection"}, []string{"compliance", "encryption", "soc2"}},
		{"uc4: cheap resize", newDrift("aws_instance", map[string]drift.AttrChange{"instance_type": ch("t3.micro", "t3.small")}),
			drift.High, []string{"EC2 Instance Type Change", "Console Change Detection"}, nil},
		{"uc4: expensive resize", newDrift("aws_instance", map[string]drift.AttrChange{"instance_type": ch("t3.micro", "m5.8xlarge")}),
			drift.Critical, []string{"EC2 Instance Type Change", "High-Cost Instance Upgrade", "Console Change Detection"}, nil},
		{"uc8: CI user is excluded", newDrift("aws_instance", map[string]drift.AttrChange{"tags": ch(nil, nil)},
			withActor(change.Actor{UserName: "terraform-ci-cd@example.com"})), drift.Medium, nil, nil},
		{"uc9: privilege escalation", newDrift("aws_iam_user_policy", map[string]drift.AttrChange{
			"policy": ch(`{"Statement":[]}`, `{"Statement":[{"Effect":"Allow","Action":["iam:PassRole","sts:AssumeRole"],"Resource":"*"}]}`),
		}), drift.Critical, []string{"Console Change Detection", "IAM Privilege Escalation Attempt"}, []string{"security-incident", "privilege-escalation"}},
		{"uc9: bucket made public", newDrift("aws_s3_bucket_public_access_block", map[string]drift.AttrChange{"block_public_acls": ch(true, false)}),
			drift.Critical, []string{"Console Change Detection", "S3 Bucket Made Public"}, []string{"security-incident", "data-exfiltration-risk"}},
		{"uc10: GCP firewall opened", gcpFirewall(`["10.0.0.0/8"]`, `["0.0.0.0/0"]`), drift.Critical,
			[]string{"Console Change Detection", "GCP Firewall Rule Change", "Public Internet Exposure (Any Cloud)"}, nil},
		{"uc10: GCP firewall narrowed", gcpFirewall(`["0.0.0.0/0"]`, `["10.0.0.0/8"]`), drift.High,
			[]string{"Console Change Detection", "GCP Firewall Rule Change"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set.Apply(tt.d)
			got := struct {
				Sev         drift.Severity
				Rules, Tags []string
			}{tt.d.Severity, tt.d.Rules, tt.d.Tags}
			want := struct {
				Sev         drift.Severity
				Rules, Tags []string
			}{tt.wantSev, tt.wantRules, tt.wantTags}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// The notices layer runs the matched rules' actions.
	matched := set.Matched(sgIngress(t, ingressHTTP, ingressSSHOpen))
	var actions []string
	for _, r := range matched {
		for _, a := range r.Actions {
			if a.IsEnabled() {
				actions = append(actions, r.Name+":"+a.Type)
			}
		}
	}
	want := []string{"Console Change Detection:alert", "Console Change Detection:create_ticket",
		"Potential Backdoor - Public SSH Access:alert", "Potential Backdoor - Public SSH Access:webhook"}
	if diff := cmp.Diff(want, actions); diff != "" {
		t.Errorf("enabled actions (-want +got):\n%s", diff)
	}
}

func TestFlatten(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`{"from_port":22,"to_port":22,"protocol":"tcp","cidr_blocks":["0.0.0.0/0"]}`,
			`from_port=22 to_port=22 port=22 protocol=tcp cidr_blocks=0.0.0.0/0`},
		{`{"from_port":8000,"to_port":8080,"protocol":"tcp","cidr_blocks":["0.0.0.0/0","10.0.0.0/8"],"description":"d","self":false,"ipv6_cidr_blocks":[],"security_groups":null}`,
			`from_port=8000 to_port=8080 port=8000-8080 protocol=tcp cidr_blocks=0.0.0.0/0,10.0.0.0/8 description=d ipv6_cidr_blocks= security_groups= self=false`},
		{`{"IPProtocol":"tcp","ports":["22","443"]}`, `port=22,443 ports=22,443 IPProtocol=tcp`},
		{`{"protocol":"tcp","ports":["22"]}`, `port=22 ports=22 protocol=tcp`},
		{`{"port":5432,"nested":{"b":1,"a":"x"}}`, `port=5432 nested={"a":"x","b":1}`},
		{`{"from_port":0.5,"to_port":1e20}`, `from_port=0.5 to_port=1e+20 port=0.5-1e+20`},
	}
	for _, tt := range tests {
		m := jsonValue(t, tt.in).(map[string]any)
		if got := flatten(m); got != tt.want {
			t.Errorf("flatten(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func TestSemanticEqual(t *testing.T) {
	tests := []struct {
		a, b any
		want bool
	}{
		{false, "false", true},
		{false, "False", true},
		{true, "false", false},
		{22, "22", true},
		{22, 22.0, true},
		{22, json.Number("22"), true},
		{"22", "22.0", true},
		{22, "023", false},
		{"a", "a", true},
		{"a", "A", false},
		{nil, nil, true},
		{nil, "", false},
		{[]any{1, "x"}, []any{"1", "x"}, true},
		{map[string]any{"a": 1}, map[string]any{"a": "1"}, true},
		{[]string{"a"}, []any{"a"}, true},
		{json.RawMessage(`{"a":[true]}`), map[string]any{"a": []any{"true"}}, true},
		{struct{ A int }{1}, map[string]any{"A": 1}, true},
	}
	for _, tt := range tests {
		if got := semanticEqual(tt.a, tt.b); got != tt.want {
			t.Errorf("semanticEqual(%#v, %#v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"aws_iam_*", "aws_iam_role", true},
		{"aws_iam_*", "aws_iam_", true},
		{"aws_iam_*", "aws_s3_bucket", false},
		{"*_policy", "aws_iam_role_policy", true},
		{"aws_*_policy", "aws_iam_role_policy", true},
		{"aws_*_policy", "aws_iam_role", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"arn:aws:sts::*:assumed-role/R/*", "arn:aws:sts::1:assumed-role/R/s", true},
		{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"", "", true},
		{"*", "", true},
	}
	for _, tt := range tests {
		if got := globMatch(tt.p, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.p, tt.s, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		rule Rule
		want []string // substrings of the error, one per problem
	}{
		{"valid", Rule{Name: "ok", ResourceTypes: []string{"aws_*"}, Severity: drift.High}, nil},
		{"missing name and types", Rule{}, []string{"name is required", "resource_types is required"}},
		{"bad type", Rule{Name: "r", ResourceTypes: []string{"AWS_Instance"}}, []string{`resource_types[0]: "AWS_Instance" is not a resource type`}},
		{"bad severity", Rule{Name: "r", ResourceTypes: []string{"*"}, Severity: "urgent"}, []string{`severity "urgent"`}},
		{"condition without attribute", Rule{Name: "r", ResourceTypes: []string{"*"}, Conditions: []Condition{{Contains: "x"}}}, []string{"conditions[0]: attribute is required"}},
		{"condition with two tests", Rule{Name: "r", ResourceTypes: []string{"*"}, Conditions: []Condition{{Attribute: "a", Contains: "x", Value: 1}}}, []string{"conditions[0]: set only one"}},
		{"unknown action", Rule{Name: "r", ResourceTypes: []string{"*"}, Actions: []Action{{Type: "page"}}}, []string{`actions[0]: unknown type "page"`}},
		{"webhook without url", Rule{Name: "r", ResourceTypes: []string{"*"}, Actions: []Action{{Type: ActionWebhook}}}, []string{"actions[0]: a webhook action needs url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(lines), len(tt.want), err)
			}
			for i, w := range tt.want {
				if !strings.Contains(lines[i], w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, lines[i], w)
				}
			}
		})
	}
}
