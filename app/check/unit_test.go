package check

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/rules"
	"github.com/tfdrift/tfdrift/gitops/locate"
	"github.com/tfdrift/tfdrift/gitops/terraform"
	"github.com/tfdrift/tfdrift/internal/golden"
)

// TestRunRefuses: arguments that cannot work fail with exit 1 before any
// Terraform runs, with a message that names the flag or file, and the
// step outputs are still written.
func TestRunRefuses(t *testing.T) {
	repo := t.TempDir()
	if err := os.MkdirAll(filepath.Join(repo, "envs", "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	badYAML := t.TempDir()
	if err := os.WriteFile(filepath.Join(badYAML, ".tfdrift.yml"), []byte("version: 2\nroots:\n  - dir: .\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args Args
		want string
	}{
		{"fail-on", Args{RepoDir: repo, FailOn: "severe"}, `--fail-on: "severe" is not none, info, low, medium, high or critical`},
		{"dir outside", Args{RepoDir: repo, Dirs: []string{"../other"}}, `--dir "../other" is outside the repository`},
		{"glob matches nothing", Args{RepoDir: repo, Dirs: []string{"envs/*"}}, `--dir "envs/*" matches no directory with Terraform files`},
		{"bad glob", Args{RepoDir: repo, Dirs: []string{"envs/[a"}}, `--dir "envs/[a"`},
		{"missing config", Args{RepoDir: repo, ConfigFile: filepath.Join(repo, "nope.yaml")}, "nope.yaml"},
		{"bad .tfdrift.yml", Args{RepoDir: badYAML}, ".tfdrift.yml: version: 2 is not supported"},
		{"no repository", Args{RepoDir: filepath.Join(repo, "missing")}, "not a directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			outputs := filepath.Join(t.TempDir(), "out")
			env := Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: func(k string) string {
				return map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": outputs}[k]
			}}
			code, err := Check(context.Background(), env, tt.args)
			if code != ExitError || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run = %d, %v; want 1 and an error with %q", code, err, tt.want)
			}
			b, _ := os.ReadFile(outputs)
			if !strings.Contains(string(b), "has-drift=false\ndrift-count=0\n") {
				t.Errorf("outputs not written on error: %q", b)
			}
		})
	}
}

// TestRootNotChecked: a root with no Terraform files is that root's
// error; the run still reports (exit 1) rather than stopping.
func TestRootNotChecked(t *testing.T) {
	repo := t.TempDir()
	var stdout bytes.Buffer
	code, err := Check(context.Background(), Env{Stdout: &stdout}, Args{RepoDir: repo, Dirs: []string{"."}})
	if code != ExitError || err == nil {
		t.Fatalf("Run = %d, %v", code, err)
	}
	if !strings.Contains(stdout.String(), ".: not checked: ") || !strings.Contains(stdout.String(), "holds no Terraform configuration") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
}

