package catalog

import (
	"encoding/json"
	"strings"
)

// Vocabulary shared by the Google Cloud tables (gcp_*.go).
//
// Each Google service logs its requests in its own dialect, and the hooks
// here exist because of it:
//   - Compute Engine logs the REST body under its internal names: repeated
//     fields are pluralised ("alloweds", "denieds", "nodeAffinitys"), maps are
//     [{key, value}] lists, int64 values are strings ("priority": "1000"),
//     and empty lists are omitted. A Compute operation is logged twice: the
//     operation.first entry carries the request, the operation.last entry
//     only its "@type". Hooks that read request fields derive nothing from
//     the bare last entry, but a delete, or a call whose values are never
//     logged (setMetadata), looks the same in both; change.Change does not
//     carry the operation flags, so decoders should drop operation.last
//     entries that are not also operation.first.
//   - IAM logs proto field names in snake_case ("account_id",
//     "display_name"); field masks may appear in either case.
//   - Cloud Storage logs no request body for bucket calls at all.

const (
	gcpComputeService = "compute.googleapis.com"
	gcpStorageService = "storage.googleapis.com"
	gcpIAMService     = "iam.googleapis.com"
	gcpCRMService     = "cloudresourcemanager.googleapis.com"
)

// gcpNameAfter takes the part of resourceName after prefix, when
// resourceName has that prefix and the rest is a single segment:
// "projects/_/buckets/logs" with "projects/_/buckets/" gives "logs", the
// google_storage_bucket name.
func gcpNameAfter(prefix string) IDs {
	return func(e *Event) []string {
		rest, ok := strings.CutPrefix(e.ResourceName, prefix)
		if !ok || rest == "" || strings.Contains(rest, "/") {
			return nil
		}
		return []string{rest}
	}
}

// gcpPrefixed keeps the identifiers that start with prefix, so that one
// event can feed targets by parent (projects/… vs organizations/…).
func gcpPrefixed(prefix string, ids IDs) IDs {
	return func(e *Event) []string {
		var out []string
		for _, id := range ids(e) {
			if strings.HasPrefix(id, prefix) {
				out = append(out, id)
			}
		}
		return out
	}
}

// gcpInt turns Compute's int64-as-string values ("1000") into numbers, as
// Terraform state holds them.
func gcpInt(v Value) Value {
	return Transform(v, func(x any) (any, bool) {
		if s, ok := x.(string); ok {
			s = strings.TrimSpace(s)
			if s == "" {
				return nil, false
			}
			if _, err := json.Number(s).Int64(); err == nil {
				return json.Number(s), true
			}
		}
		return x, true
	})
}

// gcpShortName keeps the last segment of a resource URL:
// "zones/us-central1-a/machineTypes/e2-medium" gives "e2-medium", the form
// in which the provider stores machine_type and disk type.
func gcpShortName(v Value) Value {
	return Transform(v, func(x any) (any, bool) {
		s, ok := x.(string)
		if !ok || s == "" {
			return nil, false
		}
		return s[strings.LastIndex(s, "/")+1:], true
	})
}

// gcpDefault derives def when the paths are absent. Full-replacement calls
// (PUT-style update) reset every field they omit, and Compute omits empty
// lists and default values, so absence there means the default.
func gcpDefault(v Value, def any) Value {
	return func(e *Event, cur any) (any, bool) {
		if x, ok := v(e, cur); ok {
			return x, true
		}
		return def, true
	}
}

// gcpOrUnknown derives v when the request holds it, and otherwise reports
// the attribute as written with a value the record does not show (query
// parameters such as setDeletionProtection's are not always logged).
func gcpOrUnknown(v Value) Value {
	return func(e *Event, cur any) (any, bool) {
		if x, ok := v(e, cur); ok {
			return x, true
		}
		return Unknown, true
	}
}

// gcpWhenManaged derives v only when state holds a non-empty value for the
// attribute: desired_status is only acted on by Terraform when configured,
// so stopping an instance that does not set it is not drift.
func gcpWhenManaged(v Value) Value {
	return func(e *Event, cur any) (any, bool) {
		if s, _ := cur.(string); s == "" {
			return nil, false
		}
		return v(e, cur)
	}
}

// gcpStringList derives a list of strings from the first path present,
// or an empty list when only presence (the fingerprint Compute requires on
// every tags or labels write) shows the call cleared it.
func gcpStringList(presence string, paths ...string) Value {
	return func(e *Event, _ any) (any, bool) {
		for _, p := range paths {
			if vals := Path(e.Req(), p); len(vals) > 0 {
				out := []any{}
				for _, s := range Strings(e.Req(), p) {
					out = append(out, s)
				}
				return out, true
			}
		}
		if presence != "" && len(Path(e.Req(), presence)) > 0 {
			return []any{}, true
		}
		return nil, false
	}
}

