package locate

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// addr is a configuration address: instance keys are dropped because
// code declares a resource once, whatever its count or for_each.
type addr struct {
	modules  []string // module call names, outermost first
	data     bool
	typ      string
	name     string
	isModule bool // the address names a module, not a resource
}

func (a addr) module() string {
	var sb strings.Builder
	for i, m := range a.modules {
		if i > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString("module.")
		sb.WriteString(m)
	}
	return sb.String()
}

// resource is the module-relative part: aws_instance.web, data.aws_ami.x.
func (a addr) resource() string {
	if a.data {
		return "data." + a.typ + "." + a.name
	}
	return a.typ + "." + a.name
}

func (a addr) String() string {
	mod := a.module()
	if a.isModule {
		return mod
	}
	if mod == "" {
		return a.resource()
	}
	return mod + "." + a.resource()
}

// under returns a with the module path prefix in front.
func (a addr) under(prefix []string) addr {
	if len(prefix) == 0 {
		return a
	}
	out := a
	out.modules = append(append([]string(nil), prefix...), a.modules...)
	return out
}

// hasModulePrefix reports whether a lies inside (or is) the module mod.
func (a addr) hasModulePrefix(mod []string) bool {
	if len(a.modules) < len(mod) {
		return false
	}
	for i, m := range mod {
		if a.modules[i] != m {
			return false
		}
	}
	return true
}

// parseAddr parses a resource or module address as state and plans write
// it: module.app[0].aws_instance.web["a"], data.aws_ami.x, module.net.
func parseAddr(s string) (addr, error) {
	if segs, ok := scanSimpleAddr(s); ok {
		a, err := addrFromSegs(segs)
		if err != nil {
			return addr{}, fmt.Errorf("address %q: %w", s, err)
		}
		return a, nil
	}
	trav, diags := hclsyntax.ParseTraversalAbs([]byte(s), "", hcl.InitialPos)
	if diags.HasErrors() {
		return addr{}, fmt.Errorf("address %q: %s", s, diags[0].Summary)
	}
	a, err := traversalAddr(trav)
	if err != nil {
		return addr{}, fmt.Errorf("address %q: %w", s, err)
	}
	return a, nil
}

// addrSeg is one dot-separated name of an address and whether an
// instance key followed it.
type addrSeg struct {
	name  string
	keyed bool
}

func traversalAddr(trav hcl.Traversal) (addr, error) {
	var segs []addrSeg
	for _, step := range trav {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			segs = append(segs, addrSeg{name: s.Name})
		case hcl.TraverseAttr:
			segs = append(segs, addrSeg{name: s.Name})
		case hcl.TraverseIndex:
			if len(segs) == 0 || segs[len(segs)-1].keyed {
				return addr{}, errors.New("misplaced instance key")
			}
			segs[len(segs)-1].keyed = true
		default:
			return addr{}, errors.New("splat is not allowed in an address")
		}
	}
	return addrFromSegs(segs)
}

func addrFromSegs(segs []addrSeg) (addr, error) {
	var a addr
	i := 0
	for i < len(segs) && segs[i].name == "module" && !segs[i].keyed {
		if i+1 == len(segs) {
			return addr{}, errors.New("module keyword without a module name")
		}
		a.modules = append(a.modules, segs[i+1].name)
		i += 2
	}
	if i == len(segs) {
		if len(a.modules) == 0 {
			return addr{}, errors.New("empty address")
		}
		a.isModule = true
		return a, nil
	}
	if segs[i].name == "data" && !segs[i].keyed {
		a.data = true
		i++
	}
	if len(segs)-i != 2 || segs[i].keyed {
		return addr{}, errors.New("not a resource address (want [module.NAME.]...[data.]TYPE.NAME)")
	}
	a.typ, a.name = segs[i].name, segs[i+1].name
	return a, nil
}

// scanSimpleAddr splits the addresses state actually holds (identifiers,
// [0], ["key"]) without hcl's general lexer, which costs some twenty times
// more; anything unusual (escapes, templates, spaces) reports !ok and goes
// to hcl.
func scanSimpleAddr(s string) ([]addrSeg, bool) {
	if !utf8.ValidString(s) {
		return nil, false // hcl reports the encoding error
	}
	segs := make([]addrSeg, 0, 6)
	i := 0
	for {
		start := i
		for i < len(s) && isIdentByte(s[i], i == start) {
			i++
		}
		if i == start {
			return nil, false
		}
		seg := addrSeg{name: s[start:i]}
		if i < len(s) && s[i] == '[' {
			j := i + 1
			if j < len(s) && s[j] == '"' {
				j++
				for j < len(s) && s[j] != '"' {
					if c := s[j]; c == '\\' || c == '$' || c == '%' || c < ' ' {
						return nil, false
					}
					j++
				}
				if j == len(s) {
					return nil, false
				}
				j++
			} else {
				d := j
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j++
				}
				if j == d {
					return nil, false
				}
			}
			if j >= len(s) || s[j] != ']' {
				return nil, false
			}
			seg.keyed = true
			i = j + 1
		}
		segs = append(segs, seg)
		if i == len(s) {
			return segs, true
		}
		if s[i] != '.' {
			return nil, false
		}
		i++
	}
}

func isIdentByte(c byte, first bool) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		return true
	case c >= '0' && c <= '9', c == '-':
		return !first
	}
	return false
}
