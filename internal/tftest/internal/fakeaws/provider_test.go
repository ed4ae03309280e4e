package fakeaws

import (
	"context"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestSchemasValid runs the framework's own schema checks, which would
// otherwise only fail once Terraform talks to the plugin.
func TestSchemasValid(t *testing.T) {
	ctx := context.Background()
	p := New("0.0.1", "")()
	for _, newRes := range p.Resources(ctx) {
		r := newRes()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "aws"}, &meta)
		t.Run(meta.TypeName, func(t *testing.T) {
			var resp resource.SchemaResponse
			r.Schema(ctx, resource.SchemaRequest{}, &resp)
			if resp.Diagnostics.HasError() {
				t.Fatalf("schema: %v", resp.Diagnostics)
			}
			if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
				t.Fatalf("schema: %v", diags)
			}
		})
	}
}

func TestNewID(t *testing.T) {
	re := regexp.MustCompile(`^sg-[0-9a-f]{17}$`)
	a, b := newID("sg"), newID("sg")
	if !re.MatchString(a) || !re.MatchString(b) {
		t.Errorf("ids %q, %q do not look like AWS ids", a, b)
	}
	if a == b {
		t.Errorf("two ids are both %q", a)
	}
}

func TestFromCloudKeepsUnsetNull(t *testing.T) {
	set := types.MapValueMust(types.StringType, nil)
	tests := []struct {
		name  string
		cloud map[string]string
		prior types.Map
		want  types.Map
	}{
		{"unset stays null", nil, types.MapNull(types.StringType), types.MapNull(types.StringType)},
		{"set empty stays empty", nil, set, types.MapValueMust(types.StringType, nil)},
		{"console adds tags to unset", map[string]string{"k": "v"}, types.MapNull(types.StringType),
			types.MapValueMust(types.StringType, map[string]attr.Value{"k": types.StringValue("v")})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, diags := tagsFromCloud(tt.cloud, tt.prior)
			if diags.HasError() {
				t.Fatal(diags)
			}
			if !got.Equal(tt.want) {
				t.Errorf("tags = %v, want %v", got, tt.want)
			}
		})
	}
	if got := stringFromCloud("", types.StringNull()); !got.IsNull() {
		t.Errorf("empty cloud string with unset prior = %v, want null", got)
	}
	if got := stringFromCloud("", types.StringValue("x")); !got.Equal(types.StringValue("")) {
		t.Errorf("emptied cloud string = %v, want \"\"", got)
	}
}

func TestNormRules(t *testing.T) {
	got := normRules([]sgRule{{FromPort: 22, ToPort: 22, Protocol: "tcp", CIDRBlocks: []string{"0.0.0.0/0"}}})
	want := []sgRule{{FromPort: 22, ToPort: 22, Protocol: "tcp", CIDRBlocks: []string{"0.0.0.0/0"},
		IPv6CIDRBlocks: []string{}, PrefixListIDs: []string{}, SecurityGroups: []string{}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := normRules(nil); got == nil || len(got) != 0 {
		t.Errorf("normRules(nil) = %#v, want empty non-nil", got)
	}
}
