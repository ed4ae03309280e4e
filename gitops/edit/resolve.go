package edit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/tfdrift/tfdrift/gitops/locate"
)

// resolve follows x (and then path, steps into its value) to the literal
// that produces the value: through variables (to tfvars, defaults or the
// module call's argument), locals, each.value, index expressions and
// object or list literals. Anything whose value tfdrift cannot trace to
// one literal in the repository is refused, naming the expression.
func (e *engine) resolve(w walk, sc *scope, f *srcFile, x hclsyntax.Expression, path []step) (target, error) {
	if w.depth > maxDepth {
		return target{}, w.refuse(f, x.Range(), "the chain of references is too long (or cyclic) to follow")
	}
	w.depth++
	switch x := x.(type) {
	case *hclsyntax.ParenthesesExpr:
		return e.resolve(w, sc, f, x.Expression, path)
	case *hclsyntax.TemplateWrapExpr:
		return e.resolve(w, sc, f, x.Wrapped, path)
	case *hclsyntax.ScopeTraversalExpr:
		return e.resolveTraversal(w, sc, f, x, path)
	case *hclsyntax.RelativeTraversalExpr:
		steps, err := travSteps(x.Traversal)
		if err != nil {
			return target{}, w.refuse(f, x.Range(), err.Error())
		}
		return e.resolve(w, sc, f, x.Source, append(steps, path...))
	case *hclsyntax.IndexExpr:
		k, w2, err := e.constKey(w, sc, f, x.Key)
		if err != nil {
			return target{}, err
		}
		return e.resolve(w2, sc, f, x.Collection, append([]step{k}, path...))
	case *hclsyntax.ObjectConsExpr:
		if len(path) == 0 {
			return target{w: w, sc: sc, f: f, expr: x}, nil
		}
		for _, it := range x.Items {
			if k, ok := itemKey(it.KeyExpr); ok && k == path[0].key {
				return e.resolve(w, sc, f, it.ValueExpr, path[1:])
			}
		}
		if len(path) == 1 {
			return target{w: w, sc: sc, f: f, addTo: x, addKey: path[0].key}, nil
		}
		return target{}, w.refuse(f, x.Range(), fmt.Sprintf("the object has no key %q to descend into", path[0].key))
	case *hclsyntax.TupleConsExpr:
		if len(path) == 0 {
			return target{w: w, sc: sc, f: f, expr: x}, nil
		}
		i, ok := path[0].index()
		if !ok {
			return target{}, w.refuse(f, x.Range(), fmt.Sprintf("the list is looked up by %q, which is not an index (a for_each over a set: each.value is the instance key itself)", path[0].key))
		}
		if i < 0 || i >= len(x.Exprs) {
			return target{}, w.refuse(f, x.Range(), fmt.Sprintf("the list has no element %d", i))
		}
		return e.resolve(w, sc, f, x.Exprs[i], path[1:])
	case *hclsyntax.FunctionCallExpr:
		switch x.Name {
		case "jsonencode":
			if len(path) == 0 && len(x.Args) == 1 && !x.ExpandFinal {
				return target{w: w, sc: sc, f: f, expr: x}, nil
			}
		case "tolist", "tomap":
			// Conversions keep the value; only the type changes.
			if len(x.Args) == 1 && !x.ExpandFinal {
				return e.resolve(w, sc, f, x.Args[0], path)
			}
		case "toset":
			if len(path) == 0 && len(x.Args) == 1 && !x.ExpandFinal {
				return e.resolve(w, sc, f, x.Args[0], path)
			}
			return target{}, w.refuse(f, x.Range(), "a for_each over a set uses each element as the instance key; changing it would replace the instance, not edit it")
		}
		return target{}, w.refuse(f, x.Range(), fmt.Sprintf("tfdrift edits literals, variables, locals, module inputs and jsonencode(...), not the result of %s(...)", x.Name))
	case *hclsyntax.ConditionalExpr:
		return target{}, w.refuse(f, x.Range(), "it is a conditional, and tfdrift cannot tell which branch applies")
	case *hclsyntax.ForExpr:
		return target{}, w.refuse(f, x.Range(), "it is a for expression, which computes the value; there is no literal to edit")
	case *hclsyntax.SplatExpr:
		return target{}, w.refuse(f, x.Range(), "it is a splat expression over other values; there is no literal to edit")
	case *hclsyntax.TemplateExpr:
		if _, ok := literalValue(x); ok {
			if len(path) == 0 {
				return target{w: w, sc: sc, f: f, expr: x}, nil
			}
			return target{}, w.refuse(f, x.Range(), "it is a string, which has no keys to look up")
		}
		return target{}, w.refuse(f, x.Range(), "it is a string template that interpolates other values, and tfdrift edits only whole literals")
	}
	if _, ok := literalValue(x); ok {
		if len(path) == 0 {
			return target{w: w, sc: sc, f: f, expr: x}, nil
		}
		return target{}, w.refuse(f, x.Range(), "it is a single value, which has no keys to look up")
	}
	return target{}, w.refuse(f, x.Range(), "tfdrift cannot trace this expression to one literal in the repository")
}

