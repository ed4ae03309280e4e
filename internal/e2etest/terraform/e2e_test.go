package terraform_test

// End-to-end tests: the real Terraform v1.5.7 (tftest finds it; a missing
// binary fails, never skips) against tftest's fake hashicorp/aws, whose
// cloud is a JSON file the tests edit out of band.

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/terraform"
	"github.com/tfdrift/tfdrift/internal/tftest"
)

const (
	addrSG     = "aws_security_group.web"
	addrApp    = "aws_instance.app"
	addrLogs   = "aws_s3_bucket_public_access_block.logs"
	addrAssets = "aws_s3_bucket_public_access_block.assets"
)

// fixture is one applied root module and a Runner on it.
type fixture struct {
	env    *tftest.Env
	tf     *tfexec.Terraform
	cloud  tftest.Cloud
	runner *terraform.Runner
	ids    map[string]string // address → id attribute
}

// applied copies testdata/e2e/NAME, initialises it through the Runner and
// applies it with terraform-exec directly.
func applied(t *testing.T, name string, opts ...terraform.Option) *fixture {
	t.Helper()
	ctx := context.Background()
	env := tftest.New(t, filepath.Join("testdata", "e2e", name))
	f := &fixture{env: env, tf: env.Tf(t), cloud: env.Cloud(t), ids: map[string]string{}}
	var err error
	f.runner, err = terraform.New(env.Dir, append([]terraform.Option{
		terraform.Binary(env.Terraform), terraform.Env(env.Environ()),
	}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := f.runner.Init(ctx); err != nil {
		t.Fatalf("init: %v", err)
	}
	if err := f.tf.Apply(ctx); err != nil {
		t.Fatalf("apply: %v", err)
	}
	st, err := f.tf.Show(ctx)
	if err != nil {
		t.Fatalf("show: %v", err)
	}
	for _, r := range st.Values.RootModule.Resources {
		f.ids[r.Address] = r.AttributeValues["id"].(string)
	}
	return f
}

// refreshOnlyDrift runs a whole-configuration refresh-only plan with
// terraform-exec (not the Runner) and returns the drifted addresses.
func (f *fixture) refreshOnlyDrift(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "plan.bin")
	if _, err := f.tf.Plan(ctx, tfexec.RefreshOnly(true), tfexec.Out(out)); err != nil {
		t.Fatalf("plan -refresh-only: %v", err)
	}
	p, err := f.tf.ShowPlanFile(ctx, out)
	if err != nil {
		t.Fatalf("show: %v", err)
	}
	var addrs []string
	for _, rc := range p.ResourceDrift {
		addrs = append(addrs, rc.Address)
	}
	return addrs
}

func sgRule(port int, description string) map[string]any {
	return map[string]any{
		"from_port": port, "to_port": port, "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"},
		"ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{}, "security_groups": []any{},
		"self": false, "description": description,
	}
}

// openSSH is the console user's change: 22/tcp from anywhere.
func (f *fixture) openSSH(t *testing.T) {
	t.Helper()
	f.cloud.Mutate(tftest.KindSecurityGroup, f.ids[addrSG], func(o map[string]any) {
		o["ingress"] = append(o["ingress"].([]any), sgRule(22, ""))
	})
}

