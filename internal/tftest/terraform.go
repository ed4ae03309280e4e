package tftest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// TerraformVersion is the only Terraform version the tests run against.
const TerraformVersion = "1.5.7"

// InstallCommand is what a developer runs when Terraform is missing.
const InstallCommand = ".ci/install-terraform.sh  # = GOBIN=${TFDRIFT_TOOLS:-$HOME/.cache/tfdrift-tools}/bin go install github.com/hashicorp/terraform@v" + TerraformVersion

// verified remembers binaries whose version was already checked, so that
// many tests in one binary pay for `terraform version` once.
var verified sync.Map // path → error (nil when good)

// ToolsDir is where install-terraform.sh puts Terraform and where the
// provider build is cached: $TFDRIFT_TOOLS, else ~/.cache/tfdrift-tools.
func ToolsDir() (string, error) {
	if d := os.Getenv("TFDRIFT_TOOLS"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("tools dir: set TFDRIFT_TOOLS: %w", err)
	}
	return filepath.Join(home, ".cache", "tfdrift-tools"), nil
}

// TerraformPath returns the path of Terraform v1.5.7. It looks at
// $TFDRIFT_TERRAFORM, then $TFDRIFT_TOOLS/bin/terraform, then
// ~/.cache/tfdrift-tools/bin/terraform, and takes the first that exists.
// A missing binary or another version fails the test with the install
// command. It never uses terraform from PATH: that one is whatever the
// machine happens to have.
func TerraformPath(t testing.TB) string {
	t.Helper()
	path, err := findTerraform()
	if err != nil {
		t.Fatalf("tftest: %v\ninstall it with: %s", err, InstallCommand)
	}
	return path
}

func findTerraform() (string, error) {
	var candidates []string
	if p := os.Getenv("TFDRIFT_TERRAFORM"); p != "" {
		candidates = append(candidates, p)
	}
	if d := os.Getenv("TFDRIFT_TOOLS"); d != "" {
		candidates = append(candidates, filepath.Join(d, "bin", "terraform"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".cache", "tfdrift-tools", "bin", "terraform"))
	}
	for _, p := range candidates {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := checkVersion(p); err != nil {
			return "", err
		}
		return p, nil
	}
	return "", fmt.Errorf("terraform %s not found (looked at %q)", TerraformVersion, candidates)
}

func checkVersion(path string) error {
	if v, ok := verified.Load(path); ok {
		if v == nil {
			return nil
		}
		return v.(error)
	}
	err := terraformVersionIs(path, TerraformVersion)
	verified.Store(path, err)
	return err
}

func terraformVersionIs(path, want string) error {
	cmd := exec.Command(path, "version", "-json")
	// An empty CLI config silences the warning about the missing file the
	// environment may point at; CHECKPOINT_DISABLE keeps `version` from
	// asking the network whether it is outdated.
	cmd.Env = append(hermeticEnviron(), "TF_CLI_CONFIG_FILE="+os.DevNull, "CHECKPOINT_DISABLE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s version -json: %w: %s", path, err, stderr.Bytes())
	}
	var v struct {
		Version  string `json:"terraform_version"`
		Platform string `json:"platform"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return fmt.Errorf("%s version -json: %w", path, err)
	}
	if v.Version != want {
		return fmt.Errorf("%s is terraform %s, tests need %s", path, v.Version, want)
	}
	return nil
}