func (e *engine) resolveTraversal(w walk, sc *scope, f *srcFile, x *hclsyntax.ScopeTraversalExpr, path []step) (target, error) {
	trav := x.Traversal
	root := trav.RootName()
	attr := func() (string, bool) {
		if len(trav) < 2 {
			return "", false
		}
		a, ok := trav[1].(hcl.TraverseAttr)
		return a.Name, ok
	}
	rest := func() ([]step, error) {
		if len(trav) < 2 {
			return path, nil
		}
		s, err := travSteps(trav[2:])
		if err != nil {
			return nil, err
		}
		return append(s, path...), nil
	}
	switch root {
	case "var", "local":
		name, ok := attr()
		if !ok {
			break
		}
		steps, err := rest()
		if err != nil {
			return target{}, w.refuse(f, x.Range(), err.Error())
		}
		if root == "var" {
			return e.followVar(w, sc, f, x.Range(), name, steps)
		}
		return e.followLocal(w, sc, f, x.Range(), name, steps)
	case "each":
		name, _ := attr()
		switch name {
		case "value":
			steps, err := rest()
			if err != nil {
				return target{}, w.refuse(f, x.Range(), err.Error())
			}
			return e.followEach(w, sc, f, x.Range(), steps)
		case "key":
			return target{}, w.refuse(f, x.Range(), "each.key is the instance key; changing it would replace the instance, not edit it")
		}
	case "count":
		return target{}, w.refuse(f, x.Range(), "count.index is the instance number; there is no literal to edit")
	case "data":
		return target{}, w.refuse(f, x.Range(), "it comes from a data source; change what the data source reads, or write the value in the code")
	case "module":
		return target{}, w.refuse(f, x.Range(), "it is an output of another module; tfdrift does not follow module outputs")
	case "path", "terraform", "self":
		return target{}, w.refuse(f, x.Range(), fmt.Sprintf("%s.* values are set by Terraform, not by code", root))
	default:
		return target{}, w.refuse(f, x.Range(), "it is an attribute of another resource; change that resource instead")
	}
	return target{}, w.refuse(f, x.Range(), "tfdrift cannot trace this reference")
}

// followVar continues at the value a variable gets: in the root module a
// tfvars assignment or the default; in a child module the argument of the
// module call, else the default.
func (e *engine) followVar(w walk, sc *scope, f *srcFile, ref hcl.Range, name string, path []step) (target, error) {
	if err := e.sharedRef(w, sc, f, ref, "var", name, path); err != nil {
		return target{}, err
	}
	decl, ok := e.repo.Variable(sc.module, name)
	if !ok {
		return target{}, w.refuse(f, ref, fmt.Sprintf("no variable %q is declared in %s", name, sc.dir))
	}
	declFile, err := e.file(decl.File)
	if err != nil {
		return target{}, err
	}
	via := w.hop(fmt.Sprintf("var.%s (%s:%d)", name, f.path, f.lineOf(ref.Start.Byte)))
	defaultHop := fmt.Sprintf("the default of variable %q", name)
	if sc.module == "" {
		if r, ok := e.repo.TFVar(name); ok {
			tf, err := e.file(r.Start.File)
			if err != nil {
				return target{}, err
			}
			hop := r.Start.File
			if defs := e.repo.TFVarDefs(name); len(defs) == 1 && !defs[0].AutoLoaded {
				// Terraform reads it only with -var-file; the edit assumes
				// CI passes it, and says so.
				hop += " (not loaded automatically: assumed to be passed with -var-file)"
			}
			return e.resolveAt(via.hop(hop), sc, tf, r, path, false)
		}
		if defs := e.repo.TFVarDefs(name); len(defs) > 1 {
			var where []string
			for _, d := range defs {
				where = append(where, fmt.Sprintf("%s:%d", d.File, d.Range.Start.Line))
			}
			return target{}, w.refuse(f, ref, fmt.Sprintf("var.%s is set in %s, none of which Terraform loads by itself; which one applies depends on -var-file, so tfdrift cannot tell which to edit", name, strings.Join(where, ", ")))
		}
		if decl.Default != nil {
			return e.resolveAt(via.hop(defaultHop), sc, declFile, *decl.Default, path, false)
		}
		return target{}, w.refuse(f, ref, fmt.Sprintf("var.%s has no default (%s:%d) and no tfvars file sets it, so its value comes from a -var flag or the environment at plan time; tfdrift cannot edit it", name, decl.File, decl.Range.Start.Line))
	}
	call, ok := e.repo.ModuleCall(sc.module)
	if !ok {
		return target{}, fmt.Errorf("module call %s not found", sc.module)
	}
	if r, ok := call.Exprs[name]; ok {
		ps, _, err := e.callScope(sc.module, w.keys)
		if err != nil {
			return target{}, err
		}
		cf, err := e.file(call.File)
		if err != nil {
			return target{}, err
		}
		hop := fmt.Sprintf("the %s argument of %s (%s:%d)", name, call.Address, call.File, r.Start.Line)
		return e.resolveAt(via.hop(hop).climb(ps), ps, cf, r, path, true)
	}
	if decl.Default != nil {
		return e.resolveAt(via.hop(defaultHop), sc, declFile, *decl.Default, path, false)
	}
	return target{}, w.refuse(f, ref, fmt.Sprintf("%s (%s:%d) passes no value for var.%s and it has no default", call.Address, call.File, call.Range.Start.Line, name))
}

