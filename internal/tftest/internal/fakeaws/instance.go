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

// KindInstance is the cloud file's kind for EC2 instances.
const KindInstance = "aws_instance"

// instance is aws_instance reduced to the attributes drift tests edit.
//
// One deliberate difference from the real provider: user_data is kept as
// given, where the real provider stores its SHA-1 hex digest. The plugin
// framework cannot store a value other than the configured one.
type instance struct{ base }

var (
	_ resource.ResourceWithConfigure   = (*instance)(nil)
	_ resource.ResourceWithImportState = (*instance)(nil)
)

type instanceModel struct {
	ID                    types.String `tfsdk:"id"`
	ARN                   types.String `tfsdk:"arn"`
	AMI                   types.String `tfsdk:"ami"`
	InstanceType          types.String `tfsdk:"instance_type"`
	DisableAPITermination types.Bool   `tfsdk:"disable_api_termination"`
	Monitoring            types.Bool   `tfsdk:"monitoring"`
	SourceDestCheck       types.Bool   `tfsdk:"source_dest_check"`
	UserData              types.String `tfsdk:"user_data"`
	Tags                  types.Map    `tfsdk:"tags"`
}

type instanceCloud struct {
	ID                    string            `json:"id"`
	ARN                   string            `json:"arn"`
	AMI                   string            `json:"ami"`
	InstanceType          string            `json:"instance_type"`
	DisableAPITermination bool              `json:"disable_api_termination"`
	Monitoring            bool              `json:"monitoring"`
	SourceDestCheck       bool              `json:"source_dest_check"`
	UserData              string            `json:"user_data,omitempty"`
	Tags                  map[string]string `json:"tags,omitempty"`
}

func (r *instance) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_instance"
}

func (r *instance) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id":  schema.StringAttribute{Computed: true, PlanModifiers: keep},
			"arn": schema.StringAttribute{Computed: true, PlanModifiers: keep},
			"ami": schema.StringAttribute{
				Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"instance_type":           schema.StringAttribute{Required: true},
			"disable_api_termination": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false)},
			"monitoring":              schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false)},
			"source_dest_check":       schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true)},
			"user_data":               schema.StringAttribute{Optional: true},
			"tags":                    schema.MapAttribute{ElementType: types.StringType, Optional: true},
		},
	}
}

func (r *instance) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := newID("i")
	m.ID = types.StringValue(id)
	m.ARN = types.StringValue(r.c.arn("ec2", "instance/"+id))
	resp.Diagnostics.Append(r.write(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *instance) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var prior instanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var obj instanceCloud
	found, err := r.c.cloud.Get(KindInstance, prior.ID.ValueString(), &obj)
	if err != nil {
		resp.Diagnostics.AddError("Reading instance", err.Error())
		return
	}
	if !found {
		resp.State.RemoveResource(ctx)
		return
	}
	tags, diags := tagsFromCloud(obj.Tags, prior.Tags)
	resp.Diagnostics.Append(diags...)
	m := instanceModel{
		ID:                    types.StringValue(obj.ID),
		ARN:                   types.StringValue(obj.ARN),
		AMI:                   types.StringValue(obj.AMI),
		InstanceType:          types.StringValue(obj.InstanceType),
		DisableAPITermination: types.BoolValue(obj.DisableAPITermination),
		Monitoring:            types.BoolValue(obj.Monitoring),
		SourceDestCheck:       types.BoolValue(obj.SourceDestCheck),
		UserData:              stringFromCloud(obj.UserData, prior.UserData),
		Tags:                  tags,
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *instance) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m instanceModel
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

func (r *instance) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m instanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.c.cloud.Delete(KindInstance, m.ID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Terminating instance", err.Error())
	}
}

func (r *instance) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

func (r *instance) write(ctx context.Context, m *instanceModel) diag.Diagnostics {
	tags, diags := tagsToCloud(ctx, m.Tags)
	obj := instanceCloud{
		ID:                    m.ID.ValueString(),
		ARN:                   m.ARN.ValueString(),
		AMI:                   m.AMI.ValueString(),
		InstanceType:          m.InstanceType.ValueString(),
		DisableAPITermination: m.DisableAPITermination.ValueBool(),
		Monitoring:            m.Monitoring.ValueBool(),
		SourceDestCheck:       m.SourceDestCheck.ValueBool(),
		UserData:              m.UserData.ValueString(),
		Tags:                  tags,
	}
	if err := r.c.cloud.Put(KindInstance, obj.ID, obj); err != nil {
		diags.AddError("Writing instance", err.Error())
	}
	return diags
}
