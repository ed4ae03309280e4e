package terraform_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/gitops/terraform"
	"github.com/tfdrift/tfdrift/internal/tftest"
)

// TestRefreshOnlyPlan runs the untargeted refresh-only plan against real
// Terraform: clean after apply; then every drifted and deleted object of
// the whole module, with no -target and without writing state; and with
// Lock(false) it reads state that another process holds locked.
func TestRefreshOnlyPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := applied(t, "basic")

	clean, err := f.runner.RefreshOnlyPlan(ctx, terraform.Lock(false))
	if err != nil {
		t.Fatalf("RefreshOnlyPlan: %v", err)
	}
	if len(clean.Drifted()) != 0 || len(clean.Resources) != 4 {
		t.Fatalf("after apply: %d resources, drifted %+v; want 4 resources, none drifted", len(clean.Resources), clean.Drifted())
	}

	statePath := filepath.Join(f.env.Dir, "terraform.tfstate")
	before, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	f.cloud.Mutate(tftest.KindSecurityGroup, f.ids[addrSG], func(o map[string]any) { o["description"] = "edited in the console" })
	f.cloud.Delete(tftest.KindPublicAccessBlock, "acme-assets")

	unlock := holdLocalStateLock(t, f.env.Dir, "apply-lock", "ci@runner")
	got, err := f.runner.RefreshOnlyPlan(ctx, terraform.Lock(false))
	if err != nil {
		t.Fatalf("RefreshOnlyPlan with -lock=false while the state is locked: %v", err)
	}
	var le *terraform.LockHeldError
	if _, err := f.runner.RefreshOnlyPlan(ctx); !errors.As(err, &le) {
		t.Errorf("RefreshOnlyPlan with the default lock: err = %v, want *LockHeldError", err)
	}
	unlock()

	var drifted []string
	for _, d := range got.Drifted() {
		drifted = append(drifted, d.Address)
	}
	if diff := cmp.Diff([]string{addrAssets, addrSG}, drifted); diff != "" {
		t.Fatalf("drifted (-want +got):\n%s", diff)
	}
	sg := got.Drifted()[1]
	if sg.Type != "aws_security_group" || sg.ID != f.ids[addrSG] || sg.Deleted {
		t.Errorf("security group entry = %+v", sg)
	}
	if diff := cmp.Diff([]string{"description"}, sg.Attributes()); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
	if c := sg.Changes["description"]; c.Expected != "Web tier" || c.Actual != "edited in the console" {
		t.Errorf("description change = %+v", c)
	}
	if a := got.Drifted()[0]; !a.Deleted || a.ID != "acme-assets" {
		t.Errorf("assets entry = %+v, want deleted with its id", a)
	}
	after, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the refresh-only plan wrote the state")
	}
}

// TestInitBackendConfig: -backend-config reaches the backend (the local
// backend's path), so a partial backend configuration works.
func TestInitBackendConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := tftest.New(t, filepath.Join("testdata", "e2e", "basic"))
	r, err := terraform.New(env.Dir, terraform.Binary(env.Terraform), terraform.Env(env.Environ()))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Init(ctx, terraform.BackendConfig("path=states/prod.tfstate")); err != nil {
		t.Fatalf("init: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(env.Dir, "states"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := env.Tf(t).Apply(ctx); err != nil {
		t.Fatalf("apply: %v", err)
	}
	if _, err := os.Stat(filepath.Join(env.Dir, "states", "prod.tfstate")); err != nil {
		t.Fatalf("state not at the configured path: %v", err)
	}
	if _, err := os.Stat(filepath.Join(env.Dir, "terraform.tfstate")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("terraform.tfstate exists (err %v): the backend config was ignored", err)
	}
	got, err := r.RefreshOnlyPlan(ctx, terraform.Lock(false))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Resources) != 4 || len(got.Drifted()) != 0 {
		t.Errorf("refresh: %d resources, %d drifted; want 4, 0", len(got.Resources), len(got.Drifted()))
	}
}
