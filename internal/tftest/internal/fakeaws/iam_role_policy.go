package fakeaws

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// KindIAMRolePolicy is the cloud file's kind for inline role policies. Its
// ids are "role:name", as in the real provider.
const KindIAMRolePolicy = "aws_iam_role_policy"

type iamRolePolicy struct{ base }

var (
	_ resource.ResourceWithConfigure   = (*iamRolePolicy)(nil)
	_ resource.ResourceWithImportState = (*iamRolePolicy)(nil)
)

type iamRolePolicyModel struct {
	ID     types.String `tfsdk:"id"`
	Role   types.String `tfsdk:"role"`
	Name   types.String `tfsdk:"name"`
	Policy types.String `tfsdk:"policy"`
}

type iamRolePolicyCloud struct {
	ID     string `json:"id"`
	Role   string `json:"role"`
	Name   string `json:"name"`
	Policy string `json:"policy"`
}

func (r *iamRolePolicy) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_iam_role_policy"
}

func (r *iamRolePolicy) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id":     schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"role":   schema.StringAttribute{Required: true, PlanModifiers: replace},
			"name":   schema.StringAttribute{Required: true, PlanModifiers: replace},
			"policy": schema.StringAttribute{Required: true},
		},
	}
}

func (r *iamRolePolicy) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m iamRolePolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.ID = types.StringValue(m.Role.ValueString() + ":" + m.Name.ValueString())
	resp.Diagnostics.Append(r.write(&m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *iamRolePolicy) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var prior iamRolePolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := prior.ID.ValueString()
	if _, _, ok := strings.Cut(id, ":"); !ok {
		resp.Diagnostics.AddError("Bad role policy id", fmt.Sprintf("%q is not ROLE:NAME", id))
		return
	}
	var obj iamRolePolicyCloud
	found, err := r.c.cloud.Get(KindIAMRolePolicy, id, &obj)
	if err != nil {
		resp.Diagnostics.AddError("Reading role policy", err.Error())
		return
	}
	if !found {
		resp.State.RemoveResource(ctx)
		return
	}
	m := iamRolePolicyModel{
		ID:     types.StringValue(obj.ID),
		Role:   types.StringValue(obj.Role),
		Name:   types.StringValue(obj.Name),
		Policy: types.StringValue(obj.Policy),
	}
	switch {
	case known(prior.Policy):
		// Keep the configured spelling while the cloud's document means
		// the same, or every refresh would report the cloud's reformatting
		// as drift.
		if PolicyEqual(prior.Policy.ValueString(), obj.Policy) {
			m.Policy = prior.Policy
		}
	default:
		// Import: there is no configured spelling to keep. The real
		// provider hides the difference from the configuration with a diff
		// suppressor, which the plugin framework cannot have; spelling the
		// document as jsonencode() does gets the same empty plan for the
		// usual configurations.
		if doc, ok := canonicalPolicy(obj.Policy); ok {
			m.Policy = types.StringValue(doc)
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *iamRolePolicy) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m iamRolePolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.write(&m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *iamRolePolicy) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m iamRolePolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.c.cloud.Delete(KindIAMRolePolicy, m.ID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Deleting role policy", err.Error())
	}
}

func (r *iamRolePolicy) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

func (r *iamRolePolicy) write(m *iamRolePolicyModel) diag.Diagnostics {
	var diags diag.Diagnostics
	doc, err := compactPolicy(m.Policy.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("policy"), "MalformedPolicyDocument",
			fmt.Sprintf("policy of %s is not JSON: %v", m.ID.ValueString(), err))
		return diags
	}
	obj := iamRolePolicyCloud{ID: m.ID.ValueString(), Role: m.Role.ValueString(), Name: m.Name.ValueString(), Policy: doc}
	if err := r.c.cloud.Put(KindIAMRolePolicy, obj.ID, obj); err != nil {
		diags.AddError("Writing role policy", err.Error())
	}
	return diags
}
