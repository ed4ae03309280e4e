package rules

import (
	"strings"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// conditionsHold reports whether every condition of the rule holds.
func (c *compiled) conditionsHold(v *view) bool {
	for i := range c.rule.Conditions {
		if !conditionHolds(&c.rule.Conditions[i], v) {
			return false
		}
	}
	return true
}

// conditionHolds tests one condition against the drift's actual values:
// pattern and contains against their texts (see candidates in value.go),
// value by semantic equality with the value or any of its elements.
func conditionHolds(cond *Condition, v *view) bool {
	switch {
	case cond.Pattern != nil:
		for _, s := range v.textsAt(cond.Attribute) {
			if cond.Pattern.MatchString(s) {
				return true
			}
		}
		return false
	case cond.Contains != "":
		for _, s := range v.textsAt(cond.Attribute) {
			if strings.Contains(s, cond.Contains) {
				return true
			}
		}
		return false
	default:
		for _, val := range v.valuesAt(cond.Attribute) {
			if semanticEqual(cond.Value, val) {
				return true
			}
			if list, ok := val.([]any); ok {
				for _, e := range list {
					if semanticEqual(cond.Value, e) {
						return true
					}
				}
			}
		}
		return false
	}
}

// valuesAt returns the actual values a condition on attribute looks at:
// the changed attribute itself, or for a dotted path the values found by
// following it from the longest changed prefix ("ingress.cidr_blocks"
// gives each ingress element's cidr_blocks).
func valuesAt(d *drift.Drift, attribute string) []any {
	if ac, ok := d.Changes[attribute]; ok {
		if ac.Unknown {
			return nil
		}
		return []any{generic(ac.Actual)}
	}
	parts := strings.Split(attribute, ".")
	for i := len(parts) - 1; i > 0; i-- {
		ac, ok := d.Changes[strings.Join(parts[:i], ".")]
		if !ok || ac.Unknown {
			continue
		}
		return followValues(generic(ac.Actual), parts[i:], nil)
	}
	return nil
}

func followValues(v any, rest []string, out []any) []any {
	if len(rest) == 0 {
		return append(out, v)
	}
	switch t := v.(type) {
	case map[string]any:
		if inner, ok := t[rest[0]]; ok {
			return followValues(inner, rest[1:], out)
		}
	case []any:
		for _, e := range t {
			out = followValues(e, rest, out)
		}
	}
	return out
}
