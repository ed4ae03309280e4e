package fakeaws

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// KindSecurityGroup is the cloud file's kind for security groups.
const KindSecurityGroup = "aws_security_group"

// DefaultVPC is the vpc_id a security group gets when none is configured,
// as AWS puts it in the account's default VPC.
const DefaultVPC = "vpc-0123456789abcdef0"

type securityGroup struct{ base }

var (
	_ resource.ResourceWithConfigure   = (*securityGroup)(nil)
	_ resource.ResourceWithImportState = (*securityGroup)(nil)
)

// sgRule is one ingress or egress rule, both in Terraform and in the cloud
// file. Every field is always known and non-null (the schema gives them
// defaults), which is why plain Go types can stand in for framework values:
// state then has the real provider's shape, e.g. "cidr_blocks": [] rather
// than null for an unset list.
type sgRule struct {
	FromPort       int64    `tfsdk:"from_port" json:"from_port"`
	ToPort         int64    `tfsdk:"to_port" json:"to_port"`
	Protocol       string   `tfsdk:"protocol" json:"protocol"`
	CIDRBlocks     []string `tfsdk:"cidr_blocks" json:"cidr_blocks"`
	IPv6CIDRBlocks []string `tfsdk:"ipv6_cidr_blocks" json:"ipv6_cidr_blocks"`
	PrefixListIDs  []string `tfsdk:"prefix_list_ids" json:"prefix_list_ids"`
	SecurityGroups []string `tfsdk:"security_groups" json:"security_groups"`
	Self           bool     `tfsdk:"self" json:"self"`
	Description    string   `tfsdk:"description" json:"description"`
}

type sgModel struct {
	ID          types.String `tfsdk:"id"`
	ARN         types.String `tfsdk:"arn"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
	VPCID       types.String `tfsdk:"vpc_id"`
	Tags        types.Map    `tfsdk:"tags"`
	Ingress     []sgRule     `tfsdk:"ingress"`
	Egress      []sgRule     `tfsdk:"egress"`
}

type sgCloud struct {
	ID          string            `json:"id"`
	ARN         string            `json:"arn"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	VPCID       string            `json:"vpc_id"`
	Tags        map[string]string `json:"tags,omitempty"`
	Ingress     []sgRule          `json:"ingress"`
	Egress      []sgRule          `json:"egress"`
}

func (r *securityGroup) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_security_group"
}

func sgRuleBlock() schema.SetNestedBlock {
	emptyList := listdefault.StaticValue(types.ListValueMust(types.StringType, []attr.Value{}))
	strList := func() schema.ListAttribute {
		return schema.ListAttribute{ElementType: types.StringType, Optional: true, Computed: true, Default: emptyList}
	}
	return schema.SetNestedBlock{
		NestedObject: schema.NestedBlockObject{
			Attributes: map[string]schema.Attribute{
				"from_port":        schema.Int64Attribute{Required: true},
				"to_port":          schema.Int64Attribute{Required: true},
				"protocol":         schema.StringAttribute{Required: true},
				"cidr_blocks":      strList(),
				"ipv6_cidr_blocks": strList(),
				"prefix_list_ids":  strList(),
				"security_groups": schema.SetAttribute{
					ElementType: types.StringType, Optional: true, Computed: true,
					Default: setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{})),
				},
				"self":        schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false)},
				"description": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("")},
			},
		},
	}
}

func (r *securityGroup) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	replaceKeep := []planmodifier.String{stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id":  schema.StringAttribute{Computed: true, PlanModifiers: keep},
			"arn": schema.StringAttribute{Computed: true, PlanModifiers: keep},
			"name": schema.StringAttribute{
				Optional: true, Computed: true, PlanModifiers: replaceKeep,
			},
			"description": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("Managed by Terraform"),
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"vpc_id": schema.StringAttribute{Optional: true, Computed: true, PlanModifiers: replaceKeep},
			"tags":   schema.MapAttribute{ElementType: types.StringType, Optional: true},
		},
		Blocks: map[string]schema.Block{
			"ingress": sgRuleBlock(),
			"egress":  sgRuleBlock(),
		},
	}
}

func (r *securityGroup) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m sgModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := newID("sg")
	m.ID = types.StringValue(id)
	m.ARN = types.StringValue(r.c.arn("ec2", "security-group/"+id))
	if !known(m.Name) {
		m.Name = types.StringValue(newID("terraform"))
	}
	if !known(m.VPCID) {
		m.VPCID = types.StringValue(DefaultVPC)
	}
	resp.Diagnostics.Append(r.write(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *securityGroup) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var prior sgModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var obj sgCloud
	found, err := r.c.cloud.Get(KindSecurityGroup, prior.ID.ValueString(), &obj)
	if err != nil {
		resp.Diagnostics.AddError("Reading security group", err.Error())
		return
	}
	if !found {
		resp.State.RemoveResource(ctx)
		return
	}
	tags, diags := tagsFromCloud(obj.Tags, prior.Tags)
	resp.Diagnostics.Append(diags...)
	m := sgModel{
		ID:          types.StringValue(obj.ID),
		ARN:         types.StringValue(obj.ARN),
		Name:        types.StringValue(obj.Name),
		Description: types.StringValue(obj.Description),
		VPCID:       types.StringValue(obj.VPCID),
		Tags:        tags,
		Ingress:     normRules(obj.Ingress),
		Egress:      normRules(obj.Egress),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *securityGroup) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m sgModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.write(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *securityGroup) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m sgModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.c.cloud.Delete(KindSecurityGroup, m.ID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Deleting security group", err.Error())
	}
}

func (r *securityGroup) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// write stores m in the cloud and normalises m's rules the same way, so the
// state written after apply equals what the next Read returns.
func (r *securityGroup) write(ctx context.Context, m *sgModel) diag.Diagnostics {
	tags, diags := tagsToCloud(ctx, m.Tags)
	m.Ingress = normRules(m.Ingress)
	m.Egress = normRules(m.Egress)
	obj := sgCloud{
		ID:          m.ID.ValueString(),
		ARN:         m.ARN.ValueString(),
		Name:        m.Name.ValueString(),
		Description: m.Description.ValueString(),
		VPCID:       m.VPCID.ValueString(),
		Tags:        tags,
		Ingress:     m.Ingress,
		Egress:      m.Egress,
	}
	if err := r.c.cloud.Put(KindSecurityGroup, obj.ID, obj); err != nil {
		diags.AddError("Writing security group", err.Error())
	}
	return diags
}

// normRules replaces nil slices, which the framework would turn into null
// values, with empty ones: unset lists are [] in the real provider's state.
func normRules(rules []sgRule) []sgRule {
	out := make([]sgRule, 0, len(rules))
	for _, r := range rules {
		for _, l := range []*[]string{&r.CIDRBlocks, &r.IPv6CIDRBlocks, &r.PrefixListIDs, &r.SecurityGroups} {
			if *l == nil {
				*l = []string{}
			}
		}
		out = append(out, r)
	}
	return out
}
