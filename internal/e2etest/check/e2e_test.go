package check_test

// End-to-end: the real Terraform v1.5.7 (tftest; a missing binary fails,
// never skips) and tftest's fake hashicorp/aws, whose cloud is a JSON file
// the tests change out of band. The fixture repository (testdata/repo)
// has two roots; envs/broken cannot init.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/tfdrift/tfdrift/app/check"
	"github.com/tfdrift/tfdrift/internal/sarifcheck"
	"github.com/tfdrift/tfdrift/internal/tftest"
)

// fixture is the applied prod root of testdata/repo.
type fixture struct {
	env   *tftest.Env
	cloud tftest.Cloud
	ids   map[string]string // address → id
	out   string            // a directory for reports
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	env := tftest.New(t, "testdata/repo")
	f := &fixture{env: env, cloud: env.Cloud(t), ids: map[string]string{}, out: t.TempDir()}
	tf := env.TfIn(t, filepath.Join(env.Dir, "envs", "prod"))
	if err := tf.Init(ctx, tfexec.BackendConfig("path=prod.tfstate")); err != nil {
		t.Fatalf("init: %v", err)
	}
	if err := tf.Apply(ctx); err != nil {
		t.Fatalf("apply: %v", err)
	}
	st, err := tf.Show(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Values.RootModule.Resources {
		f.ids[r.Address] = r.AttributeValues["id"].(string)
	}
	return f
}

// result is one Run.
type result struct {
	code                int
	err                 error
	stdout, stderr      string
	summary, outputs    string
	jsonPath, sarifPath string
}

// run runs the check inside a simulated GitHub Actions step.
func (f *fixture) run(t *testing.T, a check.Args) result {
	t.Helper()
	return f.runWith(t, a, nil)
}

// runWith is run with more environment variables (or, set to "", fewer).
func (f *fixture) runWith(t *testing.T, a check.Args, extra map[string]string) result {
	t.Helper()
	summary := filepath.Join(f.out, "summary.md")
	outputs := filepath.Join(f.out, "outputs.txt")
	for _, p := range []string{summary, outputs} {
		os.Remove(p)
	}
	a.RepoDir = f.env.Dir
	a.TerraformEnv = f.env.Environ()
	a.JSONFile = filepath.Join(f.out, "drift.ndjson")
	a.SARIFFile = filepath.Join(f.out, "drift.sarif")
	for _, p := range []string{a.JSONFile, a.SARIFFile} {
		os.Remove(p) // a run that writes no report leaves none behind
	}
	a.Version = "v0.0.0-test"
	if a.ConfigFile == "" {
		a.ConfigFile = "testdata/tfdrift.yaml"
	}
	genv := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary, "GITHUB_OUTPUT": outputs,
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/infra", "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
	}
	for k, v := range extra {
		genv[k] = v
	}
	var stdout, stderr bytes.Buffer
	env := check.Env{
		Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string { return genv[k] },
		Now:    func() time.Time { return time.Date(2025, 1, 20, 15, 0, 0, 0, time.UTC) },
	}
	code, err := check.Check(context.Background(), env, a)
	r := result{code: code, err: err, stdout: stdout.String(), stderr: stderr.String(), jsonPath: a.JSONFile, sarifPath: a.SARIFFile}
	// A check that stops before the reports (bad arguments) writes no
	// summary; the outputs are always written.
	if _, err := os.Stat(summary); err == nil {
		r.summary = readFile(t, summary)
	}
	r.outputs = readFile(t, outputs)
	return r
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return string(b)
}

// lineOf is the 1-based line of the first line of file holding text.
func lineOf(t *testing.T, file, text string) int {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(readFile(t, file)))
	for n := 1; sc.Scan(); n++ {
		if strings.Contains(sc.Text(), text) {
			return n
		}
	}
	t.Fatalf("%s has no line with %q", file, text)
	return 0
}

// record is what the tests read of a drift record.
type record struct {
	ResourceAddress string                     `json:"resource_address"`
	ResourceID      string                     `json:"resource_id"`
	ChangeType      string                     `json:"change_type"`
	Severity        string                     `json:"severity"`
	Rules           []string                   `json:"rules"`
	Tags            []string                   `json:"tags"`
	Changes         map[string]json.RawMessage `json:"changes"`
	CloudTrail      map[string]string          `json:"cloudtrail"`
	Terraform       struct {
		State, Workspace, File, Root, Repo, Ref string
		Line                                    int
	} `json:"terraform"`
}

