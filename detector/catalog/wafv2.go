package catalog

import "github.com/tfdrift/tfdrift/detector/change"

const wafv2Service = "wafv2.amazonaws.com"

// WAFv2 web ACLs, IP sets and rule groups, found by their ID (the
// provider's `id`). Update calls replace the whole object; the rules of a
// web ACL or rule group are not modelled here, so UpdateWebACL is compared
// on its description only.
//
// Sources: the WAFv2 API Reference (request and response syntax of each
// action); Elastic integrations' recorded DeleteWebACL (packages/aws/
// data_stream/cloudtrail/_dev/test/pipeline/test-delete-web-acl-json.log:
// name, scope, id, lockToken) and Panther's DisassociateWebACL fixture
// (rules/aws_cloudtrail_rules/aws_waf_disassociation.yml: resourceArn).
var wafv2Entries = []Entry{
	{
		Provider: change.AWS, Service: wafv2Service, Event: "CreateWebACL",
		Doc: "creates a web ACL",
		Targets: []Target{{
			Type: "aws_wafv2_web_acl", Op: Create, Key: "id", ID: RespID("summary.id"),
			Attrs: []Attr{{Name: "name", Value: Req("name")}, {Name: "scope", Value: Req("scope")}, {Name: "description", Value: Req("description")}},
		}},
	},
	{
		Provider: change.AWS, Service: wafv2Service, Event: "UpdateWebACL",
		Doc: "replaces a web ACL's rules, default action and description",
		Targets: []Target{{
			Type: "aws_wafv2_web_acl", Op: Modify, Key: "id", ID: ReqID("id"),
			Attrs: []Attr{{Name: "description", Value: OrDefault(Req("description"), "")}},
		}},
	},
	{
		Provider: change.AWS, Service: wafv2Service, Event: "DeleteWebACL",
		Doc:     "deletes a web ACL",
		Targets: []Target{{Type: "aws_wafv2_web_acl", Op: Delete, Key: "id", ID: ReqID("id")}},
	},
	{
		Provider: change.AWS, Service: wafv2Service, Event: "AssociateWebACL",
		Doc: "puts a resource (load balancer, API stage) behind a web ACL",
		Targets: []Target{{
			Type: "aws_wafv2_web_acl_association", Op: Create, Key: "resource_arn", ID: ReqID("resourceArn"),
			Attrs: []Attr{{Name: "web_acl_arn", Value: Req("webACLArn")}},
		}},
	},
	{
		// Taking a load balancer out from behind its WAF is a classic way
		// to open it up.
		Provider: change.AWS, Service: wafv2Service, Event: "DisassociateWebACL",
		Doc:     "takes a resource out from behind its web ACL",
		Targets: []Target{{Type: "aws_wafv2_web_acl_association", Op: Delete, Key: "resource_arn", ID: ReqID("resourceArn")}},
	},
	{
		Provider: change.AWS, Service: wafv2Service, Event: "CreateIPSet",
		Doc: "creates an IP set",
		Targets: []Target{{
			Type: "aws_wafv2_ip_set", Op: Create, Key: "id", ID: RespID("summary.id"),
			Attrs: []Attr{
				{Name: "name", Value: Req("name")},
				{Name: "scope", Value: Req("scope")},
				{Name: "ip_address_version", Value: Req("iPAddressVersion", "ipAddressVersion")},
				{Name: "addresses", Value: List("addresses")},
			},
		}},
	},
	{
		// The call replaces the whole list of addresses.
		Provider: change.AWS, Service: wafv2Service, Event: "UpdateIPSet",
		Doc: "replaces the addresses of an IP set",
		Targets: []Target{{
			Type: "aws_wafv2_ip_set", Op: Modify, Key: "id", ID: ReqID("id"),
			Attrs: []Attr{
				{Name: "addresses", Value: OrDefault(List("addresses"), []any{})},
				{Name: "description", Value: OrDefault(Req("description"), "")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: wafv2Service, Event: "DeleteIPSet",
		Doc:     "deletes an IP set",
		Targets: []Target{{Type: "aws_wafv2_ip_set", Op: Delete, Key: "id", ID: ReqID("id")}},
	},
	{
		Provider: change.AWS, Service: wafv2Service, Event: "CreateRuleGroup",
		Doc: "creates a rule group",
		Targets: []Target{{
			Type: "aws_wafv2_rule_group", Op: Create, Key: "id", ID: RespID("summary.id"),
			Attrs: []Attr{{Name: "name", Value: Req("name")}, {Name: "scope", Value: Req("scope")}, {Name: "capacity", Value: ReqNum("capacity")}},
		}},
	},
	{
		Provider: change.AWS, Service: wafv2Service, Event: "DeleteRuleGroup",
		Doc:     "deletes a rule group",
		Targets: []Target{{Type: "aws_wafv2_rule_group", Op: Delete, Key: "id", ID: ReqID("id")}},
	},
	{
		Provider: change.AWS, Service: wafv2Service, Event: "PutLoggingConfiguration",
		Doc: "sends a web ACL's logs somewhere",
		Targets: ModifyOrCreate(Target{
			Type: "aws_wafv2_web_acl_logging_configuration", Key: "resource_arn", ID: ReqID("loggingConfiguration.resourceArn"),
			Attrs: []Attr{{Name: "log_destination_configs", Value: List("loggingConfiguration.logDestinationConfigs")}},
		}),
	},
	{
		Provider: change.AWS, Service: wafv2Service, Event: "DeleteLoggingConfiguration",
		Doc:     "stops logging a web ACL",
		Targets: []Target{{Type: "aws_wafv2_web_acl_logging_configuration", Op: Delete, Key: "resource_arn", ID: ReqID("resourceArn")}},
	},
}

func init() { registerGuarded(wafv2Entries) }
