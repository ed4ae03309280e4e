package edit

import (
	"testing"
	"testing/fstest"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/locate"
)

// BenchmarkAccept plans a typical batch (a literal, a variable, tags, a
// security group rule and a jsonencode policy) on the fuzz repo.
func BenchmarkAccept(b *testing.B) {
	fsys := fstest.MapFS{}
	for name, src := range fuzzRepo {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	repo, err := locate.LoadFS(fsys, ".")
	if err != nil {
		b.Fatal(err)
	}
	rule := func(port int, cidr string) map[string]any {
		return map[string]any{"from_port": port, "to_port": port, "protocol": "tcp", "cidr_blocks": []any{cidr},
			"ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{}, "security_groups": []any{}, "self": false, "description": ""}
	}
	https := rule(443, "0.0.0.0/0")
	https["description"] = "HTTPS"
	reqs := []Request{
		{Address: "aws_instance.app", Changes: map[string]drift.AttrChange{
			"ami":           {Expected: "ami-0abcdef1234567890", Actual: "ami-0fedcba9876543210"},
			"instance_type": {Expected: "t3.small", Actual: "t3.large"},
			"tags":          {Expected: map[string]any{"Name": "app", "Env": "prod"}, Actual: map[string]any{"Name": "app", "Env": "prod", "Owner": "ops"}},
		}},
		{Address: "aws_security_group.web", Changes: map[string]drift.AttrChange{
			"ingress": {Expected: []any{https}, Actual: []any{https, rule(22, "0.0.0.0/0")}},
		}},
		{Address: "aws_iam_role_policy.enc", Changes: map[string]drift.AttrChange{
			"policy": {Actual: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`},
		}},
	}
	b.ReportAllocs()
	for b.Loop() {
		plan, err := AcceptFS(repo, fsys, reqs)
		if err != nil || len(plan.Edits) != 2 || len(plan.Refusals) != 0 {
			b.Fatalf("plan: %v, %d edits, refusals %v", err, len(plan.Edits), plan.Refusals)
		}
	}
}
