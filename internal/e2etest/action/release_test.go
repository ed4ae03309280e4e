package action_test

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/internal/e2etest"
)

// TestReleaseInstalls builds a release with scripts/release.sh (for this
// machine's platform only), checks what it holds, then serves it as a
// GitHub release and lets the action's install.sh download, verify and run
// it: the release and the installer agree on names and checksums.
func TestReleaseInstalls(t *testing.T) {
	const version = "v9.8.7"
	root := e2etest.ModuleRoot(t)
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
		files[e.Name()] = []byte(e2etest.ReadFile(t, filepath.Join(dist, e.Name())))
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
	helm := e2etest.ToolPath(t, "helm", ".ci/install-helm.sh")
	tpl := exec.Command(helm, "template", "t", filepath.Join(dist, chart))
	tpl.Env = append(e2etest.Hermetic(), "HOME="+t.TempDir())
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

// script runs one of action/scripts with exactly env (plus the system's
// PATH directories) and returns its exit code and output.
func script(t *testing.T, name string, env map[string]string) (int, string) {
	t.Helper()
	cmd := exec.Command("bash", filepath.Join(e2etest.ModuleRoot(t), "action", "scripts", name))
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, string(out)
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