// gcpLabelMap reads a label map from Compute's [{key, value}] list or a
// plain JSON map. A request that has the label fingerprint but no labels
// clears them (Compute omits the empty list). ok is false when the request
// says nothing about labels, as in an operation.last entry.
func gcpLabelMap(e *Event, path, fingerprint string) (map[string]any, bool) {
	vals := Path(e.Req(), path)
	if len(vals) == 0 {
		if fingerprint != "" && len(Path(e.Req(), fingerprint)) > 0 {
			return map[string]any{}, true
		}
		return nil, false
	}
	out := map[string]any{}
	for _, v := range vals {
		switch t := v.(type) {
		case []any:
			for _, it := range t {
				m, ok := it.(map[string]any)
				if !ok {
					continue
				}
				k, _ := m["key"].(string)
				if k == "" {
					continue
				}
				val, _ := m["value"].(string)
				// The first value of a duplicated key wins, as in Compute.
				if _, dup := out[k]; !dup {
					out[k] = val
				}
			}
		case map[string]any:
			for k, val := range t {
				out[k] = val
			}
		}
	}
	return out, true
}

// gcpAllLabels derives every label the call sets. It is right for
// creations, where nothing is in state to compare with.
func gcpAllLabels(path, fingerprint string) Value {
	return func(e *Event, _ any) (any, bool) {
		m, ok := gcpLabelMap(e, path, fingerprint)
		if !ok {
			return nil, false
		}
		return m, true
	}
}

// gcpManagedLabels derives `labels` of a resource in state. Since the
// Google provider 5.0, `labels` is non-authoritative: it holds only the
// keys the configuration sets, and labels added by other clients show in
// `effective_labels` only. So the derived map keeps the keys state has,
// with their new values, and drops those the call removed. (Provider 4.x
// states, where `labels` held every label, miss additions by others.)
func gcpManagedLabels(path, fingerprint string) Value {
	return func(e *Event, cur any) (any, bool) {
		m, ok := gcpLabelMap(e, path, fingerprint)
		if !ok {
			return nil, false
		}
		have, _ := cur.(map[string]any)
		out := map[string]any{}
		for k := range have {
			if v, ok := m[k]; ok {
				out[k] = v
			}
		}
		return out, true
	}
}

// gcpEffectiveLabels derives `effective_labels` (every label on the
// resource) when state has the attribute, that is from provider 5.0 on.
func gcpEffectiveLabels(path, fingerprint string) Value {
	return func(e *Event, cur any) (any, bool) {
		if _, ok := cur.(map[string]any); !ok {
			return nil, false
		}
		return gcpAllLabels(path, fingerprint)(e, cur)
	}
}

// gcpMaskPaths returns the field mask of an update/patch request in a
// comparable form ("display_name", "displayName" → "displayname"). nil
// means the request has no mask.
func gcpMaskPaths(e *Event, paths ...string) map[string]bool {
	for _, p := range paths {
		v := First(e.Req(), p)
		if v == nil {
			continue
		}
		var fields []string
		switch t := v.(type) {
		case string:
			fields = strings.Split(t, ",")
		case map[string]any:
			fields = Strings(t, "paths")
		}
		out := map[string]bool{}
		for _, f := range fields {
			if f = gcpFieldKey(f); f != "" {
				out[f] = true
			}
		}
		return out
	}
	return nil
}

func gcpFieldKey(f string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(f), "_", ""))
}

// gcpMasked derives a field of a patch request. With a field mask, only
// masked fields change, and a masked field the record omits was set to
// zero (logs omit empty strings and lists, and enum zero values). Without a
// mask, the fields present change.
func gcpMasked(field string, maskPaths []string, zero any, v Value) Value {
	return func(e *Event, cur any) (any, bool) {
		x, ok := v(e, cur)
		mask := gcpMaskPaths(e, maskPaths...)
		switch {
		case mask == nil:
			return x, ok
		case !mask[gcpFieldKey(field)]:
			return nil, false
		case ok:
			return x, true
		}
		return zero, true
	}
}

// gcpCamelKeys rewrites snake_case object keys to lowerCamelCase, the
// spelling of the Google API JSON that Terraform stores documents in
// (audit_configs → auditConfigs).
func gcpCamelKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[gcpCamel(k)] = gcpCamelKeys(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = gcpCamelKeys(x)
		}
		return out
	}
	return v
}

func gcpCamel(s string) string {
	if !strings.Contains(s, "_") {
		return s
	}
	parts := strings.Split(s, "_")
	var b strings.Builder
	b.WriteString(parts[0])
	for _, p := range parts[1:] {
		if p == "" {
			continue
		}
		b.WriteString(strings.ToUpper(p[:1]) + p[1:])
	}
	return b.String()
}

// gcpLastSegment takes the last segment of resourceName after marker
// ("/topics/"), whatever the project is spelled as (ID or number): many
// Google resources are found by their short name, the state index
// narrowing them to the record's project.
func gcpLastSegment(marker string) IDs {
	return func(e *Event) []string {
		_, rest, ok := strings.Cut(e.ResourceName, marker)
		if !ok || rest == "" || strings.Contains(rest, "/") {
			return nil
		}
		return []string{rest}
	}
}

// gcpResourceNameIf passes resourceName through when it contains marker
// and ends there plus one segment ("/sinks/" for projects/P/sinks/S).
func gcpResourceNameIf(marker string) IDs {
	return func(e *Event) []string {
		if len(gcpLastSegment(marker)(e)) == 0 {
			return nil
		}
		return []string{e.ResourceName}
	}
}
