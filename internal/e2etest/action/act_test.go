package action_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/tfdrift/tfdrift/internal/e2etest"
	"github.com/tfdrift/tfdrift/internal/githubfake"
	"github.com/tfdrift/tfdrift/internal/sarifcheck"
	"github.com/tfdrift/tfdrift/internal/tftest"
	"github.com/tfdrift/tfdrift/ticket/ghissue"
)

// actLine is one record of `act --json`: step output lines, and the
// workflow commands act recognised (annotations, set-output, summary)
// already parsed.
type actLine struct {
	Msg        string            `json:"msg"`
	Command    string            `json:"command"`
	Arg        string            `json:"arg"`
	Name       string            `json:"name"`
	KVPairs    map[string]string `json:"kvPairs"`
	Content    string            `json:"content"`
	StepID     []string          `json:"stepID"`
	StepResult string            `json:"stepResult"`
}

// TestActionUnderAct executes action.yml for real: nektos/act runs the
// workflow in testdata/act in host mode (no Docker), on a fixture
// repository whose root module drifted, with real terraform and the test
// provider. It checks what GitHub would show and what a workflow reads:
// step outputs through the composite's outputs, the job summary, the
// annotations, the SARIF and JSON reports, the exit status under two
// fail-on thresholds, and open-issues writing one issue per drifted
// resource to a fake GitHub with the job's token, twice without a
// duplicate.
func TestActionUnderAct(t *testing.T) {
	act := e2etest.ToolPath(t, "act", ".ci/install-act.sh")
	env := tftest.New(t, "testdata/act/repo")
	bin := t.TempDir()
	e2etest.BuildTfdrift(t, bin, "v0.0.0-act")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := os.Symlink(env.Terraform, filepath.Join(bin, "terraform")); err != nil {
		t.Fatal(err)
	}

	// Apply, keeping the state outside the repository (act copies the
	// repository into its own workspace), then drift the cloud.
	state := filepath.Join(t.TempDir(), "prod.tfstate")
	e2etest.Write(t, filepath.Join(env.Dir, ".tfdrift.yml"), fmt.Sprintf("version: 1\nroots:\n  - dir: envs/prod\n    backend_config: [%q]\n", "path="+state))
	prod := filepath.Join(env.Dir, "envs", "prod")
	tf := env.TfIn(t, prod)
	if err := tf.Init(ctx, tfexec.BackendConfig("path="+state)); err != nil {
		t.Fatalf("init: %v", err)
	}
	if err := tf.Apply(ctx); err != nil {
		t.Fatalf("apply: %v", err)
	}
	st, err := tf.Show(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sg := st.Values.RootModule.Resources[0].AttributeValues["id"].(string)
	env.Cloud(t).Mutate(tftest.KindSecurityGroup, sg, func(o map[string]any) {
		o["ingress"] = append(o["ingress"].([]any), map[string]any{
			"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"},
			"ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{}, "security_groups": []any{}, "self": false, "description": "",
		})
	})

	// The repository: the fixture, the action (action.yml and its
	// scripts, as a checkout of this repository holds them) and the
	// workflow, committed.
	root := e2etest.ModuleRoot(t)
	e2etest.CopyFile(t, filepath.Join(root, "action.yml"), filepath.Join(env.Dir, "action.yml"))
	for _, s := range []string{"install.sh", "run.sh"} {
		e2etest.CopyFile(t, filepath.Join(root, "action", "scripts", s), filepath.Join(env.Dir, "action", "scripts", s))
	}
	e2etest.CopyFile(t, "testdata/act/check.yml", filepath.Join(env.Dir, ".github", "workflows", "check.yml"))
	// The origin makes act's GITHUB_REPOSITORY acme/infra.
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"}, {"add", "-A"},
		{"-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "fixture"},
		{"remote", "add", "origin", "https://github.com/acme/infra.git"},
	} {
		git := exec.Command("git", args...)
		git.Dir = env.Dir
		if out, err := git.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}

	// The GitHub that open-issues writes to, with the job's token.
	gh := githubfake.New(t, githubfake.Options{})
	issuesRepo := gh.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "infra"})
	gh.AddToken(githubfake.TokenSpec{Token: "ghs_act_job_token", Actions: true, Repos: []string{"acme/infra"}})

	results := t.TempDir()
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, act, "push", "--json",
		"-P", "ubuntu-latest=-self-hosted",
		"-W", ".github/workflows/check.yml",
		"--no-cache-server", // its default address is not on this machine
		"--action-cache-path", filepath.Join(home, "act"),
		"--env", "TFDRIFT_TEST_BIN="+bin,
		"--env", "TFDRIFT_TEST_RESULTS="+results,
		"--env", "TF_CLI_CONFIG_FILE="+env.CLIConfig,
		"--env", "FAKEAWS_CLOUD_FILE="+env.CloudFile,
		"--env", "CHECKPOINT_DISABLE=1",
		"--env", "GITHUB_API_URL="+strings.TrimSuffix(gh.URL, "/"),
		"--env", "GITHUB_SERVER_URL="+strings.TrimSuffix(gh.WebURL, "/"),
		"-s", "GITHUB_TOKEN=ghs_act_job_token",
	)
	cmd.Dir = env.Dir
	cmd.Env = append(e2etest.Hermetic(), "HOME="+home)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	runErr := cmd.Run()
	t.Logf("act ran for %s", time.Since(start).Round(time.Millisecond))
	if runErr != nil {
		t.Fatalf("act: %v\nstderr:\n%s\nstdout:\n%s", runErr, stderr.String(), stdout.String())
	}
	log := stdout.String()
	var lines []actLine
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var l actLine
		if json.Unmarshal(sc.Bytes(), &l) == nil {
			lines = append(lines, l)
		}
	}

	// What a later step of the workflow read from the action's outputs.
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(e2etest.ReadFile(t, filepath.Join(results, "outputs.txt"))), "\n") {
		k, v, _ := strings.Cut(l, "=")
		got[k] = v
	}
	if diff := cmp.Diff(map[string]string{
		"outcome": "failure", "has-drift": "true", "drift-count": "1", "max-severity": "high",
		"report-json": got["report-json"], "report-sarif": "reports/drift.sarif",
		"critical-outcome": "success", "critical-drift-count": "1", "issues-outcome": "success", "issues-again-outcome": "success",
	}, got); diff != "" {
		t.Errorf("what the workflow read (-want +got):\n%s\nact log:\n%s", diff, log)
	}
	if !strings.HasSuffix(got["report-json"], "/tfdrift-report.ndjson") {
		t.Errorf("report-json = %q, want the runner's temp file", got["report-json"])
	}

	// The reports.
	sarif := []byte(e2etest.ReadFile(t, filepath.Join(results, "drift.sarif")))
	sarifcheck.Validate(t, sarif)
	if !strings.Contains(string(sarif), `"uri": "envs/prod/main.tf"`) || !strings.Contains(string(sarif), `"startLine": 23`) {
		t.Errorf("SARIF does not point at the ingress block (envs/prod/main.tf:23):\n%s", sarif)
	}
	var rec struct {
		ResourceAddress string `json:"resource_address"`
		Severity        string `json:"severity"`
		Terraform       struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"terraform"`
	}
	if err := json.Unmarshal([]byte(e2etest.ReadFile(t, filepath.Join(results, "drift.ndjson"))), &rec); err != nil || rec.ResourceAddress != "aws_security_group.web" || rec.Severity != "high" || rec.Terraform.File != "envs/prod/main.tf" || rec.Terraform.Line != 18 {
		t.Errorf("drift record = %+v (%v)", rec, err)
	}

	// The annotation, the step outputs and the job summary of the first
	// check, as act parsed them from the step.
	var annotation, summary *actLine
	outputs := map[string]string{}
	for i, l := range lines {
		if len(l.StepID) != 2 || l.StepID[0] != "drift" {
			continue
		}
		switch l.Command {
		case "error":
			annotation = &lines[i]
		case "set-output":
			outputs[l.Name] = l.Arg
		case "summary":
			summary = &lines[i]
		}
	}
	if annotation == nil {
		t.Fatalf("no ::error annotation from the check step; act log:\n%s", log)
	}
	if diff := cmp.Diff(map[string]string{
		"file": "envs/prod/main.tf", "line": "23", "title": "tfdrift: high drift: aws_security_group.web.ingress",
	}, annotation.KVPairs); diff != "" {
		t.Errorf("annotation properties (-want +got):\n%s", diff)
	}
	if !strings.Contains(annotation.Arg, "ingress changed outside Terraform; severity high. added cidr_blocks=0.0.0.0/0 from_port=22") {
		t.Errorf("annotation message = %q", annotation.Arg)
	}
	for _, name := range []string{"has-drift", "drift-count", "max-severity", "report-json", "report-sarif"} {
		if _, ok := outputs[name]; !ok {
			t.Errorf("the check step did not set output %s (set: %v)", name, outputs)
		}
	}
	if summary == nil {
		t.Fatalf("no job summary from the check step; act log:\n%s", log)
	}
	for _, s := range []string{
		"## tfdrift check: 1 drifted resource",
		"| <code>envs/prod</code> | 1 | 1 | high | 🟠 drift |",
		"| <code>ingress</code> |",
	} {
		if !strings.Contains(summary.Content, s) {
			t.Errorf("job summary lacks %q:\n%s", s, summary.Content)
		}
	}

	// open-issues: one issue for the drifted resource, with the App's
	// marker and a permalink to the checked commit; the second step
	// found the same drift and wrote nothing.
	issues := issuesRepo.Issues()
	if len(issues) != 1 {
		t.Fatalf("%d issues, want 1; act log:\n%s", len(issues), log)
	}
	is := issues[0]
	if id, ok := ghissue.ParseMarker(is.Body); !ok || !strings.HasSuffix(id, "/aws_security_group.web") ||
		is.Title != "Drift: aws_security_group.web modified by unknown" || is.User != "github-actions[bot]" ||
		!strings.Contains(is.Body, gh.WebURL+"acme/infra/blob/") || !strings.Contains(is.Body, "/envs/prod/main.tf#L18-L") {
		t.Errorf("issue %q by %s:\n%s", is.Title, is.User, is.Body)
	}
	if n := len(issuesRepo.Comments(is.Number)); n != 0 {
		t.Errorf("%d comments: the second run found the same drift and should write nothing", n)
	}
	again := false
	for _, l := range lines {
		if len(l.StepID) == 2 && l.StepID[0] == "issues-again" && strings.Contains(l.Msg, "acme/infra#1 already shows this drift") {
			again = true
		}
	}
	if !again {
		t.Errorf("the second open-issues step did not say the issue already shows the drift; act log:\n%s", log)
	}
}
