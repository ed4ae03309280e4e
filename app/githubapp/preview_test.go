package githubapp

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/internal/golden"
)

// TestIssuePreview pins the Markdown make demo prints: the issue of the
// demo's drift, with its permalink.
func TestIssuePreview(t *testing.T) {
	at := time.Date(2025, 1, 20, 14, 49, 58, 0, time.UTC)
	d := &drift.Drift{ChangeType: drift.Modified, ResourceType: "aws_instance", ResourceID: "i-0aaaaaaaaaaaaaaa1",
		ResourceAddress: "aws_instance.workers[1]", Severity: drift.Medium, DetectedAt: at,
		Changes: map[string]drift.AttrChange{"disable_api_termination": {Expected: false, Actual: true, Diff: "false → true"}},
		Event: &change.Change{Provider: change.AWS, Account: "123456789012", Region: "us-east-1", EventName: "ModifyInstanceAttribute",
			EventID: "7d3b9a1c-2e4f-4a6b-8c0d-1e2f3a4b5c6d", Time: at, SourceIP: "203.0.113.42", UserAgent: "console.ec2.amazonaws.com",
			Actor: change.Actor{Type: "AssumedRole", UserName: "devops-team@example.com"}},
		Terraform: drift.Location{State: "prod", Workspace: "default", File: "main.tf", Line: 36, EndLine: 45,
			Repo: "acme/infra", Ref: "0123456789abcdef0123456789abcdef01234567"}}
	d.ComputeFingerprint()
	d.ComputeEventID()
	var b bytes.Buffer
	if err := IssuePreview(&b, d, "https://github.com/acme/infra"); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/issue-preview.md", b.Bytes())
	if !strings.Contains(b.String(), "https://github.com/acme/infra/blob/0123456789abcdef0123456789abcdef01234567/main.tf#L36-L45") {
		t.Errorf("no permalink:\n%s", b.String())
	}
}