func (e *engine) followLocal(w walk, sc *scope, f *srcFile, ref hcl.Range, name string, path []step) (target, error) {
	if err := e.sharedRef(w, sc, f, ref, "local", name, path); err != nil {
		return target{}, err
	}
	decl, ok := e.repo.Local(sc.module, name)
	if !ok {
		return target{}, w.refuse(f, ref, fmt.Sprintf("no local %q is declared in %s", name, sc.dir))
	}
	w = w.hop(fmt.Sprintf("local.%s (%s:%d)", name, f.path, f.lineOf(ref.Start.Byte)))
	lf, err := e.file(decl.File)
	if err != nil {
		return target{}, err
	}
	return e.resolveAt(w, sc, lf, decl.Expr, path, true)
}

// followEach continues at this instance's entry of the for_each map.
func (e *engine) followEach(w walk, sc *scope, f *srcFile, ref hcl.Range, path []step) (target, error) {
	if sc.forEach == nil {
		return target{}, w.refuse(f, ref, fmt.Sprintf("%s has no for_each tfdrift can read", sc.label))
	}
	if !sc.key.set || sc.key.isNum {
		return target{}, w.refuse(f, ref, "the address has no for_each key to pick the instance's entry with")
	}
	w = w.satisfy(sc).hop(fmt.Sprintf("each.value (%s:%d) for key %q", f.path, f.lineOf(ref.Start.Byte), sc.key.str))
	return e.resolve(w, sc, sc.f, sc.forEach, append([]step{sc.key.step()}, path...))
}

// constKey evaluates an index: a literal, each.key or count.index (the
// last two narrow the walk to this instance).
func (e *engine) constKey(w walk, sc *scope, f *srcFile, k hclsyntax.Expression) (step, walk, error) {
	if v, ok := literalValue(k); ok {
		switch v := v.(type) {
		case string:
			return step{key: v}, w, nil
		case jsonNumber:
			if n, err := strconv.Atoi(string(v)); err == nil {
				return step{key: string(v), idx: n, isIdx: true}, w, nil
			}
		}
		return step{}, w, w.refuse(f, k.Range(), "the index is not a string or a whole number")
	}
	if st, ok := k.(*hclsyntax.ScopeTraversalExpr); ok && len(st.Traversal) == 2 {
		a, _ := st.Traversal[1].(hcl.TraverseAttr)
		switch {
		case st.Traversal.RootName() == "each" && a.Name == "key" && sc.forEach != nil && sc.key.set && !sc.key.isNum:
			return step{key: sc.key.str}, w.satisfy(sc), nil
		case st.Traversal.RootName() == "count" && a.Name == "index" && sc.count != nil && sc.key.set && sc.key.isNum:
			return sc.key.step(), w.satisfy(sc), nil
		}
	}
	return step{}, w, w.refuse(f, k.Range(), "the index is computed; tfdrift follows only literal indexes, each.key and count.index")
}

// resolveAt resolves the expression at a locate range, in either syntax.
// templates says whether strings in a JSON value are templates (they are
// in .tf.json, not in .tfvars.json or a variable's default).
func (e *engine) resolveAt(w walk, sc *scope, f *srcFile, r locate.Range, path []step, templates bool) (target, error) {
	if f.json {
		return e.resolveJSON(w, sc, f, r.Start.Byte, r.End.Byte, path, templates)
	}
	x := f.exprAt(r)
	if x == nil {
		return target{}, fmt.Errorf("%s:%d: no expression at the position locate reported", f.path, r.Start.Line)
	}
	return e.resolve(w, sc, f, x, path)
}

// travSteps turns traversal steps (.a, [0], ["k"]) into path steps.
func travSteps(t hcl.Traversal) ([]step, error) {
	var out []step
	for _, s := range t {
		switch s := s.(type) {
		case hcl.TraverseAttr:
			out = append(out, step{key: s.Name})
		case hcl.TraverseIndex:
			k, err := keyOf(s.Key)
			if err != nil {
				return nil, err
			}
			out = append(out, k.step())
		default:
			return nil, fmt.Errorf("splat expressions cannot be followed")
		}
	}
	return out, nil
}

// index reads a step as a list index.
func (s step) index() (int, bool) {
	if s.isIdx {
		return s.idx, true
	}
	n, err := strconv.Atoi(s.key)
	return n, err == nil
}

// itemKey is the literal name of an object item's key.
func itemKey(k hclsyntax.Expression) (string, bool) {
	if kw := hcl.ExprAsKeyword(k); kw != "" {
		return kw, true
	}
	v, ok := literalValue(k)
	if !ok {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case jsonNumber:
		return string(v), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}
