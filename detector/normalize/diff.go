package normalize

import (
	"fmt"
	"sort"
	"strings"
)

// maxDiffLen bounds a diff description: it goes into chat messages and
// ticket titles, not into a terminal pager.
const maxDiffLen = 400

// Diff describes in one line how actual differs from expected: the scalar
// change, the list elements added and removed, the map keys changed, or,
// for IAM policy documents, the actions and resources granted and revoked.
func Diff(expected, actual any) string {
	_, d := Compare(expected, actual)
	return d
}

// Compare is Equal and Diff in one: each value is made canonical once,
// which for policy documents is most of the work. diff is "" when the
// values are equal.
func Compare(expected, actual any) (equal bool, diff string) {
	e, a := Canonical(expected), Canonical(actual)
	if Text(e) == Text(a) {
		return true, ""
	}
	return false, diffCanonical(e, a)
}

// diffCanonical describes how two unequal canonical values differ.
func diffCanonical(e, a any) string {
	var s string
	switch {
	case isPolicy(e) || isPolicy(a):
		s = policyDiff(e, a)
	case isList(e) || isList(a):
		s = listDiff(asList(e), asList(a))
	case isMap(e) && isMap(a):
		s = mapDiff(e.(map[string]any), a.(map[string]any))
	default:
		s = short(e) + " → " + short(a)
	}
	if s == "" {
		// Unequal values whose specialised diff found nothing to say (a
		// scalar against a one-element list): show both.
		s = short(e) + " → " + short(a)
	}
	if len(s) > maxDiffLen {
		s = s[:maxDiffLen-1] + "…"
	}
	return s
}

func isList(v any) bool { _, ok := v.([]any); return ok }
func isMap(v any) bool  { _, ok := v.(map[string]any); return ok }

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func short(v any) string {
	if v == nil {
		return "(none)"
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	t := Text(v)
	if len(t) > 120 {
		t = t[:119] + "…"
	}
	return t
}

func listDiff(e, a []any) string {
	added, removed := multisetDelta(e, a)
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "added "+joinShort(added))
	}
	if len(removed) > 0 {
		parts = append(parts, "removed "+joinShort(removed))
	}
	return strings.Join(parts, "; ")
}

func multisetDelta(e, a []any) (added, removed []any) {
	count := map[string]int{}
	for _, x := range e {
		count[Text(x)]++
	}
	for _, x := range a {
		k := Text(x)
		if count[k] > 0 {
			count[k]--
			continue
		}
		added = append(added, x)
	}
	left := map[string]int{}
	for _, x := range a {
		left[Text(x)]++
	}
	for _, x := range e {
		k := Text(x)
		if left[k] > 0 {
			left[k]--
			continue
		}
		removed = append(removed, x)
	}
	return added, removed
}

func joinShort(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		if m, ok := v.(map[string]any); ok {
			parts[i] = Flatten(m)
		} else {
			parts[i] = short(v)
		}
	}
	return strings.Join(parts, ", ")
}

func mapDiff(e, a map[string]any) string {
	keys := map[string]bool{}
	for k := range e {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, k := range names {
		ev, eok := e[k]
		av, aok := a[k]
		switch {
		case !eok:
			parts = append(parts, fmt.Sprintf("%s added (%s)", k, short(av)))
		case !aok:
			parts = append(parts, fmt.Sprintf("%s removed (was %s)", k, short(ev)))
		case Text(ev) != Text(av):
			parts = append(parts, fmt.Sprintf("%s: %s → %s", k, short(ev), short(av)))
		}
	}
	return strings.Join(parts, "; ")
}

// Flatten renders an object as "key=value" pairs in sorted key order, lists
// joined by commas: {from_port:22, cidr_blocks:[0.0.0.0/0]} gives
// "cidr_blocks=0.0.0.0/0 from_port=22". Rule patterns match against it.
func Flatten(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		v := Canonical(m[k])
		if v == nil {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(scalarText(v))
	}
	return b.String()
}

func scalarText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case number:
		return string(t)
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = scalarText(e)
		}
		return strings.Join(parts, ",")
	}
	return Text(v)
}

// isPolicy recognises a canonical IAM-style policy document.
func isPolicy(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	_, ok = m["Statement"]
	return ok
}

// policyDiff summarises what a policy change grants or revokes, by
// (effect, action, resource) triples: "granted Allow s3:* on *; revoked
// Allow s3:GetObject on arn:aws:s3:::my-app-bucket/*".
func policyDiff(e, a any) string {
	et, at := policyTriples(e), policyTriples(a)
	var granted, revoked []string
	for k := range at {
		if !et[k] {
			granted = append(granted, k)
		}
	}
	for k := range et {
		if !at[k] {
			revoked = append(revoked, k)
		}
	}
	sort.Strings(granted)
	sort.Strings(revoked)
	var parts []string
	if len(granted) > 0 {
		parts = append(parts, "granted "+strings.Join(granted, ", "))
	}
	if len(revoked) > 0 {
		parts = append(parts, "revoked "+strings.Join(revoked, ", "))
	}
	if len(parts) == 0 {
		return "policy changed (conditions or principals)"
	}
	out := strings.Join(parts, "; ")
	if wildcard(granted) {
		out = "excessive permissions: " + out
	}
	return out
}

func wildcard(triples []string) bool {
	for _, t := range triples {
		if strings.Contains(t, "*") && strings.HasPrefix(t, "Allow ") {
			return true
		}
	}
	return false
}

func policyTriples(v any) map[string]bool {
	out := map[string]bool{}
	m, ok := v.(map[string]any)
	if !ok {
		return out
	}
	for _, st := range asList(m["Statement"]) {
		s, ok := st.(map[string]any)
		if !ok {
			continue
		}
		effect, _ := s["Effect"].(string)
		actions := stringsOf(s["Action"], "NotAction:", s["NotAction"])
		resources := stringsOf(s["Resource"], "NotResource:", s["NotResource"])
		principals := principalsOf(s["Principal"])
		if len(resources) == 0 {
			resources = []string{""}
		}
		for _, ac := range actions {
			for _, r := range resources {
				t := effect + " " + ac
				if r != "" {
					t += " on " + r
				}
				if principals != "" {
					t += " for " + principals
				}
				out[t] = true
			}
		}
	}
	return out
}

func stringsOf(v any, negPrefix string, neg any) []string {
	var out []string
	for _, x := range asList(v) {
		out = append(out, scalarText(x))
	}
	for _, x := range asList(neg) {
		out = append(out, negPrefix+scalarText(x))
	}
	return out
}

func principalsOf(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case map[string]any:
		return Flatten(t)
	}
	return Text(v)
}
