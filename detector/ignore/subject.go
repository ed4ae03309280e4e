package ignore

import (
	"fmt"
	"strings"
)

// kind says what part of a resource address or attribute path a subject
// token is; the matcher treats keywords, instance keys and the start of a
// resource specially.
type kind uint8

const (
	kModule  kind = iota // the keyword "module"
	kData                // the keyword "data"
	kModName             // a module call name
	kType                // a resource type
	kName                // a resource name
	kKey                 // an instance key of the module or resource before it
	kAttr                // an attribute path step (names and map/list keys alike)
)

type stok struct {
	text string
	kind kind
}

// subject tokenises address + attribute. The address must be a resource
// address (module.a[0].aws_instance.web["k"], data.aws_ami.x); the
// attribute is a path such as tags.Owner, tags["Owner"] or
// ingress.0.cidr_blocks, or empty for the resource as a whole.
func subject(address, attribute string) ([]stok, error) {
	segs, err := splitSegments(address)
	if err != nil {
		return nil, fmt.Errorf("address %q: %w", address, err)
	}
	toks := make([]stok, 0, len(segs)+4)
	keyed := func(sg segment, k kind) {
		toks = append(toks, stok{sg.name, k})
		for _, key := range sg.keys {
			toks = append(toks, stok{key, kKey})
		}
	}
	i := 0
	for i+1 < len(segs) && segs[i].name == "module" && len(segs[i].keys) == 0 {
		toks = append(toks, stok{"module", kModule})
		keyed(segs[i+1], kModName)
		i += 2
	}
	if i < len(segs) && segs[i].name == "data" && len(segs[i].keys) == 0 {
		toks = append(toks, stok{"data", kData})
		i++
	}
	if len(segs)-i != 2 || len(segs[i].keys) > 0 || segs[i].name == "" || segs[i+1].name == "" {
		return nil, fmt.Errorf("address %q: not a resource address (want [module.NAME.]...[data.]TYPE.NAME)", address)
	}
	toks = append(toks, stok{segs[i].name, kType})
	keyed(segs[i+1], kName)

	attribute = strings.TrimPrefix(attribute, ".")
	if attribute == "" {
		return toks, nil
	}
	asegs, err := splitSegments(attribute)
	if err != nil {
		return nil, fmt.Errorf("attribute %q: %w", attribute, err)
	}
	for _, sg := range asegs {
		// Map keys and list indexes are path steps like any other, so
		// tags["Owner"] and tags.Owner tokenise the same.
		if sg.name != "" {
			toks = append(toks, stok{sg.name, kAttr})
		}
		for _, key := range sg.keys {
			toks = append(toks, stok{key, kAttr})
		}
	}
	return toks, nil
}

// resourceEnd returns the index just past the resource that starts at i
// (at "data" or the type): after its name and instance keys.
func resourceEnd(s []stok, i int) int {
	for i < len(s) && s[i].kind != kName {
		i++
	}
	if i < len(s) {
		i++
	}
	for i < len(s) && s[i].kind == kKey {
		i++
	}
	return i
}
