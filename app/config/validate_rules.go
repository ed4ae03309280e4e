package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/tfdrift/tfdrift/detector/rules"
)

// actionKeys lists, per action type, the keys besides type and enabled
// that apply to it.
var actionKeys = map[string][]string{
	rules.ActionAlert:        {"channels", "priority"},
	rules.ActionCreateTicket: {"system", "project", "issue_type", "summary"},
	rules.ActionWebhook:      {"url"},
	rules.ActionAutoRevert:   {},
}

func (v *validator) rules(rs []rawRule) []rules.Rule {
	out := make([]rules.Rule, 0, len(rs))
	names := map[string]string{}
	for i := range rs {
		r := &rs[i]
		path := indexPath("drift_rules", i)
		label := fmt.Sprintf("rule %q", r.Name)
		if r.Name == "" {
			label = "rule " + path
		}
		if v.required(path+".name", r.Name, "a name for the rule (it appears in drifts and alerts)") && r.Name != "" {
			if prev, dup := names[r.Name]; dup {
				v.errAt(path+".name", "%s is already defined at %s (line %d); rule names must be unique", label, prev, v.pos(prev).line)
			} else {
				names[r.Name] = path
			}
		}
		rule := rules.Rule{
			Name:              r.Name,
			ResourceTypes:     r.ResourceTypes,
			WatchedAttributes: v.nonEmpty(path+".watched_attributes", r.WatchedAttributes),
			Tags:              v.nonEmpty(path+".tags", r.Tags),
			ExcludeUsers:      v.nonEmpty(path+".exclude_users", r.ExcludeUsers),
		}
		if len(r.ResourceTypes) == 0 && !v.unchecked(path+".resource_types") {
			v.errAt(path+".resource_types", "missing: the resource types the rule applies to (\"*\" for all)")
		}
		for j, t := range r.ResourceTypes {
			p := indexPath(path+".resource_types", j)
			if msg := rules.CheckResourceTypePattern(t); msg != "" && !v.unknownValue(p) {
				v.errAt(p, "%s", msg)
			}
		}
		if r.Severity != "" {
			rule.Severity, _ = v.severity(path+".severity", r.Severity)
		}
		rule.Filters = v.ruleFilters(path+".filters", label, &r.Filters)
		for j := range r.Conditions {
			if c, ok := v.condition(indexPath(path+".conditions", j), label, &r.Conditions[j]); ok {
				rule.Conditions = append(rule.Conditions, c)
			}
		}
		for j := range r.Actions {
			rule.Actions = append(rule.Actions, v.action(indexPath(path+".actions", j), &r.Actions[j]))
		}
		out = append(out, rule)
	}
	return out
}

func (v *validator) ruleFilters(path, label string, r *rawRuleFilters) rules.Filters {
	f := rules.Filters{
		Accounts:  v.nonEmpty(path+".accounts", r.Accounts),
		Regions:   v.nonEmpty(path+".regions", r.Regions),
		Providers: v.providerNames(path+".provider", r.Provider),
	}
	if r.InstanceTypePattern != "" && !v.unknownValue(path+".instance_type_pattern") {
		re, err := compile(r.InstanceTypePattern)
		if err != nil {
			v.errAt(path+".instance_type_pattern", "%s: %v", label, err)
		}
		f.InstanceTypePattern = re
	}
	return f
}

func (v *validator) providerNames(path string, list []string) []string {
	for i, p := range list {
		v.oneOf(indexPath(path, i), p, "aws", "gcp")
	}
	return list
}

func (v *validator) condition(path, label string, r *rawCondition) (rules.Condition, bool) {
	c := rules.Condition{Attribute: r.Attribute, Contains: r.Contains, Value: r.Value}
	ok := v.required(path+".attribute", r.Attribute, `the attribute to test ("*" for any changed attribute)`)
	set := 0
	for _, k := range []string{"pattern", "contains", "value"} {
		if v.has(path + "." + k) {
			set++
		}
	}
	switch {
	case set == 0:
		v.errAt(path, "%s: a condition needs one of pattern, contains or value", label)
		ok = false
	case set > 1:
		v.errAt(path, "%s: set only one of pattern, contains and value in a condition", label)
		ok = false
	}
	if v.has(path+".pattern") && !v.unchecked(path+".pattern") {
		re, err := compile(r.Pattern)
		if r.Pattern == "" {
			v.errAt(path+".pattern", "%s: an empty pattern matches everything; remove the condition instead", label)
			ok = false
		} else if err != nil {
			v.errAt(path+".pattern", "%s: %v", label, err)
			ok = false
		}
		c.Pattern = re
	}
	if v.has(path+".contains") && r.Contains == "" && !v.unchecked(path+".contains") {
		v.errAt(path+".contains", "%s: an empty contains matches everything; remove the condition instead", label)
		ok = false
	}
	return c, ok
}

func (v *validator) action(path string, r *rawAction) rules.Action {
	a := rules.Action{
		Type:      r.Type,
		Channels:  r.Channels,
		Priority:  r.Priority,
		System:    r.System,
		Project:   r.Project,
		IssueType: r.IssueType,
		Summary:   r.Summary,
		URL:       r.URL,
		Enabled:   r.Enabled,
	}
	if !v.required(path+".type", r.Type, "one of "+strings.Join(rules.ActionTypes, ", ")) ||
		!v.oneOf(path+".type", r.Type, rules.ActionTypes...) {
		return a
	}
	for typ, keys := range actionKeys {
		if typ == r.Type {
			continue
		}
		for _, k := range keys {
			if v.has(path+"."+k) && !slices.Contains(actionKeys[r.Type], k) {
				v.errAt(path+"."+k, "does not apply to a %s action", r.Type)
			}
		}
	}
	switch r.Type {
	case rules.ActionAlert:
		v.alertChannels(path, r)
	case rules.ActionCreateTicket:
		a.System = v.ticketSystem(path+".system", r)
	case rules.ActionAutoRevert:
		switch {
		case !features.AutoRevert:
			v.errAt(path+".type", "%s", autoRevertNotAvailable)
		case r.Enabled == nil:
			// Reverting the cloud is never a default: say it.
			v.errAt(path+".type", "auto_revert runs only with enabled: true; write enabled: true to revert matching drifts without a command, or enabled: false to keep the action written down but off")
		case *r.Enabled && !v.has("terraform"):
			v.errAt(path+".enabled", "auto_revert runs terraform, and the config has no terraform: block, so nothing would be reverted; add one (terraform: {} takes every default)")
		}
	case rules.ActionWebhook:
		if v.required(path+".url", r.URL, "the URL to call") {
			v.httpURL(path+".url", r.URL)
		}
	}
	return a
}

// compile is regexp.Compile with an error worded for config messages.
func compile(expr string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression: %w", err)
	}
	return re, nil
}
