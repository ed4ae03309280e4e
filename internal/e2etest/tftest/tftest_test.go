package tftest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/tfdrift/tfdrift/internal/tftest"
)

const (
	addrSG     = "aws_security_group.web"
	addrApp    = "aws_instance.app"
	addrPolicy = "aws_iam_role_policy.app_s3"
	addrLogs   = "aws_s3_bucket_public_access_block.logs"
	addrAssets = "aws_s3_bucket_public_access_block.assets"
)

// kindOf maps a resource type to its cloud kind; they are the same string.
func kindOf(r *tfjson.StateResource) string { return r.Type }

// TestDriftRoundTrip is the proof that the harness works end to end with
// the real Terraform binary: apply, change the cloud behind Terraform's
// back, see exactly those changes as refresh-only drift, and accept them.
func TestDriftRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := tftest.New(t, "testdata/basic")
	tf := env.Tf(t)
	cloud := env.Cloud(t)

	if err := tf.Init(ctx); err != nil {
		t.Fatalf("init: %v", err)
	}
	if err := tf.Apply(ctx); err != nil {
		t.Fatalf("apply: %v", err)
	}
	applied := stateResources(t, tf)
	if got, want := slices.Sorted(maps.Keys(applied)), []string{addrSG, addrApp, addrPolicy, addrAssets, addrLogs}; !cmp.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Fatalf("applied resources = %v, want %v", got, want)
	}
	assertStateMatchesCloud(t, applied, cloud)

	sgID := applied[addrSG].AttributeValues["id"].(string)
	appID := applied[addrApp].AttributeValues["id"].(string)
	policyID := applied[addrPolicy].AttributeValues["id"].(string)
	oldPolicy := applied[addrPolicy].AttributeValues["policy"].(string)

	// IAM hands back its own formatting of a document; that is no drift.
	cloud.Mutate(tftest.KindIAMRolePolicy, policyID, func(o map[string]any) {
		o["policy"] = reformat(t, o["policy"].(string))
	})
	if plan := refreshOnlyPlan(t, tf); len(plan.ResourceDrift) != 0 {
		t.Fatalf("reformatted equal policy: drift = %s, want none", driftAddrs(plan))
	}

	// A console user's afternoon.
	ssh := map[string]any{
		"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": []string{"0.0.0.0/0"},
		"ipv6_cidr_blocks": []string{}, "prefix_list_ids": []string{}, "security_groups": []string{},
		"self": false, "description": "",
	}
	cloud.Mutate(tftest.KindSecurityGroup, sgID, func(o map[string]any) {
		o["ingress"] = append(o["ingress"].([]any), ssh)
	})
	cloud.Mutate(tftest.KindInstance, appID, func(o map[string]any) { o["instance_type"] = "t3.large" })
	const widened = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	cloud.Mutate(tftest.KindIAMRolePolicy, policyID, func(o map[string]any) { o["policy"] = widened })
	cloud.Mutate(tftest.KindPublicAccessBlock, "acme-logs", func(o map[string]any) { o["block_public_acls"] = false })
	cloud.Delete(tftest.KindPublicAccessBlock, "acme-assets")

	httpsRule := map[string]any{
		"from_port": 443.0, "to_port": 443.0, "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"},
		"ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{}, "security_groups": []any{},
		"self": false, "description": "HTTPS",
	}
	sshRule := map[string]any{
		"from_port": 22.0, "to_port": 22.0, "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"},
		"ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{}, "security_groups": []any{},
		"self": false, "description": "",
	}
	type attrChange struct{ Before, After any }
	tests := []struct {
		addr    string
		actions tfjson.Actions
		// changed lists every attribute whose value differs; all others
		// must be equal before and after. Nil for a deleted resource.
		changed map[string]attrChange
	}{
		{addrSG, tfjson.Actions{tfjson.ActionUpdate}, map[string]attrChange{
			"ingress": {[]any{httpsRule}, []any{httpsRule, sshRule}},
		}},
		{addrApp, tfjson.Actions{tfjson.ActionUpdate}, map[string]attrChange{
			"instance_type": {"t3.micro", "t3.large"},
		}},
		{addrPolicy, tfjson.Actions{tfjson.ActionUpdate}, map[string]attrChange{
			"policy": {oldPolicy, widened},
		}},
		{addrLogs, tfjson.Actions{tfjson.ActionUpdate}, map[string]attrChange{
			"block_public_acls": {true, false},
		}},
		{addrAssets, tfjson.Actions{tfjson.ActionDelete}, nil},
	}

	plan := refreshOnlyPlan(t, tf)
	drift := map[string]*tfjson.ResourceChange{}
	for _, rc := range plan.ResourceDrift {
		rc.Change.Before = plainJSON(t, rc.Change.Before)
		rc.Change.After = plainJSON(t, rc.Change.After)
		drift[rc.Address] = rc
	}
	if len(drift) != len(tests) {
		t.Errorf("drifted resources = %s, want %d", driftAddrs(plan), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			rc := drift[tt.addr]
			if rc == nil {
				t.Fatalf("no drift reported; drift = %s", driftAddrs(plan))
			}
			if !cmp.Equal(rc.Change.Actions, tt.actions) {
				t.Errorf("actions = %v, want %v", rc.Change.Actions, tt.actions)
			}
			before, _ := rc.Change.Before.(map[string]any)
			if diff := cmp.Diff(applied[tt.addr].AttributeValues, before, setsUnordered); diff != "" {
				t.Errorf("before differs from applied state (-state +before):\n%s", diff)
			}
			if tt.changed == nil {
				if rc.Change.After != nil {
					t.Errorf("after = %v, want nil (deleted)", rc.Change.After)
				}
				return
			}
			after, _ := rc.Change.After.(map[string]any)
			got := map[string]attrChange{}
			for k := range before {
				if !cmp.Equal(before[k], after[k], setsUnordered) {
					got[k] = attrChange{before[k], after[k]}
				}
			}
			if diff := cmp.Diff(tt.changed, got, setsUnordered); diff != "" {
				t.Errorf("changed attributes (-want +got):\n%s", diff)
			}
		})
	}

	// Accept the drift and check that state now is the cloud.
	if err := tf.Apply(ctx, tfexec.RefreshOnly(true)); err != nil {
		t.Fatalf("apply -refresh-only: %v", err)
	}
	accepted := stateResources(t, tf)
	if _, ok := accepted[addrAssets]; ok {
		t.Errorf("%s still in state after its deletion was accepted", addrAssets)
	}
	if len(accepted) != 4 {
		t.Errorf("state holds %d resources, want 4", len(accepted))
	}
	assertStateMatchesCloud(t, accepted, cloud)
	if plan := refreshOnlyPlan(t, tf); len(plan.ResourceDrift) != 0 {
		t.Errorf("after accepting: drift = %s, want none", driftAddrs(plan))
	}
}

