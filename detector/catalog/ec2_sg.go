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
// group's own ingress/egress sets (the legacy inline form, which the
// provider also reads back as a computed list of every rule) and, in code
// written since AWS provider v5, separate
// aws_vpc_security_group_{ingress,egress}_rule resources, one per rule,
// found by their sgr- ID or, for calls that carry none, by the rule's
// properties. The split resources manage the group's rules whenever state
// holds any for the group (see Target.Inline): the group is never blamed,
// and a new rule is an unmanaged rule resource. Without them a rule change
// is drift on the group's inline set.
var ec2SecurityGroupEntries = []Entry{
	{
		Provider: change.AWS, Service: ec2Service, Event: "AuthorizeSecurityGroupIngress",
		Doc: "adds inbound rules to a security group",
		Targets: []Target{
			{Type: "aws_security_group", Op: Modify, Key: "id", ID: ReqID("groupId"), Inline: sgSplit("ingress"),
				Attrs: []Attr{{Name: "ingress", Value: AddRules()}}},
			{Type: "aws_vpc_security_group_ingress_rule", Op: Create, Key: "id", Secondary: true,
				ID: sgRuleIDsOf(false), Attrs: sgRuleCreateAttrs()},
		},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "AuthorizeSecurityGroupEgress",
		Doc: "adds outbound rules to a security group",
		Targets: []Target{
			{Type: "aws_security_group", Op: Modify, Key: "id", ID: ReqID("groupId"), Inline: sgSplit("egress"),
				Attrs: []Attr{{Name: "egress", Value: AddRules()}}},
			{Type: "aws_vpc_security_group_egress_rule", Op: Create, Key: "id", Secondary: true,
				ID: sgRuleIDsOf(true), Attrs: sgRuleCreateAttrs()},
		},
	},
	{
		// Revoke names rules by ID (securityGroupRuleIds) or, in older
		// records and most CLI calls, by their properties; either finds
		// the rule resources.
		Provider: change.AWS, Service: ec2Service, Event: "RevokeSecurityGroupIngress",
		Doc: "removes inbound rules from a security group",
		Targets: []Target{
			{Type: "aws_security_group", Op: Modify, Key: "id", ID: ReqID("groupId"), Inline: sgSplit("ingress"),
				Attrs: []Attr{{Name: "ingress", Value: RemoveRules()}}},
			{Type: "aws_vpc_security_group_ingress_rule", Op: Delete, Key: "id",
				ID: ReqID("securityGroupRuleIds.items.securityGroupRuleId", "securityGroupRuleIds.items", "SecurityGroupRuleId.1")},
			{Type: "aws_vpc_security_group_ingress_rule", Op: Delete, Key: "security_group_id",
				ID: sgIfPermissions(), Match: sgRuleByProperties()},
		},
	},
	{
		Provider: change.AWS, Service: ec2Service, Event: "RevokeSecurityGroupEgress",
		Doc: "removes outbound rules from a security group",
		Targets: []Target{
			{Type: "aws_security_group", Op: Modify, Key: "id", ID: ReqID("groupId"), Inline: sgSplit("egress"),
				Attrs: []Attr{{Name: "egress", Value: RemoveRules()}}},
			{Type: "aws_vpc_security_group_egress_rule", Op: Delete, Key: "id",
				ID: ReqID("securityGroupRuleIds.items.securityGroupRuleId", "securityGroupRuleIds.items", "SecurityGroupRuleId.1")},
			{Type: "aws_vpc_security_group_egress_rule", Op: Delete, Key: "security_group_id",
				ID: sgIfPermissions(), Match: sgRuleByProperties()},
		},
	},
	{
		// The console's in-place rule edit. The request names the rule by
		// ID and gives its new form whole; it does not say whether the
		// rule is inbound or outbound, so both rule types are looked up.
		// A group whose rules are inline does not keep rule IDs in state,
		// and the old form is not in the record: the group's sets are
		// reported as written, their new value unknown.
		Provider: change.AWS, Service: ec2Service, Event: "ModifySecurityGroupRules",
		Doc: "edits security group rules in place",
		Targets: []Target{
			{Type: "aws_vpc_security_group_ingress_rule", Op: Modify, Key: "id", ID: sgModifiedRuleIDs(), Attrs: sgModifiedRuleAttrs()},
			{Type: "aws_vpc_security_group_egress_rule", Op: Modify, Key: "id", ID: sgModifiedRuleIDs(), Attrs: sgModifiedRuleAttrs()},
			{Type: "aws_security_group", Op: Modify, Key: "id", ID: ReqID(sgModifyRequest + ".GroupId"),
				Inline: &Split{Type: "aws_vpc_security_group_ingress_rule", Key: "security_group_id"},
				Attrs: []Attr{
					{Name: "ingress", Value: sgModifiedInline()},
					{Name: "egress", Value: sgModifiedInline()},
				}},
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

// sgSplit names the rule resources that manage a group's ingress or egress
// set.
func sgSplit(set string) *Split {
	return &Split{Type: "aws_vpc_security_group_" + set + "_rule", Key: "security_group_id"}
}

// sgRuleIDsOf takes the IDs of the rules an Authorize call created, from
// the response's securityGroupRuleSet, keeping the direction asked for.
func sgRuleIDsOf(egress bool) IDs {
	return func(e *Event) []string {
		var out []string
		for _, it := range Items(e.Resp(), "securityGroupRuleSet.items") {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			if eg, ok := toBool(m["isEgress"]); ok && eg != egress {
				continue
			}
			if id, _ := m["securityGroupRuleId"].(string); id != "" {
				out = append(out, id)
			}
		}
		return out
	}
}

// sgRuleCreateAttrs derives a new rule resource's attributes from the
// response's description of the rule with the ID being reported.
func sgRuleCreateAttrs() []Attr {
	field := func(name, key string, conv func(any) any) Attr {
		return Attr{Name: name, Value: func(e *Event, _ any) (any, bool) {
			for _, it := range Items(e.Resp(), "securityGroupRuleSet.items") {
				m, ok := it.(map[string]any)
				if !ok || m["securityGroupRuleId"] != e.ID {
					continue
				}
				v, ok := m[key]
				if !ok {
					return nil, false
				}
				if conv != nil {
					v = conv(v)
				}
				return v, true
			}
			return nil, false
		}}
	}
	return []Attr{
		field("security_group_id", "groupId", nil),
		field("ip_protocol", "ipProtocol", func(v any) any { return normProto(fmt.Sprint(v)) }),
		field("from_port", "fromPort", nil),
		field("to_port", "toPort", nil),
		field("cidr_ipv4", "cidrIpv4", nil),
		field("description", "description", nil),
	}
}

// sgIfPermissions names the group of a Revoke call that gives rules by
// their properties, so its rule resources can be matched.
func sgIfPermissions() IDs {
	return func(e *Event) []string {
		if len(ipPermissions(e)) == 0 {
			return nil
		}
		return Strings(e.Req(), "groupId")
	}
}

// sgRuleAttrs are the attributes of a rule resource that say what it
// allows.
var sgRuleAttrs = []string{"security_group_id", "ip_protocol", "from_port", "to_port",
	"cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_security_group_id"}

// sgRuleByProperties matches the rule resources whose (protocol, ports,
// source) a Revoke call names. A rule resource holds exactly one source.
func sgRuleByProperties() *Match {
	return &Match{Attrs: sgRuleAttrs, Func: func(e *Event, attrs map[string]any) bool {
		groupID, _ := First(e.Req(), "groupId").(string)
		atom, ok := sgRuleAtom(attrs)
		if !ok {
			return false
		}
		for _, p := range ipPermissions(e) {
			for _, obj := range tfRulesOfPermission(p, groupID) {
				for _, a := range atomsOfTF(obj) {
					if a == atom {
						return true
					}
				}
			}
		}
		return false
	}}
}

// sgRuleAtom is what one aws_vpc_security_group_*_rule allows, as the
// atoms the inline sets are compared by.
func sgRuleAtom(attrs map[string]any) (ruleAtom, bool) {
	proto := normProto(fmt.Sprint(attrs["ip_protocol"]))
	from, to := portText(attrs["from_port"]), portText(attrs["to_port"])
	if proto == "-1" {
		from, to = "0", "0"
	}
	group, _ := attrs["security_group_id"].(string)
	for _, s := range []struct{ attr, kind string }{
		{"cidr_ipv4", "cidr"}, {"cidr_ipv6", "ipv6"}, {"prefix_list_id", "pl"}, {"referenced_security_group_id", "sg"},
	} {
		v, _ := attrs[s.attr].(string)
		if v == "" {
			continue
		}
		if s.kind == "sg" && v == group {
			return ruleAtom{proto, from, to, "self", ""}, true
		}
		return ruleAtom{proto, from, to, s.kind, v}, true
	}
	return ruleAtom{}, false
}

// sgModifyRequest is where CloudTrail logs ModifySecurityGroupRules'
// parameters: requestParameters.ModifySecurityGroupRulesRequest, holding
// GroupId and SecurityGroupRule (one {SecurityGroupRuleId,
// SecurityGroupRule} object, or a list of them).
const sgModifyRequest = "ModifySecurityGroupRulesRequest"

func sgModifiedRules(e *Event) []map[string]any {
	var out []map[string]any
	for _, it := range Items(e.Req(), sgModifyRequest+".SecurityGroupRule") {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func sgModifiedRuleIDs() IDs {
	return func(e *Event) []string {
		var out []string
		for _, r := range sgModifiedRules(e) {
			if id, _ := r["SecurityGroupRuleId"].(string); id != "" {
				out = append(out, id)
			}
		}
		return out
	}
}

// sgModifiedRuleAttrs derives a rule resource after
// ModifySecurityGroupRules: the request gives the rule's new form whole,
// so a source it leaves out is cleared, and ports are null for all
// protocols, as the provider stores them.
func sgModifiedRuleAttrs() []Attr {
	newForm := func(e *Event) map[string]any {
		for _, r := range sgModifiedRules(e) {
			if r["SecurityGroupRuleId"] == e.ID {
				m, _ := r["SecurityGroupRule"].(map[string]any)
				return m
			}
		}
		return nil
	}
	field := func(name, key string) Attr {
		return Attr{Name: name, Value: func(e *Event, _ any) (any, bool) {
			rule := newForm(e)
			if rule == nil {
				return nil, false
			}
			v := rule[key]
			switch name {
			case "ip_protocol":
				return normProto(fmt.Sprint(v)), true
			case "from_port", "to_port":
				if normProto(fmt.Sprint(rule["IpProtocol"])) == "-1" {
					return nil, true
				}
			}
			if s, ok := v.(string); ok && s == "" {
				v = nil
			}
			return v, true
		}}
	}
	return []Attr{
		field("ip_protocol", "IpProtocol"),
		field("from_port", "FromPort"),
		field("to_port", "ToPort"),
		field("cidr_ipv4", "CidrIpv4"),
		field("cidr_ipv6", "CidrIpv6"),
		field("prefix_list_id", "PrefixListId"),
		field("referenced_security_group_id", "ReferencedGroupId"),
		field("description", "Description"),
	}
}

// sgModifiedInline reports a group's inline set as written but unknown
// after ModifySecurityGroupRules (see the entry).
func sgModifiedInline() Value {
	return func(e *Event, _ any) (any, bool) {
		if len(sgModifiedRules(e)) == 0 {
			return nil, false
		}
		return Unknown, true
	}
}
