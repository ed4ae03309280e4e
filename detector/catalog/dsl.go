package catalog

import (
	"encoding/json"
	"net/url"
	"strings"
)

// This file is the vocabulary the per-service tables are written in.

// ReqID takes identifiers from the request: the values at the first path
// that yields any.
func ReqID(paths ...string) IDs {
	return func(e *Event) []string { return firstStrings(e.Req(), paths) }
}

// RespID takes identifiers from the response.
func RespID(paths ...string) IDs {
	return func(e *Event) []string { return firstStrings(e.Resp(), paths) }
}

// AnyID returns the IDs of the first function that yields any.
func AnyID(fns ...IDs) IDs {
	return func(e *Event) []string {
		for _, f := range fns {
			if ids := f(e); len(ids) > 0 {
				return ids
			}
		}
		return nil
	}
}

// JoinID joins the first value of each part with sep: JoinID(":",
// ReqID("roleName"), ReqID("policyName")) gives "role:policy", the ID of
// aws_iam_role_policy. It yields nothing when a part is missing.
func JoinID(sep string, parts ...IDs) IDs {
	return func(e *Event) []string {
		vals := make([]string, len(parts))
		for i, p := range parts {
			ids := p(e)
			if len(ids) == 0 {
				return nil
			}
			vals[i] = ids[0]
		}
		return []string{strings.Join(vals, sep)}
	}
}

