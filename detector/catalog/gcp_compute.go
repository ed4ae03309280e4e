package catalog

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

func init() { register(gcpNetworkEntries) }

// VPC firewall rules, networks and subnetworks. The audit resourceName of
// these calls (projects/P/global/firewalls/NAME,
// projects/P/regions/R/subnetworks/NAME) is exactly the `id` the Google
// provider gives the resource, so every target is keyed on `id`.
var gcpNetworkEntries = []Entry{
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.firewalls.insert",
		Doc: "creates a VPC firewall rule",
		Targets: []Target{{
			Type: "google_compute_firewall", Op: Create, Key: "id", ID: ResourceName(),
			Attrs: []Attr{
				{Name: "name", Value: Req("name")},
				{Name: "network", Value: Req("network")},
				{Name: "direction", Value: Req("direction")},
				{Name: "priority", Value: gcpInt(Req("priority"))},
				{Name: "allow", Value: gcpFirewallRules("alloweds", "denieds", false)},
				{Name: "deny", Value: gcpFirewallRules("denieds", "alloweds", false)},
				{Name: "source_ranges", Value: Req("sourceRanges")},
				{Name: "destination_ranges", Value: Req("destinationRanges")},
				{Name: "source_tags", Value: Req("sourceTags")},
				{Name: "target_tags", Value: Req("targetTags")},
				{Name: "source_service_accounts", Value: Req("sourceServiceAccounts")},
				{Name: "target_service_accounts", Value: Req("targetServiceAccounts")},
				{Name: "disabled", Value: Bool(Req("disabled"))},
				{Name: "description", Value: Req("description")},
				{Name: "log_config", Value: gcpFirewallLogConfig(false)},
			},
		}},
	},
	{
		// PATCH semantics: the fields present are replaced, the others kept.
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.firewalls.patch",
		Doc: "changes fields of a VPC firewall rule",
		Targets: []Target{{
			Type: "google_compute_firewall", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{
				{Name: "priority", Value: gcpInt(Req("priority"))},
				{Name: "allow", Value: gcpFirewallRules("alloweds", "denieds", false)},
				{Name: "deny", Value: gcpFirewallRules("denieds", "alloweds", false)},
				{Name: "source_ranges", Value: Req("sourceRanges")},
				{Name: "destination_ranges", Value: Req("destinationRanges")},
				{Name: "source_tags", Value: Req("sourceTags")},
				{Name: "target_tags", Value: Req("targetTags")},
				{Name: "source_service_accounts", Value: Req("sourceServiceAccounts")},
				{Name: "target_service_accounts", Value: Req("targetServiceAccounts")},
				{Name: "disabled", Value: Bool(Req("disabled"))},
				{Name: "description", Value: Req("description")},
				{Name: "log_config", Value: gcpFirewallLogConfig(false)},
			},
		}},
	},
	{
		// PUT semantics: the request is the whole rule, so a field it omits
		// is reset to its default. sourceRanges stays present-only because
		// the API may fill 0.0.0.0/0 in for an ingress rule without sources.
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.firewalls.update",
		Doc: "replaces a VPC firewall rule",
		Targets: []Target{{
			Type: "google_compute_firewall", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{
				{Name: "priority", Value: gcpDefault(gcpInt(Req("priority")), json.Number("1000"))},
				{Name: "allow", Value: gcpFirewallRules("alloweds", "denieds", true)},
				{Name: "deny", Value: gcpFirewallRules("denieds", "alloweds", true)},
				{Name: "source_ranges", Value: Req("sourceRanges")},
				{Name: "destination_ranges", Value: gcpDefault(Req("destinationRanges"), []any{})},
				{Name: "source_tags", Value: gcpDefault(Req("sourceTags"), []any{})},
				{Name: "target_tags", Value: gcpDefault(Req("targetTags"), []any{})},
				{Name: "source_service_accounts", Value: gcpDefault(Req("sourceServiceAccounts"), []any{})},
				{Name: "target_service_accounts", Value: gcpDefault(Req("targetServiceAccounts"), []any{})},
				{Name: "disabled", Value: gcpDefault(Bool(Req("disabled")), false)},
				{Name: "description", Value: gcpDefault(Req("description"), "")},
				{Name: "log_config", Value: gcpFirewallLogConfig(true)},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.firewalls.delete",
		Doc:     "deletes a VPC firewall rule",
		Targets: []Target{{Type: "google_compute_firewall", Op: Delete, Key: "id", ID: ResourceName()}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.networks.insert",
		Doc: "creates a VPC network",
		Targets: []Target{{
			Type: "google_compute_network", Op: Create, Key: "id", ID: ResourceName(),
			Attrs: []Attr{
				{Name: "name", Value: Req("name")},
				{Name: "auto_create_subnetworks", Value: Bool(Req("autoCreateSubnetworks"))},
				{Name: "routing_mode", Value: Req("routingConfig.routingMode")},
				{Name: "mtu", Value: gcpInt(Req("mtu"))},
				{Name: "description", Value: Req("description")},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.networks.patch",
		Doc: "changes the routing mode or MTU of a VPC network",
		Targets: []Target{{
			Type: "google_compute_network", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{
				{Name: "routing_mode", Value: Req("routingConfig.routingMode")},
				{Name: "mtu", Value: gcpInt(Req("mtu"))},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.networks.delete",
		Doc:     "deletes a VPC network",
		Targets: []Target{{Type: "google_compute_network", Op: Delete, Key: "id", ID: ResourceName()}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.subnetworks.insert",
		Doc: "creates a subnetwork",
		Targets: []Target{{
			Type: "google_compute_subnetwork", Op: Create, Key: "id", ID: ResourceName(),
			Attrs: []Attr{
				{Name: "name", Value: Req("name")},
				{Name: "network", Value: Req("network")},
				{Name: "ip_cidr_range", Value: Req("ipCidrRange")},
				{Name: "private_ip_google_access", Value: Bool(Req("privateIpGoogleAccess"))},
				{Name: "secondary_ip_range", Value: gcpSecondaryRanges()},
				{Name: "description", Value: Req("description")},
				{Name: "log_config", Value: gcpSubnetLogConfig()},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.subnetworks.patch",
		Doc: "changes secondary ranges, flow logs or Google access of a subnetwork",
		Targets: []Target{{
			Type: "google_compute_subnetwork", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{
				{Name: "secondary_ip_range", Value: gcpSecondaryRanges()},
				{Name: "log_config", Value: gcpSubnetLogConfig()},
				{Name: "private_ip_google_access", Value: Bool(Req("privateIpGoogleAccess"))},
				{Name: "description", Value: Req("description")},
			},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.subnetworks.expandIpCidrRange",
		Doc: "widens the primary range of a subnetwork",
		Targets: []Target{{
			Type: "google_compute_subnetwork", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{{Name: "ip_cidr_range", Value: Req("ipCidrRange")}},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.subnetworks.setPrivateIpGoogleAccess",
		Doc: "turns Private Google Access of a subnetwork on or off",
		Targets: []Target{{
			Type: "google_compute_subnetwork", Op: Modify, Key: "id", ID: ResourceName(),
			Attrs: []Attr{{Name: "private_ip_google_access", Value: Bool(Req("privateIpGoogleAccess"))}},
		}},
	},
	{
		Provider: change.GCP, Service: gcpComputeService, Event: "compute.subnetworks.delete",
		Doc:     "deletes a subnetwork",
		Targets: []Target{{Type: "google_compute_subnetwork", Op: Delete, Key: "id", ID: ResourceName()}},
	},
}

// gcpFirewallRules derives a firewall's allow (or deny) blocks from the
// audit request's "alloweds" (or "denieds") list: {IPProtocol, ports}
// becomes Terraform's {protocol, ports}. A rule holds either allowed or
// denied entries, never both, so a request that sets the other kind empties
// this one. replace is for full-replacement calls, where absence means none.
func gcpFirewallRules(field, other string, replace bool) Value {
	return func(e *Event, _ any) (any, bool) {
		items := Items(e.Req(), field)
		if len(items) == 0 {
			if replace || len(Items(e.Req(), other)) > 0 {
				return []any{}, true
			}
			return nil, false
		}
		out := make([]any, 0, len(items))
		for _, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			out = append(out, gcpFirewallRule(m))
		}
		return out, true
	}
}

func gcpFirewallRule(m map[string]any) map[string]any {
	proto := ""
	for _, k := range []string{"IPProtocol", "ipProtocol", "protocol"} {
		if v, ok := m[k]; ok && v != nil {
			proto = strings.ToLower(fmt.Sprint(v))
			break
		}
	}
	ports := []any{}
	for _, p := range Strings(m, "ports") {
		ports = append(ports, p)
	}
	return map[string]any{"protocol": proto, "ports": ports}
}

// gcpFirewallLogConfig derives log_config from "logConfig": the provider
// keeps one {metadata} block while logging is enabled and none otherwise.
// The API fills INCLUDE_ALL_METADATA in when logging is enabled without it.
func gcpFirewallLogConfig(replace bool) Value {
	return func(e *Event, _ any) (any, bool) {
		lc, ok := First(e.Req(), "logConfig").(map[string]any)
		if !ok {
			if replace {
				return []any{}, true
			}
			return nil, false
		}
		if on, _ := toBool(lc["enable"]); on != true {
			return []any{}, true
		}
		meta, _ := lc["metadata"].(string)
		if meta == "" {
			meta = "INCLUDE_ALL_METADATA"
		}
		return []any{map[string]any{"metadata": meta}}, true
	}
}

// gcpSecondaryRanges derives secondary_ip_range blocks from
// "secondaryIpRanges" ([{rangeName, ipCidrRange}]).
func gcpSecondaryRanges() Value {
	return func(e *Event, _ any) (any, bool) {
		if len(Path(e.Req(), "secondaryIpRanges")) == 0 {
			return nil, false
		}
		out := []any{}
		for _, it := range Items(e.Req(), "secondaryIpRanges") {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			out = append(out, map[string]any{
				"range_name":    m["rangeName"],
				"ip_cidr_range": m["ipCidrRange"],
			})
		}
		return out, true
	}
}

// gcpSubnetLogConfig derives a subnetwork's log_config (VPC flow logs) from
// "logConfig". The provider keeps one block while flow logs are on, with the
// API's defaults for the fields a request leaves out.
func gcpSubnetLogConfig() Value {
	return func(e *Event, _ any) (any, bool) {
		lc, ok := First(e.Req(), "logConfig").(map[string]any)
		if !ok {
			return nil, false
		}
		if on, _ := toBool(lc["enable"]); on != true {
			return []any{}, true
		}
		block := map[string]any{
			"aggregation_interval": "INTERVAL_5_SEC",
			"flow_sampling":        0.5,
			"metadata":             "INCLUDE_ALL_METADATA",
			"metadata_fields":      []any{},
			"filter_expr":          "true",
		}
		for api, tf := range map[string]string{
			"aggregationInterval": "aggregation_interval", "flowSampling": "flow_sampling",
			"metadata": "metadata", "metadataFields": "metadata_fields", "filterExpr": "filter_expr",
		} {
			if v, ok := lc[api]; ok && v != nil {
				block[tf] = v
			}
		}
		return []any{block}, true
	}
}
