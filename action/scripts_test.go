package action_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// script runs one of action/scripts with exactly env (plus a PATH of dirs
// then the system's) and returns its exit code and output.
func script(t *testing.T, name string, env map[string]string, path ...string) (int, string) {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("scripts", name))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", abs)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + strings.Join(append(path, "/usr/local/bin", "/usr/bin", "/bin"), ":"), "HOME=" + t.TempDir()}
	for _, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS", "GOPROXY", "GONOSUMDB", "GOPRIVATE", "GOTOOLCHAIN"} {
		if v, ok := os.LookupEnv(k); ok {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	if gocache, err := exec.Command("go", "env", "GOCACHE").Output(); err == nil {
		cmd.Env = append(cmd.Env, "GOCACHE="+strings.TrimSpace(string(gocache)))
	}
	// The go command keeps its telemetry under the user's config directory,
	// and the uploader it starts may still be writing there after the
	// script ends: keep it out of the temporary HOME the test removes.
	if dir, err := os.UserConfigDir(); err == nil {
		cmd.Env = append(cmd.Env, "XDG_CONFIG_HOME="+dir)
	}
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

// releaseServer is a fake GitHub release download endpoint. It serves
// the files of one tag and records every path asked for.
type releaseServer struct {
	*httptest.Server
	mu    sync.Mutex
	asked []string
}

func newReleaseServer(t *testing.T, repo, tag string, files map[string][]byte) *releaseServer {
	t.Helper()
	s := &releaseServer{}
	prefix := "/" + repo + "/releases/download/" + tag + "/"
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.asked = append(s.asked, r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		name, ok := strings.CutPrefix(r.URL.Path, prefix)
		body, found := files[name]
		if r.Method != http.MethodGet || !ok || !found {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *releaseServer) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.asked...)
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// fakeSource is a module that builds a tfdrift printing its stamped
// version, standing in for the action's own source.
func fakeSource(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module example.com/tfdrift\n\ngo 1.21\n")
	write(t, filepath.Join(dir, "cmd", "tfdrift", "main.go"), "package main\n\nimport \"fmt\"\n\nvar version = \"dev\"\n\nfunc main() { fmt.Println(\"tfdrift \" + version) }\n")
	return dir
}

func TestInstallScript(t *testing.T) {
	goDir := filepath.Dir(mustLookPath(t, "go"))
	binary := []byte("#!/bin/sh\necho 'tfdrift v1.2.3'\n")
	checksums := []byte(fmt.Sprintf("%s  tfdrift_linux_amd64\n%s  tfdrift_darwin_arm64\n", sha256hex(binary), sha256hex([]byte("other"))))
	tests := []struct {
		name     string
		files    map[string][]byte // the release v1.2.3's assets
		env      map[string]string
		path     []string
		wantCode int
		wantOut  string // in the output
		wantBin  string // what the installed tfdrift prints; "" when none
		wantAsk  []string
	}{
		{
			name: "release verified", files: map[string][]byte{"checksums.txt": checksums, "tfdrift_linux_amd64": binary},
			env:     map[string]string{"INPUT_VERSION": "v1.2.3"},
			wantOut: "Downloaded tfdrift v1.2.3 (tfdrift_linux_amd64), SHA-256 " + sha256hex(binary) + " verified", wantBin: "tfdrift v1.2.3",
			wantAsk: []string{"GET /acme/tfdrift/releases/download/v1.2.3/checksums.txt", "GET /acme/tfdrift/releases/download/v1.2.3/tfdrift_linux_amd64"},
		},
		{
			name: "tampered binary refused", files: map[string][]byte{"checksums.txt": checksums, "tfdrift_linux_amd64": []byte("#!/bin/sh\necho evil\n")},
			env: map[string]string{"INPUT_VERSION": "v1.2.3"}, wantCode: 1, wantOut: "but checksums.txt says " + sha256hex(binary) + ": refusing to run it",
		},
		{
			name: "asset missing from checksums", files: map[string][]byte{"checksums.txt": []byte("abc  tfdrift_darwin_amd64\n"), "tfdrift_linux_amd64": binary},
			env: map[string]string{"INPUT_VERSION": "v1.2.3"}, wantCode: 1, wantOut: "checksums.txt of v1.2.3 lists no tfdrift_linux_amd64",
		},
		{
			name: "the action's own ref has no release: build", files: map[string][]byte{},
			env: map[string]string{"ACTION_REF": "v1.2.3"}, path: []string{goDir},
			wantOut: "No release v1.2.3: building from the action's source", wantBin: "tfdrift v1.2.3",
			wantAsk: []string{"GET /acme/tfdrift/releases/download/v1.2.3/checksums.txt"},
		},
		{
			name: "an explicit version with no release", files: map[string][]byte{},
			env: map[string]string{"INPUT_VERSION": "v1.2.3", "ACTION_REF": "main"}, wantCode: 1, wantOut: "there is no tfdrift release v1.2.3",
		},
		{
			name: "a branch is not a release: build, download nothing", files: map[string][]byte{"checksums.txt": checksums},
			env: map[string]string{"ACTION_REF": "main"}, path: []string{goDir}, wantBin: "tfdrift main", wantAsk: []string{},
		},
		{
			name: "a moving major tag is not pinned: build", files: map[string][]byte{"checksums.txt": checksums},
			env: map[string]string{"ACTION_REF": "v1"}, path: []string{goDir}, wantBin: "tfdrift v1", wantAsk: []string{},
		},
		{
			name: "no Go to build with", files: map[string][]byte{},
			env: map[string]string{"ACTION_REF": "main"}, path: []string{t.TempDir()}, wantCode: 1, wantOut: "set up Go (actions/setup-go)",
		},
		{
			name: "plain HTTP to a remote host is refused", files: map[string][]byte{},
			env: map[string]string{"INPUT_VERSION": "v1.2.3", "GITHUB_SERVER_URL": "http://github.invalid"}, wantCode: 1, wantOut: "download http://github.invalid/acme/tfdrift/releases/download/v1.2.3/checksums.txt failed",
		},
		{
			name: "unsupported runner", files: map[string][]byte{},
			env: map[string]string{"INPUT_VERSION": "v1.2.3", "RUNNER_OS": "Windows"}, wantCode: 1, wantOut: "runner OS 'Windows' is not supported",
		},
		{
			name: "install false needs a tfdrift on PATH", files: map[string][]byte{},
			env: map[string]string{"INPUT_INSTALL": "false"}, wantCode: 1, wantOut: "install: false, but there is no tfdrift on PATH",
		},
		{
			name: "install must be a boolean", files: map[string][]byte{},
			env: map[string]string{"INPUT_INSTALL": "yes"}, wantCode: 1, wantOut: "install: 'yes' is not true or false",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newReleaseServer(t, "acme/tfdrift", "v1.2.3", tt.files)
			temp := t.TempDir()
			ghPath := filepath.Join(t.TempDir(), "path")
			env := map[string]string{
				"RUNNER_OS": "Linux", "RUNNER_ARCH": "X64", "RUNNER_TEMP": temp, "GITHUB_PATH": ghPath,
				"GITHUB_SERVER_URL": srv.URL, "ACTION_REPOSITORY": "acme/tfdrift", "ACTION_PATH": fakeSource(t),
			}
			for k, v := range tt.env {
				env[k] = v
			}
			code, out := script(t, "install.sh", env, tt.path...)
			if code != tt.wantCode || !strings.Contains(out, tt.wantOut) {
				t.Fatalf("exit %d, want %d; output:\n%s\nwant it to hold %q", code, tt.wantCode, out, tt.wantOut)
			}
			bin := filepath.Join(temp, "tfdrift-bin", "tfdrift")
			if tt.wantBin == "" {
				if _, err := os.Stat(bin); err == nil {
					t.Errorf("%s was installed", bin)
				}
				if b, _ := os.ReadFile(ghPath); len(b) > 0 {
					t.Errorf("GITHUB_PATH was changed: %q", b)
				}
			} else {
				got, err := exec.Command(bin).Output()
				if err != nil || strings.TrimSpace(string(got)) != tt.wantBin {
					t.Errorf("installed tfdrift prints %q (%v), want %q", got, err, tt.wantBin)
				}
				if b, _ := os.ReadFile(ghPath); string(b) != filepath.Dir(bin)+"\n" {
					t.Errorf("GITHUB_PATH = %q, want %s", b, filepath.Dir(bin))
				}
			}
			if tt.wantAsk != nil {
				if diff := cmp.Diff(tt.wantAsk, srv.requests(), cmpNilEmpty); diff != "" {
					t.Errorf("requests (-want +got):\n%s", diff)
				}
			}
		})
	}
}

var cmpNilEmpty = cmp.Transformer("nilEmpty", func(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
})

func mustLookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fakeTfdrift records its arguments and whether it got a GITHUB_TOKEN.
func fakeTfdrift(t *testing.T) (dir, log string) {
	t.Helper()
	dir = t.TempDir()
	log = filepath.Join(t.TempDir(), "argv")
	write(t, filepath.Join(dir, "tfdrift"), fmt.Sprintf(`#!/bin/bash
if [[ "$1" == version ]]; then echo "tfdrift v0.0.0-fake"; exit 0; fi
printf '%%s\n' "$@" > %q
echo "token=${GITHUB_TOKEN:+set}" >> %q
`, log, log))
	write(t, filepath.Join(dir, "terraform"), "#!/bin/sh\nexit 0\n")
	for _, f := range []string{"tfdrift", "terraform"} {
		if err := os.Chmod(filepath.Join(dir, f), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir, log
}

func TestRunScript(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		wantCode  int
		wantArgv  []string // then token=set or token=
		wantToken bool
		wantOut   string
	}{
		{
			name: "check with every input",
			env: map[string]string{
				"INPUT_WORKING_DIRECTORY": "envs/a\n  envs/b  \n\n", "INPUT_CONFIG": "tfdrift.yaml", "INPUT_FAIL_ON": "medium",
				"INPUT_SARIF": "out.sarif", "INPUT_OPEN_ISSUES": "false", "GITHUB_TOKEN": "ghs_secret",
			},
			wantArgv: []string{"check", "--binary", "terraform", "--config", "tfdrift.yaml", "--fail-on", "medium",
				"--json", "RUNNER_TEMP/tfdrift-report.ndjson", "--dir", "envs/a", "--dir", "envs/b", "--sarif", "out.sarif"},
		},
		{
			name:     "check with the defaults",
			env:      map[string]string{},
			wantArgv: []string{"check", "--binary", "terraform", "--fail-on", "high", "--json", "RUNNER_TEMP/tfdrift-report.ndjson"},
		},
		{
			name:      "open-issues",
			env:       map[string]string{"INPUT_OPEN_ISSUES": "true", "GITHUB_TOKEN": "ghs_secret"},
			wantArgv:  []string{"check", "--binary", "terraform", "--fail-on", "high", "--json", "RUNNER_TEMP/tfdrift-report.ndjson", "--open-issues"},
			wantToken: true,
		},
		{
			name: "open-issues without a token", env: map[string]string{"INPUT_OPEN_ISSUES": "true"},
			wantCode: 1, wantOut: "::error title=tfdrift action::open-issues: true needs github-token",
		},
		{
			name: "open-issues is true or false", env: map[string]string{"INPUT_OPEN_ISSUES": "yes", "GITHUB_TOKEN": "ghs_secret"},
			wantCode: 1, wantOut: "open-issues: 'yes' is not true or false",
		},
		{
			name: "revert", env: map[string]string{"INPUT_MODE": "revert", "INPUT_WORKING_DIRECTORY": "envs/prod", "INPUT_TERRAFORM_BINARY": "tofu",
				"INPUT_ADDRESS": "aws_security_group.web\n module.net.aws_instance.app[\"a\"] \n"},
			wantArgv: []string{"revert", "--binary", "tofu", "--repo", ".", "--dir", "envs/prod", "--", "aws_security_group.web", `module.net.aws_instance.app["a"]`},
		},
		{
			name: "revert needs an address", env: map[string]string{"INPUT_MODE": "revert"},
			wantCode: 1, wantOut: "revert mode needs address",
		},
		{
			name: "revert on one root only", env: map[string]string{"INPUT_MODE": "revert", "INPUT_WORKING_DIRECTORY": "a\nb", "INPUT_ADDRESS": "x.y"},
			wantCode: 1, wantOut: "revert mode works on one root module: give one working-directory, not 2",
		},
		{
			name: "unknown mode", env: map[string]string{"INPUT_MODE": "apply"}, wantCode: 1, wantOut: "mode: 'apply' is not check or revert",
		},
		{
			name: "terraform-binary is terraform or tofu", env: map[string]string{"INPUT_TERRAFORM_BINARY": "terragrunt"},
			wantCode: 1, wantOut: "terraform-binary: 'terragrunt' is not terraform or tofu",
		},
		{
			name: "terraform-binary must be on PATH", env: map[string]string{"INPUT_TERRAFORM_BINARY": "tofu"},
			wantCode: 1, wantOut: "terraform-binary: no tofu on PATH",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin, log := fakeTfdrift(t)
			if tt.name == "revert" {
				write(t, filepath.Join(bin, "tofu"), "#!/bin/sh\n")
				os.Chmod(filepath.Join(bin, "tofu"), 0o755)
			}
			temp := t.TempDir()
			env := map[string]string{"RUNNER_TEMP": temp}
			for k, v := range tt.env {
				env[k] = v
			}
			code, out := script(t, "run.sh", env, bin)
			if code != tt.wantCode || !strings.Contains(out, tt.wantOut) {
				t.Fatalf("exit %d, want %d; output:\n%s\nwant it to hold %q", code, tt.wantCode, out, tt.wantOut)
			}
			if tt.wantArgv == nil {
				if _, err := os.Stat(log); err == nil {
					t.Errorf("tfdrift ran: %s", readFile(t, log))
				}
				return
			}
			got := strings.Split(strings.TrimSuffix(strings.ReplaceAll(readFile(t, log), temp, "RUNNER_TEMP"), "\n"), "\n")
			token := "token="
			if tt.wantToken {
				token = "token=set"
			}
			if diff := cmp.Diff(append(tt.wantArgv, token), got); diff != "" {
				t.Errorf("tfdrift argv (-want +got):\n%s", diff)
			}
		})
	}
}
