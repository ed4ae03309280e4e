package sample

import (
	"time"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
)

// When is the detection time of every sample drift.
var When = time.Date(2025, 1, 20, 14, 32, 15, 0, time.UTC)

func awsEvent(name, user, account string) *change.Change {
	return &change.Change{
		Provider:     change.AWS,
		Account:      account,
		Region:       "us-east-1",
		Service:      "ec2.amazonaws.com",
		EventName:    name,
		RawEventName: name,
		EventID:      "a1b2c3d4-5678-90ab-cdef-1234567890ab",
		Time:         When.Add(-5 * time.Second),
		Actor: change.Actor{
			Type: "IAMUser", PrincipalID: "AIDACKCEVSQ6C2EXAMPLE",
			ARN:       "arn:aws:iam::" + account + ":user/" + user,
			AccountID: account, UserName: user,
		},
		SourceIP:  "203.0.113.42",
		UserAgent: "console.amazonaws.com",
	}
}

func finish(d *drift.Drift) *drift.Drift {
	d.DetectedAt = When
	d.ComputeEventID()
	d.ComputeFingerprint()
	return d
}

// SecurityGroup is use case 1: port 22 opened to the world.
func SecurityGroup() *drift.Drift {
	return finish(&drift.Drift{
		ChangeType:      drift.Modified,
		ResourceType:    "aws_security_group",
		ResourceID:      "sg-0123456789abcdef0",
		ResourceAddress: "module.network.aws_security_group.web_servers",
		Changes: map[string]drift.AttrChange{
			"ingress": {
				Expected: []any{map[string]any{"from_port": 443.0, "to_port": 443.0, "protocol": "tcp", "cidr_blocks": []any{"10.0.0.0/8"}}},
				Actual: []any{
					map[string]any{"from_port": 443.0, "to_port": 443.0, "protocol": "tcp", "cidr_blocks": []any{"10.0.0.0/8"}},
					map[string]any{"from_port": 22.0, "to_port": 22.0, "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"}},
				},
				Diff: "added tcp 22 from 0.0.0.0/0",
			},
		},
		Severity: drift.Critical,
		Rules:    []string{"Security Group Ingress Rule Violation"},
		Tags:     []string{"security-incident", "potential-breach"},
		Event:    awsEvent("AuthorizeSecurityGroupIngress", "developer@example.com", "123456789012"),
		Terraform: drift.Location{
			State: "s3://prod-us-terraform-state/terraform.tfstate", Workspace: "default",
			Module: "modules/network", ModuleAddress: "module.network",
			File: "modules/network/sg.tf", Line: 12,
		},
	})
}

// InstanceType is use case 4: t3.micro → m5.8xlarge.
func InstanceType() *drift.Drift {
	return finish(&drift.Drift{
		ChangeType:      drift.Modified,
		ResourceType:    "aws_instance",
		ResourceID:      "i-0abc123def4567890",
		ResourceAddress: "aws_instance.app_server",
		Changes: map[string]drift.AttrChange{
			"instance_type": {Expected: "t3.micro", Actual: "m5.8xlarge", Diff: `"t3.micro" → "m5.8xlarge"`},
		},
		Severity:  drift.Critical,
		Rules:     []string{"EC2 Instance Type Change", "High-Cost Instance Upgrade"},
		Tags:      []string{},
		Event:     awsEvent("ModifyInstanceAttribute", "devops-team@example.com", "789012345678"),
		Terraform: drift.Location{State: "terraform.tfstate", File: "compute.tf", Line: 3},
	})
}

// EBSVolume is use case 5: 100 GB → 1000 GB.
func EBSVolume() *drift.Drift {
	return finish(&drift.Drift{
		ChangeType:      drift.Modified,
		ResourceType:    "aws_ebs_volume",
		ResourceID:      "vol-0123456789abcdef0",
		ResourceAddress: "aws_ebs_volume.app_data",
		Changes: map[string]drift.AttrChange{
			"size": {Expected: 100.0, Actual: 1000.0, Diff: "100 → 1000"},
		},
		Severity:  drift.Medium,
		Event:     awsEvent("ModifyVolume", "backend-team@example.com", "456789012345"),
		Terraform: drift.Location{State: "terraform.tfstate", File: "storage.tf", Line: 20},
	})
}

