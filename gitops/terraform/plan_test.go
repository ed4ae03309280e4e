package terraform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/internal/golden"

	"github.com/google/go-cmp/cmp"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// loadPlan decodes a plan fixture the way terraform-exec does (numbers as
// json.Number).
func loadPlan(t testing.TB, name string) *tfjson.Plan {
	t.Helper()
	var p tfjson.Plan
	p.UseJSONNumber(true)
	if err := json.Unmarshal([]byte(readTestdata(t, "plans/"+name)), &p); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &p
}

func TestConfirmation(t *testing.T) {
	p := loadPlan(t, "drift.json")
	n := func(s string) json.Number { return json.Number(s) }
	rule := func(port string) map[string]any {
		return map[string]any{"from_port": n(port), "to_port": n(port), "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"}}
	}
	got, missing := confirmation(p, []string{
		"aws_db_instance.main", "aws_instance.workers", "aws_s3_bucket_public_access_block.assets",
		"aws_security_group.web", "module.net.aws_security_group.db",
	})
	want := &Confirmation{Resources: []ResourceDrift{
		{Address: "aws_db_instance.main", Drifted: true, Sensitive: []string{"password"}, Changes: map[string]drift.AttrChange{
			"allocated_storage": {Expected: n("20"), Actual: n("50"), Diff: "20 → 50"},
			"password":          {Expected: sensitiveValue, Actual: sensitiveValue, Diff: "(sensitive value changed)"},
		}},
		{Address: "aws_instance.workers[0]"},
		{Address: "aws_instance.workers[1]", Drifted: true, Changes: map[string]drift.AttrChange{
			"instance_type": {Expected: "t3.micro", Actual: "t3.large", Diff: `"t3.micro" → "t3.large"`},
			"monitoring":    {Expected: false, Actual: true, Diff: "false → true"},
		}},
		{Address: "aws_s3_bucket_public_access_block.assets", Drifted: true, Deleted: true},
		{Address: "aws_security_group.web", Drifted: true, Changes: map[string]drift.AttrChange{
			"ingress": {
				Expected: []any{rule("443")},
				Actual:   []any{rule("22"), rule("443")},
				Diff:     "added cidr_blocks=0.0.0.0/0 from_port=22 protocol=tcp to_port=22",
			},
		}},
		{Address: "module.net.aws_security_group.db"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("confirmation (-want +got):\n%s", diff)
	}
	if len(missing) != 0 {
		t.Errorf("missing = %v, want none", missing)
	}
	if d, ok := got.Resource("aws_instance.workers[1]"); !ok || !cmp.Equal(d.Attributes(), []string{"instance_type", "monitoring"}) {
		t.Errorf("Resource/Attributes = %v %v", d.Attributes(), ok)
	}
	if n := len(got.Drifted()); n != 4 {
		t.Errorf("Drifted() has %d entries, want 4", n)
	}
}

func TestConfirmationMissing(t *testing.T) {
	_, missing := confirmation(loadPlan(t, "drift.json"), []string{"aws_instance.app", "aws_instance.workers[7]", "aws_security_group.web"})
	if diff := cmp.Diff([]string{"aws_instance.app", "aws_instance.workers[7]"}, missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
}

func TestChanges(t *testing.T) {
	tests := []struct {
		plan string
		want []PlannedChange
	}{
		{"revert-update.json", []PlannedChange{
			{Address: "aws_security_group.web", Actions: []string{"update"}, Attributes: []string{"ingress"}},
		}},
		{"revert-replace.json", []PlannedChange{
			{Address: "aws_s3_bucket_public_access_block.assets", Actions: []string{"delete"}},
			{Address: "aws_s3_bucket_public_access_block.logs", Actions: []string{"create"}},
			{Address: "aws_security_group.web", Actions: []string{"delete", "create"},
				Attributes: []string{"description", "id"}, Because: []string{"description"}},
		}},
		{"noop.json", nil},
		{"empty.json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.plan, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, changes(loadPlan(t, tt.plan))); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGuards(t *testing.T) {
	type want struct {
		unexpected  *UnexpectedChangesError
		destructive []string // addresses refused
	}
	tests := []struct {
		name    string
		plan    string
		targets []string
		cfg     revertConfig
		want    want
	}{
		{"update within target", "revert-update.json", []string{"aws_security_group.web"}, revertConfig{}, want{}},
		{"dependency changes too", "revert-others.json", []string{"aws_instance.app"}, revertConfig{}, want{
			unexpected: &UnexpectedChangesError{Target: []string{"aws_instance.app"}, Others: []string{"aws_security_group.web"}},
		}},
		{"both targeted", "revert-others.json", []string{"aws_instance.app", "aws_security_group.web"}, revertConfig{}, want{}},
		{"replace and delete refused", "revert-replace.json",
			[]string{"aws_s3_bucket_public_access_block.assets", "aws_s3_bucket_public_access_block.logs", "aws_security_group.web"},
			revertConfig{}, want{destructive: []string{"aws_s3_bucket_public_access_block.assets", "aws_security_group.web"}}},
		{"replace allowed, delete not", "revert-replace.json",
			[]string{"aws_s3_bucket_public_access_block.assets", "aws_s3_bucket_public_access_block.logs", "aws_security_group.web"},
			revertConfig{allowReplace: true}, want{destructive: []string{"aws_s3_bucket_public_access_block.assets"}}},
		{"destroy allowed does not allow replace", "revert-replace.json",
			[]string{"aws_s3_bucket_public_access_block.assets", "aws_s3_bucket_public_access_block.logs", "aws_security_group.web"},
			revertConfig{allowDestroy: true}, want{destructive: []string{"aws_security_group.web"}}},
		{"everything allowed", "revert-replace.json",
			[]string{"aws_s3_bucket_public_access_block.assets", "aws_s3_bucket_public_access_block.logs", "aws_security_group.web"},
			revertConfig{allowDestroy: true, allowReplace: true}, want{}},
		{"others and destructive together", "revert-replace.json", []string{"aws_security_group.web"}, revertConfig{}, want{
			unexpected: &UnexpectedChangesError{Target: []string{"aws_security_group.web"},
				Others: []string{"aws_s3_bucket_public_access_block.assets", "aws_s3_bucket_public_access_block.logs"}},
			destructive: []string{"aws_s3_bucket_public_access_block.assets", "aws_security_group.web"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &RevertPlan{Targets: tt.targets, Changes: changes(loadPlan(t, tt.plan))}
			err := checkGuards(p, tt.cfg)
			var ue *UnexpectedChangesError
			errors.As(err, &ue)
			if diff := cmp.Diff(tt.want.unexpected, ue); diff != "" {
				t.Errorf("UnexpectedChangesError (-want +got):\n%s", diff)
			}
			var refused []string
			for _, e := range unjoin(err) {
				var de *DestructiveChangeError
				if errors.As(e, &de) {
					refused = append(refused, de.Address)
				}
			}
			if diff := cmp.Diff(tt.want.destructive, refused); diff != "" {
				t.Errorf("destructive refusals (-want +got):\n%s", diff)
			}
			if (err == nil) != (tt.want.unexpected == nil && tt.want.destructive == nil) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// TestSummaries renders PlanClean summaries and a refused revert's error
// against golden files (go test -run TestSummaries -update).
func TestSummaries(t *testing.T) {
	revertPlan := func(name string, targets ...string) (*RevertPlan, error) {
		p := &RevertPlan{Targets: targets, Changes: changes(loadPlan(t, name))}
		return p, checkGuards(p, revertConfig{})
	}
	tests := []struct {
		name   string
		render func() string
	}{
		{"clean-noop", func() string {
			mine, others := splitChanges(changes(loadPlan(t, "noop.json")), []string{"aws_instance.app"})
			return cleanSummary("aws_instance.app", mine, others)
		}},
		{"clean-others-change", func() string {
			mine, others := splitChanges(changes(loadPlan(t, "revert-others.json")), []string{"aws_security_group.web2"})
			return cleanSummary("aws_security_group.web2", mine, others)
		}},
		{"unclean", func() string {
			mine, others := splitChanges(changes(loadPlan(t, "revert-others.json")), []string{"aws_instance.app"})
			return cleanSummary("aws_instance.app", mine, others)
		}},
		{"revert-replace-summary", func() string {
			p, _ := revertPlan("revert-replace.json", "aws_security_group.web")
			return p.Summary()
		}},
		{"revert-replace-refusal", func() string {
			_, err := revertPlan("revert-replace.json", "aws_security_group.web")
			return err.Error()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkGolden(t, filepath.Join("testdata", "golden", tt.name+".txt"), tt.render()+"\n")
		})
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	golden.CheckString(t, path, got)
}

func TestContainsTrue(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`true`, true}, {`false`, false}, {`{}`, false}, {`[false, []]`, false},
		{`{"a": [{"b": [false, true]}]}`, true}, {`null`, false}, {`"true"`, false},
	}
	for _, tt := range tests {
		var v any
		if err := json.Unmarshal([]byte(tt.in), &v); err != nil {
			t.Fatal(err)
		}
		if got := containsTrue(v); got != tt.want {
			t.Errorf("containsTrue(%s) = %v", tt.in, got)
		}
	}
}

func FuzzParseUILine(f *testing.F) {
	for line := range strings.Lines(readTestdata(f, "output/lock-held.jsonl")) {
		f.Add([]byte(strings.TrimSpace(line)))
	}
	f.Add([]byte(`{"@message":"x","diagnostic":null}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, line []byte) {
		m, ok := parseUILine(line)
		if ok && m.Message == "" && m.Diagnostic == nil {
			t.Fatalf("accepted an empty message from %q", line)
		}
		// The streams must take any line without panicking.
		s := newStreams(discardLogger(), &bytes.Buffer{}, jsonUI)
		s.stdoutLine(line)
	})
}

// BenchmarkChanges reads a plan the size of a large root module: 2000
// resource changes with a few dozen attributes each.
func BenchmarkChanges(b *testing.B) {
	var rcs []*tfjson.ResourceChange
	for i := range 2000 {
		before := map[string]any{}
		after := map[string]any{}
		for a := range 40 {
			k := fmt.Sprintf("attr_%02d", a)
			before[k] = []any{map[string]any{"port": json.Number("443"), "cidrs": []any{"10.0.0.0/8"}}}
			after[k] = before[k]
		}
		after["attr_07"] = "changed"
		rcs = append(rcs, &tfjson.ResourceChange{
			Address: fmt.Sprintf("aws_instance.w[%d]", i), Mode: tfjson.ManagedResourceMode,
			Change: &tfjson.Change{Actions: tfjson.Actions{tfjson.ActionUpdate}, Before: before, After: after},
		})
	}
	p := &tfjson.Plan{ResourceChanges: rcs}
	for b.Loop() {
		if n := len(changes(p)); n != 2000 {
			b.Fatalf("%d changes", n)
		}
	}
}
