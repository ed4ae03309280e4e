package detector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/decode"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/state"
)

// caseFile is a catalog case (detector/catalog/testdata/cases): a
// realistic record and the state it meets. The engine tests reuse them so
// that every semantic is shown on the records the catalog is proven with.
type caseFile struct {
	Record json.RawMessage `json:"record"`
	State  []struct {
		Type       string         `json:"type"`
		Attributes map[string]any `json:"attributes"`
	} `json:"state"`
}

func loadCaseFile(t *testing.T, name string) caseFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("catalog", "testdata", "cases", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var c caseFile
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

// recordChange decodes one record with the real decoder.
func recordChange(t *testing.T, record []byte) *change.Change {
	t.Helper()
	cs, err := decode.Decode(record, decode.Options{})
	if err != nil || len(cs) != 1 {
		t.Fatalf("decode: %v (%d changes)", err, len(cs))
	}
	return cs[0]
}

// stateDoc renders resources as a Terraform state v4 document.
func stateDoc(t testing.TB, serial int, resources []stateResource) []byte {
	t.Helper()
	var rs []map[string]any
	for i, r := range resources {
		name := r.Name
		if name == "" {
			name = fmt.Sprintf("r%d", i)
		}
		rs = append(rs, map[string]any{
			"mode": "managed", "type": r.Type, "name": name,
			"provider":  `provider["registry.terraform.io/hashicorp/aws"]`,
			"instances": []any{map[string]any{"schema_version": 0, "attributes": r.Attributes}},
		})
	}
	b, err := json.Marshal(map[string]any{"version": 4, "terraform_version": "1.5.7", "serial": serial, "lineage": "l", "resources": rs})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type stateResource struct {
	Type, Name string
	Attributes map[string]any
}

// testIndex is an index over one state source, "prod", that tests reload.
type testIndex struct {
	t  testing.TB
	ix *state.Index
}

func newTestIndex(t testing.TB) *testIndex {
	cat := catalog.Default()
	return &testIndex{t: t, ix: state.NewIndex(state.KeySpec{ByType: cat.KeysByType(), Default: []string{"id", "arn"}})}
}

func (ti *testIndex) load(serial int, resources []stateResource) {
	ti.t.Helper()
	snap, err := state.Parse(stateDoc(ti.t, serial, resources), state.Source{Name: "prod", Workspace: "default"})
	if err != nil {
		ti.t.Fatal(err)
	}
	ti.ix.Replace(snap)
}

func summarize(res Result) []string {
	var out []string
	for _, d := range append(append([]*drift.Drift(nil), res.Drifts...), res.Repeats...) {
		attrs := d.Attributes()
		out = append(out, fmt.Sprintf("%s %s %s", d.ResourceType, d.ChangeType, strings.Join(attrs, ",")))
	}
	slices.Sort(out)
	return out
}

// TestSplitResources: since AWS provider v4 a parent's settings live in
// their own resources. Each write is compared with the resource that
// manages the attribute: the split resource when state holds one, the
// parent's legacy attribute only when state really holds it and no split
// resource covers it. Each pair is tried with the split resource only, the
// inline attribute only, and both.
func TestSplitResources(t *testing.T) {
	tests := []struct {
		file   string
		parent string   // the parent's type
		legacy []string // its legacy attributes
		// extra split resources for the "split" and "both" variants when
		// the case's state has none (a rule resource for another rule).
		extra     []stateResource
		wantSplit []string // drifts when split resources manage the attribute
		wantInner []string // drifts when only the parent's inline attribute does
	}{
		{file: "aws/s3/PutBucketVersioning.json", parent: "aws_s3_bucket", legacy: []string{"versioning"},
			wantSplit: []string{"aws_s3_bucket_versioning modified versioning_configuration"},
			wantInner: []string{"aws_s3_bucket modified versioning"}},
		{file: "aws/s3/PutBucketPolicy.json", parent: "aws_s3_bucket", legacy: []string{"policy"},
			wantSplit: []string{"aws_s3_bucket_policy modified policy"},
			wantInner: []string{"aws_s3_bucket modified policy"}},
		{file: "aws/s3/DeleteBucketPolicy.json", parent: "aws_s3_bucket", legacy: []string{"policy"},
			wantSplit: []string{"aws_s3_bucket_policy deleted "},
			wantInner: []string{"aws_s3_bucket modified policy"}},
		{file: "aws/s3/PutBucketEncryption.json", parent: "aws_s3_bucket", legacy: []string{"server_side_encryption_configuration"},
			wantSplit: []string{"aws_s3_bucket_server_side_encryption_configuration modified rule"},
			wantInner: []string{"aws_s3_bucket modified server_side_encryption_configuration"}},
		{file: "aws/s3/PutBucketLifecycle.json", parent: "aws_s3_bucket", legacy: []string{"lifecycle_rule"},
			wantSplit: []string{"aws_s3_bucket_lifecycle_configuration modified rule"},
			wantInner: []string{"aws_s3_bucket modified lifecycle_rule"}},
		{file: "aws/s3/PutBucketLogging.json", parent: "aws_s3_bucket", legacy: []string{"logging"},
			wantSplit: []string{"aws_s3_bucket_logging modified target_bucket,target_prefix"},
			wantInner: []string{"aws_s3_bucket modified logging"}},
		{file: "aws/s3/PutBucketAcl.json", parent: "aws_s3_bucket", legacy: []string{"grant"},
			wantSplit: []string{"aws_s3_bucket_acl modified access_control_policy"},
			wantInner: []string{"aws_s3_bucket modified grant"}},
		{file: "aws/ec2/AuthorizeSecurityGroupIngress_split.json", parent: "aws_security_group", legacy: []string{"ingress"},
			wantSplit: []string{"aws_vpc_security_group_ingress_rule created cidr_ipv4,description,from_port,ip_protocol,security_group_id,to_port"},
			wantInner: []string{"aws_security_group modified ingress"}},
		{file: "aws/ec2/AuthorizeSecurityGroupEgress_split.json", parent: "aws_security_group", legacy: []string{"egress"},
			wantSplit: []string{"aws_vpc_security_group_egress_rule created cidr_ipv4,description,from_port,ip_protocol,security_group_id,to_port"},
			wantInner: []string{"aws_security_group modified egress"}},
		{file: "aws/ec2/RevokeSecurityGroupIngress_split_properties.json", parent: "aws_security_group", legacy: []string{"ingress"},
			wantSplit: []string{"aws_vpc_security_group_ingress_rule deleted "},
			wantInner: []string{"aws_security_group modified ingress"}},
		{file: "aws/ec2/RevokeSecurityGroupEgress_split_properties.json", parent: "aws_security_group", legacy: []string{"egress"},
			wantSplit: []string{"aws_vpc_security_group_egress_rule deleted "},
			wantInner: []string{"aws_security_group modified egress"}},
		{file: "aws/ec2/ModifySecurityGroupRules.json", parent: "aws_security_group", legacy: []string{"ingress", "egress"},
			wantSplit: []string{"aws_vpc_security_group_ingress_rule modified cidr_ipv4,description"},
			wantInner: []string{"aws_security_group modified egress,ingress"}},
		{file: "aws/iam/AttachRolePolicy.json", parent: "aws_iam_role", legacy: []string{"managed_policy_arns"},
			wantSplit: []string{"aws_iam_role_policy_attachment created policy_arn,role"},
			wantInner: []string{"aws_iam_role modified managed_policy_arns"}},
		{file: "aws/iam/DetachRolePolicy.json", parent: "aws_iam_role", legacy: []string{"managed_policy_arns"},
			wantSplit: []string{"aws_iam_role_policy_attachment deleted "},
			wantInner: []string{"aws_iam_role modified managed_policy_arns"}},
		{file: "aws/iam/PutRolePolicy.json", parent: "aws_iam_role", legacy: []string{"inline_policy"},
			wantSplit: []string{"aws_iam_role_policy modified policy"},
			wantInner: []string{"aws_iam_role modified inline_policy"}},
		{file: "aws/iam/DeleteRolePolicy.json", parent: "aws_iam_role", legacy: []string{"inline_policy"},
			wantSplit: []string{"aws_iam_role_policy deleted "},
			wantInner: []string{"aws_iam_role modified inline_policy"}},
		{file: "aws/ec2/CreateRoute.json", parent: "aws_route_table", legacy: []string{"route"},
			extra: []stateResource{{Type: "aws_route", Attributes: map[string]any{
				"id": "r-rtb-0a1b2c3d4e5f607181080289494", "route_table_id": "rtb-0a1b2c3d4e5f60718",
				"destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-0f1e2d3c4b5a69780"}}},
			wantSplit: []string{"aws_route created "},
			wantInner: []string{"aws_route_table modified route"}},
		{file: "aws/ec2/ReplaceRoute.json", parent: "aws_route_table", legacy: []string{"route"},
			wantSplit: []string{"aws_route modified nat_gateway_id,network_interface_id"},
			wantInner: []string{"aws_route_table modified route"}},
		{file: "aws/ec2/DeleteRoute.json", parent: "aws_route_table", legacy: []string{"route"},
			wantSplit: []string{"aws_route deleted "},
			wantInner: []string{"aws_route_table modified route"}},
		{file: "aws/ec2/CreateNetworkAclEntry.json", parent: "aws_network_acl", legacy: []string{"ingress", "egress"},
			extra: []stateResource{{Type: "aws_network_acl_rule", Attributes: map[string]any{
				"id": "nacl-1234567890", "network_acl_id": "acl-0b1c2d3e4f5a60789", "rule_number": 200, "egress": false,
				"protocol": "6", "rule_action": "allow", "cidr_block": "10.0.0.0/8", "from_port": 443, "to_port": 443}}},
			wantSplit: []string{"aws_network_acl_rule created "},
			wantInner: []string{"aws_network_acl modified ingress"}},
		{file: "aws/ec2/ReplaceNetworkAclEntry.json", parent: "aws_network_acl", legacy: []string{"ingress", "egress"},
			wantSplit: []string{"aws_network_acl_rule modified cidr_block"},
			wantInner: []string{"aws_network_acl modified ingress"}},
		{file: "aws/ec2/DeleteNetworkAclEntry.json", parent: "aws_network_acl", legacy: []string{"ingress", "egress"},
			wantSplit: []string{"aws_network_acl_rule deleted "},
			wantInner: []string{"aws_network_acl modified ingress"}},
	}
	for _, tt := range tests {
		c := loadCaseFile(t, tt.file)
		var parent []stateResource
		var split []stateResource
		for _, s := range c.State {
			r := stateResource{Type: s.Type, Attributes: s.Attributes}
			if s.Type == tt.parent {
				parent = append(parent, r)
			} else {
				split = append(split, r)
			}
		}
		split = append(split, tt.extra...)
		if len(parent) != 1 || len(split) == 0 {
			t.Fatalf("%s: the case needs the parent and a split resource in state (parent %d, split %d)", tt.file, len(parent), len(split))
		}
		// The parent as a provider writes it when its legacy attribute
		// is not held: null.
		bare := stateResource{Type: parent[0].Type, Attributes: map[string]any{}}
		for k, v := range parent[0].Attributes {
			bare.Attributes[k] = v
		}
		for _, a := range tt.legacy {
			bare.Attributes[a] = nil
		}
		variants := []struct {
			name  string
			state []stateResource
			want  []string
		}{
			{"split only", append([]stateResource{bare}, split...), tt.wantSplit},
			{"inline only", parent, tt.wantInner},
			{"both", append(append([]stateResource{}, parent...), split...), tt.wantSplit},
		}
		for _, v := range variants {
			t.Run(strings.TrimSuffix(filepath.Base(tt.file), ".json")+"/"+v.name, func(t *testing.T) {
				ti := newTestIndex(t)
				ti.load(3, v.state)
				e := New(Options{Catalog: catalog.Default(), Index: ti.ix})
				res := e.Process(recordChange(t, c.Record))
				if got := summarize(res); !slices.Equal(got, v.want) {
					t.Errorf("drifts %q, want %q (outcome %s)", got, v.want, res.Outcome)
				}
			})
		}
	}
}

// TestSplitResourceAlreadyHolds: a write that sets what the split resource
// already holds is no drift, and the parent, whose legacy attribute state
// still shows the old value, is not blamed.
func TestSplitResourceAlreadyHolds(t *testing.T) {
	c := loadCaseFile(t, "aws/s3/PutBucketVersioning.json")
	var rs []stateResource
	for _, s := range c.State {
		attrs := s.Attributes
		if s.Type == "aws_s3_bucket_versioning" {
			// The record suspends versioning; the split resource already
			// says so, while the bucket's computed attribute still shows
			// it enabled.
			attrs["versioning_configuration"] = []any{map[string]any{"status": "Suspended", "mfa_delete": ""}}
		}
		rs = append(rs, stateResource{Type: s.Type, Attributes: attrs})
	}
	ti := newTestIndex(t)
	ti.load(3, rs)
	e := New(Options{Catalog: catalog.Default(), Index: ti.ix})
	res := e.Process(recordChange(t, c.Record))
	if res.Outcome != OutcomeNoChange || len(res.Drifts) != 0 {
		t.Errorf("outcome %s, drifts %q; want no change", res.Outcome, summarize(res))
	}
}
