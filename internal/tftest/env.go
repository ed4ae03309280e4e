package tftest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/tfdrift/tfdrift/internal/tftest/internal/cloudfile"
)

// Env is a ready offline Terraform environment for one test.
type Env struct {
	// Terraform is the path of the v1.5.7 binary.
	Terraform string
	// Mirror is the filesystem mirror holding the test provider.
	Mirror string
	// CLIConfig is the Terraform CLI configuration file (TF_CLI_CONFIG_FILE)
	// that installs providers from Mirror only.
	CLIConfig string
	// CloudFile is the JSON file the provider uses as its cloud.
	CloudFile string
	// Dir is the Terraform working directory: a copy of the fixture.
	// CLIConfig and CloudFile live outside it, so Dir holds only what the
	// fixture holds plus what Terraform writes.
	Dir string
}

// New copies fixtureDir (recursively, so local modules come along) into a
// fresh temporary directory, writes a CLI configuration that installs
// hashicorp/* from the test mirror and never from the network, creates an
// empty cloud file, and returns the Env. Everything is removed when the
// test ends.
func New(t testing.TB, fixtureDir string) *Env {
	t.Helper()
	e := &Env{
		Terraform: TerraformPath(t),
		Mirror:    ProviderMirror(t),
		Dir:       t.TempDir(),
	}
	aux := t.TempDir()
	e.CLIConfig = filepath.Join(aux, "terraform.rc")
	e.CloudFile = filepath.Join(aux, "cloud.json")
	if err := copyTree(fixtureDir, e.Dir); err != nil {
		t.Fatalf("tftest: copy fixture: %v", err)
	}
	if err := os.WriteFile(e.CLIConfig, []byte(cliConfig(e.Mirror)), 0o644); err != nil {
		t.Fatalf("tftest: %v", err)
	}
	if err := cloudfile.Open(e.CloudFile).Init(); err != nil {
		t.Fatalf("tftest: %v", err)
	}
	return e
}

// cliConfig installs hashicorp/* from the mirror only: the direct exclude
// makes a missing provider an init error instead of a network lookup.
//
// There is deliberately no plugin_cache_dir. From an unpacked filesystem
// mirror, terraform init already symlinks .terraform/providers/... to the
// mirror (70 ms, nothing copied), while a cache makes the first init copy
// 26 MB into a directory that parallel test binaries would then write
// concurrently, which Terraform does not support.
func cliConfig(mirror string) string {
	pattern := providerAddr.Hostname.String() + "/hashicorp/*"
	return fmt.Sprintf(`disable_checkpoint = true

provider_installation {
  filesystem_mirror {
    path    = %q
    include = [%q]
  }
  direct {
    exclude = [%q]
  }
}
`, mirror, pattern, pattern)
}

// Environ is the environment for running Terraform in e, by tfexec or by
// os/exec: the process environment without any TF_* or FAKEAWS_*
// variables (a developer's TF_LOG or TF_CLI_ARGS would change the
// output), plus the CLI config, the cloud file, TF_IN_AUTOMATION=1 and
// CHECKPOINT_DISABLE=1.
func (e *Env) Environ() []string {
	env := hermeticEnviron()
	return append(env,
		"TF_CLI_CONFIG_FILE="+e.CLIConfig,
		"FAKEAWS_CLOUD_FILE="+e.CloudFile,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
	)
}

// Tf returns a terraform-exec handle on e.Dir using Environ.
func (e *Env) Tf(t testing.TB) *tfexec.Terraform {
	t.Helper()
	return e.TfIn(t, e.Dir)
}

// TfIn is Tf for another directory: a root module below e.Dir when the
// fixture is a repository with several roots.
func (e *Env) TfIn(t testing.TB, dir string) *tfexec.Terraform {
	t.Helper()
	tf, err := tfexec.NewTerraform(dir, e.Terraform)
	if err != nil {
		t.Fatalf("tftest: %v", err)
	}
	env := map[string]string{}
	for _, kv := range e.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	// tfexec sets TF_IN_AUTOMATION and TF_LOG itself and refuses them here.
	if err := tf.SetEnv(tfexec.CleanEnv(env)); err != nil {
		t.Fatalf("tftest: %v", err)
	}
	return tf
}

// Cloud returns a handle on e's cloud file for out-of-band edits.
func (e *Env) Cloud(t testing.TB) Cloud {
	return Cloud{t: t, store: cloudfile.Open(e.CloudFile)}
}

func hermeticEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_") || strings.HasPrefix(kv, "FAKEAWS_") || strings.HasPrefix(kv, "CHECKPOINT_DISABLE=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			// A fixture's own .terraform or state from a manual run must not
			// leak into the test.
			if d.Name() == ".terraform" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), "terraform.tfstate") || d.Name() == ".terraform.lock.hcl" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

// Rewrite passes every file of the working directory through edit (given
// its slash-separated name relative to Dir and its content), writes the
// result back, and returns the files by name: a fixture's placeholders
// (STATE_PATH…) filled in. It fails the test on an I/O error.
func (e *Env) Rewrite(t testing.TB, edit func(name string, b []byte) []byte) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(e.Dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(e.Dir, p)
		rel = filepath.ToSlash(rel)
		b = edit(rel, b)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
		files[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
