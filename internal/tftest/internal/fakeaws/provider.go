package fakeaws

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	tfaddr "github.com/hashicorp/terraform-registry-address"

	"github.com/tfdrift/tfdrift/internal/tftest/internal/cloudfile"
)

// Address is the provider's source address, hashicorp/aws on Terraform's
// default provider host, so that fixtures' required_providers blocks read
// like real ones.
var Address = tfaddr.NewProvider(tfaddr.DefaultProviderRegistryHost, "hashicorp", "aws").String()

// Account is the AWS account id that every ARN the fake mints carries.
const Account = "123456789012"

// DefaultRegion is used for ARNs when the provider block sets no region.
const DefaultRegion = "us-east-1"

// New returns the provider factory that providerserver.Serve wants.
// envCloudFile is the cloud file to use when the provider block sets no
// cloud_file; main reads it from $FAKEAWS_CLOUD_FILE so this package
// never looks at the environment itself.
func New(version, envCloudFile string) func() provider.Provider {
	return func() provider.Provider {
		return &awsProvider{version: version, envCloudFile: envCloudFile}
	}
}

type awsProvider struct {
	version      string
	envCloudFile string
}

type providerModel struct {
	CloudFile types.String `tfsdk:"cloud_file"`
	Region    types.String `tfsdk:"region"`
}

// client is what Configure hands to every resource.
type client struct {
	cloud  *cloudfile.Store
	region string
}

func (c *client) arn(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, c.region, Account, resource)
}

func (p *awsProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "aws"
	resp.Version = p.version
}

func (p *awsProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Test double of the AWS provider. Its cloud is a JSON file.",
		Attributes: map[string]schema.Attribute{
			"cloud_file": schema.StringAttribute{
				Optional:    true,
				Description: "Path of the JSON file that plays the cloud. Defaults to $FAKEAWS_CLOUD_FILE.",
			},
			"region": schema.StringAttribute{
				Optional:    true,
				Description: "Region written into ARNs. Defaults to " + DefaultRegion + ".",
			},
		},
	}
}

func (p *awsProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	path := p.envCloudFile
	if !cfg.CloudFile.IsNull() && !cfg.CloudFile.IsUnknown() {
		path = cfg.CloudFile.ValueString()
	}
	if path == "" {
		resp.Diagnostics.AddError("No cloud file",
			"Set cloud_file in the provider block or FAKEAWS_CLOUD_FILE in the environment.")
		return
	}
	region := DefaultRegion
	if r := cfg.Region.ValueString(); r != "" {
		region = r
	}
	c := &client{cloud: cloudfile.Open(path), region: region}
	resp.ResourceData = c
}

func (p *awsProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		func() resource.Resource { return &securityGroup{} },
		func() resource.Resource { return &instance{} },
		func() resource.Resource { return &iamRolePolicy{} },
		func() resource.Resource { return &publicAccessBlock{} },
	}
}

func (p *awsProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// base is embedded by every resource: it receives the client.
type base struct {
	c *client
}

func (b *base) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	// ProviderData is nil while Terraform validates configuration, before
	// the provider is configured.
	if req.ProviderData == nil {
		return
	}
	c, ok := req.ProviderData.(*client)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", fmt.Sprintf("got %T", req.ProviderData))
		return
	}
	b.c = c
}

// newID mints an AWS-looking id: prefix, "-", 17 hex digits.
func newID(prefix string) string {
	var b [9]byte
	// crypto/rand.Read never returns an error (Go 1.24+).
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])[:17]
}
