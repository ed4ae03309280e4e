package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMultiRootRepo: one repository, two root modules (prod and staging)
// that both declare aws_security_group.web. .tfdrift.yml says which state
// each writes, so each drift points at its own environment's code.
func TestMultiRootRepo(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	repo := filepath.Join(dir, "infra")
	write("infra/envs/prod/main.tf", "# prod\n\nresource \"aws_security_group\" \"web\" {\n  name = \"web-prod\"\n}\n")
	write("infra/envs/staging/main.tf", "# staging\n# has one more comment line\n\n\nresource \"aws_security_group\" \"web\" {\n  name = \"web-staging\"\n}\n")
	state := func(name, id string) string {
		return write(name, fmt.Sprintf(`{"version":4,"terraform_version":"1.5.7","serial":1,"lineage":"l","resources":[{"mode":"managed","type":"aws_security_group","name":"web","provider":"provider[\"registry.terraform.io/hashicorp/aws\"]","instances":[{"schema_version":1,"attributes":{"id":%q,"name":"web","ingress":[],"egress":[]}}]}]}`, id))
	}
	prod, staging := state("prod.tfstate", "sg-prod"), state("staging.tfstate", "sg-staging")
	write("infra/.tfdrift.yml", "roots:\n  - dir: envs/prod\n    state: "+prod+"\n  - dir: envs/staging\n    state: "+staging+"\n")
	var lines []string
	for i, sg := range []string{"sg-prod", "sg-staging"} {
		lines = append(lines, fmt.Sprintf(`{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","eventID":"m%d","readOnly":false,"recipientAccountId":"123456789012","awsRegion":"us-east-1","eventTime":"2025-01-20T14:32:15Z","userIdentity":{"type":"IAMUser","userName":"bob"},"requestParameters":{"groupId":%q,"ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}}`, i, sg))
	}
	events := write("events.ndjson", strings.Join(lines, "\n")+"\n")

	r := runCmd(t, "", "replay", "--state", prod, "--state", staging, "--repo", repo, "--format", "json", events)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var rec struct {
			ResourceID string `json:"resource_id"`
			Terraform  struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"terraform"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		got[rec.ResourceID] = fmt.Sprintf("%s:%d", rec.Terraform.File, rec.Terraform.Line)
	}
	want := map[string]string{"sg-prod": "envs/prod/main.tf:3", "sg-staging": "envs/staging/main.tf:5"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("locations %v, want %v", got, want)
	}

	// accept edits each environment's own file.
	acc := runCmd(t, "", "accept", "--repo", repo, "--state", prod, "--state", staging, "--dry-run", events)
	if acc.code != 0 || !strings.Contains(acc.stdout, "--- a/envs/prod/main.tf") || !strings.Contains(acc.stdout, "--- a/envs/staging/main.tf") {
		t.Errorf("accept across roots: exit %d\n%s\n%s", acc.code, acc.stdout, acc.stderr)
	}

	bad := runCmd(t, "", "replay", "--state", prod, "--repo", write("bad/.tfdrift.yml", "roots:\n  - dri: x\n")[:len(dir)+4], events)
	if bad.code != 1 || !strings.Contains(bad.stderr, ".tfdrift.yml") || !strings.Contains(bad.stderr, "line 2") {
		t.Errorf("bad .tfdrift.yml: exit %d, stderr %q", bad.code, bad.stderr)
	}
}
