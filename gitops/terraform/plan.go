package terraform

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/normalize"
)

// sensitiveValue stands in for a value Terraform marks sensitive, as
// Terraform's own plan rendering does. Such values end up in PR bodies
// and chat messages, so they are never copied out of the plan.
const sensitiveValue = "(sensitive value)"

// PlannedChange is one resource instance that a plan would change.
type PlannedChange struct {
	Address string
	// Actions are Terraform's: ["create"], ["update"], ["delete"],
	// ["delete", "create"], ["create", "delete"], ["forget"].
	Actions []string
	// Attributes are the top-level attributes whose value changes (for
	// update and replace), sorted; nil for create and delete.
	Attributes []string
	// Because lists the top-level attributes that force a replacement.
	Because []string
}

// String describes the change in Terraform's words, e.g.
// "aws_instance.app will be updated in-place (instance_type)".
func (c PlannedChange) String() string {
	s := c.Address + " " + actionPhrase(c.Actions)
	switch {
	case len(c.Because) > 0:
		s += " (" + strings.Join(c.Because, ", ") + " forces replacement)"
	case len(c.Attributes) > 0:
		s += " (" + strings.Join(c.Attributes, ", ") + ")"
	}
	return s
}

// Symbol is the one Terraform prints before the change: + ~ - -/+ +/-.
func (c PlannedChange) Symbol() string {
	a := tfjson.Actions(toActions(c.Actions))
	switch {
	case a.DestroyBeforeCreate():
		return "-/+"
	case a.CreateBeforeDestroy():
		return "+/-"
	case a.Create():
		return "+"
	case a.Update():
		return "~"
	case a.Delete():
		return "-"
	}
	return "!"
}

func actionPhrase(actions []string) string {
	a := tfjson.Actions(toActions(actions))
	switch {
	case a.Replace():
		return "must be replaced"
	case a.Create():
		return "will be created"
	case a.Update():
		return "will be updated in-place"
	case a.Delete():
		return "will be destroyed"
	case a.Forget():
		return "will be removed from state"
	}
	return "will change (" + strings.Join(actions, ", ") + ")"
}

func toActions(s []string) []tfjson.Action {
	out := make([]tfjson.Action, len(s))
	for i, a := range s {
		out[i] = tfjson.Action(a)
	}
	return out
}

func fromActions(a tfjson.Actions) []string {
	out := make([]string, len(a))
	for i, x := range a {
		out[i] = string(x)
	}
	return out
}

// changes returns every managed resource instance the plan would change,
// sorted by address. Data source reads are left out: they change nothing.
func changes(p *tfjson.Plan) []PlannedChange {
	var out []PlannedChange
	for _, rc := range p.ResourceChanges {
		if rc == nil || rc.Change == nil || rc.Mode == tfjson.DataResourceMode {
			continue
		}
		a := rc.Change.Actions
		if a.NoOp() || a.Read() || len(a) == 0 {
			continue
		}
		c := PlannedChange{Address: rc.Address, Actions: fromActions(a)}
		if a.Update() || a.Replace() {
			c.Attributes = changedAttributes(rc.Change.Before, rc.Change.After, rc.Change.AfterUnknown)
		}
		if a.Replace() {
			c.Because = replaceBecause(rc.Change.ReplacePaths)
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b PlannedChange) int { return strings.Compare(a.Address, b.Address) })
	return out
}

// changedAttributes lists the top-level attributes whose values differ,
// or that become known only after apply.
func changedAttributes(before, after, afterUnknown any) []string {
	b, _ := before.(map[string]any)
	a, _ := after.(map[string]any)
	unknown, _ := afterUnknown.(map[string]any)
	var out []string
	for _, k := range unionKeys(b, a) {
		if containsTrue(unknown[k]) || !reflect.DeepEqual(b[k], a[k]) {
			out = append(out, k)
		}
	}
	return out
}