// jsonValues turns ints into json.Number, as terraform-exec decodes plans.
func jsonValues(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// setsUnordered compares Terraform sets, which JSON renders as lists in no
// promised order.
var setsUnordered = cmp.Transformer("sortList", func(in []any) []any {
	out := slices.Clone(in)
	slices.SortFunc(out, func(a, b any) int {
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		return strings.Compare(string(ja), string(jb))
	})
	return out
})

// TestConfirmThenAccept: drift made out of band is confirmed with exact
// before/after values; after the code is edited to match the cloud, the
// targeted plan is clean.
func TestConfirmThenAccept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := applied(t, "basic")
	f.openSSH(t)
	f.cloud.Mutate(tftest.KindInstance, f.ids[addrApp], func(o map[string]any) { o["instance_type"] = "t3.large" })
	f.cloud.Delete(tftest.KindPublicAccessBlock, f.ids[addrAssets])

	got, err := f.runner.Confirm(ctx, addrSG, addrApp, addrAssets, addrLogs)
	if err != nil {
		t.Fatalf("Confirm: %v", err)
	}
	want := &terraform.Confirmation{Resources: []terraform.ResourceDrift{
		{Address: addrApp, Drifted: true, Changes: map[string]drift.AttrChange{
			"instance_type": {Expected: "t3.micro", Actual: "t3.large"},
		}},
		{Address: addrAssets, Drifted: true, Deleted: true},
		{Address: addrLogs},
		{Address: addrSG, Drifted: true, Changes: map[string]drift.AttrChange{
			"ingress": {
				Expected: jsonValues(t, []any{sgRule(443, "HTTPS")}),
				Actual:   jsonValues(t, []any{sgRule(443, "HTTPS"), sgRule(22, "")}),
			},
		}},
	}}
	if diff := cmp.Diff(want, got, setsUnordered, cmpopts.IgnoreFields(drift.AttrChange{}, "Diff")); diff != "" {
		t.Errorf("Confirm (-want +got):\n%s", diff)
	}
	if d, _ := got.Resource(addrApp); d.Changes["instance_type"].Diff == "" {
		t.Errorf("instance_type change has no Diff")
	}

	clean, summary, err := f.runner.PlanClean(ctx, addrApp)
	if err != nil {
		t.Fatalf("PlanClean before the edit: %v", err)
	}
	if clean || !strings.Contains(summary, "aws_instance.app will be updated in-place (instance_type)") {
		t.Errorf("PlanClean before the edit = %v, %q; want unclean with the instance_type update", clean, summary)
	}

	// The accept edit, by hand: the code now says what the cloud has.
	compute := filepath.Join(f.env.Dir, "compute.tf")
	b, err := os.ReadFile(compute)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), `"t3.micro"`, `"t3.large"`, 1)
	if edited == string(b) {
		t.Fatal("fixture lacks instance_type t3.micro")
	}
	if err := os.WriteFile(compute, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	clean, summary, err = f.runner.PlanClean(ctx, addrApp)
	if err != nil {
		t.Fatalf("PlanClean after the edit: %v", err)
	}
	if !clean || summary != "No changes. Your infrastructure matches the configuration." {
		t.Errorf("PlanClean after the edit = %v, %q; want clean", clean, summary)
	}
	proof, err := f.runner.ProvePlan(ctx, addrApp)
	if err != nil || !proof.Clean || proof.Summary != summary || !strings.Contains(proof.Rendered, "No changes.") {
		t.Errorf("ProvePlan after the edit = %+v, %v; want clean and rendered", proof, err)
	}

	var nf *terraform.AddressNotFoundError
	if _, _, err := f.runner.PlanClean(ctx, "aws_instance.ap"); !errors.As(err, &nf) {
		t.Errorf("PlanClean of a typo: err = %v, want *AddressNotFoundError", err)
	}
}

// TestRevert: the cloud follows the code again, and a refresh-only plan is
// empty afterwards.
func TestRevert(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := applied(t, "basic")
	before := f.cloud.Get(tftest.KindSecurityGroup, f.ids[addrSG])
	f.openSSH(t)

	plan, err := f.runner.PlanRevert(ctx, []string{addrSG})
	if err != nil {
		t.Fatalf("PlanRevert: %v", err)
	}
	wantChanges := []terraform.PlannedChange{{Address: addrSG, Actions: []string{"update"}, Attributes: []string{"ingress"}}}
	if diff := cmp.Diff(wantChanges, plan.Changes); diff != "" {
		t.Errorf("PlanRevert changes (-want +got):\n%s", diff)
	}
	if len(plan.Drift) != 1 || plan.Drift[0].Address != addrSG || plan.Drift[0].Attributes()[0] != "ingress" {
		t.Errorf("PlanRevert drift = %+v", plan.Drift)
	}
	if !strings.Contains(plan.Rendered, "aws_security_group.web will be updated in-place") {
		t.Errorf("rendered plan lacks the update:\n%s", plan.Rendered)
	}
	if got := f.cloud.Get(tftest.KindSecurityGroup, f.ids[addrSG]); cmp.Equal(before, got, setsUnordered) {
		t.Fatal("the dry run changed the cloud")
	}

	var out strings.Builder
	res, err := f.runner.Revert(ctx, []string{addrSG}, terraform.Output(&out))
	if err != nil {
		t.Fatalf("Revert: %v\n%s", err, out.String())
	}
	if !res.Applied {
		t.Errorf("Revert: Applied = false")
	}
	if !strings.Contains(out.String(), "Apply complete! Resources: 0 added, 1 changed, 0 destroyed.") {
		t.Errorf("streamed output lacks the apply summary:\n%s", out.String())
	}
	if diff := cmp.Diff(before, f.cloud.Get(tftest.KindSecurityGroup, f.ids[addrSG]), setsUnordered); diff != "" {
		t.Errorf("cloud after revert differs from before the drift (-before +after):\n%s", diff)
	}
	if drifted := f.refreshOnlyDrift(t); len(drifted) != 0 {
		t.Errorf("refresh-only plan after revert: drift %v, want none", drifted)
	}

	res, err = f.runner.Revert(ctx, []string{addrSG})
	if err != nil || res.Applied || len(res.Plan.Changes) != 0 {
		t.Errorf("second Revert = %+v, %v; want nothing to apply", res, err)
	}
}

