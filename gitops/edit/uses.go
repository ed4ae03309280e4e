package edit

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// use is one reference to a variable or local in a module's code.
type use struct {
	file  string
	start int
	line  int
}

// jsonRef finds var.x and local.x inside JSON files' template strings.
// It is textual, so it may over-count (a reference in a description),
// which errs toward refusing.
var jsonRef = regexp.MustCompile(`\b(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)`)

// useIndex lists every reference to var.* and local.* in a module
// directory's files, keyed "var.name". References in variable blocks (a
// validation rule reads its own variable) are not uses, nor are the root
// module's outputs, which change no infrastructure.
func (e *engine) useIndex(dir string, root bool) (map[string][]use, error) {
	if idx, ok := e.uses[dir]; ok {
		return idx, nil
	}
	idx := map[string][]use{}
	for _, name := range e.repo.Files() {
		if dirOf(name) != dir {
			continue
		}
		f, err := e.file(name)
		if err != nil {
			return nil, err
		}
		if f.json {
			for _, m := range jsonRef.FindAllSubmatchIndex(f.src, -1) {
				key := string(f.src[m[2]:m[3]]) + "." + string(f.src[m[4]:m[5]])
				idx[key] = append(idx[key], use{file: name, start: m[0], line: f.lineOf(m[0])})
			}
			continue
		}
		for _, b := range f.body.Blocks {
			if b.Type == "variable" || (root && b.Type == "output") {
				continue
			}
			_ = hclsyntax.VisitAll(b, func(n hclsyntax.Node) hcl.Diagnostics {
				st, ok := n.(*hclsyntax.ScopeTraversalExpr)
				if !ok || len(st.Traversal) < 2 {
					return nil
				}
				root := st.Traversal.RootName()
				a, ok := st.Traversal[1].(hcl.TraverseAttr)
				if !ok || (root != "var" && root != "local") {
					return nil
				}
				r := st.Range()
				key := root + "." + a.Name
				idx[key] = append(idx[key], use{file: name, start: r.Start.Byte, line: r.Start.Line})
				return nil
			})
		}
	}
	for _, us := range idx {
		sort.Slice(us, func(i, j int) bool {
			if us[i].file != us[j].file {
				return us[i].file < us[j].file
			}
			return us[i].start < us[j].start
		})
	}
	e.uses[dir] = idx
	return idx, nil
}

// inMeta reports whether a use lies in the scope's own count or for_each.
// Editing one entry of a list or map leaves its length and keys alone, so
// the instances stay the same.
func inMeta(sc *scope, u use) bool {
	if u.file != sc.f.path {
		return false
	}
	for _, m := range []hclsyntax.Expression{sc.forEach, sc.count} {
		if m == nil {
			continue
		}
		r := m.Range()
		if u.start >= r.Start.Byte && u.start < r.End.Byte {
			return true
		}
	}
	return false
}

// sharedRef refuses to follow kind.name when other code in the module
// reads it too: editing the value it comes from would change that code's
// result as well. The reference being followed does not count, nor does
// the scope's own count or for_each when the edit is inside one entry.
func (e *engine) sharedRef(w walk, sc *scope, f *srcFile, ref hcl.Range, kind, name string, path []step) error {
	idx, err := e.useIndex(sc.dir, sc.module == "")
	if err != nil {
		return err
	}
	var others []string
	for _, u := range idx[kind+"."+name] {
		if u.file == f.path && u.start == ref.Start.Byte {
			continue
		}
		if f.json && u.file == f.path && u.start >= ref.Start.Byte && u.start < ref.End.Byte {
			continue
		}
		if len(path) > 0 && inMeta(sc, u) {
			continue
		}
		others = append(others, fmt.Sprintf("%s:%d", u.file, u.line))
	}
	if len(others) == 0 {
		return nil
	}
	if len(others) > 4 {
		others = append(others[:4], fmt.Sprintf("%d more", len(others)-4))
	}
	return w.refuse(f, ref, fmt.Sprintf("%s.%s is also used at %s; editing the value it comes from would change those too", kind, name, strings.Join(others, ", ")))
}
