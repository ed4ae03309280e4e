package rules

import (
	"sort"
	"strings"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// watch is one parsed entry of watched_attributes.
type watch struct {
	name string   // as written: "cidr_blocks", "ingress.cidr_blocks"
	path []string // name split on "."
	// dot and bracket are name+"." and name+"[", the prefixes of an
	// attribute inside the watched block, built once.
	dot, bracket string
}

func newWatches(names []string) []watch {
	out := make([]watch, 0, len(names))
	for _, n := range names {
		out = append(out, watch{name: n, path: strings.Split(n, "."), dot: n + ".", bracket: n + "["})
	}
	return out
}

// watchedChanged reports whether the drift changed any watched attribute.
//
// A watched name w matches a changed attribute n when:
//   - n == w;
//   - n is inside w ("tags.env" changed, "tags" watched);
//   - w names a key nested inside n whose values differ between expected
//     and actual. "cidr_blocks" is looked for at any depth of every changed
//     attribute; "ingress.cidr_blocks" only inside "ingress". Values are
//     compared as multisets, so reordering alone is not a change.
//
// A drift that creates or deletes a whole resource and carries no
// attribute changes touches every attribute, so it matches.
func (v *view) watchedChanged(ws []watch) bool {
	d := v.d
	if len(ws) == 0 {
		return true
	}
	if len(d.Changes) == 0 {
		return d.ChangeType == drift.Created || d.ChangeType == drift.Deleted
	}
	for _, w := range ws {
		if _, ok := d.Changes[w.name]; ok {
			return true
		}
	}
	for n, ac := range d.Changes {
		for _, w := range ws {
			if strings.HasPrefix(n, w.dot) || strings.HasPrefix(n, w.bracket) {
				return true
			}
			keyPath := w.path
			if len(w.path) > 1 {
				if w.path[0] != n {
					continue
				}
				keyPath = w.path[1:]
			}
			if v.nestedChanged(n, ac, w, keyPath) {
				return true
			}
		}
	}
	return false
}

// nestedChanged reports whether the values found at keyPath inside the
// expected and actual values differ. A hidden new value (Unknown) may have
// changed anything, so it counts as a change.
func nestedChanged(ac drift.AttrChange, keyPath []string) bool {
	if ac.Unknown {
		return true
	}
	before := collect(generic(ac.Expected), keyPath, nil)
	after := collect(generic(ac.Actual), keyPath, nil)
	if len(before) == 0 && len(after) == 0 {
		return false
	}
	if len(before) != len(after) {
		return true
	}
	sort.Strings(before)
	sort.Strings(after)
	for i := range before {
		if before[i] != after[i] {
			return true
		}
	}
	return false
}

// collect appends the canonical form of every value found at keyPath: the
// first key is searched for at any depth, the rest followed from there
// (fanning out over lists).
func collect(v any, keyPath []string, out []string) []string {
	switch t := v.(type) {
	case map[string]any:
		if inner, ok := t[keyPath[0]]; ok {
			out = follow(inner, keyPath[1:], out)
		}
		for k, e := range t {
			if k != keyPath[0] {
				out = collect(e, keyPath, out)
			}
		}
	case []any:
		for _, e := range t {
			out = collect(e, keyPath, out)
		}
	}
	return out
}

func follow(v any, rest []string, out []string) []string {
	if len(rest) == 0 {
		return append(out, canon(v))
	}
	switch t := v.(type) {
	case map[string]any:
		if inner, ok := t[rest[0]]; ok {
			return follow(inner, rest[1:], out)
		}
	case []any:
		for _, e := range t {
			out = follow(e, rest, out)
		}
	}
	return out
}
