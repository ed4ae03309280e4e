package wiring

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRepoIgnoreLines: the ignore: lines of .tfdrift.yml drop attributes
// in the daemon's and replay's engine as .tfdriftignore lines do, and the
// ignore file read after them can re-include one.
func TestRepoIgnoreLines(t *testing.T) {
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
	write("repo/main.tf", "resource \"aws_instance\" \"web\" {\n  instance_type = \"t3.micro\"\n}\nresource \"aws_instance\" \"db\" {\n  instance_type = \"t3.micro\"\n}\n")
	write("repo/.tfdrift.yml", "version: 1\nroots:\n  - dir: .\nignore:\n  - aws_instance.*.instance_type\n")
	write("repo/.tfdriftignore", "!aws_instance.db.instance_type\n")
	state := write("prod.tfstate", `{"version":4,"terraform_version":"1.5.7","serial":1,"lineage":"l","resources":[`+
		`{"mode":"managed","type":"aws_instance","name":"web","provider":"provider[\"registry.terraform.io/hashicorp/aws\"]","instances":[{"schema_version":1,"attributes":{"id":"i-web","instance_type":"t3.micro"}}]},`+
		`{"mode":"managed","type":"aws_instance","name":"db","provider":"provider[\"registry.terraform.io/hashicorp/aws\"]","instances":[{"schema_version":1,"attributes":{"id":"i-db","instance_type":"t3.micro"}}]}]}`)
	var events []string
	for _, id := range []string{"i-web", "i-db"} {
		events = append(events, `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"ModifyInstanceAttribute","eventID":"e-`+id+`","readOnly":false,"recipientAccountId":"123456789012","awsRegion":"us-east-1","eventTime":"2025-01-20T14:32:15Z","userIdentity":{"type":"IAMUser","userName":"bob"},"requestParameters":{"instanceId":"`+id+`","instanceType":{"value":"t3.large"}}}`)
	}
	input := write("events.ndjson", strings.Join(events, "\n")+"\n")

	ctx := context.Background()
	det, err := NewDetector(ctx, DetectorOptions{StateFiles: []string{state}, RepoDir: filepath.Join(dir, "repo")})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	o, err := NewOutput(FormatJSON, &out)
	if err != nil {
		t.Fatal(err)
	}
	st, err := Replay(ctx, ReplayOptions{Inputs: []string{input}, Engine: det.Engine, Output: o, Diag: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Drifts != 1 || !strings.Contains(out.String(), `"resource_id":"i-db"`) || strings.Contains(out.String(), `"i-web"`) {
		t.Errorf("drifts = %d, output:\n%s\nwant only i-db (web ignored by .tfdrift.yml, db re-included by .tfdriftignore)", st.Drifts, out.String())
	}
}
