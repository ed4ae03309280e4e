package action_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tfdrift/tfdrift/internal/tftest"
)

// toolPath finds a tool that .ci builds into the tools directory (as
// install-terraform.sh does for terraform). A missing tool fails the test
// with the command that installs it; it never skips, so CI cannot go green
// without running the test.
func toolPath(t *testing.T, name, install string) string {
	t.Helper()
	dir, err := tftest.ToolsDir()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "bin", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s not found at %s: install it with %s (make tools does)", name, p, install)
	}
	return p
}

// moduleRoot is the repository root, the parent of this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// buildTfdrift builds ./cmd/tfdrift with the given version stamp into dir.
func buildTfdrift(t *testing.T, dir, version string) string {
	t.Helper()
	bin := filepath.Join(dir, "tfdrift")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version="+version, "-o", bin, "./cmd/tfdrift")
	cmd.Dir = moduleRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/tfdrift: %v\n%s", err, out)
	}
	return bin
}
