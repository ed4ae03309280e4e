package action

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// sampleReport is three roots: one with drift of every kind (an attribute
// written in the code, one that is not, a deleted resource, a resource no
// longer in the code, values full of characters that Markdown, HTML,
// workflow commands and tables treat specially), one clean, one that
// failed with a multi-line error.
func sampleReport() *Report {
	at := time.Date(2025, 1, 20, 14, 32, 15, 0, time.UTC)
	n := func(s string) json.Number { return json.Number(s) }
	rule := func(port string) map[string]any {
		return map[string]any{"from_port": n(port), "to_port": n(port), "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"}}
	}
	loc := func(file string, line int) drift.Location {
		return drift.Location{State: "envs/prod", Workspace: "default", File: file, Line: line, Root: "envs/prod"}
	}
	mk := func(d *drift.Drift) *drift.Drift {
		d.DetectedAt = at
		d.ComputeFingerprint()
		d.ComputeEventID()
		return d
	}
	sg := mk(&drift.Drift{
		ChangeType: drift.Modified, ResourceType: "aws_security_group", ResourceID: "sg-0a1b2c3d",
		ResourceAddress: "aws_security_group.web",
		Changes: map[string]drift.AttrChange{
			"ingress": {Expected: []any{rule("443")}, Actual: []any{rule("22"), rule("443")},
				Diff: "added cidr_blocks=0.0.0.0/0 from_port=22 protocol=tcp to_port=22"},
			"description": {Expected: "Web tier", Actual: "temp | `debug` <b>*bold*</b>\n::error::injected %0A 100%",
				Diff: "\"Web tier\" → \"temp | `debug` <b>*bold*</b>\n::error::injected %0A 100%\""},
		},
		Severity: drift.High, Rules: []string{"Security Group Ingress Rule Violation", "Console Change Detection"},
		Tags: []string{"security-incident"}, Terraform: loc("envs/prod/network.tf", 12),
	})
	assets := mk(&drift.Drift{
		ChangeType: drift.Deleted, ResourceType: "aws_s3_bucket_public_access_block", ResourceID: "acme-assets",
		ResourceAddress: "aws_s3_bucket_public_access_block.assets", Severity: drift.Medium,
		Terraform: loc("envs/prod/s3 buckets.tf", 9),
	})
	gone := mk(&drift.Drift{
		ChangeType: drift.Modified, ResourceType: "aws_instance", ResourceID: "i-0123",
		ResourceAddress: `aws_instance.workers["a"]`, Severity: drift.Low,
		Changes:   map[string]drift.AttrChange{"instance_type": {Expected: "t3.micro", Actual: "t3.large", Diff: `"t3.micro" → "t3.large"`}},
		Terraform: drift.Location{State: "envs/prod", Workspace: "default", Root: "envs/prod"},
	})
	return &Report{
		FailOn:  "high",
		Version: "v1.2.3",
		BlobURL: "https://github.com/acme/infra/blob/0123456789abcdef0123456789abcdef01234567",
		Roots: []Root{
			{
				Dir: "envs/prod", Resources: 6, Ignored: 2, DefaultFile: "envs/prod/main.tf",
				Drifts: []Drift{
					{Drift: assets},
					{Drift: sg, Lines: map[string]int{"ingress": 16}, Rule: "Security Group Ingress Rule Violation"},
					{Drift: gone},
				},
			},
			{Dir: "envs/dev", Resources: 3, DefaultFile: "envs/dev/main.tf"},
			{Dir: "envs/staging", Err: errors.New("terraform init in /work/envs/staging: exit status 1\n\nError: Failed to get existing workspaces: ```S3 bucket``` does not exist.\n|table| 100%")},
		},
	}
}

// cleanReport is a run with nothing to report.
func cleanReport() *Report {
	return &Report{FailOn: "high", Version: "v1.2.3", Roots: []Root{{Dir: ".", Resources: 4, DefaultFile: "main.tf"}}}
}
