package terraform

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestVersionCheck(t *testing.T) {
	tests := []struct {
		name    string
		binary  string
		env     map[string]string
		want    string        // version on success
		wantErr *VersionError // Binary is filled in by the test
	}{
		{"terraform 1.5.7", "terraform", map[string]string{"FAKE_VERSION": "1.5.7"}, "1.5.7", nil},
		{"terraform pre-release of a supported version", "terraform", map[string]string{"FAKE_VERSION": "1.6.0-beta1"}, "1.6.0-beta1", nil},
		{"tofu 1.6.0", "tofu", map[string]string{"FAKE_VERSION": "1.6.0"}, "1.6.0", nil},
		{"terraform 0.12 (plain-text version only)", "terraform", map[string]string{"FAKE_VERSION_TEXT": "Terraform v0.12.31"}, "",
			&VersionError{Want: ">= 1.5.0", Got: "0.12.31"}},
		{"terraform 1.4", "terraform", map[string]string{"FAKE_VERSION": "1.4.7"}, "",
			&VersionError{Want: ">= 1.5.0", Got: "1.4.7"}},
		{"tofu reporting a Terraform-era version", "tofu", map[string]string{"FAKE_VERSION": "1.5.7"}, "",
			&VersionError{Want: ">= 1.6.0", Got: "1.5.7"}},
		{"not terraform at all", "terraform", map[string]string{"FAKE_VERSION_TEXT": "hello"}, "",
			&VersionError{Want: ">= 1.5.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.binary)
			for k, v := range tt.env {
				f.set(k, v)
			}
			r := f.runner()
			got, err := r.CheckVersion(context.Background())
			if tt.wantErr == nil {
				if err != nil || got != tt.want {
					t.Fatalf("CheckVersion = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			var ve *VersionError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want *VersionError", err)
			}
			tt.wantErr.Binary = f.bin
			if diff := cmp.Diff(tt.wantErr, ve, cmpopts.IgnoreFields(VersionError{}, "Err")); diff != "" {
				t.Errorf("VersionError (-want +got):\n%s", diff)
			}
			if (ve.Got == "") != (ve.Err != nil) {
				t.Errorf("Err = %v with Got %q: want a cause exactly when no version was read", ve.Err, ve.Got)
			}
		})
	}
}

// TestWrongBinaryRunsNothing: an operation on an unsupported binary stops
// at the version check.
func TestWrongBinaryRunsNothing(t *testing.T) {
	f := newFake(t, "terraform").set("FAKE_VERSION_TEXT", "Terraform v0.12.31")
	_, err := f.runner().Revert(context.Background(), []string{"aws_security_group.web"})
	var ve *VersionError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want *VersionError", err)
	}
	if !strings.Contains(err.Error(), "is version 0.12.31, tfdrift needs >= 1.5.0") {
		t.Errorf("message %q does not say what is wrong", err)
	}
	for _, c := range f.calls() {
		if c[0] != "version" {
			t.Errorf("ran %q after a failed version check", c)
		}
	}
}

func TestNewErrors(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "terraform")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := newFake(t, "terraform").bin
	tests := []struct {
		name string
		dir  string
		opts []Option
		want string
	}{
		{"missing dir", filepath.Join(dir, "nope"), []Option{Binary(bin)}, "no such file or directory"},
		{"binary not in PATH", dir, []Option{Binary("terraform-that-does-not-exist")}, `binary "terraform-that-does-not-exist"`},
		{"binary not executable", dir, []Option{Binary(notExec)}, "is not an executable file"},
		{"TF_VAR in explicit env", dir, []Option{Binary(bin), Env([]string{"TF_VAR_region=eu-west-1"})}, "TF_VAR_region"},
		{"TF_CLI_ARGS in explicit env", dir, []Option{Binary(bin), Env([]string{"TF_CLI_ARGS_plan=-destroy"})}, "TF_CLI_ARGS_plan is not allowed"},
		{"TF_WORKSPACE in explicit env", dir, []Option{Binary(bin), Env([]string{"TF_WORKSPACE=prod"})}, "TF_WORKSPACE is not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.dir, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestInheritedEnvRefusesWorkspace(t *testing.T) {
	t.Setenv("TF_WORKSPACE", "prod")
	_, err := New(t.TempDir(), Binary(newFake(t, "terraform").bin))
	if err == nil || !strings.Contains(err.Error(), "TF_WORKSPACE is set") {
		t.Errorf("New: err = %v, want a refusal of the inherited TF_WORKSPACE", err)
	}
}

func TestExplicitEnv(t *testing.T) {
	got, err := explicitEnv([]string{"PATH=/bin", "TF_LOG=trace", "TF_IN_AUTOMATION=", "AWS_PROFILE=ops", "EMPTY=", "=junk", "TF_CLI_CONFIG_FILE=/x/rc"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"PATH": "/bin", "AWS_PROFILE": "ops", "EMPTY": "", "TF_CLI_CONFIG_FILE": "/x/rc"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
}

func TestFlavorOf(t *testing.T) {
	for bin, want := range map[string]Flavor{
		"/usr/bin/terraform": FlavorTerraform, "/opt/tofu": FlavorOpenTofu, "/x/tofu-1.8": FlavorOpenTofu,
		"/x/OpenTofu": FlavorOpenTofu, "/tofu/bin/terraform": FlavorTerraform,
	} {
		if got := flavorOf(bin); got != want {
			t.Errorf("flavorOf(%q) = %q, want %q", bin, got, want)
		}
	}
}
