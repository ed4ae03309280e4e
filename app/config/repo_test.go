package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/ignore"
)

func TestParseRepo(t *testing.T) {
	rc, err := ParseRepo(".tfdrift.yml", []byte(`roots:
  - dir: envs/prod/
    state: s3://acme-tf/prod/terraform.tfstate
    var_files: [prod.tfvars]
  - dir: envs/staging
    workspace: staging
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []RepoRoot{
		{Dir: "envs/prod", State: "s3://acme-tf/prod/terraform.tfstate", VarFiles: []string{"prod.tfvars"}, Issues: true, MinSeverity: drift.Low, Line: 2, Mode: ModeIssue},
		{Dir: "envs/staging", Workspace: "staging", Issues: true, MinSeverity: drift.Low, Line: 5, Mode: ModeIssue},
	}
	if diff := cmp.Diff(want, rc.Roots); diff != "" {
		t.Errorf("roots (-want +got):\n%s", diff)
	}
	for _, tt := range []struct{ yaml, want string }{
		{"roots:\n  - dir: a\n    stat: x\n", ".tfdrift.yml: line 3: field stat not found"},
		{"roots:\n  - state: x\n", "roots[0].dir: missing"},
		{"roots:\n  - dir: ../other\n", `roots[0].dir: "../other" is outside the repository`},
		{"roots:\n  - dir: a\n    state: x\n  - dir: a/\n    state: y\n", `roots[1].dir: "a/" is already roots[0]`},
		{"roots:\n  - dir: a\n  - dir: b\n", "roots[0]: set state (or workspace)"},
		{"roots: []\n", "roots: list the repository's root modules"},
		{"roots:\n  dir: a\n", ".tfdrift.yml: line 2: cannot unmarshal"},
	} {
		_, err := ParseRepo(".tfdrift.yml", []byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.want)
		}
	}
}

func FuzzParseRepo(f *testing.F) {
	f.Add([]byte("roots:\n  - dir: envs/prod\n    state: s3://b/k\n"))
	f.Add([]byte("version: 1\nroots:\n  - dir: a\n    backend_config: [x=y]\nignore:\n  - \"**.tags_all\"\n  - \"!aws_instance.x.tags\"\n"))
	f.Add([]byte("roots:\n  - dir: a\n    issues: false\n    labels: [x]\n    assignees: [al-ice]\n    min_severity: high\n"))
	f.Add([]byte("revert_permission: admin\nroots:\n  - dir: a\n    mode: pr\n    reviewers: [alice, acme/platform]\n    labels: [infra]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rc, err := ParseRepo("f.yml", data)
		if err == nil && len(rc.Roots) == 0 {
			t.Fatal("accepted a file without roots")
		}
		var re *RepoError
		if err != nil && !errors.As(err, &re) {
			t.Fatalf("error %T, want *RepoError", err)
		}
		for _, r := range rcRoots(rc) {
			if r.MinSeverity.Rank() == 0 {
				t.Fatalf("root %s: severity %q", r.Dir, r.MinSeverity)
			}
		}
	})
}

func TestParseRepoCheckKeys(t *testing.T) {
	rc, err := ParseRepo(".tfdrift.yml", []byte(`version: 1
roots:
  - dir: envs/prod
    backend_config: [prod.s3.tfbackend, "key=prod/terraform.tfstate"]
ignore:
  - aws_autoscaling_group.*.desired_capacity
  # a comment between entries
  - "**.tags_all"
  - "!aws_instance.critical.tags_all"
`))
	if err != nil {
		t.Fatal(err)
	}
	if rc.Version != RepoVersion {
		t.Errorf("Version = %d", rc.Version)
	}
	if diff := cmp.Diff([]string{"prod.s3.tfbackend", "key=prod/terraform.tfstate"}, rc.Roots[0].BackendConfig); diff != "" {
		t.Errorf("backend_config (-want +got):\n%s", diff)
	}
	var got []string
	for _, r := range rc.Ignore.Rules() {
		got = append(got, fmt.Sprintf("%s:%d %v %s", r.File, r.Line, r.Negate, r.Pattern))
	}
	want := []string{
		".tfdrift.yml:6 false aws_autoscaling_group.*.desired_capacity",
		".tfdrift.yml:8 false **.tags_all",
		".tfdrift.yml:9 true aws_instance.critical.tags_all",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ignore rules (-want +got):\n%s", diff)
	}
	if !rc.Ignore.Ignored("module.a.aws_instance.web", "tags_all") || rc.Ignore.Ignored("aws_instance.critical", "tags_all") {
		t.Error("ignore lines do not match as .tfdriftignore lines would")
	}
	if rc, err := ParseRepo(".tfdrift.yml", []byte("roots:\n  - dir: .\n")); err != nil || rc.Version != RepoVersion || rc.Ignore != nil {
		t.Errorf("without version and ignore: %+v, %v", rc, err)
	}

	for _, tt := range []struct{ yaml, want string }{
		{"version: 2\nroots:\n  - dir: a\n", ".tfdrift.yml: version: 2 is not supported (the only version is 1)"},
		{"version: one\nroots:\n  - dir: a\n", ".tfdrift.yml: line 1: cannot unmarshal"},
		{"roots:\n  - dir: a\n    backend_config: [\"\"]\n", "roots[0].backend_config[0]: empty"},
		{"roots:\n  - dir: a\n    backend_config: x=y\n", "line 3: cannot unmarshal"},
		{"roots:\n  - dir: a\nignore: aws_instance.x\n", ".tfdrift.yml: line 3: ignore: want a list of patterns"},
		{"roots:\n  - dir: a\nignore:\n  - aws_instance.x\n  - {a: b}\n", ".tfdrift.yml: line 5: ignore[1]: want a pattern string"},
		{"roots:\n  - dir: a\nignore:\n  - aws_instance.x\n  - \"!\"\n", ".tfdrift.yml: line 5: ignore: '!' without a pattern"},
		{"roots:\n  - dir: a\nignore:\n  - \"a\\nb\"\n", "ignore[0]: one pattern per entry"},
		{"roots:\n  - dir: a\nignore:\n  - *.tags_all\n", "line 4"},
	} {
		_, err := ParseRepo(".tfdrift.yml", []byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.want)
		}
	}
}

func TestIgnoreChain(t *testing.T) {
	yml, err := ParseRepo(".tfdrift.yml", []byte("roots:\n  - dir: .\nignore:\n  - \"**.tags_all\"\n  - aws_instance.*.tags\n"))
	if err != nil {
		t.Fatal(err)
	}
	file, err := ignore.Parse(".tfdriftignore", strings.NewReader("!aws_instance.critical.tags_all\n"))
	if err != nil {
		t.Fatal(err)
	}
	chain := IgnoreChain{yml.Ignore, nil, file}
	for _, tt := range []struct {
		addr, attr string
		want       bool
	}{
		{"aws_instance.web", "tags_all", true},
		{"aws_instance.critical", "tags_all", false}, // the file re-includes what the YAML ignores
		{"aws_instance.web", "tags", true},
		{"aws_instance.web", "instance_type", false},
	} {
		if got := chain.Ignored(tt.addr, tt.attr); got != tt.want {
			t.Errorf("Ignored(%s, %s) = %v, want %v", tt.addr, tt.attr, got, tt.want)
		}
	}
	if chain.Len() != 3 {
		t.Errorf("Len = %d, want 3", chain.Len())
	}
}

// TestParseRepoIssueKeys: the keys that say how the GitHub App files a
// root's drifts, their defaults, and their mistakes.
func TestParseRepoIssueKeys(t *testing.T) {
	rc, err := ParseRepo(".tfdrift.yml", []byte(`roots:
  - dir: envs/prod
    state: prod
    labels: [team:platform, " infra "]
    assignees: [alice, "@bob"]
    min_severity: High
  - dir: envs/dev
    state: dev
    issues: false
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []RepoRoot{
		{Dir: "envs/prod", State: "prod", Issues: true, Labels: []string{"team:platform", "infra"}, Assignees: []string{"alice", "bob"}, MinSeverity: drift.High, Line: 2, Mode: ModeIssue},
		{Dir: "envs/dev", State: "dev", Issues: false, MinSeverity: drift.Low, Line: 7, Mode: ModeIssue},
	}
	if diff := cmp.Diff(want, rc.Roots); diff != "" {
		t.Errorf("roots (-want +got):\n%s", diff)
	}
	long := strings.Repeat("x", 51)
	for _, tt := range []struct {
		yaml string
		want []RepoProblem
	}{
		{"roots:\n  - dir: a\n    min_severity: urgent\n",
			[]RepoProblem{{".tfdrift.yml", 3, `roots[0].min_severity: "urgent" is not a severity (want info, low, medium, high or critical)`}}},
		{"roots:\n  - dir: a\n    labels: [ok, \"\", " + long + "]\n",
			[]RepoProblem{{".tfdrift.yml", 3, "roots[0].labels[1]: empty label"}, {".tfdrift.yml", 3, `roots[0].labels[2]: "` + long + `" is longer than GitHub's 50 characters`}}},
		{"roots:\n  - dir: a\n    assignees:\n      - alice\n      - not a login\n",
			[]RepoProblem{{".tfdrift.yml", 5, `roots[0].assignees[1]: "not a login" is not a GitHub login`}}},
		{"roots:\n  - dir: a\n    issues: sometimes\n",
			[]RepoProblem{{".tfdrift.yml", 3, "line 3: cannot unmarshal !!str `sometimes`"}}},
		{"roots:\n  - dir: a\n    state: x\n  - dir: a/\n    state: y\n",
			[]RepoProblem{{".tfdrift.yml", 4, `roots[1].dir: "a/" is already roots[0]`}}},
		{"version: 2\nroots:\n  - dir: a\n", []RepoProblem{{".tfdrift.yml", 1, "version: 2 is not supported (the only version is 1)"}}},
		{"roots:\n  - dir: a\nignore:\n  - aws_instance.x\n  - \"!\"\n", []RepoProblem{{".tfdrift.yml", 5, "line 5: ignore: '!' without a pattern"}}},
		{"roots:\n  - dir: a\nignore: aws_instance.x\n", []RepoProblem{{".tfdrift.yml", 3, "line 3: ignore: want a list of patterns, one a line as in .tfdriftignore"}}},
	} {
		_, err := ParseRepo(".tfdrift.yml", []byte(tt.yaml))
		var re *RepoError
		if !errors.As(err, &re) {
			t.Errorf("%q: error %v, want a *RepoError", tt.yaml, err)
			continue
		}
		got := re.Problems
		for i := range got {
			if i < len(tt.want) && strings.HasPrefix(got[i].Msg, tt.want[i].Msg) {
				got[i].Msg = tt.want[i].Msg // yaml.v3's tail of the message is its own
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.yaml, diff)
		}
	}
}

func rcRoots(rc *RepoConfig) []RepoRoot {
	if rc == nil {
		return nil
	}
	return rc.Roots
}

// TestParseRepoReconcileKeys: mode, reviewers and labels per root, and
// revert_permission for the repository, with their defaults and errors.
func TestParseRepoReconcileKeys(t *testing.T) {
	rc, err := ParseRepo(".tfdrift.yml", []byte(`revert_permission: write
roots:
  - dir: envs/prod
    state: s3://acme-tf/prod/terraform.tfstate
    mode: pr
    reviewers: [alice, acme/platform-team]
    labels: [infra, prod]
  - dir: envs/staging
    state: s3://acme-tf/staging/terraform.tfstate
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []RepoRoot{
		{Dir: "envs/prod", State: "s3://acme-tf/prod/terraform.tfstate", Mode: ModePR, Issues: true, MinSeverity: drift.Low, Line: 3,
			Reviewers: []string{"alice", "acme/platform-team"}, Labels: []string{"infra", "prod"}},
		{Dir: "envs/staging", State: "s3://acme-tf/staging/terraform.tfstate", Mode: ModeIssue, Issues: true, MinSeverity: drift.Low, Line: 8},
	}
	if diff := cmp.Diff(want, rc.Roots); diff != "" {
		t.Errorf("roots (-want +got):\n%s", diff)
	}
	if rc.RevertPermission != "write" {
		t.Errorf("revert_permission = %q", rc.RevertPermission)
	}
	if rc, err := ParseRepo(".tfdrift.yml", []byte("roots:\n  - dir: .\n")); err != nil || rc.RevertPermission != DefaultRevertPermission || rc.Roots[0].Mode != ModeIssue {
		t.Errorf("defaults: %+v, %v", rc, err)
	}
	for _, tt := range []struct{ yaml, want string }{
		{"roots:\n  - dir: a\n    mode: auto\n", `.tfdrift.yml: roots[0].mode: "auto" is not issue or pr`},
		{"roots:\n  - dir: a\n    reviewers: [\"not a login\"]\n", `roots[0].reviewers[0]: "not a login" is not a GitHub login or an org/team-slug`},
		{"roots:\n  - dir: a\n    reviewers: [acme/team/x]\n", `roots[0].reviewers[0]: "acme/team/x"`},
		{"roots:\n  - dir: a\n    labels: [\"\"]\n", `roots[0].labels[0]: empty label`},
		{"revert_permission: read\nroots:\n  - dir: a\n", `.tfdrift.yml: revert_permission: "read" is not one of write, maintain, admin`},
		{"roots:\n  - dir: a\n    reviewer: [x]\n", "field reviewer not found"},
	} {
		_, err := ParseRepo(".tfdrift.yml", []byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.want)
		}
	}
}

// TestRootFor: a drift's location finds its root as the detector finds
// it, the App's root dir first.
func TestRootFor(t *testing.T) {
	rc, err := ParseRepo(".tfdrift.yml", []byte(`roots:
  - dir: envs/prod
    state: s3://acme-tf/prod/terraform.tfstate
  - dir: envs/staging
    workspace: staging
  - dir: envs/dev
    workspace: dev
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		loc  drift.Location
		want string
	}{
		{drift.Location{Root: "envs/dev", State: "s3://acme-tf/prod/terraform.tfstate"}, "envs/dev"},
		{drift.Location{State: "s3://acme-tf/prod/terraform.tfstate"}, "envs/prod"},
		{drift.Location{State: "s3://other", Workspace: "staging"}, "envs/staging"},
		{drift.Location{State: "envs/dev"}, "envs/dev"},
		{drift.Location{State: "s3://other"}, ""},
	} {
		r, ok := rc.RootFor(tt.loc)
		if r.Dir != tt.want || ok != (tt.want != "") {
			t.Errorf("RootFor(%+v) = %q, %v; want %q", tt.loc, r.Dir, ok, tt.want)
		}
	}
	var none *RepoConfig
	if r, ok := none.RootFor(drift.Location{State: "x"}); !ok || r.Dir != "." {
		t.Errorf("without .tfdrift.yml: %+v, %v", r, ok)
	}
	one, _ := ParseRepo(".tfdrift.yml", []byte("roots:\n  - dir: infra\n"))
	if r, ok := one.RootFor(drift.Location{State: "anything"}); !ok || r.Dir != "infra" {
		t.Errorf("one root without state: %+v, %v", r, ok)
	}
}
