package action_test

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
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

// TestReleaseInstalls builds a release with scripts/release.sh (for this
// machine's platform only), checks what it holds, then serves it as a
// GitHub release and lets the action's install.sh download, verify and run
// it: the release and the installer agree on names and checksums.
func TestReleaseInstalls(t *testing.T) {
	const version = "v9.8.7"
	root := moduleRoot(t)
	dist := t.TempDir()
	cmd := exec.Command("bash", "scripts/release.sh", version, dist)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "RELEASE_PLATFORMS=linux/"+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("release.sh: %v\n%s", err, out)
	}
	asset := "tfdrift_linux_" + runtime.GOARCH
	chart := "tfdrift-chart-9.8.7.tgz"
	files := map[string][]byte{}
	entries, _ := os.ReadDir(dist)
	for _, e := range entries {
		files[e.Name()] = []byte(readFile(t, filepath.Join(dist, e.Name())))
	}
	if len(files) != 3 || files[asset] == nil || files[chart] == nil || files["checksums.txt"] == nil {
		t.Fatalf("release holds %d files, want %s, %s and checksums.txt", len(files), asset, chart)
	}
	want := fmt.Sprintf("%s  %s\n%s  %s\n", sha256hex(files[chart]), chart, sha256hex(files[asset]), asset)
	if got := string(files["checksums.txt"]); got != want && got != fmt.Sprintf("%s  %s\n%s  %s\n", sha256hex(files[asset]), asset, sha256hex(files[chart]), chart) {
		t.Errorf("checksums.txt = %q, want the SHA-256 of both files", got)
	}
	if out, err := exec.Command(filepath.Join(dist, asset), "version").Output(); err != nil || strings.TrimSpace(string(out)) != "tfdrift "+version {
		t.Errorf("%s version = %q (%v), want tfdrift %s", asset, out, err, version)
	}

	// The chart runs the release's image.
	chartYAML := tarFile(t, files[chart], "tfdrift/Chart.yaml")
	if !strings.Contains(chartYAML, "\nversion: 9.8.7\n") || !strings.Contains(chartYAML, "\nappVersion: \"9.8.7\"\n") {
		t.Errorf("released Chart.yaml:\n%s", chartYAML)
	}
	helm := toolPath(t, "helm", ".ci/install-helm.sh")
	tpl := exec.Command(helm, "template", "t", filepath.Join(dist, chart))
	tpl.Env = append(hermetic(), "HOME="+t.TempDir())
	if out, err := tpl.CombinedOutput(); err != nil || !strings.Contains(string(out), `image: "tfdrift/tfdrift:9.8.7"`) {
		t.Errorf("helm template of the released chart: %v; want image tfdrift/tfdrift:9.8.7 in:\n%s", err, out)
	}

	// The action installs it.
	srv := httptest.NewServer(http.StripPrefix("/acme/tfdrift/releases/download/"+version, http.FileServer(http.Dir(dist))))
	defer srv.Close()
	arch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	temp := t.TempDir()
	code, out := script(t, "install.sh", map[string]string{
		"INPUT_VERSION": version, "RUNNER_OS": "Linux", "RUNNER_ARCH": arch, "RUNNER_TEMP": temp,
		"GITHUB_PATH": filepath.Join(temp, "path"), "GITHUB_SERVER_URL": srv.URL, "ACTION_REPOSITORY": "acme/tfdrift",
	})
	if code != 0 || !strings.Contains(out, "SHA-256 "+sha256hex(files[asset])+" verified") || !strings.Contains(out, "tfdrift "+version) {
		t.Errorf("install.sh: exit %d\n%s", code, out)
	}

	for _, bad := range []string{"v1.2.3-4-gabc1234", "v1.2.3-dirty", "main", "1.2.3"} {
		cmd := exec.Command("bash", "scripts/release.sh", bad, t.TempDir())
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Errorf("release.sh %s built a release:\n%s", bad, out)
		}
	}
}

// tarFile reads one file of a .tgz.
func tarFile(t *testing.T, tgz []byte, name string) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(string(tgz)))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			t.Fatalf("%s not in the archive", name)
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == name {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
}
