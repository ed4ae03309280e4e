package docs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLicense: the repository carries the whole Apache License 2.0, as the
// README says, and go.mod's module is what the README's license line is
// about.
func TestLicense(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{
		"Apache License",
		"Version 2.0, January 2004",
		"http://www.apache.org/licenses/",
		"TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION",
		"9. Accepting Warranty or Additional Liability.",
		"END OF TERMS AND CONDITIONS",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("LICENSE lacks %q: not the full Apache License 2.0", want)
		}
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "[Apache License 2.0](LICENSE)") {
		t.Error("README.md does not link its license, LICENSE")
	}
}

// TestMakeBuildStampsVersion: `make build` passes the version make
// computes (git describe with its fallback, or the given VERSION) to the
// linker as main.version, which `tfdrift version` prints. It reads the
// commands make would run (make -n), so that it costs no build;
// TestMakeVersion (action) covers how the version is computed.
func TestMakeBuildStampsVersion(t *testing.T) {
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	dryRun := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("make", append([]string{"-n", "-s", "-C", abs}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make -n %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := dryRun("build", "VERSION=v9.8.7-stamp"); !strings.Contains(out, "go build") || !strings.Contains(out, "-X main.version=v9.8.7-stamp") {
		t.Errorf("make build VERSION=v9.8.7-stamp would run:\n%s\nwant a go build with -X main.version=v9.8.7-stamp", out)
	}
	version, err := exec.Command("make", "-s", "-C", abs, "version").Output()
	if err != nil {
		t.Fatalf("make version: %v", err)
	}
	v := strings.TrimSpace(string(version))
	if v == "" {
		t.Fatal("make version printed nothing")
	}
	if out := dryRun("build"); !strings.Contains(out, "-X main.version="+v+" ") && !strings.Contains(out, "-X main.version="+v+"\"") {
		t.Errorf("make build would run:\n%s\nwant -X main.version=%s (make version)", out, v)
	}
	// main.version is the variable the binary prints.
	src, err := os.ReadFile(filepath.Join(root, "cmd", "tfdrift", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "\nvar version = ") || !strings.Contains(string(src), `"tfdrift %s\n", version`) {
		t.Error("cmd/tfdrift/main.go no longer has the var version that tfdrift version prints: -X main.version stamps nothing")
	}
}
