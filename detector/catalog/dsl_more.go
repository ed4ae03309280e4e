package catalog

import (
	"encoding/json"
	"sort"
	"strings"
)

// More vocabulary for the service tables, kept apart from dsl.go so that
// tables can grow without touching the core words.

// hiddenMarker is what CloudTrail logs in place of a parameter the service
// marks sensitive (SSM parameter values, Step Functions definitions).
const hiddenMarker = "HIDDEN_DUE_TO_SECURITY_REASONS"

// ReqNum derives a number from the request, accepting the string form
// ("7") that query-protocol services sometimes log.
func ReqNum(paths ...string) Value { return ctNumeric(Req(paths...)) }

// Hidden reports the attribute as written but not shown when the record
// carries CloudTrail's sensitive-value marker instead of the value.
func Hidden(v Value) Value {
	return func(e *Event, cur any) (any, bool) {
		x, ok := v(e, cur)
		if s, isStr := x.(string); ok && isStr && s == hiddenMarker {
			return Unknown, true
		}
		return x, ok
	}
}

// Always reports the attribute as written with a value the record never
// shows: PutSecretValue always stores a new secret, which CloudTrail omits.
func Always() Value { return Const(Unknown) }

// OrDefault derives v, or def when the request omits it. Calls that replace
// a whole configuration (PutMetricAlarm) reset what they leave out.
func OrDefault(v Value, def any) Value {
	return func(e *Event, cur any) (any, bool) {
		if x, ok := v(e, cur); ok {
			return x, true
		}
		return freshCopy(def), true
	}
}

// freshCopy returns a new empty list or map for def when it is one, so no
// event shares a value with another.
func freshCopy(def any) any {
	switch t := def.(type) {
	case []any:
		if len(t) == 0 {
			return []any{}
		}
	case map[string]any:
		if len(t) == 0 {
			return map[string]any{}
		}
	}
	return def
}

// InState derives v only when state holds the attribute: attributes that a
// provider version added (EventBridge's rule state) are left alone in older
// states.
func InState(v Value) Value {
	return func(e *Event, cur any) (any, bool) {
		if cur == nil {
			return nil, false
		}
		return v(e, cur)
	}
}

// ARNOnly keeps the identifiers that are ARNs; NameOnly those that are not.
// Many APIs take either a name or an ARN in the same parameter, and state
// holds both in different attributes.
func ARNOnly(ids IDs) IDs { return keepIDs(ids, true) }

// NameOnly keeps the identifiers that are not ARNs.
func NameOnly(ids IDs) IDs { return keepIDs(ids, false) }

func keepIDs(ids IDs, arn bool) IDs {
	return func(e *Event) []string {
		var out []string
		for _, id := range ids(e) {
			if strings.HasPrefix(id, "arn:") == arn {
				out = append(out, id)
			}
		}
		return out
	}
}

// ARNName takes the name from an ARN or passes a name through:
// "arn:aws:kinesis:…:stream/orders" with "/" gives "orders".
func ARNName(ids IDs, sep string) IDs {
	return MapID(ids, func(s string) string {
		if strings.HasPrefix(s, "arn:") {
			return LastSegment(sep)(s)
		}
		return s
	})
}

// ConstID names a resource that exists once per account (the IAM password
// policy): the state index's account filter does the rest.
func ConstID(id string) IDs { return func(*Event) []string { return []string{id} } }

// WhenReq keeps the identifiers only when the request's value at path
// equals want (SSM's AddTagsToResource names parameters, documents and
// other resource types with one field).
func WhenReq(path, want string, ids IDs) IDs {
	return func(e *Event) []string {
		if !strings.EqualFold(ctString(e.Req(), path), want) {
			return nil
		}
		return ids(e)
	}
}

// SetEdit derives a string set with the request values at addPath added
// and those at removePath taken out (ModifyClusterIamRoles does both).
func SetEdit(addPath, removePath string) Value {
	return func(e *Event, cur any) (any, bool) {
		add := Strings(e.Req(), addPath)
		gone := Strings(e.Req(), removePath)
		if len(add) == 0 && len(gone) == 0 {
			return nil, false
		}
		var out []string
		for _, s := range ctStringList(cur) {
			if !contains(gone, s) {
				out = append(out, s)
			}
		}
		for _, a := range add {
			if !contains(out, a) && !contains(gone, a) {
				out = append(out, a)
			}
		}
		return toAnyStrings(out), true
	}
}

