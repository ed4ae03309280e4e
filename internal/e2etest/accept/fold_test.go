package accept_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/app/accept"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/internal/tftest"
)

// ingressRecord is the CloudTrail record of a console user authorizing
// (or revoking) one IPv4 ingress rule on group.
func ingressRecord(id, name, group string, port int, cidr, desc string) map[string]any {
	rng := map[string]any{"cidrIp": cidr}
	if desc != "" {
		rng["description"] = desc
	}
	return map[string]any{
		"eventVersion": "1.08", "eventTime": "2025-01-20T14:32:15Z", "eventSource": "ec2.amazonaws.com",
		"eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.42",
		"userAgent": "console.ec2.amazonaws.com", "eventID": id, "readOnly": false, "recipientAccountId": "123456789012",
		"userIdentity": map[string]any{"type": "IAMUser", "userName": "alice@example.com", "arn": "arn:aws:iam::123456789012:user/alice", "accountId": "123456789012"},
		"requestParameters": map[string]any{"groupId": group, "ipPermissions": map[string]any{"items": []any{map[string]any{
			"ipProtocol": "tcp", "fromPort": port, "toPort": port,
			"ipRanges": map[string]any{"items": []any{rng}}}}}},
		"responseElements": map[string]any{"_return": true},
	}
}

// TestAcceptFoldsSuccessiveEdits: two console edits of one security
// group (a rule added, then another removed) are accepted as one edit
// holding both, and terraform then plans no change.
func TestAcceptFoldsSuccessiveEdits(t *testing.T) {
	env := tftest.New(t, filepath.Join("testdata", "fold"))
	statePath := filepath.Join(t.TempDir(), "terraform.tfstate")
	main := filepath.Join(env.Dir, "main.tf")
	src, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(main, bytes.Replace(src, []byte("STATE_PATH"), []byte(statePath), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tf := env.Tf(t)
	if err := tf.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tf.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	cloud := env.Cloud(t)
	sg := cloud.IDs(tftest.KindSecurityGroup)[0]
	cloud.Mutate(tftest.KindSecurityGroup, sg, func(o map[string]any) {
		o["ingress"] = []any{map[string]any{
			"description": "debug", "from_port": 22, "to_port": 22, "protocol": "tcp",
			"cidr_blocks": []any{"0.0.0.0/0"}, "ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{},
			"security_groups": []any{}, "self": false,
		}}
	})
	events, err := json.Marshal(map[string]any{"Records": []any{
		ingressRecord("e-1", "AuthorizeSecurityGroupIngress", sg, 22, "0.0.0.0/0", "debug"),
		ingressRecord("e-2", "RevokeSecurityGroupIngress", sg, 443, "0.0.0.0/0", ""),
	}})
	if err != nil {
		t.Fatal(err)
	}
	eventsPath := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(eventsPath, events, 0o644); err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	err = accept.Run(ctx, job.Env{Stdout: &stdout, Stderr: &stderr}, accept.Args{Repo: env.Dir, States: []string{statePath},
		Binary: env.Terraform, Inputs: []string{eventsPath}})
	if err != nil {
		t.Fatalf("accept: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "tfdrift accept: 2 drifts; edited 1 file;") {
		t.Errorf("summary:\n%s", stderr.String())
	}
	after, _ := os.ReadFile(main)
	for _, want := range []string{"from_port   = 22", `description = "debug"`} {
		if !strings.Contains(string(after), want) {
			t.Errorf("main.tf lacks the first edit's %q:\n%s", want, after)
		}
	}
	if strings.Contains(string(after), "443") {
		t.Errorf("main.tf keeps the rule the second edit removed:\n%s", after)
	}
	if changes, err := tf.Plan(ctx); err != nil || changes {
		t.Errorf("plan after accept: changes=%v err=%v, want no changes", changes, err)
	}
}
