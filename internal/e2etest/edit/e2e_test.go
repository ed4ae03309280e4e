package edit_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/edit"
	"github.com/tfdrift/tfdrift/gitops/locate"
	"github.com/tfdrift/tfdrift/internal/tftest"
)

// TestAcceptEndToEnd is the proof that accepted edits are right: real
// Terraform applies the fixture, the cloud is changed behind its back,
// the refresh-only plan's drift becomes Requests, Accept and Apply edit
// the code, and then a normal plan (with refresh) must show no changes.
func TestAcceptEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := tftest.New(t, "testdata/e2e")
	tf := env.Tf(t)
	cloud := env.Cloud(t)
	if err := tf.Init(ctx); err != nil {
		t.Fatalf("init: %v", err)
	}
	if err := tf.Apply(ctx); err != nil {
		t.Fatalf("apply: %v", err)
	}
	st, err := tf.Show(ctx)
	if err != nil {
		t.Fatalf("show: %v", err)
	}
	ids := map[string]string{}
	var collect func(m *tfjson.StateModule)
	collect = func(m *tfjson.StateModule) {
		for _, r := range m.Resources {
			ids[r.Address], _ = r.AttributeValues["id"].(string)
		}
		for _, c := range m.ChildModules {
			collect(c)
		}
	}
	collect(st.Values.RootModule)

	// A console user's afternoon.
	ssh := map[string]any{
		"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": []string{"0.0.0.0/0"},
		"ipv6_cidr_blocks": []string{}, "prefix_list_ids": []string{}, "security_groups": []string{},
		"self": false, "description": "",
	}
	cloud.Mutate(tftest.KindSecurityGroup, ids["aws_security_group.web"], func(o map[string]any) {
		o["ingress"] = append(o["ingress"].([]any), ssh)
	})
	cloud.Mutate(tftest.KindInstance, ids["aws_instance.app"], func(o map[string]any) {
		o["instance_type"] = "t3.large"
		o["tags"].(map[string]any)["Owner"] = "ops"
	})
	// The widened document is spelled as jsonencode spells it (sorted
	// keys). The real provider compares policies semantically when
	// planning; the test provider only does so when refreshing, so with
	// IAM's own key order the final plan would show a spelling-only
	// update that real Terraform would not.
	cloud.Mutate(tftest.KindIAMRolePolicy, ids["aws_iam_role_policy.app_s3"], func(o map[string]any) {
		o["policy"] = `{"Statement":[{"Action":"s3:*","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}`
	})
	cloud.Mutate(tftest.KindPublicAccessBlock, "acme-logs", func(o map[string]any) { o["block_public_acls"] = false })

	planFile := filepath.Join(t.TempDir(), "drift.bin")
	if _, err := tf.Plan(ctx, tfexec.RefreshOnly(true), tfexec.Out(planFile)); err != nil {
		t.Fatalf("plan -refresh-only: %v", err)
	}
	plan, err := tf.ShowPlanFile(ctx, planFile)
	if err != nil {
		t.Fatalf("show plan: %v", err)
	}
	reqs := requestsFromDrift(t, plan)
	var got []string
	for _, r := range reqs {
		for a := range r.Changes {
			got = append(got, r.Address+"."+a)
		}
	}
	sort.Strings(got)
	want := []string{
		"aws_iam_role_policy.app_s3.policy",
		"aws_instance.app.instance_type",
		"aws_instance.app.tags",
		"aws_security_group.web.ingress",
		"module.logs.aws_s3_bucket_public_access_block.this.block_public_acls",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("drifted attributes = %v, want %v", got, want)
	}

	repo, err := locate.Load(env.Dir, ".")
	if err != nil {
		t.Fatalf("locate: %v", err)
	}
	accepted, err := edit.Accept(repo, env.Dir, reqs)
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	if len(accepted.Refusals) > 0 {
		t.Fatalf("refusals:\n%s", accepted.Summary())
	}
	if got, want := strings.Join(accepted.Files(), " "), "compute.tf iam.tf main.tf network.tf variables.tf"; got != want {
		t.Errorf("edited files = %s, want %s", got, want)
	}
	if err := accepted.Apply(env.Dir, edit.FmtWith(env.Terraform), edit.WithContext(ctx)); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	changes, err := tf.Plan(ctx)
	if err != nil {
		t.Fatalf("plan after accepting: %v", err)
	}
	if changes {
		out := filepath.Join(t.TempDir(), "after.bin")
		_, _ = tf.Plan(ctx, tfexec.Out(out))
		if p, err := tf.ShowPlanFile(ctx, out); err == nil {
			for _, rc := range p.ResourceChanges {
				if !rc.Change.Actions.NoOp() {
					t.Errorf("%s: %v\nbefore %v\nafter  %v", rc.Address, rc.Change.Actions, rc.Change.Before, rc.Change.After)
				}
			}
		}
		t.Fatalf("terraform plan shows changes after the code was edited to follow the cloud")
	}
}

// requestsFromDrift turns a refresh-only plan's resource drift into
// Requests: every attribute whose value differs before and after.
func requestsFromDrift(t *testing.T, p *tfjson.Plan) []edit.Request {
	t.Helper()
	var out []edit.Request
	for _, rc := range p.ResourceDrift {
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		if before == nil || after == nil {
			t.Fatalf("%s: drift is not an update: %v", rc.Address, rc.Change.Actions)
		}
		r := edit.Request{Address: rc.Address, Changes: map[string]drift.AttrChange{}}
		for k, b := range before {
			if !sameJSON(b, after[k]) {
				r.Changes[k] = drift.AttrChange{Expected: b, Actual: after[k]}
			}
		}
		out = append(out, r)
	}
	return out
}

// sameJSON compares two attribute values with set-like lists compared
// regardless of order (show -json renders sets as lists in no promised
// order).
func sameJSON(a, b any) bool {
	na, err1 := plainJSON(a)
	nb, err2 := plainJSON(b)
	if err1 != nil || err2 != nil {
		return false
	}
	if reflect.DeepEqual(na, nb) {
		return true
	}
	la, ok1 := na.([]any)
	lb, ok2 := nb.([]any)
	if !ok1 || !ok2 || len(la) != len(lb) {
		return false
	}
	key := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	ka, kb := make([]string, len(la)), make([]string, len(lb))
	for i := range la {
		ka[i], kb[i] = key(la[i]), key(lb[i])
	}
	sort.Strings(ka)
	sort.Strings(kb)
	return strings.Join(ka, "\x00") == strings.Join(kb, "\x00")
}

// plainJSON is v as encoding/json decodes it: maps, lists, float64.
func plainJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}
