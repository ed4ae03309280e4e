package catalog

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

// VPC networking: VPCs, subnets, route tables and routes, network ACLs and
// their entries, Elastic IPs, internet and NAT gateways.
//
// Routes and ACL entries live in two places in Terraform, like security
// group rules: inline in the table's route / ingress / egress sets, and as
// separate aws_route / aws_network_acl_rule resources. A write is drift on
// the table's set; the separate resource is created (unmanaged) only when
// the table is not managed either.
var ec2VPCEntries = []Entry{
	{
		Provider: change.AWS, Service: ec2Service, Event: "CreateVpc",
		Doc: "creates a VPC",
		Targets: []Target{{
			Type: "aws_vpc", Op: Create, Key: "id", ID: RespID("vpc.vpcId"),
			Attrs: []Attr{
				{Name: "cidr_block", Value: firstValueOf(Resp("vpc.cidrBlock"), Req("cidrBlock"))},
				{Name: "instance_tenancy", Value: firstValueOf(Resp("vpc.instanceTenancy"), Req("instanceTenancy"))},
				{Name: "tags", Value: ec2TagSpec("vpc")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "DeleteVpc",
		Doc:     "deletes a VPC",
		Targets: []Target{{Type: "aws_vpc", Op: Delete, Key: "id", ID: ReqID("vpcId")}},
	},
	{
		// One attribute per call, wrapped: {"enableDnsHostnames": {"value": true}}.
		Provider: change.AWS, Service: ec2Service, Event: "ModifyVpcAttribute",
		Doc: "changes a VPC's DNS settings",
		Targets: []Target{{
			Type: "aws_vpc", Op: Modify, Key: "id", ID: ReqID("vpcId"),
			Attrs: []Attr{
				{Name: "enable_dns_support", Value: Bool(ec2Attribute("enableDnsSupport"))},
				{Name: "enable_dns_hostnames", Value: Bool(ec2Attribute("enableDnsHostnames"))},
				{Name: "enable_network_address_usage_metrics", Value: Bool(ec2Attribute("enableNetworkAddressUsageMetrics"))},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "CreateSubnet",
		Doc: "creates a subnet",
		Targets: []Target{{
			Type: "aws_subnet", Op: Create, Key: "id", ID: RespID("subnet.subnetId"),
			Attrs: []Attr{
				{Name: "vpc_id", Value: Req("vpcId")},
				{Name: "cidr_block", Value: firstValueOf(Resp("subnet.cidrBlock"), Req("cidrBlock"))},
				{Name: "availability_zone", Value: firstValueOf(Resp("subnet.availabilityZone"), Req("availabilityZone"))},
				{Name: "tags", Value: ec2TagSpec("subnet")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "DeleteSubnet",
		Doc:     "deletes a subnet",
		Targets: []Target{{Type: "aws_subnet", Op: Delete, Key: "id", ID: ReqID("subnetId")}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "ModifySubnetAttribute",
		Doc: "changes a subnet's public IP and IPv6 settings",
		Targets: []Target{{
			Type: "aws_subnet", Op: Modify, Key: "id", ID: ReqID("subnetId"),
			Attrs: []Attr{
				{Name: "map_public_ip_on_launch", Value: Bool(ec2Attribute("mapPublicIpOnLaunch"))},
				{Name: "assign_ipv6_address_on_creation", Value: Bool(ec2Attribute("assignIpv6AddressOnCreation"))},
				{Name: "enable_dns64", Value: Bool(ec2Attribute("enableDns64"))},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "CreateRouteTable",
		Doc: "creates a route table",
		Targets: []Target{{
			Type: "aws_route_table", Op: Create, Key: "id", ID: RespID("routeTable.routeTableId"),
			Attrs: []Attr{{Name: "vpc_id", Value: Req("vpcId")}},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "DeleteRouteTable",
		Doc:     "deletes a route table",
		Targets: []Target{{Type: "aws_route_table", Op: Delete, Key: "id", ID: ReqID("routeTableId")}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "AssociateRouteTable",
		Doc: "associates a route table with a subnet or gateway",
		Targets: []Target{{
			Type: "aws_route_table_association", Op: Create, Key: "id", ID: RespID("associationId"),
			Attrs: []Attr{
				{Name: "route_table_id", Value: Req("routeTableId")},
				{Name: "subnet_id", Value: Req("subnetId")},
				{Name: "gateway_id", Value: Req("gatewayId")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "DisassociateRouteTable",
		Doc:     "removes a route table association",
		Targets: []Target{{Type: "aws_route_table_association", Op: Delete, Key: "id", ID: ReqID("associationId")}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "CreateRoute",
		Doc: "adds a route to a route table",
		Targets: []Target{
			{Type: "aws_route_table", Op: Modify, Key: "id", ID: ReqID("routeTableId"), Inline: routeSplit,
				Attrs: []Attr{{Name: "route", Value: routeTableRoutes(routeAdd)}}},
			{Type: "aws_route", Op: Create, Key: "id", ID: routeIDs(), Secondary: true},
		},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "ReplaceRoute",
		Doc: "changes the target of a route",
		Targets: []Target{
			{Type: "aws_route_table", Op: Modify, Key: "id", ID: ReqID("routeTableId"), Inline: routeSplit,
				Attrs: []Attr{{Name: "route", Value: routeTableRoutes(routeReplace)}}},
			{Type: "aws_route", Op: Modify, Key: "id", ID: routeIDs(), Attrs: routeTargetAttrs()},
		},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "DeleteRoute",
		Doc: "removes a route from a route table",
		Targets: []Target{
			{Type: "aws_route_table", Op: Modify, Key: "id", ID: ReqID("routeTableId"), Inline: routeSplit,
				Attrs: []Attr{{Name: "route", Value: routeTableRoutes(routeRemove)}}},
			{Type: "aws_route", Op: Delete, Key: "id", ID: routeIDs()},
		},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "CreateNetworkAcl",
		Doc: "creates a network ACL",
		Targets: []Target{{
			Type: "aws_network_acl", Op: Create, Key: "id", ID: RespID("networkAcl.networkAclId"),
			Attrs: []Attr{{Name: "vpc_id", Value: Req("vpcId")}},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "DeleteNetworkAcl",
		Doc:     "deletes a network ACL",
		Targets: []Target{{Type: "aws_network_acl", Op: Delete, Key: "id", ID: ReqID("networkAclId")}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "CreateNetworkAclEntry",
		Doc: "adds a rule to a network ACL",
		Targets: []Target{
			{Type: "aws_network_acl", Op: Modify, Key: "id", ID: ReqID("networkAclId"), Inline: naclSplit,
				Attrs: []Attr{
					{Name: "ingress", Value: naclEntries("ingress", naclPut)},
					{Name: "egress", Value: naclEntries("egress", naclPut)},
				}},
			{Type: "aws_network_acl_rule", Op: Create, Key: "id", ID: naclRuleIDs(false), Secondary: true},
		},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "ReplaceNetworkAclEntry",
		Doc: "replaces a rule of a network ACL",
		Targets: []Target{
			{Type: "aws_network_acl", Op: Modify, Key: "id", ID: ReqID("networkAclId"), Inline: naclSplit,
				Attrs: []Attr{
					{Name: "ingress", Value: naclEntries("ingress", naclPut)},
					{Name: "egress", Value: naclEntries("egress", naclPut)},
				}},
			{Type: "aws_network_acl_rule", Op: Modify, Key: "id", ID: naclRuleIDs(true),
				Attrs: []Attr{
					{Name: "protocol", Value: Req("aclProtocol")},
					{Name: "rule_action", Value: Req("ruleAction")},
					{Name: "cidr_block", Value: naclCIDR("cidrBlock")},
					{Name: "ipv6_cidr_block", Value: naclCIDR("ipv6CidrBlock")},
					{Name: "from_port", Value: naclPort("from")},
					{Name: "to_port", Value: naclPort("to")},
				}},
		},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "DeleteNetworkAclEntry",
		Doc: "removes a rule from a network ACL",
		Targets: []Target{
			{Type: "aws_network_acl", Op: Modify, Key: "id", ID: ReqID("networkAclId"), Inline: naclSplit,
				Attrs: []Attr{
					{Name: "ingress", Value: naclEntries("ingress", naclDelete)},
					{Name: "egress", Value: naclEntries("egress", naclDelete)},
				}},
			{Type: "aws_network_acl_rule", Op: Delete, Key: "id", ID: naclRuleIDs(true)},
		},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "AllocateAddress",
		Doc: "allocates an Elastic IP address",
		Targets: []Target{{
			Type: "aws_eip", Op: Create, Key: "id", ID: RespID("allocationId"),
			Attrs: []Attr{
				{Name: "domain", Value: firstValueOf(Resp("domain"), Req("domain"))},
				{Name: "public_ip", Value: Resp("publicIp")},
				{Name: "tags", Value: ec2TagSpec("elastic-ip")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "ReleaseAddress",
		Doc:     "releases an Elastic IP address",
		Targets: []Target{{Type: "aws_eip", Op: Delete, Key: "id", ID: ReqID("allocationId")}},
	},
	{
		// Associating with an instance also moves the address to the
		// instance's primary interface, whose ID the record does not give;
		// only the attribute the call names is derived.
		Provider: change.AWS, Service: ec2Service, Event: "AssociateAddress",
		Doc: "associates an Elastic IP with an instance or network interface",
		Targets: []Target{
			{Type: "aws_eip", Op: Modify, Key: "id", ID: ReqID("allocationId"),
				Attrs: []Attr{
					{Name: "instance", Value: Req("instanceId")},
					{Name: "network_interface", Value: Req("networkInterfaceId")},
				}},
			{Type: "aws_eip_association", Op: Create, Key: "id", ID: RespID("associationId"), Secondary: true},
		},
	},
	{
		// The request names only the association, not the address.
		Provider: change.AWS, Service: ec2Service, Event: "DisassociateAddress",
		Doc:     "disassociates an Elastic IP",
		Targets: []Target{{Type: "aws_eip_association", Op: Delete, Key: "id", ID: ReqID("associationId")}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "CreateInternetGateway",
		Doc: "creates an internet gateway",
		Targets: []Target{{
			Type: "aws_internet_gateway", Op: Create, Key: "id", ID: RespID("internetGateway.internetGatewayId"),
			Attrs: []Attr{{Name: "tags", Value: ec2TagSpec("internet-gateway")}},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "DeleteInternetGateway",
		Doc:     "deletes an internet gateway",
		Targets: []Target{{Type: "aws_internet_gateway", Op: Delete, Key: "id", ID: ReqID("internetGatewayId")}},
	},
	{
		// aws_internet_gateway_attachment's ID is "igw-…:vpc-…".
		Provider: change.AWS, Service: ec2Service, Event: "AttachInternetGateway",
		Doc: "attaches an internet gateway to a VPC",
		Targets: []Target{
			{Type: "aws_internet_gateway", Op: Modify, Key: "id", ID: ReqID("internetGatewayId"),
				Attrs: []Attr{{Name: "vpc_id", Value: Req("vpcId")}}},
			{Type: "aws_internet_gateway_attachment", Op: Create, Key: "id", Secondary: true,
				ID: JoinID(":", ReqID("internetGatewayId"), ReqID("vpcId"))},
		},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "DetachInternetGateway",
		Doc: "detaches an internet gateway from its VPC",
		Targets: []Target{
			{Type: "aws_internet_gateway", Op: Modify, Key: "id", ID: ReqID("internetGatewayId"),
				Attrs: []Attr{{Name: "vpc_id", Value: Transform(Req("vpcId"), func(any) (any, bool) { return "", true })}}},
			{Type: "aws_internet_gateway_attachment", Op: Delete, Key: "id",
				ID: JoinID(":", ReqID("internetGatewayId"), ReqID("vpcId"))},
		},
	},
	{
		// A newer EC2 API: CloudTrail nests request and response, PascalCase
		// for the request, under CreateNatGatewayRequest / …Response.
		Provider: change.AWS, Service: ec2Service, Event: "CreateNatGateway",
		Doc: "creates a NAT gateway",
		Targets: []Target{{
			Type: "aws_nat_gateway", Op: Create, Key: "id",
			ID: RespID("CreateNatGatewayResponse.natGateway.natGatewayId", "natGateway.natGatewayId"),
			Attrs: []Attr{
				{Name: "subnet_id", Value: Req("CreateNatGatewayRequest.SubnetId", "subnetId")},
				{Name: "allocation_id", Value: Req("CreateNatGatewayRequest.AllocationId", "allocationId")},
				{Name: "connectivity_type", Value: Req("CreateNatGatewayRequest.ConnectivityType", "connectivityType")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "DeleteNatGateway",
		Doc: "deletes a NAT gateway",
		Targets: []Target{{
			Type: "aws_nat_gateway", Op: Delete, Key: "id",
			ID: ReqID("DeleteNatGatewayRequest.NatGatewayId", "natGatewayId"),
		}},
	},
}

func init() { register(servedBy(ec2VPCEntries)) }

// A route table's routes and a network ACL's rules are inline blocks or
// separate aws_route / aws_network_acl_rule resources; when state holds
// any of the latter for the table or ACL, they manage its routes or rules
// (see Target.Inline), and a new one is unmanaged.
var (
	routeSplit = &Split{Type: "aws_route", Key: "route_table_id"}
	naclSplit  = &Split{Type: "aws_network_acl_rule", Key: "network_acl_id"}
)

// tfHashcode is the Terraform AWS provider's string hash (a CRC-32, kept
// non-negative), which it uses to build the IDs of aws_route
// ("r-" + table + hash of the destination) and aws_network_acl_rule.
func tfHashcode(s string) int {
	v := int(crc32.ChecksumIEEE([]byte(s)))
	if v < 0 {
		v = -v
	}
	return v
}

// routeDestinations are the request fields naming a route's destination and
// the aws_route_table route attribute each one fills.
var routeDestinations = []struct{ req, attr string }{
	{"destinationCidrBlock", "cidr_block"},
	{"destinationIpv6CidrBlock", "ipv6_cidr_block"},
	{"destinationPrefixListId", "destination_prefix_list_id"},
}

// routeTargetFields are the request fields naming a route's target and the
// attribute each one fills, in aws_route_table's route objects and in
// aws_route alike.
var routeTargetFields = []struct{ req, attr string }{
	{"gatewayId", "gateway_id"},
	{"natGatewayId", "nat_gateway_id"},
	{"networkInterfaceId", "network_interface_id"},
	{"transitGatewayId", "transit_gateway_id"},
	{"vpcPeeringConnectionId", "vpc_peering_connection_id"},
	{"egressOnlyInternetGatewayId", "egress_only_gateway_id"},
	{"vpcEndpointId", "vpc_endpoint_id"},
	{"carrierGatewayId", "carrier_gateway_id"},
	{"localGatewayId", "local_gateway_id"},
	{"coreNetworkArn", "core_network_arn"},
}

// routeDestination returns the route attribute and value of the request's
// destination.
func routeDestination(req map[string]any) (attr, value string) {
	for _, d := range routeDestinations {
		if s, _ := req[d.req].(string); s != "" {
			return d.attr, s
		}
	}
	return "", ""
}

// routeByInstance reports a route whose target is given as an instance ID:
// Terraform stores the instance's network interface, which the record does
// not name.
func routeByInstance(req map[string]any) bool {
	s, _ := req["instanceId"].(string)
	return s != ""
}

// routeIDs builds aws_route's ID the way the provider does:
// "r-" + route table ID + hash of the destination.
func routeIDs() IDs {
	return func(e *Event) []string {
		req, _ := e.Req().(map[string]any)
		rtb, _ := req["routeTableId"].(string)
		_, dest := routeDestination(req)
		if rtb == "" || dest == "" {
			return nil
		}
		return []string{fmt.Sprintf("r-%s%d", rtb, tfHashcode(dest))}
	}
}

// routeTargetAttrs derives aws_route's target attributes after ReplaceRoute:
// the named target is set and every other target is cleared, because a
// route has exactly one.
func routeTargetAttrs() []Attr {
	attrs := make([]Attr, 0, len(routeTargetFields))
	for _, f := range routeTargetFields {
		f := f
		attrs = append(attrs, Attr{Name: f.attr, Value: func(e *Event, _ any) (any, bool) {
			req, _ := e.Req().(map[string]any)
			if req == nil {
				return nil, false
			}
			if f.attr == "network_interface_id" && routeByInstance(req) {
				return Unknown, true
			}
			s, _ := req[f.req].(string)
			return s, true
		}})
	}
	return attrs
}

type routeOp int

const (
	routeAdd routeOp = iota
	routeReplace
	routeRemove
)

// routeTableRoutes derives aws_route_table's route set after a route call.
// Routes are matched by destination. A call whose route cannot be written
// exactly (an instance target) reports the set as written but unknown.
func routeTableRoutes(op routeOp) Value {
	return func(e *Event, cur any) (any, bool) {
		req, _ := e.Req().(map[string]any)
		attr, dest := routeDestination(req)
		if dest == "" {
			return nil, false
		}
		current := asObjects(cur)
		out := make([]any, 0, len(current)+1)
		matched := false
		for _, r := range current {
			if v, _ := r[attr].(string); strings.EqualFold(v, dest) {
				matched = true
				continue
			}
			out = append(out, r)
		}
		switch op {
		case routeRemove:
			if !matched {
				return cur, true
			}
			return out, true
		default:
			if routeByInstance(req) {
				return Unknown, true
			}
			return append(out, routeObject(req, attr, dest)), true
		}
	}
}

// routeObject renders a route as aws_route_table stores it: every
// destination and target attribute present, the unused ones empty.
func routeObject(req map[string]any, destAttr, dest string) map[string]any {
	obj := map[string]any{}
	for _, d := range routeDestinations {
		obj[d.attr] = ""
	}
	for _, t := range routeTargetFields {
		s, _ := req[t.req].(string)
		obj[t.attr] = s
	}
	obj[destAttr] = dest
	return obj
}

type naclOp int

const (
	naclPut naclOp = iota // create or replace the rule with this number
	naclDelete
)

// naclEntries derives aws_network_acl's ingress or egress set after an
// entry call. The call's egress flag picks the set; the other set is not
// derived. Rules are matched by number within the set.
func naclEntries(set string, op naclOp) Value {
	return func(e *Event, cur any) (any, bool) {
		req, _ := e.Req().(map[string]any)
		if req == nil || req["ruleNumber"] == nil {
			return nil, false
		}
		egress, _ := toBool(req["egress"])
		if (egress == true) != (set == "egress") {
			return nil, false
		}
		num := portText(req["ruleNumber"])
		current := asObjects(cur)
		out := make([]any, 0, len(current)+1)
		matched := false
		for _, r := range current {
			if portText(r["rule_no"]) == num {
				matched = true
				continue
			}
			out = append(out, r)
		}
		if op == naclDelete {
			if !matched {
				return cur, true
			}
			return out, true
		}
		return append(out, naclEntryObject(req)), true
	}
}

// naclEntryObject renders a request's entry as aws_network_acl stores it.
// The provider keeps protocol numbers, which is what CloudTrail logs.
func naclEntryObject(req map[string]any) map[string]any {
	str := func(k string) string { s, _ := req[k].(string); return s }
	return map[string]any{
		"rule_no":         req["ruleNumber"],
		"action":          strings.ToLower(str("ruleAction")),
		"protocol":        portText(req["aclProtocol"]),
		"cidr_block":      str("cidrBlock"),
		"ipv6_cidr_block": str("ipv6CidrBlock"),
		"from_port":       naclNumber(First(req, "portRange.from")),
		"to_port":         naclNumber(First(req, "portRange.to")),
		"icmp_type":       naclNumber(First(req, "icmpTypeCode.type")),
		"icmp_code":       naclNumber(First(req, "icmpTypeCode.code")),
	}
}

func naclNumber(v any) any {
	if v == nil {
		return json.Number("0")
	}
	return v
}

// naclPort derives aws_network_acl_rule's from_port / to_port.
func naclPort(end string) Value {
	return func(e *Event, _ any) (any, bool) {
		if First(e.Req(), "ruleNumber") == nil {
			return nil, false
		}
		return naclNumber(First(e.Req(), "portRange."+end)), true
	}
}

// naclCIDR derives aws_network_acl_rule's cidr_block or ipv6_cidr_block:
// an entry has exactly one, so the one the request leaves out is cleared.
func naclCIDR(field string) Value {
	return func(e *Event, _ any) (any, bool) {
		req, _ := e.Req().(map[string]any)
		if req == nil || req["ruleNumber"] == nil {
			return nil, false
		}
		s, _ := req[field].(string)
		return s, true
	}
}

// naclProtocolForms are the spellings a Terraform configuration may give a
// network ACL rule's protocol. aws_network_acl_rule's ID hashes the
// protocol as configured, so a rule created as "tcp" and one created as
// "6" have different IDs.
var naclProtocolForms = []string{"-1", "all", "6", "tcp", "17", "udp", "1", "icmp", "58", "icmpv6"}

// naclRuleIDs builds aws_network_acl_rule IDs the way the provider does:
// "nacl-" + hash of "acl-…-number-egress-protocol-". A new rule gets the
// ID of the protocol as logged. For an existing rule the configured
// spelling is unknown (Delete does not even log the protocol), so every
// spelling is tried; at most one exists in state.
func naclRuleIDs(anySpelling bool) IDs {
	return func(e *Event) []string {
		req, _ := e.Req().(map[string]any)
		acl, _ := req["networkAclId"].(string)
		if acl == "" || req["ruleNumber"] == nil {
			return nil
		}
		num := portText(req["ruleNumber"])
		egress, _ := toBool(req["egress"])
		eg := egress == true
		var protos []string
		if p := portText(req["aclProtocol"]); req["aclProtocol"] != nil {
			protos = append(protos, p)
		}
		if anySpelling {
			for _, p := range naclProtocolForms {
				if !contains(protos, p) {
					protos = append(protos, p)
				}
			}
		}
		out := make([]string, 0, len(protos))
		for _, p := range protos {
			out = append(out, fmt.Sprintf("nacl-%d", tfHashcode(fmt.Sprintf("%s-%s-%t-%s-", acl, num, eg, p))))
		}
		return out
	}
}
