package rules

import (
	"sync"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// view memoizes, for one drift, the work that several rules would repeat:
// converting values, rendering them as text for patterns, and comparing
// nested keys. A Set with dozens of rules over the same attribute then
// renders it once. Views are pooled; one lives for one Apply or Matched.
type view struct {
	d      *drift.Drift
	values map[string][]any
	texts  map[string][]string
	nested map[nestedKey]bool
}

type nestedKey struct{ attr, watch string }

var viewPool = sync.Pool{New: func() any {
	return &view{
		values: make(map[string][]any),
		texts:  make(map[string][]string),
		nested: make(map[nestedKey]bool),
	}
}}

func newView(d *drift.Drift) *view {
	v := viewPool.Get().(*view)
	v.d = d
	return v
}

func (v *view) release() {
	v.d = nil
	clear(v.values)
	clear(v.texts)
	clear(v.nested)
	viewPool.Put(v)
}

// valuesAt returns the actual values a condition on attribute looks at
// ("*": every changed attribute whose value is known).
func (v *view) valuesAt(attribute string) []any {
	if vals, ok := v.values[attribute]; ok {
		return vals
	}
	var vals []any
	if attribute == "*" {
		for _, ac := range v.d.Changes {
			if !ac.Unknown {
				vals = append(vals, generic(ac.Actual))
			}
		}
	} else {
		vals = valuesAt(v.d, attribute)
	}
	v.values[attribute] = vals
	return vals
}

// textsAt returns the candidate texts of every value at attribute.
func (v *view) textsAt(attribute string) []string {
	if ts, ok := v.texts[attribute]; ok {
		return ts
	}
	var ts []string
	for _, val := range v.valuesAt(attribute) {
		ts = candidates(val, ts)
	}
	v.texts[attribute] = ts
	return ts
}

func (v *view) nestedChanged(attr string, ac drift.AttrChange, w watch, keyPath []string) bool {
	k := nestedKey{attr, w.name}
	if got, ok := v.nested[k]; ok {
		return got
	}
	got := nestedChanged(ac, keyPath)
	v.nested[k] = got
	return got
}