// TestImport checks ImportState and that Read fills in every attribute:
// objects created in the console, imported, then planned against matching
// configuration, must show no changes.
func TestImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := tftest.New(t, "testdata/import")
	tf := env.Tf(t)
	cloud := env.Cloud(t)

	const sgID, appID = "sg-0c0ffee0c0ffee000", "i-0c0ffee0c0ffee000"
	cloud.Set(tftest.KindSecurityGroup, sgID, map[string]any{
		"id": sgID, "arn": "arn:aws:ec2:us-east-1:123456789012:security-group/" + sgID,
		"name": "console", "description": "Made by hand", "vpc_id": "vpc-0a1b2c3d4e5f67890",
		"ingress": []any{map[string]any{"from_port": 80, "to_port": 80, "protocol": "tcp", "cidr_blocks": []string{"10.0.0.0/8"}}},
		"egress":  []any{},
	})
	cloud.Set(tftest.KindInstance, appID, map[string]any{
		"id": appID, "arn": "arn:aws:ec2:us-east-1:123456789012:instance/" + appID,
		"ami": "ami-0abcdef1234567890", "instance_type": "t3.small", "source_dest_check": true,
		"user_data": "#!/bin/sh\necho hi\n", "tags": map[string]string{"Name": "console"},
	})
	cloud.Set(tftest.KindIAMRolePolicy, "ops:read-all", map[string]any{
		"id": "ops:read-all", "role": "ops", "name": "read-all",
		"policy": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*"], "Resource": ["*"]}]}`,
	})
	cloud.Set(tftest.KindPublicAccessBlock, "acme-console", map[string]any{
		"id": "acme-console", "bucket": "acme-console", "block_public_acls": true, "block_public_policy": true,
	})

	if err := tf.Init(ctx); err != nil {
		t.Fatalf("init: %v", err)
	}
	for addr, id := range map[string]string{
		"aws_security_group.console":                sgID,
		"aws_instance.console":                      appID,
		"aws_iam_role_policy.console":               "ops:read-all",
		"aws_s3_bucket_public_access_block.console": "acme-console",
	} {
		if err := tf.Import(ctx, addr, id); err != nil {
			t.Fatalf("import %s %s: %v", addr, id, err)
		}
	}
	out := filepath.Join(t.TempDir(), "plan.bin")
	changes, err := tf.Plan(ctx, tfexec.Out(out))
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if changes {
		plan, err := tf.ShowPlanFile(ctx, out)
		if err != nil {
			t.Fatalf("show plan: %v", err)
		}
		for _, rc := range plan.ResourceChanges {
			if !rc.Change.Actions.NoOp() {
				t.Errorf("%s: %v\nbefore %v\nafter  %v", rc.Address, rc.Change.Actions, rc.Change.Before, rc.Change.After)
			}
		}
	}
}

