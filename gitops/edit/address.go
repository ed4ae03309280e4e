package edit

import (
	"fmt"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// instKey is an instance key: [1] from count, ["a"] from for_each.
type instKey struct {
	set   bool
	isNum bool
	num   int
	str   string
}

func (k instKey) String() string {
	switch {
	case !k.set:
		return ""
	case k.isNum:
		return fmt.Sprintf("[%d]", k.num)
	}
	return fmt.Sprintf("[%q]", k.str)
}

// step is one step of a path into a value: an object key or a list index.
type step struct {
	key   string
	idx   int
	isIdx bool
}

func (k instKey) step() step {
	if k.isNum {
		return step{idx: k.num, isIdx: true, key: strconv.Itoa(k.num)}
	}
	return step{key: k.str}
}

// instanceKeys splits an instance address into the keys of its module
// calls (outermost first, by module address without keys) and the
// resource's own key.
type instanceKeys struct {
	modules  map[string]instKey // "module.a.module.b" → key of b
	resource instKey
}

func parseInstanceKeys(address string) (instanceKeys, error) {
	out := instanceKeys{modules: map[string]instKey{}}
	trav, diags := hclsyntax.ParseTraversalAbs([]byte(address), "", hcl.InitialPos)
	if diags.HasErrors() {
		return out, fmt.Errorf("address %q: %s", address, diags[0].Summary)
	}
	type seg struct {
		name string
		key  instKey
	}
	var segs []seg
	for _, s := range trav {
		switch s := s.(type) {
		case hcl.TraverseRoot:
			segs = append(segs, seg{name: s.Name})
		case hcl.TraverseAttr:
			segs = append(segs, seg{name: s.Name})
		case hcl.TraverseIndex:
			if len(segs) == 0 {
				return out, fmt.Errorf("address %q: misplaced instance key", address)
			}
			k, err := keyOf(s.Key)
			if err != nil {
				return out, fmt.Errorf("address %q: %w", address, err)
			}
			segs[len(segs)-1].key = k
		default:
			return out, fmt.Errorf("address %q: splat in an instance address", address)
		}
	}
	mod := ""
	i := 0
	for i+1 < len(segs) && segs[i].name == "module" {
		if mod != "" {
			mod += "."
		}
		mod += "module." + segs[i+1].name
		out.modules[mod] = segs[i+1].key
		i += 2
	}
	if len(segs) > 0 {
		out.resource = segs[len(segs)-1].key
	}
	return out, nil
}

func keyOf(v cty.Value) (instKey, error) {
	if v.IsNull() || !v.IsKnown() {
		return instKey{}, fmt.Errorf("instance key is not a value")
	}
	switch v.Type() {
	case cty.String:
		return instKey{set: true, str: v.AsString()}, nil
	case cty.Number:
		bf := v.AsBigFloat()
		if !bf.IsInt() {
			return instKey{}, fmt.Errorf("instance key %s is not an integer", bf.Text('f', -1))
		}
		n, _ := bf.Int64()
		return instKey{set: true, isNum: true, num: int(n), str: strconv.FormatInt(n, 10)}, nil
	}
	return instKey{}, fmt.Errorf("instance key of type %s", v.Type().FriendlyName())
}
