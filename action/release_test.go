package action_test

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMakeVersion: make build stamps what `make version` prints: the tag,
// git describe's form after it, and a fallback without tags or git.
func TestMakeVersion(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join(moduleRoot(t), "Makefile"), filepath.Join(dir, "Makefile"))
	version := func() string {
		t.Helper()
		cmd := exec.Command("make", "-s", "version")
		cmd.Dir = dir
		cmd.Env = append(hermetic(), "HOME="+t.TempDir(), "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make version: %v\n%s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if got := version(); got != "v0.0.0-dev+unknown" {
		t.Errorf("outside git: %q, want v0.0.0-dev+unknown", got)
	}
	git("init", "-q")
	git("add", "Makefile")
	git("commit", "-q", "-m", "one")
	if got, sha := version(), git("rev-parse", "--short", "HEAD"); got != "v0.0.0-dev+"+sha {
		t.Errorf("no tags: %q, want v0.0.0-dev+%s", got, sha)
	}
	git("tag", "v1.2.3")
	if got := version(); got != "v1.2.3" {
		t.Errorf("on the tag: %q, want v1.2.3", got)
	}
	git("commit", "-q", "--allow-empty", "-m", "two")
	if got := version(); !regexp.MustCompile(`^v1\.2\.3-1-g[0-9a-f]+$`).MatchString(got) {
		t.Errorf("after the tag: %q, want v1.2.3-1-gSHA", got)
	}
	write(t, filepath.Join(dir, "Makefile"), readFile(t, filepath.Join(dir, "Makefile"))+"\n")
	if got := version(); !strings.HasSuffix(got, "-dirty") {
		t.Errorf("with changes: %q, want -dirty", got)
	}
}
