package fakeaws

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// KindPublicAccessBlock is the cloud file's kind for S3 bucket public
// access blocks. Their id is the bucket name.
const KindPublicAccessBlock = "aws_s3_bucket_public_access_block"

type publicAccessBlock struct{ base }

var (
	_ resource.ResourceWithConfigure   = (*publicAccessBlock)(nil)
	_ resource.ResourceWithImportState = (*publicAccessBlock)(nil)
)

type pabModel struct {
	ID                    types.String `tfsdk:"id"`
	Bucket                types.String `tfsdk:"bucket"`
	BlockPublicACLs       types.Bool   `tfsdk:"block_public_acls"`
	BlockPublicPolicy     types.Bool   `tfsdk:"block_public_policy"`
	IgnorePublicACLs      types.Bool   `tfsdk:"ignore_public_acls"`
	RestrictPublicBuckets types.Bool   `tfsdk:"restrict_public_buckets"`
}

type pabCloud struct {
	ID                    string `json:"id"`
	Bucket                string `json:"bucket"`
	BlockPublicACLs       bool   `json:"block_public_acls"`
	BlockPublicPolicy     bool   `json:"block_public_policy"`
	IgnorePublicACLs      bool   `json:"ignore_public_acls"`
	RestrictPublicBuckets bool   `json:"restrict_public_buckets"`
}

func (r *publicAccessBlock) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_s3_bucket_public_access_block"
}

func (r *publicAccessBlock) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	flag := func() schema.BoolAttribute {
		return schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false)}
	}
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"bucket": schema.StringAttribute{
				Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"block_public_acls":       flag(),
			"block_public_policy":     flag(),
			"ignore_public_acls":      flag(),
			"restrict_public_buckets": flag(),
		},
	}
}

func (r *publicAccessBlock) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m pabModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.ID = m.Bucket
	resp.Diagnostics.Append(r.write(&m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *publicAccessBlock) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var prior pabModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var obj pabCloud
	found, err := r.c.cloud.Get(KindPublicAccessBlock, prior.ID.ValueString(), &obj)
	if err != nil {
		resp.Diagnostics.AddError("Reading public access block", err.Error())
		return
	}
	if !found {
		resp.State.RemoveResource(ctx)
		return
	}
	m := pabModel{
		ID:                    types.StringValue(obj.ID),
		Bucket:                types.StringValue(obj.Bucket),
		BlockPublicACLs:       types.BoolValue(obj.BlockPublicACLs),
		BlockPublicPolicy:     types.BoolValue(obj.BlockPublicPolicy),
		IgnorePublicACLs:      types.BoolValue(obj.IgnorePublicACLs),
		RestrictPublicBuckets: types.BoolValue(obj.RestrictPublicBuckets),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *publicAccessBlock) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m pabModel
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

func (r *publicAccessBlock) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m pabModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.c.cloud.Delete(KindPublicAccessBlock, m.ID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Deleting public access block", err.Error())
	}
}

func (r *publicAccessBlock) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

func (r *publicAccessBlock) write(m *pabModel) diag.Diagnostics {
	var diags diag.Diagnostics
	obj := pabCloud{
		ID:                    m.ID.ValueString(),
		Bucket:                m.Bucket.ValueString(),
		BlockPublicACLs:       m.BlockPublicACLs.ValueBool(),
		BlockPublicPolicy:     m.BlockPublicPolicy.ValueBool(),
		IgnorePublicACLs:      m.IgnorePublicACLs.ValueBool(),
		RestrictPublicBuckets: m.RestrictPublicBuckets.ValueBool(),
	}
	if err := r.c.cloud.Put(KindPublicAccessBlock, obj.ID, obj); err != nil {
		diags.AddError("Writing public access block", err.Error())
	}
	return diags
}
