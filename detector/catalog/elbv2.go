package catalog

import (
	"github.com/tfdrift/tfdrift/detector/change"
)

const elbService = "elasticloadbalancing.amazonaws.com"

// Elastic Load Balancing. Application, network and gateway load balancers
// (API version 2015-12-01) and Classic load balancers (2012-06-01) share the
// event source and some event names; their requests differ (loadBalancerArn
// versus loadBalancerName), so each entry holds a target for both and
// only the matching one resolves an identifier.
//
// Listener rules are aws_lb_listener_rule resources of their own (a
// listener holds only its default action), found by ARN; the listener is
// never blamed for them. Left out: ModifyRule, whose actions and
// conditions would need converting into the resource's action and
// condition blocks (forward, redirect, fixed-response, authenticate-*;
// host-header, path-pattern, http-header, query-string, source-ip) from a
// record shape no public source shows whole.
var elbEntries = []Entry{
	{
		Provider: change.AWS, Service: elbService, Event: "CreateRule",
		Doc: "adds a rule to a listener",
		Targets: []Target{{
			Type: "aws_lb_listener_rule", Op: Create, Key: "arn", ID: RespID("rules.ruleArn"),
			Attrs: []Attr{
				{Name: "listener_arn", Value: Req("listenerArn")},
				{Name: "priority", Value: Req("priority")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: elbService, Event: "DeleteRule",
		Doc:     "deletes a listener rule",
		Targets: []Target{{Type: "aws_lb_listener_rule", Op: Delete, Key: "arn", ID: ReqID("ruleArn")}},
	},
	{
		// The console's "reorder rules" sends every moved rule at once.
		Provider: change.AWS, Service: elbService, Event: "SetRulePriorities",
		Doc: "changes the priorities of listener rules",
		Targets: []Target{{
			Type: "aws_lb_listener_rule", Op: Modify, Key: "arn", ID: ReqID("rulePriorities.ruleArn"),
			Attrs: []Attr{{Name: "priority", Value: lbRulePriority()}},
		}},
	},
	{
		Provider: change.AWS, Service: elbService, Event: "CreateLoadBalancer",
		Doc: "creates a load balancer",
		Targets: []Target{
			{Type: "aws_lb", Op: Create, Key: "arn", ID: RespID("loadBalancers.loadBalancerArn"),
				Attrs: []Attr{
					{Name: "name", Value: Req("name")},
					{Name: "internal", Value: lbInternal(firstValueOf(Req("scheme"), Resp("loadBalancers.scheme")))},
					{Name: "load_balancer_type", Value: firstValueOf(Resp("loadBalancers.type"), Req("type"))},
					{Name: "security_groups", Value: ReqList("securityGroups")},
					{Name: "subnets", Value: firstValueOf(ReqList("subnets"), ReqList("subnetMappings.subnetId"))},
				}},
			{Type: "aws_elb", Op: Create, Key: "name", ID: ReqID("loadBalancerName"),
				Attrs: []Attr{
					{Name: "internal", Value: lbInternal(Req("scheme"))},
					{Name: "availability_zones", Value: ReqList("availabilityZones")},
					{Name: "subnets", Value: ReqList("subnets")},
					{Name: "security_groups", Value: ReqList("securityGroups")},
				}},
		},
	},
	{
		Provider: change.AWS, Service: elbService, Event: "DeleteLoadBalancer",
		Doc: "deletes a load balancer",
		Targets: []Target{
			{Type: "aws_lb", Op: Delete, Key: "arn", ID: ReqID("loadBalancerArn")},
			{Type: "aws_elb", Op: Delete, Key: "name", ID: ReqID("loadBalancerName")},
		},
	},
	{
		// Version 2 sends a list of key/value strings; Classic sends
		// structured attributes.
		Provider: change.AWS, Service: elbService, Event: "ModifyLoadBalancerAttributes",
		Doc: "changes load balancer attributes (deletion protection, idle timeout, access logs…)",
		Targets: []Target{
			{Type: "aws_lb", Op: Modify, Key: "arn", ID: ReqID("loadBalancerArn"),
				Attrs: []Attr{
					{Name: "enable_deletion_protection", Value: Bool(lbAttribute("deletion_protection.enabled"))},
					{Name: "idle_timeout", Value: Transform(lbAttribute("idle_timeout.timeout_seconds"), numeric)},
					{Name: "enable_http2", Value: Bool(lbAttribute("routing.http2.enabled"))},
					{Name: "drop_invalid_header_fields", Value: Bool(lbAttribute("routing.http.drop_invalid_header_fields.enabled"))},
					{Name: "enable_cross_zone_load_balancing", Value: Bool(lbAttribute("load_balancing.cross_zone.enabled"))},
					{Name: "desync_mitigation_mode", Value: lbAttribute("routing.http.desync_mitigation_mode")},
					{Name: "enable_waf_fail_open", Value: Bool(lbAttribute("waf.fail_open.enabled"))},
					{Name: "access_logs", Value: tfBlock(
						tfField{"enabled", Bool(lbAttribute("access_logs.s3.enabled"))},
						tfField{"bucket", lbAttribute("access_logs.s3.bucket")},
						tfField{"prefix", lbAttribute("access_logs.s3.prefix")},
					)},
				}},
			{Type: "aws_elb", Op: Modify, Key: "name", ID: ReqID("loadBalancerName"),
				Attrs: []Attr{
					{Name: "cross_zone_load_balancing", Value: Bool(Req("loadBalancerAttributes.crossZoneLoadBalancing.enabled"))},
					{Name: "idle_timeout", Value: Req("loadBalancerAttributes.connectionSettings.idleTimeout")},
					{Name: "connection_draining", Value: Bool(Req("loadBalancerAttributes.connectionDraining.enabled"))},
					{Name: "connection_draining_timeout", Value: Req("loadBalancerAttributes.connectionDraining.timeout")},
				}},
		},
	},
	{
		Provider: change.AWS, Service: elbService, Event: "SetSecurityGroups",
		Doc: "replaces a load balancer's security groups",
		Targets: []Target{{
			Type: "aws_lb", Op: Modify, Key: "arn", ID: ReqID("loadBalancerArn"),
			Attrs: []Attr{{Name: "security_groups", Value: ReqList("securityGroups")}},
		}},
	},
	{
		Provider: change.AWS, Service: elbService, Event: "SetSubnets",
		Doc: "replaces a load balancer's subnets",
		Targets: []Target{{
			Type: "aws_lb", Op: Modify, Key: "arn", ID: ReqID("loadBalancerArn"),
			Attrs: []Attr{{Name: "subnets", Value: firstValueOf(ReqList("subnets"), ReqList("subnetMappings.subnetId"))}},
		}},
	},
	{
		// Global Accelerator and VPC Lattice have a CreateListener too;
		// servedBy keeps their records out.
		Provider: change.AWS, Service: elbService, Event: "CreateListener",
		Doc: "adds a listener to a load balancer",
		Targets: []Target{{
			Type: "aws_lb_listener", Op: Create, Key: "arn",
			ID: RespID("listeners.listenerArn"),
			Attrs: []Attr{
				{Name: "load_balancer_arn", Value: Req("loadBalancerArn")},
				{Name: "port", Value: Req("port")},
				{Name: "protocol", Value: Req("protocol")},
				{Name: "ssl_policy", Value: Req("sslPolicy")},
				{Name: "certificate_arn", Value: lbDefaultCertificate()},
			},
		}},
	},
	{
		Provider: change.AWS, Service: elbService, Event: "DeleteListener",
		Doc: "deletes a listener",
		Targets: []Target{{
			Type: "aws_lb_listener", Op: Delete, Key: "arn",
			ID: ReqID("listenerArn"),
		}},
	},
	{
		Provider: change.AWS, Service: elbService, Event: "ModifyListener",
		Doc: "changes a listener's port, protocol, TLS policy or certificate",
		Targets: []Target{{
			Type: "aws_lb_listener", Op: Modify, Key: "arn", ID: ReqID("listenerArn"),
			Attrs: []Attr{
				{Name: "port", Value: Req("port")},
				{Name: "protocol", Value: Req("protocol")},
				{Name: "ssl_policy", Value: Req("sslPolicy")},
				{Name: "certificate_arn", Value: lbDefaultCertificate()},
			},
		}},
	},
	{
		Provider: change.AWS, Service: elbService, Event: "CreateTargetGroup",
		Doc: "creates a target group",
		Targets: []Target{{
			Type: "aws_lb_target_group", Op: Create, Key: "arn", ID: RespID("targetGroups.targetGroupArn"),
			Attrs: []Attr{
				{Name: "name", Value: Req("name")},
				{Name: "port", Value: Req("port")},
				{Name: "protocol", Value: Req("protocol")},
				{Name: "vpc_id", Value: Req("vpcId")},
				{Name: "target_type", Value: firstValueOf(Resp("targetGroups.targetType"), Req("targetType"))},
			},
		}},
	},
	{
		Provider: change.AWS, Service: elbService, Event: "DeleteTargetGroup",
		Doc:     "deletes a target group",
		Targets: []Target{{Type: "aws_lb_target_group", Op: Delete, Key: "arn", ID: ReqID("targetGroupArn")}},
	},
	{
		Provider: change.AWS, Service: elbService, Event: "ModifyTargetGroup",
		Doc: "changes a target group's health check",
		Targets: []Target{{
			Type: "aws_lb_target_group", Op: Modify, Key: "arn", ID: ReqID("targetGroupArn"),
			Attrs: []Attr{{Name: "health_check", Value: tfBlock(
				tfField{"enabled", Bool(Req("healthCheckEnabled"))},
				tfField{"protocol", Req("healthCheckProtocol")},
				tfField{"port", Req("healthCheckPort")},
				tfField{"path", Req("healthCheckPath")},
				tfField{"interval", Req("healthCheckIntervalSeconds")},
				tfField{"timeout", Req("healthCheckTimeoutSeconds")},
				tfField{"healthy_threshold", Req("healthyThresholdCount")},
				tfField{"unhealthy_threshold", Req("unhealthyThresholdCount")},
				tfField{"matcher", Req("matcher.httpCode", "matcher.grpcCode")},
			)}},
		}},
	},
	{
		Provider: change.AWS, Service: elbService, Event: "ModifyTargetGroupAttributes",
		Doc: "changes target group attributes (deregistration delay, stickiness…)",
		Targets: []Target{{
			Type: "aws_lb_target_group", Op: Modify, Key: "arn", ID: ReqID("targetGroupArn"),
			Attrs: []Attr{
				// The provider keeps deregistration_delay as a string.
				{Name: "deregistration_delay", Value: lbAttribute("deregistration_delay.timeout_seconds")},
				{Name: "slow_start", Value: Transform(lbAttribute("slow_start.duration_seconds"), numeric)},
				{Name: "load_balancing_algorithm_type", Value: lbAttribute("load_balancing.algorithm.type")},
				{Name: "proxy_protocol_v2", Value: Bool(lbAttribute("proxy_protocol_v2.enabled"))},
				{Name: "preserve_client_ip", Value: lbAttribute("preserve_client_ip.enabled")},
				{Name: "stickiness", Value: tfBlock(
					tfField{"enabled", Bool(lbAttribute("stickiness.enabled"))},
					tfField{"type", lbAttribute("stickiness.type")},
					tfField{"cookie_duration", Transform(lbAttribute("stickiness.lb_cookie.duration_seconds"), numeric)},
					tfField{"cookie_name", lbAttribute("stickiness.app_cookie.cookie_name")},
				)},
			},
		}},
	},
}

func init() { register(servedBy(elbEntries)) }

// lbAttribute reads one version-2 attribute from the request's
// [{"key": "idle_timeout.timeout_seconds", "value": "120"}, …] list.
// Values are strings; Bool and numeric convert them.
func lbAttribute(key string) Value {
	return func(e *Event, _ any) (any, bool) {
		for _, it := range Items(e.Req(), "attributes") {
			m, ok := it.(map[string]any)
			if !ok || m["key"] != key {
				continue
			}
			v, ok := m["value"]
			if !ok || v == nil {
				return "", true
			}
			return v, true
		}
		return nil, false
	}
}

// lbInternal derives internal from a scheme: "internal" or "internet-facing".
func lbInternal(scheme Value) Value {
	return Transform(scheme, func(x any) (any, bool) {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		return s == "internal", true
	})
}

// lbDefaultCertificate derives a listener's certificate_arn: the first of
// the request's certificates is the default one.
func lbDefaultCertificate() Value {
	return func(e *Event, _ any) (any, bool) {
		certs := Strings(e.Req(), "certificates.certificateArn")
		if len(certs) == 0 {
			return nil, false
		}
		return certs[0], true
	}
}

// lbRulePriority derives the priority SetRulePriorities gives the rule
// being derived for (Event.ID).
func lbRulePriority() Value {
	return func(e *Event, _ any) (any, bool) {
		for _, it := range Items(e.Req(), "rulePriorities") {
			m, ok := it.(map[string]any)
			if ok && m["ruleArn"] == e.ID {
				if p, ok := m["priority"]; ok {
					return ctToNumber(p), true
				}
			}
		}
		return nil, false
	}
}
