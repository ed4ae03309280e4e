package drift

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/internal/golden"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
)

// seedIAMDrift is the seed's use case 2: a role policy widened in the console.
func seedIAMDrift() *Drift {
	d := &Drift{
		ChangeType:      Modified,
		ResourceType:    "aws_iam_role_policy",
		ResourceID:      "app_role:app_policy",
		ResourceAddress: "module.iam.aws_iam_role_policy.app_policy",
		DetectedAt:      time.Date(2025, 1, 20, 10, 15, 30, 0, time.UTC),
		Changes: map[string]AttrChange{"policy": {
			Expected: `{"Statement":[{"Action":["s3:GetObject"],"Resource":"arn:aws:s3:::my-app-bucket/*"}]}`,
			Actual:   `{"Statement":[{"Action":["s3:*"],"Resource":"*"}]}`,
			Diff:     "excessive permissions: granted Allow s3:* on *; revoked Allow s3:GetObject on arn:aws:s3:::my-app-bucket/*",
		}},
		Severity: Critical,
		Rules:    []string{"IAM Privilege Escalation Attempt"},
		Tags:     []string{"security-incident", "privilege-escalation"},
		Event: &change.Change{
			Provider: change.AWS, Account: "123456789012", Region: "us-east-1", Service: "iam.amazonaws.com",
			EventName: "PutRolePolicy", RawEventName: "PutRolePolicy", EventID: "a1b2c3d4-5678-90ab-cdef-1234567890ab",
			Time:     time.Date(2025, 1, 20, 10, 15, 28, 0, time.UTC),
			SourceIP: "203.0.113.42", UserAgent: "console.amazonaws.com",
			Actor: change.Actor{Type: "IAMUser", PrincipalID: "AIDACKCEVSQ6C2EXAMPLE", ARN: "arn:aws:iam::123456789012:user/admin",
				AccountID: "123456789012", UserName: "admin@example.com"},
		},
		Terraform: Location{State: "s3://prod-terraform-state/terraform.tfstate", Workspace: "production",
			Module: "modules/iam", ModuleAddress: "module.iam", File: "modules/iam/roles.tf", Line: 45},
	}
	d.ComputeFingerprint()
	d.ComputeEventID()
	return d
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}

func TestRecordGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := seedIAMDrift().AppendNDJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if bytes.Count(buf.Bytes(), []byte("\n")) != 1 {
		t.Errorf("NDJSON must be exactly one line, got %q", buf.String())
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, buf.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "iam_record.json", pretty.Bytes())
}

// TestRecordKeys pins the contract keys of DESIGN.md and the seed.
func TestRecordKeys(t *testing.T) {
	b, err := json.Marshal(seedIAMDrift())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"event_id", "event_type", "timestamp", "detected_at", "provider", "account_id", "region",
		"resource_type", "resource_id", "resource_address", "change_type", "severity", "rules", "tags", "user",
		"user_identity", "cloudtrail_event", "changes", "cloudtrail", "terraform"} {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing", k)
		}
	}
	var sub struct {
		UserIdentity map[string]any `json:"user_identity"`
		CloudTrail   map[string]any `json:"cloudtrail"`
		Terraform    map[string]any `json:"terraform"`
		Changes      map[string]map[string]any
	}
	if err := json.Unmarshal(b, &sub); err != nil {
		t.Fatal(err)
	}
	need := map[string][]string{
		"user_identity": {"type", "principal_id", "arn", "account_id", "username"},
		"cloudtrail":    {"event_id", "event_name", "source_ip", "user_agent"},
		"terraform":     {"state", "workspace", "module", "file", "line"},
		"changes":       {"expected", "actual", "diff"},
	}
	got := map[string]map[string]any{"user_identity": sub.UserIdentity, "cloudtrail": sub.CloudTrail, "terraform": sub.Terraform, "changes": sub.Changes["policy"]}
	for obj, keys := range need {
		for _, k := range keys {
			if _, ok := got[obj][k]; !ok {
				t.Errorf("%s.%s missing", obj, k)
			}
		}
	}
	if string(m["event_type"]) != `"terraform_drift_detected"` {
		t.Errorf("event_type = %s", m["event_type"])
	}
}

func TestTextGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := seedIAMDrift().WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "iam_alert.txt", buf.Bytes())

	created := &Drift{ChangeType: Created, ResourceType: "aws_instance", ResourceID: "i-0fedcba9876543210", Severity: High,
		Changes: map[string]AttrChange{"instance_type": {Actual: "c5.24xlarge"}, "user_data": {Unknown: true, Diff: "hidden"}},
		Event:   &change.Change{Provider: change.AWS, EventName: "RunInstances", Account: "123456789012", Region: "us-east-1", Actor: change.Actor{UserName: "dev@example.com"}}}
	buf.Reset()
	if err := created.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "created_alert.txt", buf.Bytes())

	pending := &Drift{ChangeType: Modified, ResourceType: "aws_db_instance", ResourceID: "db-ABCDEFGHIJKLMNOP",
		ResourceAddress: "aws_db_instance.main", Severity: Medium, Pending: true, TakesEffect: "at the next maintenance window (sun:05:00-sun:06:00)",
		Changes: map[string]AttrChange{"instance_class": {Expected: "db.t3.medium", Actual: "db.r6g.large", Diff: `"db.t3.medium" → "db.r6g.large"`}},
		Event: &change.Change{Provider: change.AWS, EventName: "ModifyDBInstance", Account: "123456789012", Region: "eu-west-1",
			Actor: change.Actor{UserName: "dba@example.com"}}}
	buf.Reset()
	if err := pending.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "pending_alert.txt", buf.Bytes())
}

// TestPendingRecord: a change the cloud applies later carries "pending"
// and when it takes effect; an applied one carries neither key.
func TestPendingRecord(t *testing.T) {
	for _, tt := range []struct {
		pending bool
		when    string
		want    string
	}{
		{false, "", ""},
		{true, "at the next maintenance window", `"pending":true,"takes_effect":"at the next maintenance window"`},
	} {
		d := seedIAMDrift()
		d.Pending, d.TakesEffect = tt.pending, tt.when
		var buf bytes.Buffer
		if err := d.AppendNDJSON(&buf); err != nil {
			t.Fatal(err)
		}
		has := bytes.Contains(buf.Bytes(), []byte(`"pending"`)) || bytes.Contains(buf.Bytes(), []byte(`"takes_effect"`))
		if tt.want == "" && has {
			t.Errorf("applied drift carries pending keys: %s", buf.String())
		}
		if tt.want != "" && !bytes.Contains(buf.Bytes(), []byte(tt.want)) {
			t.Errorf("pending drift lacks %s: %s", tt.want, buf.String())
		}
	}
}

func TestFingerprint(t *testing.T) {
	a, b := seedIAMDrift(), seedIAMDrift()
	b.Event.EventID = "another-delivery"
	b.DetectedAt = b.DetectedAt.Add(time.Hour)
	if a.ComputeFingerprint() != b.ComputeFingerprint() {
		t.Error("the same change seen twice must share a fingerprint")
	}
	if a.ComputeEventID() == b.ComputeEventID() {
		t.Error("different cloud events must get different drift event IDs")
	}
	c := seedIAMDrift()
	c.Changes["policy"] = AttrChange{Expected: "x", Actual: `{"Statement":[]}`}
	if a.Fingerprint == c.ComputeFingerprint() {
		t.Error("a different actual value must change the fingerprint")
	}
	if len(a.Fingerprint) != 32 {
		t.Errorf("fingerprint %q", a.Fingerprint)
	}
}

func TestSeverity(t *testing.T) {
	for _, s := range []string{"info", "LOW", " Medium ", "high", "critical"} {
		if _, err := ParseSeverity(s); err != nil {
			t.Errorf("ParseSeverity(%q): %v", s, err)
		}
	}
	if _, err := ParseSeverity("crit"); err == nil {
		t.Error("ParseSeverity(crit) succeeded")
	}
	got := []Severity{Critical, Info, Medium, High, Low}
	sort.Slice(got, func(i, j int) bool { return got[i].Rank() < got[j].Rank() })
	if !cmp.Equal(got, []Severity{Info, Low, Medium, High, Critical}) || Max(Low, High) != High || !High.AtLeast(Medium) {
		t.Errorf("severity order wrong: %v", got)
	}
}
