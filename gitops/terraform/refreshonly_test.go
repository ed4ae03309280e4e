package terraform

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// TestRefreshOnlyArgv asserts the exact command lines of the untargeted
// refresh-only plan: no -target, -lock as asked, the runner's var files and
// lock timeout, and -json for the UI stream.
func TestRefreshOnlyArgv(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		opts []Option
		call []RefreshOnlyOption
		want []string
	}{
		{
			name: "defaults lock like terraform",
			want: []string{"plan", "-no-color", "-input=false", "-detailed-exitcode", "-lock-timeout=0s", "-out=PLANDIR/refresh.tfplan",
				"-lock=true", "-parallelism=10", "-refresh=true", "-refresh-only", "-json"},
		},
		{
			name: "the check's plan: no lock, var files",
			opts: []Option{VarFile("prod.tfvars"), LockTimeout(time.Minute)},
			call: []RefreshOnlyOption{Lock(false)},
			want: []string{"plan", "-no-color", "-input=false", "-detailed-exitcode", "-lock-timeout=1m0s", "-out=PLANDIR/refresh.tfplan",
				"-var-file=prod.tfvars", "-lock=false", "-parallelism=10", "-refresh=true", "-refresh-only", "-json"},
		},
		{
			name: "a per-call lock timeout wins",
			opts: []Option{LockTimeout(time.Minute)},
			call: []RefreshOnlyOption{LockTimeout(5 * time.Second)},
			want: []string{"plan", "-no-color", "-input=false", "-detailed-exitcode", "-lock-timeout=5s", "-out=PLANDIR/refresh.tfplan",
				"-lock=true", "-parallelism=10", "-refresh=true", "-refresh-only", "-json"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, "terraform").set("FAKE_SHOW_JSON", "testdata/plans/refresh-all.json").set("FAKE_PLAN_EXIT", "2")
			if _, err := f.runner(tt.opts...).RefreshOnlyPlan(ctx, tt.call...); err != nil {
				t.Fatalf("RefreshOnlyPlan: %v", err)
			}
			want := [][]string{versionCall, tt.want, {"show", "-json", "-no-color", "PLANDIR/refresh.tfplan"}}
			if diff := cmp.Diff(want, f.calls()); diff != "" {
				t.Errorf("argv (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInitBackendConfigArgv(t *testing.T) {
	f := newFake(t, "terraform")
	err := f.runner().Init(context.Background(), BackendConfig("bucket=acme-tf"), BackendConfig("prod.s3.tfbackend"))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		versionCall,
		{"init", "-no-color", "-input=false", "-backend=true", "-get=true", "-upgrade=false",
			"-backend-config=bucket=acme-tf", "-backend-config=prod.s3.tfbackend"},
	}
	if diff := cmp.Diff(want, f.calls()); diff != "" {
		t.Errorf("argv (-want +got):\n%s", diff)
	}
}

// TestRefresh reads every managed instance of a whole-module refresh:
// drifted, deleted and in sync, in modules too; data sources are left out.
func TestRefresh(t *testing.T) {
	got := refresh(loadPlan(t, "refresh-all.json"))
	want := &Refresh{Resources: []RefreshedResource{
		{ResourceDrift: ResourceDrift{Address: "aws_instance.app"}, Type: "aws_instance", ID: "i-1"},
		{ResourceDrift: ResourceDrift{Address: "aws_s3_bucket_public_access_block.assets", Drifted: true, Deleted: true},
			Type: "aws_s3_bucket_public_access_block", ID: "acme-assets"},
		{ResourceDrift: ResourceDrift{Address: "module.net[0].aws_security_group.db"}, Type: "aws_security_group", ModuleAddress: "module.net[0]", ID: "sg-2"},
		{ResourceDrift: ResourceDrift{Address: "module.net[0].aws_security_group.web", Drifted: true, Changes: map[string]drift.AttrChange{
			"description": {Expected: "Web tier", Actual: "changed by hand", Diff: `"Web tier" → "changed by hand"`},
		}}, Type: "aws_security_group", ModuleAddress: "module.net[0]", ID: "sg-1"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("refresh (-want +got):\n%s", diff)
	}
	var drifted []string
	for _, d := range got.Drifted() {
		drifted = append(drifted, d.Address)
	}
	if diff := cmp.Diff([]string{"aws_s3_bucket_public_access_block.assets", "module.net[0].aws_security_group.web"}, drifted); diff != "" {
		t.Errorf("Drifted (-want +got):\n%s", diff)
	}
	if empty := refresh(loadPlan(t, "empty.json")); len(empty.Resources) != 0 {
		t.Errorf("empty plan: %d resources, want none", len(empty.Resources))
	}
}
