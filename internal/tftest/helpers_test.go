package tftest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/internal/tftest/internal/fakeaws"
)

// fatalRecorder is a testing.TB whose Fatalf records the message and ends
// the goroutine, as the real one does, so failure paths can be asserted.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// fatalOf runs fn with a recorder and returns what it Fatalf'd ("" if
// nothing).
func fatalOf(t *testing.T, fn func(testing.TB)) string {
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(rec)
	}()
	<-done
	return rec.msg
}

func TestTerraformPathFailures(t *testing.T) {
	fake := func(version string) string {
		p := filepath.Join(t.TempDir(), "terraform")
		script := fmt.Sprintf("#!/bin/sh\necho '{\"terraform_version\":\"%s\",\"platform\":\"linux_amd64\"}'\n", version)
		if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name      string
		terraform string
		want      []string
	}{
		{"absent", "", []string{"terraform 1.5.7 not found", InstallCommand}},
		{"explicit path absent", filepath.Join(t.TempDir(), "nope"), []string{"not found", "nope", InstallCommand}},
		{"wrong version", fake("1.9.0"), []string{"is terraform 1.9.0, tests need 1.5.7", InstallCommand}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			empty := t.TempDir()
			t.Setenv("TFDRIFT_TERRAFORM", tt.terraform)
			t.Setenv("TFDRIFT_TOOLS", empty)
			t.Setenv("HOME", empty)
			msg := fatalOf(t, func(tb testing.TB) { TerraformPath(tb) })
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("failure %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestTerraformPathFake(t *testing.T) {
	p := filepath.Join(t.TempDir(), "terraform")
	if err := os.WriteFile(p, []byte("#!/bin/sh\necho '{\"terraform_version\":\"1.5.7\"}'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TFDRIFT_TERRAFORM", p)
	if got := TerraformPath(t); got != p {
		t.Errorf("TerraformPath = %q, want %q", got, p)
	}
}

func TestEnvironIsHermetic(t *testing.T) {
	t.Setenv("TF_LOG", "trace")
	t.Setenv("TF_CLI_ARGS_plan", "-lock=false")
	t.Setenv("TF_CLI_CONFIG_FILE", "/nonexistent/terraformrc")
	t.Setenv("FAKEAWS_CLOUD_FILE", "/elsewhere.json")
	e := &Env{CLIConfig: "/tmp/x/terraform.rc", CloudFile: "/tmp/x/cloud.json"}
	var tfVars []string
	for _, kv := range e.Environ() {
		if strings.HasPrefix(kv, "TF_") || strings.HasPrefix(kv, "FAKEAWS_") || strings.HasPrefix(kv, "CHECKPOINT_") {
			tfVars = append(tfVars, kv)
		}
	}
	slices.Sort(tfVars)
	want := []string{
		"CHECKPOINT_DISABLE=1",
		"FAKEAWS_CLOUD_FILE=/tmp/x/cloud.json",
		"TF_CLI_CONFIG_FILE=/tmp/x/terraform.rc",
		"TF_IN_AUTOMATION=1",
	}
	if diff := cmp.Diff(want, tfVars); diff != "" {
		t.Errorf("Terraform variables (-want +got):\n%s", diff)
	}
}

func TestCopyTreeSkipsLocalState(t *testing.T) {
	src := t.TempDir()
	files := map[string]string{
		"main.tf":                          "# main",
		"modules/net/sg.tf":                "# sg",
		"terraform.tfstate":                "{}",
		"terraform.tfstate.backup":         "{}",
		".terraform.lock.hcl":              "# lock",
		".terraform/providers/x":           "bin",
		"modules/net/.terraform/modules/y": "mod",
	}
	for name, body := range files {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dst := t.TempDir()
	if err := copyTree(src, dst); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dst, p)
			got = append(got, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"main.tf", "modules/net/sg.tf"}, got); diff != "" {
		t.Errorf("copied files (-want +got):\n%s", diff)
	}
}

// TestKindsMatchProvider keeps the exported kinds in step with the
// provider, which tftest does not import outside tests (it would compile
// the plugin framework into every test binary that uses tftest).
func TestKindsMatchProvider(t *testing.T) {
	got := []string{KindSecurityGroup, KindInstance, KindIAMRolePolicy, KindPublicAccessBlock}
	want := []string{fakeaws.KindSecurityGroup, fakeaws.KindInstance, fakeaws.KindIAMRolePolicy, fakeaws.KindPublicAccessBlock}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kinds (-provider +tftest):\n%s", diff)
	}
	if providerAddr.String() != fakeaws.Address {
		t.Errorf("mirror address %s, provider serves %s", providerAddr, fakeaws.Address)
	}
}

func TestCLIConfigPinsMirror(t *testing.T) {
	got := cliConfig("/m")
	for _, want := range []string{
		`path    = "/m"`,
		`exclude = ["` + providerAddr.Hostname.String() + `/hashicorp/*"]`,
		"disable_checkpoint = true",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("CLI config lacks %q:\n%s", want, got)
		}
	}
}
