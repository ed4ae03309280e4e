//go:build e2e

// This file runs a real Terraform (internal/tftest) and uses the
// package's unexported internals, so it stays here under the e2e tag:
// make test runs it, make test-short does not (docs/ARCHITECTURE.md,
// Testing).

package refresh

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

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/internal/tftest"
)

// terraform runs the real Terraform v1.5.7 in a directory holding main.tf.
type terraform struct {
	bin, dir string
	env      []string
}

// newTerraform writes a configuration with the given backend block and
// one terraform_data resource (built into Terraform: no provider, so no
// registry or mirror), and runs init.
func newTerraform(t *testing.T, backend string) *terraform {
	t.Helper()
	tf := &terraform{bin: tftest.TerraformPath(t), dir: t.TempDir()}
	main := "terraform {\n" + backend + "\n}\n\n" + `variable "input" {
  type = string
}

resource "terraform_data" "x" {
  input = var.input
}
`
	if err := os.WriteFile(filepath.Join(tf.dir, "main.tf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	cliConfig := filepath.Join(t.TempDir(), "terraform.rc")
	if err := os.WriteFile(cliConfig, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// The developer's TF_*, AWS_* and GOOGLE_* settings must not reach the
	// backend: the fakes are the only cloud.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "GOOGLE_") &&
			!strings.HasPrefix(kv, "CHECKPOINT_DISABLE=") {
			tf.env = append(tf.env, kv)
		}
	}
	tf.env = append(tf.env, "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_INPUT=0")
	tf.run(t, "init", "-input=false", "-no-color")
	return tf
}

func (tf *terraform) run(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command(tf.bin, args...)
	cmd.Dir = tf.dir
	cmd.Env = tf.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out.Bytes())
	}
	t.Logf("terraform %s: %v", args[0], time.Since(start).Round(time.Millisecond))
}

func (tf *terraform) apply(t *testing.T, input string) {
	t.Helper()
	tf.run(t, "apply", "-auto-approve", "-input=false", "-no-color", "-var", "input="+input)
}

// A real apply writes state through Terraform's own backend; the refresher
// loads it, and after a second apply and a Nudge the index holds the new
// value and serial. A workspace created with Terraform is found where
// Terraform put it.
func TestTerraformApply(t *testing.T) {
	tests := []struct {
		name string
		// backend returns the backend block, and the sources for the
		// workspaces that exist now.
		setup  func(t *testing.T) (block string, sources func() []state.Backend)
		source string
	}{
		{
			name:   "s3",
			source: "s3://tfstate/app/terraform.tfstate",
			setup: func(t *testing.T) (string, func() []state.Backend) {
				fake := newS3Fake(t)
				block := fmt.Sprintf(`  backend "s3" {
    bucket                      = %q
    key                         = "app/terraform.tfstate"
    region                      = %q
    endpoint                    = %q
    force_path_style            = true
    skip_credentials_validation = true
    skip_region_validation      = true
    skip_metadata_api_check     = true
    access_key                  = "AKIDTEST"
    secret_key                  = "secret"
  }`, bucket, s3Region, fake.URL)
				return block, func() []state.Backend {
					base := fake.backend(t, "app/terraform.tfstate")
					return forWorkspaces(t, base.Workspaces, func(ws string) state.Backend { return base.ForWorkspace(ws) })
				}
			},
		},
		{
			name:   "gcs",
			source: "gs://tfstate/app",
			setup: func(t *testing.T) (string, func() []state.Backend) {
				fake := newGCSFake(t)
				block := fmt.Sprintf(`  backend "gcs" {
    bucket                  = %q
    prefix                  = "app"
    storage_custom_endpoint = %q
    access_token            = "fake-token"
  }`, bucket, fake.Endpoint)
				return block, func() []state.Backend {
					base := fake.backend(t, "app")
					return forWorkspaces(t, base.Workspaces, func(ws string) state.Backend { return base.ForWorkspace(ws) })
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			block, sources := tt.setup(t)
			tf := newTerraform(t, block)
			tf.apply(t, "v1")

			r, ix, alerts := newRunRefresher(t, sources(), WithInterval(time.Hour), WithNudgeFollowUps())
			if err := r.LoadAll(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := inputOf(t, ix, tt.source, "terraform_data.x"); got != "v1" {
				t.Fatalf("after the first apply: input %q, want v1", got)
			}
			serial1 := serialOf(ix, tt.source, "default")
			runRefresher(t, r)

			tf.apply(t, "v2")
			r.Nudge(tt.source)
			waitFor(t, "the second apply's state", func() bool { return inputOf(t, ix, tt.source, "terraform_data.x") == "v2" })
			if serial2 := serialOf(ix, tt.source, "default"); serial2 <= serial1 {
				t.Errorf("serial after the second apply = %d, want more than %d", serial2, serial1)
			}
			st := r.Status()[0]
			if !st.Healthy || st.Loads != 2 || st.Resources != 1 {
				t.Errorf("Status = %+v, want healthy, 2 loads, 1 resource", st)
			}

			// A workspace Terraform creates is listed and loaded from where
			// Terraform stored it.
			tf.run(t, "workspace", "new", "-no-color", "staging")
			tf.apply(t, "s1")
			r2, ix2, _ := newRunRefresher(t, sources())
			if err := r2.LoadAll(context.Background()); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range ix2.Sources() {
				got = append(got, s.Workspace)
			}
			if diff := cmp.Diff([]string{"default", "staging"}, got); diff != "" {
				t.Errorf("workspaces loaded (-want +got):\n%s", diff)
			}
			staging := stagingResource(t, sources())
			rs := ix2.Lookup("", "", "terraform_data", "id", staging.ID)
			if len(rs) != 1 || rs[0].Source.Workspace != "staging" || rs[0].Address != "terraform_data.x" {
				t.Fatalf("Lookup(staging's id %s) = %v, want staging's terraform_data.x", staging.ID, rs)
			}
			if attrs, err := rs[0].Attributes(); err != nil || !cmp.Equal(attrs["input"], map[string]any{"value": "s1", "type": "string"}) {
				t.Errorf("staging's input = %v (%v), want s1", attrs["input"], err)
			}
			if a := alerts.get(); len(a) != 0 {
				t.Errorf("alerts: %q", a)
			}
			t.Logf("%s: whole test %v", tt.name, time.Since(start).Round(time.Millisecond))
		})
	}
}

// forWorkspaces lists the workspaces and returns a backend for each.
func forWorkspaces(t *testing.T, list func(context.Context) ([]string, error), forWS func(string) state.Backend) []state.Backend {
	t.Helper()
	wss, err := list(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []state.Backend
	for _, ws := range wss {
		out = append(out, forWS(ws))
	}
	return out
}

// stagingResource reads the staging workspace's state directly, for the
// ID Terraform gave its resource.
func stagingResource(t *testing.T, backends []state.Backend) *state.Resource {
	t.Helper()
	for _, b := range backends {
		if b.Source().Workspace != "staging" {
			continue
		}
		snap, _, err := state.Load(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.Resources) != 1 {
			t.Fatalf("staging holds %d resources, want 1", len(snap.Resources))
		}
		return snap.Resources[0]
	}
	t.Fatal("no staging workspace listed")
	return nil
}