func TestResolveRoots(t *testing.T) {
	repo := t.TempDir()
	for _, d := range []string{"envs/prod", "envs/staging", "envs/docs", "modules/net"} {
		if err := os.MkdirAll(filepath.Join(repo, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if d != "envs/docs" {
			if err := os.WriteFile(filepath.Join(repo, d, "main.tf"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	rc := &config.RepoConfig{Roots: []config.RepoRoot{
		{Dir: "envs/prod", State: "s3://b/prod", BackendConfig: []string{"key=prod"}},
		{Dir: "envs/staging", Workspace: "staging"},
	}}
	dirs := func(rs []root) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.dir)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		dirs []string
		rc   *config.RepoConfig
		want []string
	}{
		{"no .tfdrift.yml: the repository", nil, nil, []string{"."}},
		{".tfdrift.yml's roots", nil, rc, []string{"envs/prod", "envs/staging"}},
		{"a glob selects directories with code, sorted", []string{"envs/*"}, nil, []string{"envs/prod", "envs/staging"}},
		{"order kept, duplicates dropped", []string{"envs/staging/", "./envs/prod", "envs/*"}, rc, []string{"envs/staging", "envs/prod"}},
		{"absolute inside the repository", []string{filepath.Join(repo, "modules", "net")}, nil, []string{"modules/net"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolveRoots(repo, tt.dirs, tt.rc)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, dirs(got)); diff != "" {
				t.Errorf("roots (-want +got):\n%s", diff)
			}
		})
	}
	got, _ := resolveRoots(repo, []string{"envs/prod"}, rc)
	if got[0].stateName() != "s3://b/prod" || !cmp.Equal(got[0].spec.BackendConfig, []string{"key=prod"}) {
		t.Errorf("--dir of a listed root lost its entry: %+v", got[0])
	}
	if got, _ := resolveRoots(repo, []string{"modules/net"}, rc); got[0].stateName() != "modules/net" {
		t.Errorf("state name of an unlisted root = %q, want its directory", got[0].stateName())
	}
}

// FuzzInRepo: whatever --dir says, the root is a clean path inside the
// repository or an error.
func FuzzInRepo(f *testing.F) {
	for _, s := range []string{"envs/prod", "../x", "/abs", "a/../../b", "./a//b/", "envs/*", ".."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, d string) {
		p, err := inRepo("/repo", d)
		if err != nil {
			return
		}
		if p == ".." || strings.HasPrefix(p, "../") || strings.HasPrefix(p, "/") || p != filepath.ToSlash(filepath.Clean(p)) {
			t.Fatalf("inRepo(%q) = %q", d, p)
		}
	})
}

// TestPipeline: the same pieces as the engine, in its order.
func TestPipeline(t *testing.T) {
	code, err := locate.LoadFS(mapFS{
		"main.tf": "resource \"aws_instance\" \"app\" {\n  ami = \"ami-1\"\n\n  instance_type = \"t3.micro\"\n  lifecycle {\n    ignore_changes = [tags]\n  }\n}\n",
	}, ".")
	if err != nil {
		t.Fatal(err)
	}
	ign := config.IgnoreChain{mustIgnore(t, "aws_instance.app.monitoring\n")}
	set := rules.NewSet([]rules.Rule{
		{Name: "tags only", ResourceTypes: []string{"*"}, Tags: []string{"t"}},
		{Name: "first high", ResourceTypes: []string{"aws_instance"}, Severity: drift.High},
		{Name: "second high", ResourceTypes: []string{"aws_*"}, Severity: drift.High},
		{Name: "low", ResourceTypes: []string{"aws_instance"}, Severity: drift.Low},
	}, "")
	p := &pipeline{rules: set, ignore: ign}
	rr := terraform.RefreshedResource{Type: "aws_instance", ID: "i-1", ResourceDrift: terraform.ResourceDrift{
		Address: "aws_instance.app", Drifted: true, Changes: map[string]drift.AttrChange{
			"instance_type": {Expected: "t3.micro", Actual: "t3.large"},
			"ami":           {Expected: "ami-1", Actual: "ami-2"},
			"ebs_optimized": {Expected: false, Actual: true},
			"tags":          {Expected: nil, Actual: map[string]any{"a": "b"}},
			"monitoring":    {Expected: false, Actual: true},
		}}}
	d, ignored := p.drift(root{dir: "."}, code, rr)
	if ignored != 2 || d == nil {
		t.Fatalf("ignored %d, drift %v; want 2 (tags by lifecycle, monitoring by the ignore file)", ignored, d)
	}
	if diff := cmp.Diff([]string{"ami", "ebs_optimized", "instance_type"}, d.Attributes()); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"ami": 2, "instance_type": 4}, d.Lines); diff != "" {
		t.Errorf("lines (-want +got): ebs_optimized is not written\n%s", diff)
	}
	if d.Severity != drift.High || d.Rule != "first high" || !cmp.Equal(d.Tags, []string{"t"}) || d.Terraform.Line != 1 || d.Terraform.File != "main.tf" {
		t.Errorf("drift = severity %s rule %q tags %v at %s:%d", d.Severity, d.Rule, d.Tags, d.Terraform.File, d.Terraform.Line)
	}
	if d.Fingerprint == "" || !strings.HasPrefix(d.EventID, "evt_") || d.Terraform.State != "." || d.Terraform.Workspace != "default" {
		t.Errorf("record identity: fingerprint %q, event %q, state %q, workspace %q", d.Fingerprint, d.EventID, d.Terraform.State, d.Terraform.Workspace)
	}

	onlyIgnored := rr
	onlyIgnored.Changes = map[string]drift.AttrChange{"tags": {}, "monitoring": {}}
	if d, n := p.drift(root{dir: "."}, code, onlyIgnored); d != nil || n != 2 {
		t.Errorf("a drift left with no attribute: %v, %d ignored; want dropped", d, n)
	}
	deleted := rr
	deleted.Deleted, deleted.Changes = true, nil
	if d, _ := p.drift(root{dir: "."}, code, deleted); d == nil || d.ChangeType != drift.Deleted || len(d.Changes) != 0 {
		t.Errorf("deleted: %+v", d)
	}
	if d, _ := (&pipeline{}).drift(root{dir: "."}, nil, rr); d == nil || d.Severity != drift.Medium || d.Rule != "" || d.Terraform.File != "" {
		t.Errorf("without rules or code: %+v", d)
	}
}

func mustIgnore(t *testing.T, text string) *ignoreMatcher {
	t.Helper()
	m, err := parseIgnore(text)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestWriteSummary: the demo's call renders a check's job summary for
// drifts found another way.
func TestWriteSummary(t *testing.T) {
	code, err := locate.LoadFS(mapFS{
		"modules/net/sg.tf": "resource \"aws_security_group\" \"web\" {\n  name = \"web\"\n\n  ingress {\n    from_port = 443\n  }\n}\n",
		"main.tf":           "module \"network\" {\n  source = \"./modules/net\"\n}\n",
	}, ".")
	if err != nil {
		t.Fatal(err)
	}
	d := &drift.Drift{
		ChangeType: drift.Modified, ResourceType: "aws_security_group", ResourceID: "sg-1",
		ResourceAddress: "module.network.aws_security_group.web", Severity: drift.Critical,
		Rules: []string{"Security Group Ingress Rule Violation"}, Tags: []string{"security-incident"},
		Changes: map[string]drift.AttrChange{"ingress": {Expected: []any{}, Actual: []any{map[string]any{"from_port": 22}}, Diff: "added from_port=22"}},
	}
	d.Terraform, _ = code.Location(d.ResourceAddress)
	var buf bytes.Buffer
	if err := WriteSummary(&buf, ".", code, 12, "", []*drift.Drift{d}); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/golden/demo-summary.md", buf.Bytes())
	if !strings.Contains(buf.String(), "modules/net/sg.tf:4") {
		t.Errorf("the ingress block's own line is missing:\n%s", buf.String())
	}
}
