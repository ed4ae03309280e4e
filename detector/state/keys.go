package state

import (
	"slices"
	"strings"

	"github.com/tfdrift/tfdrift/internal/jsonscan"
)

// KeySpec says which attributes identify resources of each type, that is,
// which attribute holds the value the cloud API puts in its events.
//
// A key is an attribute name ("bucket") or a composite joined by ':'
// ("role:name" is the value of attribute role, a ':', then the value of
// attribute name). Every type is also keyed by the Default keys.
type KeySpec struct {
	ByType  map[string][]string
	Default []string // for example "id", "arn"
}

// keyPlan is a KeySpec resolved for one resource type: which top-level
// attributes to read and how to assemble each key from them.
type keyPlan struct {
	fields []string // distinct attribute names to read
	idAt   int      // index of "id" in fields, or -1: Parse already has it
	keys   []planKey
}

type planKey struct {
	name  string // as written in the KeySpec, the name Lookup is called with
	parts []int  // indexes into fields
}

func (ks KeySpec) plans() (byType map[string]*keyPlan, def *keyPlan) {
	byType = make(map[string]*keyPlan, len(ks.ByType))
	for rtype, keys := range ks.ByType {
		byType[rtype] = newKeyPlan(append(slices.Clone(keys), ks.Default...))
	}
	return byType, newKeyPlan(ks.Default)
}

func newKeyPlan(keys []string) *keyPlan {
	p := &keyPlan{idAt: -1}
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		pk := planKey{name: k}
		for _, part := range strings.Split(k, ":") {
			i := slices.Index(p.fields, part)
			if i < 0 {
				i = len(p.fields)
				p.fields = append(p.fields, part)
				if part == "id" {
					p.idAt = i
				}
			}
			pk.parts = append(pk.parts, i)
		}
		p.keys = append(p.keys, pk)
	}
	return p
}

// keyedResource is one (key, resource) pair a source contributes to the
// index.
type keyedResource struct {
	k lookupKey
	r *Resource
}

type lookupKey struct {
	rtype, key, value string
}

// extractKeys appends r's keys under plan p to out. vals is scratch space.
//
// It reads only the top-level members the plan names and stops as soon as
// it has them all, so most of a large attributes object is never looked
// at. The attributes were validated when the resource was built, so a scan
// error cannot happen; if one did, the resource is keyed by whatever was
// read before it, which is the most a corrupt object can offer.
func extractKeys(out []keyedResource, r *Resource, p *keyPlan, vals []string) []keyedResource {
	if len(p.keys) == 0 {
		return out
	}
	vals = vals[:len(p.fields)]
	clear(vals)
	missing := len(p.fields)
	if p.idAt >= 0 {
		vals[p.idAt] = r.ID
		missing--
	}
	if missing > 0 && len(r.attrs) > 0 {
		readFields(r.attrs, p.fields, vals, missing)
	}
	for _, k := range p.keys {
		v := vals[k.parts[0]]
		if len(k.parts) > 1 {
			v = joinParts(vals, k.parts)
		}
		if v != "" {
			out = append(out, keyedResource{k: lookupKey{r.Type, k.name, v}, r: r})
		}
	}
	return out
}

func joinParts(vals []string, parts []int) string {
	n := len(parts) - 1
	for _, i := range parts {
		if vals[i] == "" {
			return "" // a composite with a missing part identifies nothing
		}
		n += len(vals[i])
	}
	var b strings.Builder
	b.Grow(n)
	for j, i := range parts {
		if j > 0 {
			b.WriteByte(':')
		}
		b.WriteString(vals[i])
	}
	return b.String()
}

func readFields(attrs []byte, fields, vals []string, missing int) {
	s := scanner{jsonscan.NewScanner(attrs)}
	if s.Peek() != '{' {
		return
	}
	s.Pos++
	for first := true; missing > 0; first = false {
		key, esc, ok, err := s.NextMember(first)
		if err != nil || !ok {
			return
		}
		i := -1
		name := memberName(key, esc)
		for j, f := range fields {
			if vals[j] == "" && string(name) == f {
				i = j
				break
			}
		}
		if i < 0 {
			err = s.SkipValue()
		} else {
			vals[i], err = s.scalar()
			if vals[i] != "" {
				missing--
			}
		}
		if err != nil {
			return
		}
	}
}
