package ticket_test

import (
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
)

func TestTemplateDataSeedNames(t *testing.T) {
	d := sample.InstanceType()
	td := ticket.NewTemplateData(&ticket.Notice{Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint}, ticket.CodeLink{Template: ticket.GitHubBlobTemplate, Owner: "o", Repo: "r", Ref: "main"})
	got := map[string]any{
		"ResourceID": td.ResourceID, "ResourceType": td.ResourceType, "User": td.User,
		"ChangeType": td.ChangeType, "DetectedAt": td.DetectedAt, "CloudTrailEvent": td.CloudTrailEvent,
		"SourceIP": td.SourceIP, "Severity": td.Severity, "Code": td.Code, "CodeURL": td.CodeURL, "Count": td.Count,
	}
	want := map[string]any{
		"ResourceID": "i-0abc123def4567890", "ResourceType": "aws_instance", "User": "devops-team@example.com",
		"ChangeType": drift.Modified, "DetectedAt": "2025-01-20T14:32:15Z", "CloudTrailEvent": "ModifyInstanceAttribute",
		"SourceIP": "203.0.113.42", "Severity": drift.Critical, "Code": "compute.tf:3",
		"CodeURL": "https://github.com/o/r/blob/main/compute.tf#L3", "Count": 1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("template data (-want +got):\n%s", diff)
	}
	if td.CostImpact == nil || td.CostImpact.AfterMonthly != 1121.28 {
		t.Errorf("CostImpact = %+v, want the m5.8xlarge estimate", td.CostImpact)
	}
	if td.Tags == nil || td.Rules == nil {
		t.Error("Tags and Rules must never be nil: {{ .Tags }} renders [] in JSON")
	}
}

func TestTemplateDataGroup(t *testing.T) {
	a, b := sample.SecurityGroup(), sample.IAMPolicy()
	b.Severity = drift.High
	n := &ticket.Notice{Kind: ticket.KindGroup, Fingerprint: "grp_x", Group: &ticket.Group{
		Actor: "developer@example.com", First: sample.When, Last: sample.When.Add(time.Minute), Window: 5 * time.Minute,
		Drifts: []*drift.Drift{a, b},
	}}
	td := ticket.NewTemplateData(n, ticket.CodeLink{})
	got := []any{td.ResourceID, td.ResourceType, string(td.ChangeType), td.Severity, td.Tags, td.Count, td.Fingerprint, td.Drift == a}
	want := []any{"sg-0123456789abcdef0 (+1 more)", "multiple", "modified", drift.Critical,
		[]string{"security-incident", "potential-breach", "privilege-escalation"}, 2, "grp_x", true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("group data (-want +got):\n%s", diff)
	}
}

// The sample data runs every template the seed has, as config validation
// will.
func TestSampleTemplateDataRunsSeedNames(t *testing.T) {
	const seedNames = `{{ .ResourceID }} {{ .ResourceType }} {{ .User }} {{ .ChangeType }} {{ .DetectedAt }} {{ .Tags }} {{ .CloudTrailEvent }} {{ .SourceIP }} {{ .Severity }} {{ .CostImpact }} {{ .Drift.ResourceAddress }} {{ .Record.EventType }} {{ .Tags | json }} {{ join .Tags "," }} {{ .Severity | upper }}`
	tmpl := template.Must(template.New("t").Funcs(ticket.TemplateFuncs()).Parse(seedNames))
	var b strings.Builder
	if err := tmpl.Execute(&b, ticket.SampleTemplateData()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"i-0123456789abcdef0", "devops-team@example.com", "+$1,113.69/month (+14,669%)", "terraform_drift_detected", `["cost"]`, "CRITICAL"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output %q lacks %q", b.String(), want)
		}
	}
}
