package catalog

import (
	"encoding/json"
	"fmt"
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

// --- Tags and the provider's default_tags ---
//
// With a provider default_tags block, state's tags holds the tags the
// resource's own code sets and tags_all the effective set: tags plus the
// defaults. A tag write is read against tags_all:
//   - a key the code sets (in tags) or a new key changes tags, and with it
//     tags_all, which follows: only tags is reported, so that
//     ignore_changes = [tags] silences it;
//   - a key only the defaults set (in tags_all, not in tags) written with
//     the value it has is no change at all; written with another value,
//     or removed, it is drift on tags_all alone: the code's tags still
//     hold, the provider's defaults do not.
// Without tags_all in state (older providers, types without it), tags is
// the whole set.

// TagChange is what a tagging call does to a resource's tag set.
type TagChange struct {
	Set map[string]any // keys written, with their values
	// Remove lists keys removed whatever their value; RemoveIf those
	// removed only while they hold the given value (EC2 DeleteTags
	// naming a value).
	Remove   []string
	RemoveIf map[string]any
	Replace  bool // the call replaces the whole set with Set
	// Clear removes every tag but AWS's own ("aws:" keys), which
	// Terraform does not hold.
	Clear bool
}

// TagEdit extracts an event's TagChange; ok is false when the event does
// not tag the resource.
type TagEdit func(e *Event) (TagChange, bool)

// OwnTags derives the tags attribute after a tagging call (see TagChange).
func OwnTags(edit TagEdit) Value {
	return func(e *Event, _ any) (any, bool) {
		ch, ok := edit(e)
		if !ok {
			return nil, false
		}
		tags, _, _ := applyTags(e.State, e.Recorded, ch)
		return tags, true
	}
}

// AllTags derives tags_all after a tagging call. It is drift only when
// the call changes a key that the provider's default tags alone set;
// otherwise tags_all follows tags and is Quiet.
func AllTags(edit TagEdit) Value {
	return func(e *Event, _ any) (any, bool) {
		ch, ok := edit(e)
		if !ok {
			return nil, false
		}
		_, all, defaults := applyTags(e.State, e.Recorded, ch)
		if all == nil {
			return nil, false
		}
		if !defaults {
			return Quiet(all), true
		}
		return all, true
	}
}

// Tags is the Modify target of a tagging call: tags and tags_all derived
// from edit against the provider's default_tags (OwnTags, AllTags).
func Tags(rtype, key string, ids IDs, edit TagEdit) Target {
	return Target{Type: rtype, Op: Modify, Key: key, ID: ids,
		Attrs: []Attr{{Name: "tags", Value: OwnTags(edit)}, {Name: "tags_all", Value: AllTags(edit)}}}
}

// applyTags applies ch to a resource's tags and tags_all as the cloud has
// them (current). all is nil when state holds no tags_all; defaults
// reports whether the result differs from state (recorded, or current
// when nil) on a key that only the default tags set.
func applyTags(current, recorded map[string]any, ch TagChange) (tags, all map[string]any, defaults bool) {
	own, _ := current["tags"].(map[string]any)
	effective, hasAll := current["tags_all"].(map[string]any)
	if !hasAll {
		effective = own
	}
	after := map[string]any{}
	if !ch.Replace {
		for k, v := range effective {
			if !ch.Clear || strings.HasPrefix(k, "aws:") {
				after[k] = v
			}
		}
	}
	for k, v := range ch.Set {
		if v == nil {
			v = ""
		}
		after[k] = v
	}
	for _, k := range ch.Remove {
		delete(after, k)
	}
	for k, want := range ch.RemoveIf {
		if have, ok := after[k]; ok && fmt.Sprint(have) == fmt.Sprint(want) {
			delete(after, k)
		}
	}
	tags = map[string]any{}
	for k, v := range after {
		_, inOwn := own[k]
		_, inAll := effective[k]
		if inOwn || !inAll || !hasAll {
			tags[k] = v
		}
	}
	if !hasAll {
		return tags, nil, false
	}
	if recorded == nil {
		recorded = current
	}
	stateOwn, _ := recorded["tags"].(map[string]any)
	stateAll, _ := recorded["tags_all"].(map[string]any)
	for k, v := range stateAll {
		if _, inOwn := stateOwn[k]; inOwn {
			continue
		}
		if nv, ok := after[k]; !ok || fmt.Sprint(nv) != fmt.Sprint(v) {
			defaults = true
		}
	}
	return tags, after, defaults
}

// TagListEdit reads the tags a call sets from a list of {keyField,
// valueField} objects at path (IAM's tags, EC2's tagSet.items, S3's
// Tagging.TagSet.Tag); replace says the call replaces the whole set. The
// fields are matched with their first letter in either case: CloudTrail
// lower-cases request members, but a few services log "Key"/"Value". A
// tag without a value is set to "".
func TagListEdit(path, keyField, valueField string, replace bool) TagEdit {
	keys, values := bothCases(keyField), bothCases(valueField)
	return func(e *Event) (TagChange, bool) {
		items := Items(e.Req(), path)
		if len(items) == 0 {
			return TagChange{}, false
		}
		ch := TagChange{Set: map[string]any{}, Replace: replace}
		for _, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			if k := member[string](m, keys); k != "" {
				ch.Set[k] = member[any](m, values)
			}
		}
		return ch, true
	}
}

