package catalog

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

const ec2Service = "ec2.amazonaws.com"

// Security groups. A group's rules live in two places in Terraform: the
// group's own ingress/egress sets and, in newer code, separate
// aws_vpc_security_group_{ingress,egress}_rule resources. A rule change is
// drift on the group (its ingress set is computed from all rules); a new
// rule resource is reported as unmanaged only when the group is unmanaged.
var ec2SecurityGroupEntries = []Entry{
	{
		Provider: change.AWS, Service: ec2Service, Event: "AuthorizeSecurityGroupIngress",
		Doc: "adds inbound rules to a security group",
		Targets: []Target{
			{Type: "aws_security_group", Op: Modify, Key: "id", ID: ReqID("groupId"),
				Attrs: []Attr{{Name: "ingress", Value: AddRules()}}},
			{Type: "aws_vpc_security_group_ingress_rule", Op: Create, Key: "id", Secondary: true,
				ID: RespID("securityGroupRuleSet.items.securityGroupRuleId")},
		},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "AuthorizeSecurityGroupEgress",
		Doc: "adds outbound rules to a security group",
		Targets: []Target{
			{Type: "aws_security_group", Op: Modify, Key: "id", ID: ReqID("groupId"),
				Attrs: []Attr{{Name: "egress", Value: AddRules()}}},
			{Type: "aws_vpc_security_group_egress_rule", Op: Create, Key: "id", Secondary: true,
				ID: RespID("securityGroupRuleSet.items.securityGroupRuleId")},
		},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "RevokeSecurityGroupIngress",
		Doc: "removes inbound rules from a security group",
		Targets: []Target{
			{Type: "aws_security_group", Op: Modify, Key: "id", ID: ReqID("groupId"),
				Attrs: []Attr{{Name: "ingress", Value: RemoveRules()}}},
			{Type: "aws_vpc_security_group_ingress_rule", Op: Delete, Key: "id",
				ID: ReqID("securityGroupRuleIds.items.securityGroupRuleId", "securityGroupRuleIds.items", "SecurityGroupRuleId.1")},
		},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "RevokeSecurityGroupEgress",
		Doc: "removes outbound rules from a security group",
		Targets: []Target{
			{Type: "aws_security_group", Op: Modify, Key: "id", ID: ReqID("groupId"),
				Attrs: []Attr{{Name: "egress", Value: RemoveRules()}}},
			{Type: "aws_vpc_security_group_egress_rule", Op: Delete, Key: "id",
				ID: ReqID("securityGroupRuleIds.items.securityGroupRuleId", "securityGroupRuleIds.items", "SecurityGroupRuleId.1")},
		},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "CreateSecurityGroup",
		Doc: "creates a security group",
		Targets: []Target{{
			Type: "aws_security_group", Op: Create, Key: "id", ID: RespID("groupId"),
			Attrs: []Attr{
				{Name: "name", Value: Req("groupName")},
				{Name: "description", Value: Req("groupDescription")},
				{Name: "vpc_id", Value: Req("vpcId")},
			},
		}},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "DeleteSecurityGroup",
		Doc:     "deletes a security group",
		Targets: []Target{{Type: "aws_security_group", Op: Delete, Key: "id", ID: ReqID("groupId")}},
	},
}

// AddRules derives a security group's ingress or egress set after an
// Authorize call: the current rules plus every new (protocol, ports, source)
// the call grants. Sources the group already allows add nothing, so a call
// that re-grants existing rules is not drift.
func AddRules() Value {
	return func(e *Event, cur any) (any, bool) {
		perms := ipPermissions(e)
		if len(perms) == 0 {
			return nil, false
		}
		groupID, _ := First(e.Req(), "groupId").(string)
		have := map[ruleAtom]bool{}
		current := asObjects(cur)
		for _, r := range current {
			for _, a := range atomsOfTF(r) {
				have[a] = true
			}
		}
		out := append([]any{}, toAny(current)...)
		added := false
		for _, p := range perms {
			for _, obj := range tfRulesOfPermission(p, groupID) {
				fresh := false
				for _, a := range atomsOfTF(obj) {
					if !have[a] {
						fresh = true
						have[a] = true
					}
				}
				if fresh {
					out = append(out, obj)
					added = true
				}
			}
		}
		if !added {
			return cur, true
		}
		return out, true
	}
}

// RemoveRules derives the set after a Revoke call: every (protocol, ports,
// source) the call names is taken out of the current rules; rules left with
// no source disappear.
func RemoveRules() Value {
	return func(e *Event, cur any) (any, bool) {
		perms := ipPermissions(e)
		if len(perms) == 0 {
			return nil, false
		}
		groupID, _ := First(e.Req(), "groupId").(string)
		gone := map[ruleAtom]bool{}
		for _, p := range perms {
			for _, obj := range tfRulesOfPermission(p, groupID) {
				for _, a := range atomsOfTF(obj) {
					gone[a] = true
				}
			}
		}
		current := asObjects(cur)
		out := make([]any, 0, len(current))
		changed := false
		for _, r := range current {
			kept, removed := filterRule(r, gone)
			if removed {
				changed = true
			}
			if kept != nil {
				out = append(out, kept)
			}
		}
		if !changed {
			return cur, true
		}
		return out, true
	}
}