func records(t *testing.T, path string) []record {
	t.Helper()
	var out []record
	for _, l := range strings.Split(strings.TrimSpace(readFile(t, path)), "\n") {
		if l == "" {
			continue
		}
		var r record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("record %q: %v", l, err)
		}
		out = append(out, r)
	}
	return out
}

// outputsOf reads the $GITHUB_OUTPUT file (single-line entries).
func outputsOf(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			t.Fatalf("output line %q", l)
		}
		out[k] = v
	}
	return out
}

func prodOnly(a check.Args) check.Args {
	a.Dirs = []string{"envs/prod"}
	return a
}

// TestCheck walks one root from clean to drifted: exit 0, then a medium
// drift that --fail-on critical lets pass and --fail-on medium fails, then
// drift of every kind with everything a workflow reads.
func TestCheck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	t.Run("clean", func(t *testing.T) {
		r := f.run(t, prodOnly(check.Args{}))
		if r.code != check.ExitOK || r.err != nil {
			t.Fatalf("exit %d (%v), want 0\nstdout:\n%s\nstderr:\n%s", r.code, r.err, r.stdout, r.stderr)
		}
		if diff := cmp.Diff(map[string]string{
			"has-drift": "false", "drift-count": "0", "max-severity": "none",
			"report-json": r.jsonPath, "report-sarif": r.sarifPath,
		}, outputsOf(t, r.outputs)); diff != "" {
			t.Errorf("outputs (-want +got):\n%s", diff)
		}
		if !strings.Contains(r.stdout, "envs/prod: 4 resources refreshed, 0 drifted") || !strings.Contains(r.summary, "## tfdrift check: no drift") {
			t.Errorf("stdout:\n%s\nsummary:\n%s", r.stdout, r.summary)
		}
		if strings.Contains(r.stdout, "::") {
			t.Errorf("annotations for a clean run:\n%s", r.stdout)
		}
		sarifcheck.Validate(t, []byte(readFile(t, r.sarifPath)))
		if got := readFile(t, r.jsonPath); got != "" {
			t.Errorf("--json for a clean run: %q", got)
		}
	})

	f.cloud.Mutate(tftest.KindInstance, f.ids["aws_instance.app"], func(o map[string]any) {
		o["instance_type"] = "t3.large"
		o["tags"] = map[string]any{"Name": "app", "Owner": "bob"} // lifecycle.ignore_changes
	})

	t.Run("medium drift under --fail-on critical", func(t *testing.T) {
		r := f.run(t, prodOnly(check.Args{FailOn: "critical"}))
		if r.code != check.ExitOK || r.err != nil {
			t.Fatalf("exit %d (%v), want 0\n%s%s", r.code, r.err, r.stdout, r.stderr)
		}
		out := outputsOf(t, r.outputs)
		if out["has-drift"] != "true" || out["drift-count"] != "1" || out["max-severity"] != "medium" {
			t.Errorf("outputs = %v", out)
		}
		if !strings.Contains(r.stdout, "Nothing at or above critical.") {
			t.Errorf("stdout:\n%s", r.stdout)
		}
		if r := f.run(t, prodOnly(check.Args{FailOn: "medium"})); r.code != check.ExitDrift {
			t.Errorf("--fail-on medium: exit %d (%v), want 2", r.code, r.err)
		}
		if r := f.run(t, prodOnly(check.Args{FailOn: "none"})); r.code != check.ExitOK {
			t.Errorf("--fail-on none: exit %d (%v), want 0", r.code, r.err)
		}
	})

	sg := f.ids["aws_security_group.web"]
	f.cloud.Mutate(tftest.KindSecurityGroup, sg, func(o map[string]any) {
		o["ingress"] = append(o["ingress"].([]any), map[string]any{
			"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"},
			"ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{}, "security_groups": []any{}, "self": false, "description": "",
		})
		o["description"] = "opened for debugging"
		o["tags"] = map[string]any{"Name": "web", "Temp": "yes"} // .tfdrift.yml ignore:
	})
	f.cloud.Delete(tftest.KindPublicAccessBlock, "acme-logs")
	f.cloud.Mutate(tftest.KindPublicAccessBlock, "acme-assets", func(o map[string]any) {
		o["block_public_policy"] = false // .tfdriftignore
	})

	t.Run("drift", func(t *testing.T) {
		r := f.run(t, prodOnly(check.Args{}))
		if r.code != check.ExitDrift || r.err != nil {
			t.Fatalf("exit %d (%v), want 2\nstdout:\n%s\nstderr:\n%s", r.code, r.err, r.stdout, r.stderr)
		}
		network := filepath.Join(f.env.Dir, "envs/prod/network.tf")
		compute := filepath.Join(f.env.Dir, "envs/prod/compute.tf")
		s3 := filepath.Join(f.env.Dir, "envs/prod/s3.tf")
		sgLine, ingressLine, descLine := lineOf(t, network, `resource "aws_security_group" "web"`), lineOf(t, network, "ingress {"), lineOf(t, network, `description = "Web tier"`)
		typeLine, logsLine := lineOf(t, compute, "instance_type"), lineOf(t, s3, `"logs"`)

		// The drift records.
		recs := records(t, r.jsonPath)
		var got []string
		for _, rec := range recs {
			got = append(got, fmt.Sprintf("%s %s %s %s:%d %v", rec.ResourceAddress, rec.ChangeType, rec.Severity,
				rec.Terraform.File, rec.Terraform.Line, slices.Sorted(mapsKeys(rec.Changes))))
			if rec.CloudTrail["event_id"] != "" || rec.CloudTrail["event_name"] != "" || rec.CloudTrail["source_ip"] != "" {
				t.Errorf("%s: cloudtrail = %v, want empty", rec.ResourceAddress, rec.CloudTrail)
			}
			if rec.Terraform.State != "prod" || rec.Terraform.Root != "envs/prod" || rec.Terraform.Repo != "acme/infra" || rec.Terraform.Ref == "" {
				t.Errorf("%s: terraform = %+v", rec.ResourceAddress, rec.Terraform)
			}
		}
		want := []string{
			"aws_instance.app modified medium envs/prod/compute.tf:1 [instance_type]",
			fmt.Sprintf("aws_s3_bucket_public_access_block.logs deleted medium envs/prod/s3.tf:%d []", logsLine),
			fmt.Sprintf("aws_security_group.web modified high envs/prod/network.tf:%d [description ingress]", sgLine),
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
		for _, rec := range recs {
			if rec.ResourceAddress == "aws_security_group.web" && (!cmp.Equal(rec.Rules, []string{"Security Group Ingress Rule Violation"}) || !cmp.Equal(rec.Tags, []string{"security"}) || rec.ResourceID != sg) {
				t.Errorf("security group record: rules %v, tags %v, id %s", rec.Rules, rec.Tags, rec.ResourceID)
			}
		}

		// SARIF: valid, one result per attribute at its own line.
		sarif := []byte(readFile(t, r.sarifPath))
		sarifcheck.Validate(t, sarif)
		var log struct {
			Runs []struct {
				Results []struct {
					RuleID    string `json:"ruleId"`
					Level     string `json:"level"`
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
							Region           struct{ StartLine int } `json:"region"`
						} `json:"physicalLocation"`
						LogicalLocations []struct{ FullyQualifiedName string } `json:"logicalLocations"`
					} `json:"locations"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(sarif, &log); err != nil {
			t.Fatal(err)
		}
		var results []string
		for _, res := range log.Runs[0].Results {
			l := res.Locations[0]
			results = append(results, fmt.Sprintf("%s %s %s %s:%d", l.LogicalLocations[0].FullyQualifiedName, res.RuleID, res.Level,
				l.PhysicalLocation.ArtifactLocation.URI, l.PhysicalLocation.Region.StartLine))
		}
		wantResults := []string{
			fmt.Sprintf("aws_instance.app.instance_type tfdrift/drift warning envs/prod/compute.tf:%d", typeLine),
			fmt.Sprintf("aws_s3_bucket_public_access_block.logs tfdrift/drift warning envs/prod/s3.tf:%d", logsLine),
			fmt.Sprintf("aws_security_group.web.description Security Group Ingress Rule Violation error envs/prod/network.tf:%d", descLine),
			fmt.Sprintf("aws_security_group.web.ingress Security Group Ingress Rule Violation error envs/prod/network.tf:%d", ingressLine),
		}
		if diff := cmp.Diff(wantResults, results); diff != "" {
			t.Errorf("SARIF results (-want +got):\n%s", diff)
		}

		// Annotations on stdout, by severity, at the same lines.
		for _, a := range []string{
			fmt.Sprintf("::error file=envs/prod/network.tf,line=%d,title=tfdrift%%3A high drift%%3A aws_security_group.web.ingress::", ingressLine),
			fmt.Sprintf("::warning file=envs/prod/compute.tf,line=%d,title=tfdrift%%3A medium drift%%3A aws_instance.app.instance_type::", typeLine),
			fmt.Sprintf("::warning file=envs/prod/s3.tf,line=%d,", logsLine),
		} {
			if !strings.Contains(r.stdout, a) {
				t.Errorf("stdout lacks annotation %q:\n%s", a, r.stdout)
			}
		}

		// Outputs and the job summary.
		if diff := cmp.Diff(map[string]string{
			"has-drift": "true", "drift-count": "3", "max-severity": "high",
			"report-json": r.jsonPath, "report-sarif": r.sarifPath,
		}, outputsOf(t, r.outputs)); diff != "" {
			t.Errorf("outputs (-want +got):\n%s", diff)
		}
		for _, s := range []string{
			"## tfdrift check: 3 drifted resources",
			"| <code>envs/prod</code> | 4 | 3 | high | 🟠 drift |",
			fmt.Sprintf(`<a href="https://github.com/acme/infra/blob/0123456789abcdef0123456789abcdef01234567/envs/prod/network.tf#L%d">envs/prod/network.tf:%d</a>`, ingressLine, ingressLine),
			"| <code>instance&#95;type</code> | <code>&#34;t3.micro&#34;</code> | <code>&#34;t3.large&#34;</code> |",
		} {
			if !strings.Contains(r.summary, s) {
				t.Errorf("job summary lacks %q:\n%s", s, r.summary)
			}
		}
		// Three attributes were ignored: the instance's tags
		// (lifecycle), the group's tags (.tfdrift.yml), the assets block's
		// policy flag (.tfdriftignore), which leaves that drift empty.
		if !strings.Contains(r.stdout, "envs/prod: 4 resources refreshed, 3 drifted (3 attributes ignored)") {
			t.Errorf("stdout:\n%s", r.stdout)
		}
	})

	t.Run("two roots, one broken", func(t *testing.T) {
		r := f.run(t, check.Args{Parallel: 2}) // the roots of .tfdrift.yml
		if r.code != check.ExitError || r.err == nil || !strings.Contains(r.err.Error(), "1 of 2 root modules not checked") {
			t.Fatalf("exit %d (%v), want 1 naming the failed root\n%s", r.code, r.err, r.stdout)
		}
		if !strings.Contains(r.stdout, "envs/broken: not checked:") || !strings.Contains(r.stdout, "no_such_argument") {
			t.Errorf("stdout does not show the broken root's error:\n%s", r.stdout)
		}
		if n := len(records(t, r.jsonPath)); n != 3 {
			t.Errorf("--json has %d records, want prod's 3", n)
		}
		if out := outputsOf(t, r.outputs); out["drift-count"] != "3" || out["has-drift"] != "true" {
			t.Errorf("outputs = %v", out)
		}
		if !strings.Contains(r.summary, "### <code>envs/broken</code>: not checked") || !strings.Contains(r.summary, "no_such_argument") {
			t.Errorf("summary:\n%s", r.summary)
		}
		if !strings.Contains(r.stdout, "::error title=tfdrift check%3A root module envs/broken was not checked::") {
			t.Errorf("no annotation for the broken root:\n%s", r.stdout)
		}
		sarif := readFile(t, r.sarifPath)
		sarifcheck.Validate(t, []byte(sarif))
		if !strings.Contains(sarif, `"executionSuccessful": false`) {
			t.Error("SARIF invocation does not record the failed root")
		}
	})
}

func mapsKeys(m map[string]json.RawMessage) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
