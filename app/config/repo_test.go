package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
		{Dir: "envs/prod", State: "s3://acme-tf/prod/terraform.tfstate", VarFiles: []string{"prod.tfvars"}},
		{Dir: "envs/staging", Workspace: "staging"},
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
	f.Fuzz(func(t *testing.T, data []byte) {
		rc, err := ParseRepo("f.yml", data)
		if err == nil && len(rc.Roots) == 0 {
			t.Fatal("accepted a file without roots")
		}
	})
}