func unionKeys(ms ...map[string]any) []string {
	var keys []string
	for _, m := range ms {
		for k := range m {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// containsTrue reports whether a Terraform marker structure (after_unknown,
// before_sensitive, after_sensitive) marks anything inside v.
func containsTrue(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case []any:
		return slices.ContainsFunc(t, containsTrue)
	case map[string]any:
		for _, e := range t {
			if containsTrue(e) {
				return true
			}
		}
	}
	return false
}

// replaceBecause reads the top-level attribute names out of Terraform's
// replace_paths ([["description"], ["ingress", 0, "from_port"]]).
func replaceBecause(paths []any) []string {
	var out []string
	for _, p := range paths {
		steps, ok := p.([]any)
		if !ok || len(steps) == 0 {
			continue
		}
		if name, ok := steps[0].(string); ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ResourceDrift is what Terraform's refresh found for one resource
// instance: the state's values (Expected) against the cloud's (Actual).
type ResourceDrift struct {
	Address string
	// Drifted is true when the object changed outside Terraform.
	Drifted bool
	// Deleted is true when the object no longer exists (Terraform's
	// refreshed value is null). Changes is then empty.
	Deleted bool
	// Changes maps each top-level attribute whose value differs to the
	// state's value (Expected) and the cloud's (Actual). Values are JSON
	// values with numbers as json.Number, as detector/state decodes them.
	// Diff is normalize.Diff's one-line description.
	Changes map[string]drift.AttrChange
	// Sensitive lists changed attributes whose values Terraform marks
	// sensitive; their Expected and Actual are "(sensitive value)".
	Sensitive []string
}

// Attributes returns the changed attribute names, sorted.
func (d ResourceDrift) Attributes() []string {
	return slices.Sorted(maps.Keys(d.Changes))
}

// resourceDrift reads one entry of a plan's resource_drift.
func resourceDrift(rc *tfjson.ResourceChange) ResourceDrift {
	d := ResourceDrift{Address: rc.Address, Drifted: true}
	if rc.Change == nil {
		return d
	}
	if rc.Change.After == nil {
		d.Deleted = true
		return d
	}
	before, _ := rc.Change.Before.(map[string]any)
	after, _ := rc.Change.After.(map[string]any)
	bs, _ := rc.Change.BeforeSensitive.(map[string]any)
	as, _ := rc.Change.AfterSensitive.(map[string]any)
	d.Changes = map[string]drift.AttrChange{}
	for _, k := range changedAttributes(before, after, nil) {
		if containsTrue(bs[k]) || containsTrue(as[k]) {
			d.Sensitive = append(d.Sensitive, k)
			d.Changes[k] = drift.AttrChange{Expected: sensitiveValue, Actual: sensitiveValue, Diff: "(sensitive value changed)"}
			continue
		}
		d.Changes[k] = drift.AttrChange{Expected: before[k], Actual: after[k], Diff: normalize.Diff(before[k], after[k])}
	}
	return d
}

// managedAddresses lists every managed resource instance in a plan's prior
// state (after refresh), in every module.
func managedAddresses(p *tfjson.Plan) []string {
	var out []string
	var walk func(m *tfjson.StateModule)
	walk = func(m *tfjson.StateModule) {
		if m == nil {
			return
		}
		for _, r := range m.Resources {
			if r != nil && r.Mode == tfjson.ManagedResourceMode {
				out = append(out, r.Address)
			}
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	if p.PriorState != nil && p.PriorState.Values != nil {
		walk(p.PriorState.Values.RootModule)
	}
	return out
}

// missingTargets returns the targets that none of addrs falls within.
func missingTargets(targets []string, addrs ...[]string) []string {
	var missing []string
	for _, t := range targets {
		found := false
		for _, list := range addrs {
			if slices.ContainsFunc(list, func(a string) bool { return within(a, t) }) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, t)
		}
	}
	return missing
}

// changeAddresses lists the addresses of every managed resource change in
// the plan, no-ops included: a targeted plan lists each target it found.
func changeAddresses(rcs []*tfjson.ResourceChange) []string {
	var out []string
	for _, rc := range rcs {
		if rc != nil && rc.Mode != tfjson.DataResourceMode {
			out = append(out, rc.Address)
		}
	}
	return out
}

// summarize renders planned changes the way a PR body shows them: one
// line per change and Terraform's count line.
func summarize(cs []PlannedChange) string {
	if len(cs) == 0 {
		return noChanges
	}
	var b strings.Builder
	var add, change, destroy int
	for _, c := range cs {
		fmt.Fprintf(&b, "  %s %s\n", c.Symbol(), c)
		a := tfjson.Actions(toActions(c.Actions))
		switch {
		case a.Replace():
			add++
			destroy++
		case a.Create():
			add++
		case a.Update():
			change++
		case a.Delete():
			destroy++
		}
	}
	fmt.Fprintf(&b, "Plan: %d to add, %d to change, %d to destroy.", add, change, destroy)
	return b.String()
}

// noChanges is Terraform's own sentence for an empty plan.
const noChanges = "No changes. Your infrastructure matches the configuration."