// Field maps one request member to one attribute of a Terraform block.
type Field struct {
	Attr string // the Terraform attribute
	Path string // the member's path in the request object
	// Default is stored when the member is absent; nil leaves the
	// attribute out of the block.
	Default any
	// Num converts a number logged as a string.
	Num bool
}

// Block derives a block with one object (MaxItems 1 blocks are lists of
// one object in state) from the request object at path. Attributes the
// block has in state but the fields do not model are kept.
func Block(path string, fields ...Field) Value {
	return func(e *Event, cur any) (any, bool) {
		src, ok := First(e.Req(), path).(map[string]any)
		if !ok {
			return nil, false
		}
		out := buildBlock(src, fields)
		if have := firstObject(cur); have != nil {
			out = keepUnmodelled(out, have)
		}
		return []any{out}, true
	}
}

// Blocks derives a list of blocks, one per object at path. The n-th block
// keeps the attributes of the n-th block in state that the fields do not
// model.
func Blocks(path string, fields ...Field) Value {
	return func(e *Event, cur any) (any, bool) {
		vals := Path(e.Req(), path)
		if len(vals) == 0 {
			return nil, false
		}
		have := asObjects(cur)
		out := []any{}
		for _, it := range flattenLists(vals) {
			if m, ok := it.(map[string]any); ok {
				b := buildBlock(m, fields)
				if i := len(out); i < len(have) {
					b = keepUnmodelled(b, have[i])
				}
				out = append(out, b)
			}
		}
		return out, true
	}
}

func buildBlock(src map[string]any, fields []Field) map[string]any {
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		v := First(src, f.Path)
		if v == nil {
			if f.Default != nil {
				out[f.Attr] = freshCopy(f.Default)
			}
			continue
		}
		if f.Num {
			v = ctToNumber(v)
		}
		out[f.Attr] = v
	}
	return out
}

// ModifyOrCreate returns t as a Modify target and a Create target with the
// same identity: Put-style calls (PutSubscriptionFilter, PutMetricAlarm)
// replace a resource that exists and make one that does not. A resource in
// state is compared; one that no state holds is reported as unmanaged.
func ModifyOrCreate(t Target) []Target {
	m, c := t, t
	m.Op, c.Op = Modify, Create
	return []Target{m, c}
}

// num is a JSON number for constants, the type decoded state carries.
func num(s string) json.Number { return json.Number(s) }

// List derives the list at path in the request, an empty list when the
// request holds an empty one.
func List(path string) Value {
	return func(e *Event, _ any) (any, bool) {
		vals := Path(e.Req(), path)
		if len(vals) == 0 {
			return nil, false
		}
		out := []any{}
		for _, v := range vals {
			if l, ok := v.([]any); ok {
				out = append(out, l...)
			} else {
				out = append(out, v)
			}
		}
		return out, true
	}
}

// MergeByName derives a parameter set ([{name, value}] blocks, as
// parameter groups hold them) with the request's {nameField, valueField}
// objects at path set over the current ones.
func MergeByName(path, nameField, valueField string) Value {
	return func(e *Event, cur any) (any, bool) {
		items := Items(e.Req(), path)
		if len(items) == 0 {
			return nil, false
		}
		out := []any{}
		set := map[string]any{}
		for _, it := range items {
			m, _ := it.(map[string]any)
			if n := ctString(m, nameField); n != "" {
				v, _ := m[valueField].(string)
				set[n] = v
			}
		}
		for _, p := range asObjects(cur) {
			n, _ := p["name"].(string)
			if v, ok := set[n]; ok {
				q := map[string]any{}
				for k, x := range p {
					q[k] = x
				}
				q["value"] = v
				out = append(out, q)
				delete(set, n)
				continue
			}
			out = append(out, p)
		}
		names := make([]string, 0, len(set))
		for n := range set {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			out = append(out, map[string]any{"name": n, "value": set[n]})
		}
		return out, true
	}
}
