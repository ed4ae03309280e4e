package action

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaPath is the OASIS SARIF 2.1.0 schema (errata01, the published
// standard), vendored so the test needs no network.
const schemaPath = "testdata/sarif-schema-2.1.0.json"

// sarifSchema compiles the vendored schema, asserting formats (uri,
// date-time) as well as structure.
func sarifSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(SARIFSchema, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(SARIFSchema)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// ValidateSARIF fails the test unless data is a SARIF 2.1.0 log by the
// official schema that GitHub code scanning would also take: every result
// has a file location.
func validateSARIF(t testing.TB, sch *jsonschema.Schema, data []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("SARIF is not JSON: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("SARIF does not validate against the 2.1.0 schema: %v", err)
	}
	var log sarifLog
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	for _, run := range log.Runs {
		for i, res := range run.Results {
			if len(res.Locations) == 0 || res.Locations[0].PhysicalLocation == nil || res.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
				t.Errorf("result %d has no file location: GitHub code scanning would refuse the whole upload", i)
			}
			if res.RuleIndex >= len(run.Tool.Driver.Rules) || run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
				t.Errorf("result %d: ruleIndex %d does not name rule %q", i, res.RuleIndex, res.RuleID)
			}
		}
	}
}

func TestSARIFSchema(t *testing.T) {
	sch := sarifSchema(t)
	for name, r := range map[string]*Report{"sample": sampleReport(), "clean": cleanReport()} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := (SARIF{W: &buf}).Write(r); err != nil {
				t.Fatal(err)
			}
			validateSARIF(t, sch, buf.Bytes())
		})
	}
	// The schema is strict enough to catch a broken log.
	broken := []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"tfdrift"}},"results":[{"message":{"text":"x"},"level":"severe"}]}]}`)
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(broken))
	if err := sch.Validate(inst); err == nil {
		t.Error("a result with level \"severe\" validated: the schema is not being applied")
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
