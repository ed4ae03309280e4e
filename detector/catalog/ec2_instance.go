package catalog

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

// EC2 instances.
//
// Start and stop: aws_instance's instance_state is a computed attribute,
// so a stopped instance is not configuration drift of aws_instance (a plan
// shows nothing to change). The resource that holds the run state as
// configuration is aws_ec2_instance_state (state = "running" | "stopped"),
// so StopInstances and StartInstances are mapped to it only; an instance
// stopped by hand is drift only where Terraform manages its state.
var ec2InstanceEntries = []Entry{
	{
		Provider: change.AWS, Service: ec2Service, Event: "RunInstances",
		Doc: "launches instances",
		Targets: []Target{{
			// The new IDs exist only in the response.
			Type: "aws_instance", Op: Create, Key: "id", ID: RespID("instancesSet.items.instanceId"),
			Attrs: []Attr{
				{Name: "instance_type", Value: firstValueOf(respFirstItem("instancesSet.items", "instanceType"), Unwrap(Req("instanceType")))},
				{Name: "ami", Value: firstValueOf(respFirstItem("instancesSet.items", "imageId"), Req("instancesSet.items.imageId"))},
				{Name: "subnet_id", Value: firstValueOf(respFirstItem("instancesSet.items", "subnetId"), Req("subnetId"))},
				{Name: "key_name", Value: firstValueOf(respFirstItem("instancesSet.items", "keyName"), Req("keyName"))},
				{Name: "vpc_security_group_ids", Value: respFirstItemList("instancesSet.items", "groupSet.items.groupId")},
				{Name: "tags", Value: ec2TagSpec("instance")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "TerminateInstances",
		Doc:     "terminates instances",
		Targets: []Target{{Type: "aws_instance", Op: Delete, Key: "id", ID: ReqID("instancesSet.items.instanceId")}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "StopInstances",
		Doc: "stops instances",
		Targets: []Target{{
			Type: "aws_ec2_instance_state", Op: Modify, Key: "instance_id", ID: ReqID("instancesSet.items.instanceId"),
			Attrs: []Attr{{Name: "state", Value: Const("stopped")}},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "StartInstances",
		Doc: "starts instances",
		Targets: []Target{{
			Type: "aws_ec2_instance_state", Op: Modify, Key: "instance_id", ID: ReqID("instancesSet.items.instanceId"),
			Attrs: []Attr{{Name: "state", Value: Const("running")}},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "ModifyInstanceAttribute",
		Doc: "changes one attribute of an instance",
		Targets: []Target{{
			Type: "aws_instance", Op: Modify, Key: "id", ID: ReqID("instanceId"),
			Attrs: []Attr{
				{Name: "instance_type", Value: ec2Attribute("instanceType")},
				{Name: "disable_api_termination", Value: Bool(ec2Attribute("disableApiTermination"))},
				{Name: "disable_api_stop", Value: Bool(ec2Attribute("disableApiStop"))},
				{Name: "source_dest_check", Value: Bool(ec2Attribute("sourceDestCheck"))},
				{Name: "ebs_optimized", Value: Bool(ec2Attribute("ebsOptimized"))},
				{Name: "instance_initiated_shutdown_behavior", Value: ec2Attribute("instanceInitiatedShutdownBehavior")},
				// CloudTrail logs userData as "<sensitiveDataRemoved>".
				{Name: "user_data", Value: Transform(ec2Attribute("userData"), func(any) (any, bool) { return Unknown, true })},
				{Name: "vpc_security_group_ids", Value: ReqList("groupSet.items.groupId")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "MonitorInstances",
		Doc: "enables detailed monitoring",
		Targets: []Target{{
			Type: "aws_instance", Op: Modify, Key: "id", ID: ReqID("instancesSet.items.instanceId"),
			Attrs: []Attr{{Name: "monitoring", Value: Const(true)}},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "UnmonitorInstances",
		Doc: "disables detailed monitoring",
		Targets: []Target{{
			Type: "aws_instance", Op: Modify, Key: "id", ID: ReqID("instancesSet.items.instanceId"),
			Attrs: []Attr{{Name: "monitoring", Value: Const(false)}},
		}},
	},
	{
		// A newer EC2 API: CloudTrail nests its parameters, PascalCase,
		// under ModifyInstanceMetadataOptionsRequest.
		Provider: change.AWS, Service: ec2Service, Event: "ModifyInstanceMetadataOptions",
		Doc: "changes the instance metadata service options (IMDSv2)",
		Targets: []Target{{
			Type: "aws_instance", Op: Modify, Key: "id",
			ID: ReqID("ModifyInstanceMetadataOptionsRequest.InstanceId", "instanceId"),
			Attrs: []Attr{{Name: "metadata_options", Value: tfBlock(
				tfField{"http_tokens", Req("ModifyInstanceMetadataOptionsRequest.HttpTokens", "httpTokens")},
				tfField{"http_endpoint", Req("ModifyInstanceMetadataOptionsRequest.HttpEndpoint", "httpEndpoint")},
				tfField{"http_put_response_hop_limit", Req("ModifyInstanceMetadataOptionsRequest.HttpPutResponseHopLimit", "httpPutResponseHopLimit")},
				tfField{"http_protocol_ipv6", Req("ModifyInstanceMetadataOptionsRequest.HttpProtocolIpv6", "httpProtocolIpv6")},
				tfField{"instance_metadata_tags", Req("ModifyInstanceMetadataOptionsRequest.InstanceMetadataTags", "instanceMetadataTags")},
			)}},
		}},
	},
}

func init() { register(servedBy(ec2InstanceEntries)) }

// whenService yields ids only for records from service. Some event names
// are shared by several services (CreateCluster: EKS, ECS, MSK…;
// CreateLoadBalancer: ELB and Lightsail; CreateVolume: EC2 and FSx) and
// the catalog is keyed by name alone, so an entry guards its identifiers
// against another service's records. A record that does not say its
// service (a Falco alert without ct.src) is let through: dropping it would
// lose every event of such a feed.
func whenService(service string, ids IDs) IDs {
	return func(e *Event) []string {
		if e.Change != nil && e.Service != "" && e.Service != service {
			return nil
		}
		return ids(e)
	}
}

// servedBy guards every target of entries with whenService, the entry's
// own service, and returns entries.
func servedBy(entries []Entry) []Entry {
	for i := range entries {
		for j := range entries[i].Targets {
			// A target without ID is left for New to reject.
			if t := &entries[i].Targets[j]; t.ID != nil {
				t.ID = whenService(entries[i].Service, t.ID)
			}
		}
	}
	return entries
}

// firstValueOf derives the value of the first of vals that derives one:
// the response's authoritative value first, the request's as a fallback.
func firstValueOf(vals ...Value) Value {
	return func(e *Event, cur any) (any, bool) {
		for _, v := range vals {
			if x, ok := v(e, cur); ok {
				return x, true
			}
		}
		return nil, false
	}
}

// respFirstItem reads field from the first element of the response list at
// listPath. RunInstances launches identical instances, so the first one
// describes them all; reading every element would turn scalars into lists.
func respFirstItem(listPath, field string) Value {
	return func(e *Event, _ any) (any, bool) {
		items := Items(e.Resp(), listPath)
		if len(items) == 0 {
			return nil, false
		}
		v := First(items[0], field)
		if v == nil {
			return nil, false
		}
		return v, true
	}
}

// respFirstItemList collects the values at path inside the first element
// of the response list at listPath, as a list (security group IDs).
func respFirstItemList(listPath, path string) Value {
	return func(e *Event, _ any) (any, bool) {
		items := Items(e.Resp(), listPath)
		if len(items) == 0 {
			return nil, false
		}
		vals := Strings(items[0], path)
		if len(vals) == 0 {
			return nil, false
		}
		out := make([]any, len(vals))
		for i, s := range vals {
			out[i] = s
		}
		return out, true
	}
}

// ec2Attribute reads an EC2 Modify*Attribute parameter in both forms the
// API accepts: the named, wrapped form ({"instanceType": {"value": "m5.large"}})
// and the generic one ({"attribute": "instanceType", "value": "m5.large"}).
// The {"value": x} wrapper is removed.
func ec2Attribute(name string) Value {
	return func(e *Event, _ any) (any, bool) {
		req, _ := e.Req().(map[string]any)
		if req == nil {
			return nil, false
		}
		if v, ok := req[name]; ok && v != nil {
			return unwrapEC2Value(v)
		}
		if attr, _ := req["attribute"].(string); attr == name {
			if v, ok := req["value"]; ok && v != nil {
				return unwrapEC2Value(v)
			}
		}
		return nil, false
	}
}

func unwrapEC2Value(v any) (any, bool) {
	if m, ok := v.(map[string]any); ok {
		inner, ok := m["value"]
		if !ok || inner == nil {
			return nil, false
		}
		return inner, true
	}
	return v, true
}

// ec2TagSpec derives the tags a Create*/RunInstances call puts on the new
// resource of resourceType through tagSpecificationSet.
func ec2TagSpec(resourceType string) Value {
	return func(e *Event, _ any) (any, bool) {
		out := map[string]any{}
		found := false
		for _, spec := range Items(e.Req(), "tagSpecificationSet.items") {
			m, ok := spec.(map[string]any)
			if !ok || m["resourceType"] != resourceType {
				continue
			}
			for _, t := range Items(m, "tags") {
				tm, ok := t.(map[string]any)
				if !ok {
					continue
				}
				k, _ := tm["key"].(string)
				if k == "" {
					continue
				}
				v := tm["value"]
				if v == nil {
					v = ""
				}
				out[k] = v
				found = true
			}
		}
		if !found {
			return nil, false
		}
		return out, true
	}
}

// tfField is one attribute of a nested block and the Value deriving it.
type tfField struct {
	name  string
	value Value
}

// tfBlock derives a single nested block (a list holding one object, as
// Terraform stores metadata_options or vpc_config) after a call that sets
// some of its fields: the current block with the fields the call names
// replaced. Fields the call leaves out keep their state values.
func tfBlock(fields ...tfField) Value {
	return func(e *Event, cur any) (any, bool) {
		out := map[string]any{}
		if m := blockObject(cur); m != nil {
			for k, v := range m {
				out[k] = v
			}
		}
		set := false
		for _, f := range fields {
			if v, ok := f.value(e, out[f.name]); ok {
				out[f.name] = v
				set = true
			}
		}
		if !set {
			return nil, false
		}
		return []any{out}, true
	}
}

// blockObject returns the object a single-block attribute holds: the first
// element of a list, or the value itself when it is an object.
func blockObject(v any) map[string]any {
	switch t := v.(type) {
	case map[string]any:
		return t
	case []any:
		if len(t) > 0 {
			m, _ := t[0].(map[string]any)
			return m
		}
	}
	return nil
}

// numeric turns a decimal string into a JSON number ("120" → 120), so that
// values logged as strings (ELB attributes) read as the numbers Terraform
// stores. Other values pass through.
func numeric(x any) (any, bool) {
	s, ok := x.(string)
	if !ok {
		return x, true
	}
	if _, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
		return json.Number(strings.TrimSpace(s)), true
	}
	return x, true
}
