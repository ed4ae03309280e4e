package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/tfdrift/tfdrift/internal/tftest"
)

// e2eEnv applies the e2e fixture with real terraform against the test
// provider, with its state outside the repo (as a real backend would be),
// and returns the env, the state path and the security group's ID.
func e2eEnv(t *testing.T) (*tftest.Env, string, string) {
	t.Helper()
	env := tftest.New(t, "testdata/e2e")
	statePath := filepath.Join(t.TempDir(), "terraform.tfstate")
	main := filepath.Join(env.Dir, "main.tf")
	src, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(main, []byte(strings.Replace(string(src), "STATE_PATH", statePath, 1)), 0o644); err != nil {
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
	ids := env.Cloud(t).IDs(tftest.KindSecurityGroup)
	if len(ids) != 1 {
		t.Fatalf("security groups in the cloud: %v", ids)
	}
	return env, statePath, ids[0]
}

// openSSH changes the cloud the way a console user would, and writes the
// CloudTrail record of that change.
func openSSH(t *testing.T, env *tftest.Env, sgID string) string {
	t.Helper()
	env.Cloud(t).Mutate(tftest.KindSecurityGroup, sgID, func(o map[string]any) {
		in, _ := o["ingress"].([]any)
		o["ingress"] = append(in, map[string]any{
			"description": "debug", "from_port": 22, "to_port": 22, "protocol": "tcp",
			"cidr_blocks": []any{"0.0.0.0/0"}, "ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{},
			"security_groups": []any{}, "self": false,
		})
	})
	rec := map[string]any{
		"eventVersion": "1.08", "eventTime": "2025-01-20T14:32:15Z", "eventSource": "ec2.amazonaws.com",
		"eventName": "AuthorizeSecurityGroupIngress", "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.42",
		"userAgent": "console.ec2.amazonaws.com", "eventID": "e2e-1", "readOnly": false, "recipientAccountId": "123456789012",
		"userIdentity": map[string]any{"type": "IAMUser", "userName": "alice@example.com", "arn": "arn:aws:iam::123456789012:user/alice", "accountId": "123456789012"},
		"requestParameters": map[string]any{"groupId": sgID, "ipPermissions": map[string]any{"items": []any{map[string]any{
			"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
			"ipRanges": map[string]any{"items": []any{map[string]any{"cidrIp": "0.0.0.0/0", "description": "debug"}}}}}}},
	}
	b, _ := json.Marshal(rec)
	p := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAcceptEndToEnd: detect the console change, accept it into the code,
// and prove it with terraform: a normal plan is then empty.
func TestAcceptEndToEnd(t *testing.T) {
	env, statePath, sgID := e2eEnv(t)
	events := openSSH(t, env, sgID)

	dry := runCmd(t, "", "accept", "--repo", env.Dir, "--state", statePath, "--dry-run", events)
	if dry.code != 0 {
		t.Fatalf("accept --dry-run: exit %d\n%s", dry.code, dry.stderr)
	}
	for _, want := range []string{"--- a/main.tf", "+  ingress {", `+    cidr_blocks = ["0.0.0.0/0"]`, "+    from_port   = 22"} {
		if !strings.Contains(dry.stdout, want) {
			t.Errorf("dry-run diff lacks %q:\n%s", want, dry.stdout)
		}
	}
	before, _ := os.ReadFile(filepath.Join(env.Dir, "main.tf"))

	// Before the edit, terraform wants to remove the console's rule.
	ctx := context.Background()
	tf := env.Tf(t)
	if changes, err := tf.Plan(ctx); err != nil || !changes {
		t.Fatalf("plan before accept: changes=%v err=%v, want changes", changes, err)
	}
	r := runCmd(t, "", "accept", "--repo", env.Dir, "--state", statePath, "--terraform", env.Terraform, events)
	if r.code != 0 {
		t.Fatalf("accept: exit %d\n%s", r.code, r.stderr)
	}
	after, _ := os.ReadFile(filepath.Join(env.Dir, "main.tf"))
	if string(after) == string(before) || !strings.Contains(string(after), "# The web tier's security group") {
		t.Errorf("main.tf not edited, or its comment lost:\n%s", after)
	}
	if changes, err := tf.Plan(ctx); err != nil || changes {
		t.Errorf("plan after accept: changes=%v err=%v, want no changes", changes, err)
	}
}

// TestRevertEndToEnd: put the cloud back with the guarded targeted apply.
func TestRevertEndToEnd(t *testing.T) {
	env, _, sgID := e2eEnv(t)
	openSSH(t, env, sgID)
	t.Setenv("FAKEAWS_CLOUD_FILE", env.CloudFile)
	args := []string{"revert", "--repo", env.Dir, "--binary", env.Terraform, "--plugin-mirror", env.Mirror}

	dry := runCmd(t, "", append(args, "--dry-run", "aws_security_group.web")...)
	if dry.code != 2 || !strings.Contains(dry.stdout, "aws_security_group.web") {
		t.Fatalf("revert --dry-run: exit %d, want 2\nstdout:\n%s\nstderr:\n%s", dry.code, dry.stdout, dry.stderr)
	}
	// The same dry run configured by the config's terraform block alone.
	cfgPath := filepath.Join(t.TempDir(), "tfdrift.yaml")
	os.WriteFile(cfgPath, []byte("terraform:\n  binary: "+env.Terraform+"\n  plugin_mirror: "+env.Mirror+"\n  lock_timeout: 10s\n"), 0o644)
	if r := runCmd(t, "", "revert", "--repo", env.Dir, "--config", cfgPath, "--dry-run", "aws_security_group.web"); r.code != 2 {
		t.Fatalf("revert --config --dry-run: exit %d, want 2\n%s", r.code, r.stderr)
	}
	if n := len(env.Cloud(t).Get(tftest.KindSecurityGroup, sgID)["ingress"].([]any)); n != 2 {
		t.Fatalf("a dry run changed the cloud: %d rules", n)
	}
	if r := runCmd(t, "", append(args, "aws_security_group.nope")...); r.code != 1 {
		t.Errorf("unknown address: exit %d, want 1\n%s", r.code, r.stderr)
	}
	r := runCmd(t, "", append(args, "aws_security_group.web")...)
	if r.code != 0 {
		t.Fatalf("revert: exit %d\n%s", r.code, r.stderr)
	}
	rules := env.Cloud(t).Get(tftest.KindSecurityGroup, sgID)["ingress"].([]any)
	if len(rules) != 1 || fmt.Sprint(rules[0].(map[string]any)["from_port"]) != "443" {
		t.Errorf("cloud after revert: %v", rules)
	}
	tf := env.Tf(t)
	if changes, err := tf.Plan(context.Background(), tfexec.RefreshOnly(true)); err != nil || changes {
		t.Errorf("refresh-only plan after revert: changes=%v err=%v, want none", changes, err)
	}
}

// TestAcceptConfirmEndToEnd: with --confirm terraform supplies the values
// and proves the edit in a working copy before the repo is edited.
func TestAcceptConfirmEndToEnd(t *testing.T) {
	env, statePath, sgID := e2eEnv(t)
	events := openSSH(t, env, sgID)
	t.Setenv("FAKEAWS_CLOUD_FILE", env.CloudFile)
	r := runCmd(t, "", "accept", "--repo", env.Dir, "--state", statePath, "--confirm",
		"--terraform", env.Terraform, "--plugin-mirror", env.Mirror, events)
	if r.code != 0 {
		t.Fatalf("accept --confirm: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "✔ aws_security_group.web: terraform plan after the edit: No changes") {
		t.Errorf("no proof printed:\n%s", r.stdout)
	}
	tf := env.Tf(t)
	if changes, err := tf.Plan(context.Background()); err != nil || changes {
		t.Errorf("plan after accept --confirm: changes=%v err=%v, want no changes", changes, err)
	}
}

// TestAcceptConfirmWriteErrorIsReported: with --confirm, a proof that is
// not clean must not hide a later failure to write the edit. Here the
// console changed the description too (the events show only the new
// ingress rule, so the plan after the edit is not clean), and someone
// edits main.tf while terraform proves the edit in its working copy, so
// writing the edit fails. The user gets exit 1 and the reason; a defer in
// a loop once turned this into exit 4 with no message.
func TestAcceptConfirmWriteErrorIsReported(t *testing.T) {
	env, statePath, sgID := e2eEnv(t)
	events := openSSH(t, env, sgID)
	env.Cloud(t).Mutate(tftest.KindSecurityGroup, sgID, func(o map[string]any) { o["description"] = "changed in the console" })
	t.Setenv("FAKEAWS_CLOUD_FILE", env.CloudFile)
	mainTF := filepath.Join(env.Dir, "main.tf")
	wrapper := filepath.Join(t.TempDir(), "terraform")
	script := fmt.Sprintf(`#!/bin/sh
# terraform, except that a normal plan (the proof) also edits the user's
# main.tf, as a colleague's editor might at that moment.
case "$1 $*" in
plan*-refresh-only*) ;;
plan*) echo "# edited meanwhile" >> %q ;;
esac
exec %q "$@"
`, mainTF, env.Terraform)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, "", "accept", "--repo", env.Dir, "--state", statePath, "--confirm",
		"--binary", wrapper, "--plugin-mirror", env.Mirror, events)
	if !strings.Contains(r.stdout, "✘ aws_security_group.web: terraform plan after the edit") {
		t.Fatalf("the proof should not be clean:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	if r.code != 1 || !strings.Contains(r.stderr, "tfdrift: accept: writing the edit: apply main.tf") || !strings.Contains(r.stderr, "changed") {
		t.Errorf("exit %d, want 1 with the write error\nstderr:\n%s", r.code, r.stderr)
	}
}

// TestAcceptConfirmUncleanProofExits4: the console changed the
// description too, which the events do not show, so after the edit a
// normal plan still has changes. The repo is edited (the ingress rule is
// accepted), the proof is marked ✘, and the exit status is 4 with a
// message naming the resource. The old code set 4 in a deferred closure
// that wrote a shadowed err, so this exited 0.
func TestAcceptConfirmUncleanProofExits4(t *testing.T) {
	env, statePath, sgID := e2eEnv(t)
	events := openSSH(t, env, sgID)
	env.Cloud(t).Mutate(tftest.KindSecurityGroup, sgID, func(o map[string]any) { o["description"] = "changed in the console" })
	t.Setenv("FAKEAWS_CLOUD_FILE", env.CloudFile)
	before, _ := os.ReadFile(filepath.Join(env.Dir, "main.tf"))
	r := runCmd(t, "", "accept", "--repo", env.Dir, "--state", statePath, "--confirm",
		"--terraform", env.Terraform, "--plugin-mirror", env.Mirror, events)
	if r.code != 4 || !strings.Contains(r.stderr, "not clean for aws_security_group.web") {
		t.Errorf("exit %d, want 4 with a message\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "✘ aws_security_group.web: terraform plan after the edit") {
		t.Errorf("no failed proof printed:\n%s", r.stdout)
	}
	after, _ := os.ReadFile(filepath.Join(env.Dir, "main.tf"))
	if string(after) == string(before) || !strings.Contains(string(after), "from_port   = 22") {
		t.Errorf("the ingress rule was not accepted into main.tf:\n%s", after)
	}
}
