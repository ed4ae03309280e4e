// Package e2etest holds tfdrift's end-to-end tests: the ones that run real
// external tools (Terraform v1.5.7 with the test provider, helm, act,
// actionlint, Postgres, Chromium). Each area has a subpackage
// (internal/e2etest/<area>) that drives tfdrift through exported APIs or
// the built binary, the way hashicorp/terraform-exec keeps its own in
// internal/e2etest.
//
// `make test` runs them with everything else; `make test-short` leaves
// them out (and leaves out the files tagged `e2e`), so it needs none of
// those tools. A missing tool fails a test here with the command that
// installs it: these tests never skip.
//
// This package holds the helpers the areas share. It is test
// infrastructure: only _test.go files may import it.
package e2etest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/internal/tftest"
)

// ModuleRoot is the repository root: the nearest parent of the working
// directory (a test's package directory) that holds go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("e2etest: no go.mod above %s", dir)
		}
	}
}

// ToolPath finds a tool that .ci builds into the tools directory
// ($TFDRIFT_TOOLS, else ~/.cache/tfdrift-tools), as install-terraform.sh
// does for terraform. A missing tool fails the test with the command that
// installs it (make tools runs them all).
func ToolPath(t testing.TB, name, install string) string {
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

// BuildTfdrift builds ./cmd/tfdrift with the given version stamp into dir
// and returns the binary's path.
func BuildTfdrift(t testing.TB, dir, version string) string {
	t.Helper()
	bin, err := Build(dir, version)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// Build is BuildTfdrift for a TestMain, which has no testing.TB.
func Build(dir, version string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "tfdrift")
	// The flags of a plain go build, so the packages come from the build
	// cache the tests filled: -trimpath or CGO_ENABLED=0 would recompile
	// every dependency, many minutes on a loaded 2-core machine.
	cmd := exec.Command("go", "build", "-ldflags", "-X main.version="+version, "-o", bin, "./cmd/tfdrift")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/tfdrift: %v\n%s", err, out)
	}
	return bin, nil
}

// Write writes content to p, creating its directories.
func Write(t testing.TB, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// CopyFile copies the file from to the file to.
func CopyFile(t testing.TB, from, to string) {
	t.Helper()
	Write(t, to, ReadFile(t, from))
}

// ReadFile returns the content of p.
func ReadFile(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Hermetic is the process environment without what would change
// Terraform's or a runner's behaviour: TF_*, GITHUB_*, RUNNER_*, ACT*,
// HOME and CI.
func Hermetic() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "RUNNER_") ||
			strings.HasPrefix(k, "ACT") || k == "HOME" || k == "CI" {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// Helm runs the helm that .ci/install-helm.sh builds, in the module's dir
// (relative to the module root), with caches of its own so that a test
// never touches the developer's. It fails the test, never skips, when helm
// is missing.
func Helm(t testing.TB, dir string, args ...string) (stdout string, err error) {
	t.Helper()
	bin := ToolPath(t, "helm", "bash .ci/install-helm.sh")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+home, "HELM_CONFIG_HOME="+home, "HELM_DATA_HOME="+home)
	cmd.Dir = filepath.Join(ModuleRoot(t), dir)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("helm %s: %w\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String(), nil
}