// setsUnordered compares Terraform set values (which show -json renders
// as lists in no promised order) regardless of order.
var setsUnordered = cmp.Transformer("sortList", func(in []any) []any {
	out := slices.Clone(in)
	slices.SortFunc(out, func(a, b any) int {
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		return slices.Compare(ja, jb)
	})
	return out
})

func refreshOnlyPlan(t *testing.T, tf *tfexec.Terraform) *tfjson.Plan {
	t.Helper()
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "plan.bin")
	if _, err := tf.Plan(ctx, tfexec.RefreshOnly(true), tfexec.Out(out)); err != nil {
		t.Fatalf("plan -refresh-only: %v", err)
	}
	plan, err := tf.ShowPlanFile(ctx, out)
	if err != nil {
		t.Fatalf("show %s: %v", out, err)
	}
	return plan
}

func stateResources(t *testing.T, tf *tfexec.Terraform) map[string]*tfjson.StateResource {
	t.Helper()
	st, err := tf.Show(context.Background())
	if err != nil {
		t.Fatalf("show: %v", err)
	}
	out := map[string]*tfjson.StateResource{}
	if st.Values == nil || st.Values.RootModule == nil {
		return out
	}
	for _, r := range st.Values.RootModule.Resources {
		r.AttributeValues = plainJSON(t, r.AttributeValues).(map[string]any)
		out[r.Address] = r
	}
	return out
}

// assertStateMatchesCloud checks every resource in state against its cloud
// object. A null attribute in state is an unset argument, which the cloud
// file leaves out.
func assertStateMatchesCloud(t *testing.T, resources map[string]*tfjson.StateResource, cloud tftest.Cloud) {
	t.Helper()
	for addr, r := range resources {
		id, _ := r.AttributeValues["id"].(string)
		obj := cloud.Get(kindOf(r), id)
		if obj == nil {
			t.Errorf("%s: no %s %q in the cloud", addr, kindOf(r), id)
			continue
		}
		want := maps.Clone(r.AttributeValues)
		maps.DeleteFunc(want, func(_ string, v any) bool { return v == nil })
		if diff := cmp.Diff(want, obj, setsUnordered); diff != "" {
			t.Errorf("%s: state differs from cloud (-state +cloud):\n%s", addr, diff)
		}
	}
}

// plainJSON turns terraform-json's json.Number values into float64, as
// the cloud file decodes them, by a JSON round trip.
func plainJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func reformat(t *testing.T, doc string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("policy %q: %v", doc, err)
	}
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) == doc {
		t.Fatalf("reformatting did not change %q", doc)
	}
	return string(b)
}

func driftAddrs(p *tfjson.Plan) string {
	var s []string
	for _, rc := range p.ResourceDrift {
		s = append(s, fmt.Sprintf("%s%v", rc.Address, rc.Change.Actions))
	}
	return fmt.Sprint(s)
}
