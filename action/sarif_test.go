package action

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/internal/sarifcheck"
)

func TestSARIFSchema(t *testing.T) {
	if SARIFSchema != sarifcheck.SchemaURI {
		t.Errorf("the log names schema %s, the vendored schema is %s", SARIFSchema, sarifcheck.SchemaURI)
	}
	for name, r := range map[string]*Report{"sample": sampleReport(), "clean": cleanReport()} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := (SARIF{W: &buf}).Write(r); err != nil {
				t.Fatal(err)
			}
			sarifcheck.Validate(t, buf.Bytes())
		})
	}
	// The schema is strict enough to catch a broken log, and the GitHub
	// rules catch a result without a file.
	for name, broken := range map[string]string{
		"bad level":   `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"tfdrift"}},"results":[{"message":{"text":"x"},"level":"severe"}]}]}`,
		"no location": `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"tfdrift"}},"results":[{"message":{"text":"x"},"level":"error"}]}]}`,
	} {
		if err := sarifcheck.Check([]byte(broken)); err == nil {
			t.Errorf("%s: a broken log passed", name)
		}
	}
}

// TestSARIFResults: one result per drifted attribute at the attribute's
// line, the resource's line when the code does not write it, the root's
// file for a resource not in the code; rule and level from the drift.
func TestSARIFResults(t *testing.T) {
	var buf bytes.Buffer
	if err := (SARIF{W: &buf}).Write(sampleReport()); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	type row struct {
		Rule, Level, Name, URI string
		Line                   int
	}
	var got []row
	for _, res := range log.Runs[0].Results {
		loc := res.Locations[0]
		got = append(got, row{res.RuleID, res.Level, loc.LogicalLocations[0].FullyQualifiedName,
			loc.PhysicalLocation.ArtifactLocation.URI, loc.PhysicalLocation.Region.StartLine})
	}
	want := []row{
		{"tfdrift/drift", "warning", "aws_s3_bucket_public_access_block.assets", "envs/prod/s3%20buckets.tf", 9},
		{"Security Group Ingress Rule Violation", "error", "aws_security_group.web.description", "envs/prod/network.tf", 12},
		{"Security Group Ingress Rule Violation", "error", "aws_security_group.web.ingress", "envs/prod/network.tf", 16},
		{"tfdrift/drift", "note", `aws_instance.workers["a"].instance_type`, "envs/prod/main.tf", 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if inv := log.Runs[0].Invocations[0]; inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 1 {
		t.Errorf("invocation = %+v, want unsuccessful with the failed root's error", inv)
	}
}
