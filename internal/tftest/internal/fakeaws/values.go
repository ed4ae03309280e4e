package fakeaws

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// tagsToCloud reads a tags map; null means no tags.
func tagsToCloud(ctx context.Context, m types.Map) (map[string]string, diag.Diagnostics) {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out, nil
	}
	diags := m.ElementsAs(ctx, &out, false)
	return out, diags
}

// tagsFromCloud keeps an unset tags argument null when the cloud has no
// tags, so that "no tags" in the cloud is not reported as drift from an
// unset argument.
func tagsFromCloud(cloud map[string]string, prior types.Map) (types.Map, diag.Diagnostics) {
	if len(cloud) == 0 && prior.IsNull() {
		return types.MapNull(types.StringType), nil
	}
	if cloud == nil {
		cloud = map[string]string{}
	}
	return types.MapValueFrom(context.Background(), types.StringType, cloud)
}

// stringFromCloud keeps an unset optional argument null when the cloud
// holds the empty string, for the same reason as tagsFromCloud.
func stringFromCloud(cloud string, prior types.String) types.String {
	if cloud == "" && prior.IsNull() {
		return types.StringNull()
	}
	return types.StringValue(cloud)
}

// known reports whether v carries a value the provider can use.
func known(v interface {
	IsNull() bool
	IsUnknown() bool
}) bool {
	return !v.IsNull() && !v.IsUnknown()
}