// TestRevertGuards: plans that reach beyond the target or replace it are
// refused with typed errors, and nothing is applied.
func TestRevertGuards(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := applied(t, "guard")
	f.openSSH(t)
	f.cloud.Mutate(tftest.KindInstance, f.ids[addrApp], func(o map[string]any) { o["instance_type"] = "t3.large" })
	snapshot := func() []map[string]any {
		return []map[string]any{
			f.cloud.Get(tftest.KindSecurityGroup, f.ids[addrSG]),
			f.cloud.Get(tftest.KindInstance, f.ids[addrApp]),
		}
	}

	// The instance depends on the group, whose drift the targeted plan
	// would revert too.
	drifted := snapshot()
	res, err := f.runner.Revert(ctx, []string{addrApp})
	var ue *terraform.UnexpectedChangesError
	if !errors.As(err, &ue) {
		t.Fatalf("Revert(app): err = %v, want *UnexpectedChangesError", err)
	}
	if diff := cmp.Diff(&terraform.UnexpectedChangesError{Target: []string{addrApp}, Others: []string{addrSG}}, ue); diff != "" {
		t.Errorf("UnexpectedChangesError (-want +got):\n%s", diff)
	}
	if res == nil || res.Applied || res.Plan == nil {
		t.Errorf("Revert(app) result = %+v, want the refused plan", res)
	}
	if diff := cmp.Diff(drifted, snapshot(), setsUnordered); diff != "" {
		t.Errorf("a refused revert changed the cloud (-before +after):\n%s", diff)
	}

	// description is force-new: reverting it means replacing the group.
	f.cloud.Mutate(tftest.KindSecurityGroup, f.ids[addrSG], func(o map[string]any) { o["description"] = "changed by hand" })
	drifted = snapshot()
	_, err = f.runner.Revert(ctx, []string{addrSG})
	var de *terraform.DestructiveChangeError
	if !errors.As(err, &de) {
		t.Fatalf("Revert(sg): err = %v, want *DestructiveChangeError", err)
	}
	want := &terraform.DestructiveChangeError{Address: addrSG, Actions: []string{"delete", "create"}, Because: []string{"description"}}
	if diff := cmp.Diff(want, de); diff != "" {
		t.Errorf("DestructiveChangeError (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(drifted, snapshot(), setsUnordered); diff != "" {
		t.Errorf("a refused revert changed the cloud (-before +after):\n%s", diff)
	}

	// A rule may allow it; the dry run then passes the guards.
	plan, err := f.runner.PlanRevert(ctx, []string{addrSG}, terraform.AllowReplace(true))
	if err != nil {
		t.Fatalf("PlanRevert with AllowReplace: %v", err)
	}
	if len(plan.Changes) != 1 || plan.Changes[0].Symbol() != "-/+" {
		t.Errorf("PlanRevert with AllowReplace: changes %+v, want one replacement", plan.Changes)
	}
}

// TestLockHeld: a state lock held elsewhere fails fast with the holder
// named, in both output modes (human plan, -json refresh-only plan).
func TestLockHeld(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := applied(t, "guard")
	unlock := holdLocalStateLock(t, f.env.Dir, "tfdrift-test-lock", "job-1@test")

	_, err := f.runner.Revert(ctx, []string{addrSG}, terraform.LockTimeout(0))
	var le *terraform.LockHeldError
	if !errors.As(err, &le) {
		t.Fatalf("Revert: err = %v, want *LockHeldError", err)
	}
	if le.ID != "tfdrift-test-lock" || le.Who != "job-1@test" || le.Operation != "OperationTypeApply" {
		t.Errorf("LockHeldError = %+v", le)
	}
	if _, err := f.runner.Confirm(ctx, addrSG); !errors.As(err, &le) {
		t.Fatalf("Confirm: err = %v, want *LockHeldError", err)
	}

	unlock()
	if _, err := f.runner.Confirm(ctx, addrSG); err != nil {
		t.Errorf("Confirm after the lock was released: %v", err)
	}
}

// holdLocalStateLock takes the lock the local backend takes: a POSIX
// write lock on terraform.tfstate (Terraform's statemgr.Filesystem uses
// fcntl F_SETLK), with the lock info file a holder writes beside it.
// POSIX locks belong to the process, so a Terraform child cannot take it
// while this test holds it; no timing is involved.
func holdLocalStateLock(t *testing.T, dir, id, who string) (unlock func()) {
	t.Helper()
	info, _ := json.Marshal(map[string]string{
		"ID": id, "Operation": "OperationTypeApply", "Info": "", "Who": who,
		"Version": "1.5.7", "Created": "2024-01-01T00:00:00Z", "Path": "terraform.tfstate",
	})
	if err := os.WriteFile(filepath.Join(dir, ".terraform.tfstate.lock.info"), info, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := os.OpenFile(filepath.Join(dir, "terraform.tfstate"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK}
	if err := syscall.FcntlFlock(st.Fd(), syscall.F_SETLK, &lk); err != nil {
		st.Close()
		t.Fatalf("lock state: %v", err)
	}
	done := false
	unlock = func() {
		if done {
			return
		}
		done = true
		st.Close() // closing releases the process's POSIX locks on the file
		os.Remove(filepath.Join(dir, ".terraform.tfstate.lock.info"))
	}
	t.Cleanup(unlock)
	return unlock
}