// keyMembers and valueMembers are the spellings of a tag object's members.
var keyMembers, valueMembers = bothCases("key"), bothCases("value")

// member returns the first of names that m holds with a T value, without
// the allocations of a path look-up (tag writes are a hot path).
func member[T any](m map[string]any, names []string) T {
	for _, n := range names {
		if v, ok := m[n].(T); ok {
			return v
		}
	}
	var zero T
	return zero
}

// bothCases returns name with its first letter lower- and upper-cased.
func bothCases(name string) []string {
	if name == "" {
		return nil
	}
	lower := strings.ToLower(name[:1]) + name[1:]
	upper := strings.ToUpper(name[:1]) + name[1:]
	if lower == upper {
		return []string{name}
	}
	return []string{lower, upper}
}

// TagMapEdit reads the tags a call sets from a map at path (SQS TagQueue).
func TagMapEdit(path string) TagEdit {
	return func(e *Event) (TagChange, bool) {
		m, ok := First(e.Req(), path).(map[string]any)
		if !ok || len(m) == 0 {
			return TagChange{}, false
		}
		return TagChange{Set: m}, true
	}
}

// TagKeysEdit reads the tags a call removes from path: a list of keys
// (UntagResource's tagKeys) or of {key[, value]} objects (EC2 DeleteTags,
// ACM RemoveTagsFromCertificate). An object naming a value removes the
// tag only while it holds that value, as those APIs do.
func TagKeysEdit(path string) TagEdit {
	return func(e *Event) (TagChange, bool) {
		var ch TagChange
		for _, k := range Items(e.Req(), path) {
			switch t := k.(type) {
			case string:
				ch.Remove = append(ch.Remove, t)
			case map[string]any:
				key := member[string](t, keyMembers)
				if key == "" {
					continue
				}
				if want := member[any](t, valueMembers); want != nil {
					if ch.RemoveIf == nil {
						ch.RemoveIf = map[string]any{}
					}
					ch.RemoveIf[key] = want
				} else {
					ch.Remove = append(ch.Remove, key)
				}
			}
		}
		if len(ch.Remove) == 0 && len(ch.RemoveIf) == 0 {
			return TagChange{}, false
		}
		return ch, true
	}
}

// ClearTagsEdit is a call that removes every tag (S3 DeleteBucketTagging).
func ClearTagsEdit() TagEdit {
	return func(*Event) (TagChange, bool) { return TagChange{Clear: true}, true }
}