// ipPermissions returns the permissions of an Authorize/Revoke request in
// either form: the ipPermissions list or the legacy flat parameters.
func ipPermissions(e *Event) []map[string]any {
	var out []map[string]any
	for _, p := range Items(e.Req(), "ipPermissions.items") {
		if m, ok := p.(map[string]any); ok {
			out = append(out, m)
		}
	}
	if len(out) > 0 {
		return out
	}
	req, _ := e.Req().(map[string]any)
	if req == nil {
		return nil
	}
	if cidr, ok := req["cidrIp"].(string); ok && cidr != "" {
		return []map[string]any{{
			"ipProtocol": req["ipProtocol"], "fromPort": req["fromPort"], "toPort": req["toPort"],
			"ipRanges": map[string]any{"items": []any{map[string]any{"cidrIp": cidr}}},
		}}
	}
	return nil
}

// ruleAtom is one allowed (protocol, port range, source).
type ruleAtom struct {
	proto, from, to, kind, source string
}

var protoNames = map[string]string{"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1"}

func normProto(p string) string {
	p = strings.ToLower(strings.TrimSpace(p))
	if n, ok := protoNames[p]; ok {
		return n
	}
	return p
}

func portText(v any) string {
	switch t := v.(type) {
	case nil:
		return "0"
	case json.Number:
		return t.String()
	case float64:
		return fmt.Sprint(int64(t))
	case string:
		if t == "" {
			return "0"
		}
		return t
	}
	return fmt.Sprint(v)
}

// tfRulesOfPermission converts one CloudTrail permission into the
// Terraform rule objects it represents, one per distinct description (as
// the AWS provider groups them).
func tfRulesOfPermission(p map[string]any, groupID string) []map[string]any {
	proto := normProto(fmt.Sprint(p["ipProtocol"]))
	from, to := portText(p["fromPort"]), portText(p["toPort"])
	if proto == "-1" {
		from, to = "0", "0"
	}
	byDesc := map[string]map[string]any{}
	var order []string
	get := func(desc string) map[string]any {
		r, ok := byDesc[desc]
		if !ok {
			r = map[string]any{
				"protocol": proto, "from_port": json.Number(from), "to_port": json.Number(to),
				"description": desc, "cidr_blocks": []any{}, "ipv6_cidr_blocks": []any{},
				"prefix_list_ids": []any{}, "security_groups": []any{}, "self": false,
			}
			byDesc[desc] = r
			order = append(order, desc)
		}
		return r
	}
	add := func(path, field, tfKey string) {
		for _, it := range Items(p, path) {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			src, _ := m[field].(string)
			if src == "" {
				continue
			}
			desc, _ := m["description"].(string)
			r := get(desc)
			if tfKey == "security_groups" && src == groupID {
				r["self"] = true
				continue
			}
			r[tfKey] = append(r[tfKey].([]any), src)
		}
	}
	add("ipRanges.items", "cidrIp", "cidr_blocks")
	add("ipv6Ranges.items", "cidrIpv6", "ipv6_cidr_blocks")
	add("prefixListIds.items", "prefixListId", "prefix_list_ids")
	add("groups.items", "groupId", "security_groups")
	sort.Strings(order)
	out := make([]map[string]any, 0, len(order))
	for _, d := range order {
		out = append(out, byDesc[d])
	}
	return out
}

var ruleSourceKeys = []struct{ key, kind string }{
	{"cidr_blocks", "cidr"}, {"ipv6_cidr_blocks", "ipv6"},
	{"prefix_list_ids", "pl"}, {"security_groups", "sg"},
}

func atomsOfTF(r map[string]any) []ruleAtom {
	proto := normProto(fmt.Sprint(r["protocol"]))
	from, to := portText(r["from_port"]), portText(r["to_port"])
	if proto == "-1" {
		from, to = "0", "0"
	}
	var out []ruleAtom
	for _, k := range ruleSourceKeys {
		for _, s := range Strings(r[k.key], ".") {
			out = append(out, ruleAtom{proto, from, to, k.kind, s})
		}
	}
	if self, _ := toBool(r["self"]); self == true {
		out = append(out, ruleAtom{proto, from, to, "self", ""})
	}
	return out
}

// filterRule drops the gone sources from rule r. It returns nil when
// nothing is left.
func filterRule(r map[string]any, gone map[ruleAtom]bool) (map[string]any, bool) {
	proto := normProto(fmt.Sprint(r["protocol"]))
	from, to := portText(r["from_port"]), portText(r["to_port"])
	if proto == "-1" {
		from, to = "0", "0"
	}
	out := make(map[string]any, len(r))
	for k, v := range r {
		out[k] = v
	}
	removed, left := false, 0
	for _, k := range ruleSourceKeys {
		var keep []any
		for _, s := range Strings(r[k.key], ".") {
			if gone[ruleAtom{proto, from, to, k.kind, s}] {
				removed = true
				continue
			}
			keep = append(keep, s)
		}
		if _, present := r[k.key]; present {
			if keep == nil {
				keep = []any{}
			}
			out[k.key] = keep
		}
		left += len(keep)
	}
	if self, _ := toBool(r["self"]); self == true {
		if gone[ruleAtom{proto, from, to, "self", ""}] {
			out["self"] = false
			removed = true
		} else {
			left++
		}
	}
	if left == 0 {
		return nil, removed
	}
	return out, removed
}

func asObjects(v any) []map[string]any {
	var out []map[string]any
	for _, x := range flattenLists([]any{v}) {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func toAny(ms []map[string]any) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}
