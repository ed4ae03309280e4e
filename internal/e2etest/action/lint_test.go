package action_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/internal/e2etest"
)

// TestActionlint runs actionlint on every example workflow and on the
// workflow the act test runs. Each is linted in a repository that holds
// action.yml, with the examples' uses: tfdrift/action@REF turned into
// uses: ./, so actionlint also checks each with: key against the inputs
// action.yml declares and each steps.*.outputs.* against its outputs.
func TestActionlint(t *testing.T) {
	lint := e2etest.ToolPath(t, "actionlint", ".ci/install-actionlint.sh")
	repo := t.TempDir()
	root := e2etest.ModuleRoot(t)
	e2etest.CopyFile(t, filepath.Join(root, "action.yml"), filepath.Join(repo, "action.yml"))
	uses := regexp.MustCompile(`uses: tfdrift/action@\S+`)
	examples, err := filepath.Glob(filepath.Join(root, "action", "examples", "*.yml"))
	if err != nil || len(examples) < 4 {
		t.Fatalf("examples: %v (%v)", examples, err)
	}
	for _, f := range append(examples, "testdata/act/check.yml") {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if f != "testdata/act/check.yml" && !uses.MatchString(text) {
			t.Errorf("%s does not use tfdrift/action@REF", f)
		}
		e2etest.Write(t, filepath.Join(repo, ".github", "workflows", filepath.Base(f)), uses.ReplaceAllString(text, "uses: ./"))
	}
	git := exec.Command("git", "init", "-q")
	git.Dir = repo
	if out, err := git.CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	cmd := exec.Command(lint, "-no-color")
	cmd.Dir = repo
	cmd.Env = append(e2etest.Hermetic(), "HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("actionlint: %v\n%s", err, out)
	}

	// actionlint does check the action's inputs: a misspelt one fails.
	e2etest.Write(t, filepath.Join(repo, ".github", "workflows", "typo.yml"),
		"on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./\n        with:\n          fail_on: high\n")
	out, err := exec.Command(lint, "-no-color", filepath.Join(repo, ".github", "workflows", "typo.yml")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), `input "fail_on" is not defined`) {
		t.Errorf("actionlint did not catch an undeclared input: %v\n%s", err, out)
	}
}