// IAMPolicy is use case 2: a policy widened to s3:* on *.
func IAMPolicy() *drift.Drift {
	ev := awsEvent("PutRolePolicy", "admin@example.com", "123456789012")
	ev.Service = "iam.amazonaws.com"
	return finish(&drift.Drift{
		ChangeType:      drift.Modified,
		ResourceType:    "aws_iam_role_policy",
		ResourceID:      "app_role:app_policy",
		ResourceAddress: "module.iam.aws_iam_role_policy.app_policy",
		Changes: map[string]drift.AttrChange{
			"policy": {
				Expected: `{"Statement":[{"Action":["s3:GetObject"],"Resource":"arn:aws:s3:::my-app-bucket/*"}]}`,
				Actual:   `{"Statement":[{"Action":["s3:*"],"Resource":"*"}]}`,
				Diff:     "Action: s3:GetObject → s3:*; Resource: arn:aws:s3:::my-app-bucket/* → *",
			},
		},
		Severity:  drift.Critical,
		Rules:     []string{"IAM Privilege Escalation Attempt"},
		Tags:      []string{"security-incident", "privilege-escalation"},
		Event:     ev,
		Terraform: drift.Location{State: "terraform.tfstate", Workspace: "production", Module: "modules/iam", ModuleAddress: "module.iam", File: "modules/iam/roles.tf", Line: 45},
	})
}

// GCPFirewall is use case 10's GCP side.
func GCPFirewall() *drift.Drift {
	return finish(&drift.Drift{
		ChangeType:      drift.Modified,
		ResourceType:    "google_compute_firewall",
		ResourceID:      "projects/my-project-123/global/firewalls/web",
		ResourceAddress: "google_compute_firewall.web",
		Changes: map[string]drift.AttrChange{
			"source_ranges": {Expected: []any{"10.0.0.0/8"}, Actual: []any{"0.0.0.0/0"}},
		},
		Severity: drift.Critical,
		Rules:    []string{"GCP Firewall Rule Change", "Public Internet Exposure (Any Cloud)"},
		Event: &change.Change{
			Provider: change.GCP, Account: "my-project-123", Region: "global",
			Service: "compute.googleapis.com", EventName: "compute.firewalls.patch", RawEventName: "v1.compute.firewalls.patch",
			EventID: "1a2b3c", Time: When,
			Actor:    change.Actor{Type: "user", UserName: "gcp-admin@example.com"},
			SourceIP: "198.51.100.7", UserAgent: "Mozilla/5.0 (console)",
		},
		Terraform: drift.Location{State: "gs://my-terraform-state/gcp/default.tfstate", File: "firewall.tf", Line: 1},
	})
}

// Unmanaged is a created resource no state holds.
func Unmanaged() *drift.Drift {
	return finish(&drift.Drift{
		ChangeType:   drift.Created,
		ResourceType: "aws_instance",
		ResourceID:   "i-0fedcba9876543210",
		Changes: map[string]drift.AttrChange{
			"instance_type": {Expected: nil, Actual: "g5.xlarge"},
		},
		Severity: drift.High,
		Event:    awsEvent("RunInstances", "ml-team@example.com", "123456789012"),
	})
}

// Hostile carries every character that breaks naive JSON, mrkdwn, wiki
// markup, HTML and mail headers.
func Hostile() *drift.Drift {
	ev := awsEvent("Authorize\"Security\\GroupIngress", `O'Brien "the \admin\"`+"\n<script>&amp;", "123456789012")
	ev.SourceIP = "203.0.113.42\"}, \"injected\": {\""
	ev.UserAgent = "curl/8 | [link|http://evil] {code} *bold*"
	return finish(&drift.Drift{
		ChangeType:      drift.Modified,
		ResourceType:    "aws_security_group",
		ResourceID:      `sg-"quoted"\back` + "\t\u2028",
		ResourceAddress: `aws_security_group.x["a\"b"]`,
		Changes: map[string]drift.AttrChange{
			"description": {Expected: "line1\nline2 ``` `tick`", Actual: "<b>bold</b> & {noformat} |pipe| \x01", Diff: "changed"},
			"tags":        {Expected: map[string]any{"Name": "x"}, Actual: map[string]any{"Name": "y\"z"}},
		},
		Severity:  drift.High,
		Rules:     []string{`rule "one"`},
		Tags:      []string{`tag"quote`, `back\slash`, "security-incident"},
		Event:     ev,
		Terraform: drift.Location{State: "terraform.tfstate", File: "dir with space/main.tf", Line: 7},
	})
}

// Named is a sample drift with its label, for table tests and golden file
// names.
type Named struct {
	Name  string
	Drift *drift.Drift
}

// All returns every sample, freshly built, in a fixed order.
func All() []Named {
	return []Named{
		{"security-group", SecurityGroup()},
		{"instance-type", InstanceType()},
		{"ebs-volume", EBSVolume()},
		{"iam-policy", IAMPolicy()},
		{"gcp-firewall", GCPFirewall()},
		{"unmanaged", Unmanaged()},
		{"hostile", Hostile()},
	}
}