// MapID transforms each identifier; an empty result is dropped.
func MapID(ids IDs, fn func(string) string) IDs {
	return func(e *Event) []string {
		var out []string
		for _, id := range ids(e) {
			if v := fn(id); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
}

// ResourceName takes the GCP audit resourceName (projects/p/global/firewalls/fw).
func ResourceName() IDs {
	return func(e *Event) []string {
		if e.ResourceName == "" {
			return nil
		}
		return []string{e.ResourceName}
	}
}

// ARNs takes CloudTrail resources[].ARN values that contain substr.
func ARNs(substr string) IDs {
	return func(e *Event) []string {
		var out []string
		for _, a := range e.ResourceARNs {
			if strings.Contains(a, substr) {
				out = append(out, a)
			}
		}
		return out
	}
}

// LastSegment returns the part after the last sep: for "arn:…:role/app"
// and "/", "app".
func LastSegment(sep string) func(string) string {
	return func(s string) string {
		if i := strings.LastIndex(s, sep); i >= 0 {
			return s[i+len(sep):]
		}
		return s
	}
}

func firstStrings(v any, paths []string) []string {
	for _, p := range paths {
		if s := Strings(v, p); len(s) > 0 {
			return s
		}
	}
	return nil
}

// Req sets an attribute to the request value at the first path present.
// A list at the end of the path is returned whole.
func Req(paths ...string) Value {
	return func(e *Event, _ any) (any, bool) { return firstValue(e.Req(), paths) }
}

// Resp sets an attribute to the response value at the first path present.
func Resp(paths ...string) Value {
	return func(e *Event, _ any) (any, bool) { return firstValue(e.Resp(), paths) }
}

// ReqList collects every value at path (fanning out lists) as a list.
func ReqList(path string) Value {
	return func(e *Event, _ any) (any, bool) {
		vals := Path(e.Req(), path)
		if len(vals) == 0 {
			return nil, false
		}
		var out []any
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

// Const sets an attribute to a fixed value: DeleteBucketEncryption leaves
// no encryption configuration.
func Const(v any) Value {
	return func(*Event, any) (any, bool) { return v, true }
}

// Redacted reports the attribute as written but hidden when any of the paths
// is present in the request (CloudTrail's "<sensitiveDataRemoved>").
func Redacted(paths ...string) Value {
	return func(e *Event, _ any) (any, bool) {
		if _, ok := firstValue(e.Req(), paths); ok {
			return Unknown, true
		}
		return nil, false
	}
}

// Doc sets a string attribute holding a JSON document (IAM, bucket and key
// policies). CloudTrail logs documents as strings, often URL-encoded; the
// value is unescaped but otherwise kept as logged. Comparison is semantic.
func Doc(paths ...string) Value {
	return func(e *Event, _ any) (any, bool) {
		v, ok := firstValue(e.Req(), paths)
		if !ok {
			return nil, false
		}
		switch t := v.(type) {
		case string:
			return UnescapeDoc(t), true
		case map[string]any, []any:
			b, err := json.Marshal(t)
			if err != nil {
				return nil, false
			}
			return string(b), true
		}
		return nil, false
	}
}

// UnescapeDoc undoes URL-encoding of a JSON document ("%7B%22Version…").
func UnescapeDoc(s string) string {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "%7B") || strings.HasPrefix(t, "%7b") || strings.HasPrefix(t, "%5B") {
		if u, err := url.QueryUnescape(t); err == nil {
			return u
		}
	}
	return s
}

// Transform applies fn to the value another Value derives.
func Transform(v Value, fn func(any) (any, bool)) Value {
	return func(e *Event, cur any) (any, bool) {
		x, ok := v(e, cur)
		if !ok {
			return nil, false
		}
		return fn(x)
	}
}

// Bool derives a boolean from "true"/"false" strings or booleans.
func Bool(v Value) Value { return Transform(v, toBool) }

// Negate derives the logical negation (EnableX: false ↔ disable_x: true).
func Negate(v Value) Value {
	return Transform(v, func(x any) (any, bool) {
		b, ok := toBool(x)
		if !ok {
			return nil, false
		}
		return !b.(bool), true
	})
}

func toBool(x any) (any, bool) {
	switch t := x.(type) {
	case bool:
		return t, true
	case string:
		switch strings.ToLower(t) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	case map[string]any:
		// EC2 wraps scalars: {"value": true}
		if v, ok := t["value"]; ok {
			return toBool(v)
		}
	}
	return nil, false
}

// Value unwraps EC2's {"value": x} attribute wrappers.
func Unwrap(v Value) Value {
	return Transform(v, func(x any) (any, bool) {
		if m, ok := x.(map[string]any); ok {
			if inner, ok := m["value"]; ok {
				return inner, true
			}
		}
		return x, true
	})
}

// KeyValues derives a map from a list of {keyField, valueField} objects
// (tags), merged over the current map unless replace is set.
func KeyValues(path, keyField, valueField string, replace bool) Value {
	return func(e *Event, cur any) (any, bool) {
		items := Path(e.Req(), path)
		if len(items) == 0 {
			return nil, false
		}
		out := map[string]any{}
		if !replace {
			if m, ok := cur.(map[string]any); ok {
				for k, v := range m {
					out[k] = v
				}
			}
		}
		for _, it := range flattenLists(items) {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			k, _ := m[keyField].(string)
			if k == "" {
				continue
			}
			v := m[valueField]
			if v == nil {
				v = ""
			}
			out[k] = v
		}
		return out, true
	}
}

// RemoveKeys derives a map with the keys at path removed from the current
// map (UntagResource, DeleteTags).
func RemoveKeys(path string) Value {
	return func(e *Event, cur any) (any, bool) {
		keys := flattenLists(Path(e.Req(), path))
		if len(keys) == 0 {
			return nil, false
		}
		out := map[string]any{}
		if m, ok := cur.(map[string]any); ok {
			for k, v := range m {
				out[k] = v
			}
		}
		for _, k := range keys {
			switch t := k.(type) {
			case string:
				delete(out, t)
			case map[string]any:
				// EC2 DeleteTags: {"key": "Owner"}
				for _, f := range []string{"key", "Key"} {
					if s, ok := t[f].(string); ok {
						delete(out, s)
					}
				}
			}
		}
		return out, true
	}
}

func flattenLists(vals []any) []any {
	var out []any
	for _, v := range vals {
		if l, ok := v.([]any); ok {
			out = append(out, flattenLists(l)...)
		} else {
			out = append(out, v)
		}
	}
	return out
}

func firstValue(v any, paths []string) (any, bool) {
	for _, p := range paths {
		if r := Path(v, p); len(r) > 0 {
			if len(r) == 1 {
				return r[0], true
			}
			return r, true
		}
	}
	return nil, false
}
