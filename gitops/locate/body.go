package locate

import (
	"errors"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// metaBlocks are Terraform's own nested blocks in a resource: they are not
// provider arguments, so they are kept out of NestedBlocks.
var metaBlocks = map[string]bool{"lifecycle": true, "dynamic": true, "provisioner": true, "connection": true}

func newBody() Body {
	return Body{
		Attributes:   map[string]Range{},
		Exprs:        map[string]Range{},
		NestedBlocks: map[string][]Range{},
		Nested:       map[string][]*Nested{},
		exprs:        map[string]hcl.Expression{},
	}
}

func (b *Body) addAttr(name string, whole hcl.Range, expr hcl.Expression) {
	b.Attributes[name] = toRange(whole)
	b.Exprs[name] = toRange(expr.Range())
	b.exprs[name] = expr
}

// nativeBody records a native-syntax body, nested blocks included, to any
// depth. skipMeta keeps Terraform's meta blocks out of the nested lists
// (they are read separately).
func nativeBody(sb *hclsyntax.Body, skipMeta bool) Body {
	b := newBody()
	for name, a := range sb.Attributes {
		b.addAttr(name, a.SrcRange, a.Expr)
	}
	for _, blk := range sb.Blocks {
		if skipMeta && metaBlocks[blk.Type] {
			continue
		}
		n := nativeNested(blk)
		b.Nested[blk.Type] = append(b.Nested[blk.Type], n)
		b.NestedBlocks[blk.Type] = append(b.NestedBlocks[blk.Type], n.Range)
	}
	return b
}

func nativeNested(blk *hclsyntax.Block) *Nested {
	return &Nested{
		Type:   blk.Type,
		Labels: append([]string(nil), blk.Labels...),
		Range:  toRange(blk.Range()),
		// Inside a nested block "dynamic" and friends are ordinary
		// (a dynamic block's content, for one).
		Body: nativeBody(blk.Body, false),
	}
}

// jsonBody records a JSON-syntax body: every property is an attribute
// (see Body.NestedBlocks for why).
func jsonBody(body hcl.Body) (Body, error) {
	b := newBody()
	attrs, diags := body.JustAttributes()
	if diags.HasErrors() {
		return b, diagError(diags)
	}
	for name, a := range attrs {
		b.addAttr(name, a.Range, a.Expr)
	}
	return b, nil
}

// jsonBlockRange spans a JSON block from its last label's key to the
// closing brace of its object, the closest thing JSON has to a block.
func jsonBlockRange(blk *hcl.Block) hcl.Range {
	start := blk.DefRange
	if n := len(blk.LabelRanges); n > 0 {
		start = blk.LabelRanges[n-1]
	}
	return hcl.RangeBetween(start, blk.Body.MissingItemRange())
}

var lifecycleSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "ignore_changes"}}}

// ignoreChanges reads lifecycle { ignore_changes = ... } from a lifecycle
// block body, in either syntax.
func ignoreChanges(body hcl.Body) ([]string, error) {
	content, _, diags := body.PartialContent(lifecycleSchema)
	if diags.HasErrors() {
		return nil, diagError(diags)
	}
	attr, ok := content.Attributes["ignore_changes"]
	if !ok {
		return nil, nil
	}
	expr := attr.Expr
	if hcl.ExprAsKeyword(expr) == "all" {
		return []string{"*"}, nil
	}
	elems, diags := hcl.ExprList(expr)
	if diags.HasErrors() {
		return nil, configErrorAt(expr.Range(), "ignore_changes must be a list of attribute paths or the keyword all")
	}
	var out []string
	for _, e := range elems {
		if trav, d := hcl.AbsTraversalForExpr(e); !d.HasErrors() {
			out = append(out, traversalPath(trav))
			continue
		}
		// Terraform 0.11 wrote paths as quoted strings; still seen in old
		// repos, and unambiguous.
		v, d := e.Value(nil)
		if d.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
			return nil, configErrorAt(e.Range(), "ignore_changes entry is not an attribute path")
		}
		out = append(out, v.AsString())
	}
	return out, nil
}

// traversalPath renders tags["Owner"] as tags.Owner and ingress[0] as
// ingress.0: the dotted form drift attribute names and .tfdriftignore use.
func traversalPath(t hcl.Traversal) string {
	var sb strings.Builder
	for i, step := range t {
		if i > 0 {
			sb.WriteByte('.')
		}
		switch s := step.(type) {
		case hcl.TraverseRoot:
			sb.WriteString(s.Name)
		case hcl.TraverseAttr:
			sb.WriteString(s.Name)
		case hcl.TraverseIndex:
			sb.WriteString(keyString(s.Key))
		case hcl.TraverseSplat:
			sb.WriteString("*")
		}
	}
	return sb.String()
}

func keyString(v cty.Value) string {
	if !v.IsKnown() || v.IsNull() {
		return "?"
	}
	switch v.Type() {
	case cty.String:
		return v.AsString()
	case cty.Number:
		return v.AsBigFloat().Text('f', -1)
	}
	return "?"
}

// AttributeRange finds the code for an attribute path such as "tags",
// "tags.Owner", `tags["Owner"]`, "ingress.0.cidr_blocks" or
// "root_block_device.volume_size". It descends through attributes, nested
// blocks (an index picks one of several; a lone block needs none), and
// object and list literals. When the full path is not written out (the
// value comes from a variable, or a dynamic block builds it) it returns
// the deepest range that was found and, in matched, the path prefix that
// range belongs to. ok is false when not even the first step is declared.
func (b *Body) AttributeRange(path string) (r Range, matched string, ok bool) {
	steps := splitPath(path)
	if len(steps) == 0 {
		return Range{}, "", false
	}
	return b.lookup(steps, 0)
}

func (b *Body) lookup(steps []string, done int) (Range, string, bool) {
	name := steps[done]
	if expr, ok := b.exprs[name]; ok {
		r, n := exprLookup(expr, steps[done+1:])
		if n == 0 {
			r = b.Attributes[name]
		}
		return r, strings.Join(steps[:done+1+n], "."), true
	}
	if blocks := b.Nested[name]; len(blocks) > 0 {
		next := done + 1
		pick := blocks[0]
		if next < len(steps) {
			if i, err := strconv.Atoi(steps[next]); err == nil {
				if i < 0 || i >= len(blocks) {
					return pick.Range, strings.Join(steps[:next], "."), true
				}
				pick = blocks[i]
				next++
			} else if len(blocks) > 1 {
				// Several blocks and no index: the path is ambiguous, so
				// point at the first and say only the block type matched.
				return pick.Range, strings.Join(steps[:next], "."), true
			}
		}
		if next == len(steps) {
			return pick.Range, strings.Join(steps[:next], "."), true
		}
		if r, m, ok := pick.lookup(steps, next); ok {
			return r, m, true
		}
		return pick.Range, strings.Join(steps[:next], "."), true
	}
	return Range{}, "", false
}

// AttributeRange is Body.AttributeRange, falling back to a dynamic block
// that generates the named nested block.
func (blk *Block) AttributeRange(path string) (Range, string, bool) {
	if r, m, ok := blk.Body.AttributeRange(path); ok {
		return r, m, ok
	}
	steps := splitPath(path)
	if len(steps) > 0 {
		if dyn := blk.DynamicBlocks[steps[0]]; len(dyn) > 0 {
			return dyn[0].Range, steps[0], true
		}
	}
	return Range{}, "", false
}

// exprLookup descends into object and list literals. It returns the range
// reached and how many steps it consumed.
func exprLookup(expr hcl.Expression, steps []string) (Range, int) {
	var r Range
	n := 0
	for n < len(steps) {
		next, rng, ok := exprStep(expr, steps[n])
		if !ok {
			break
		}
		expr, r = next, rng
		n++
	}
	return r, n
}

func exprStep(expr hcl.Expression, step string) (hcl.Expression, Range, bool) {
	if pairs, diags := hcl.ExprMap(expr); !diags.HasErrors() {
		for _, kv := range pairs {
			if exprKey(kv.Key) == step {
				return kv.Value, toRange(hcl.RangeBetween(kv.Key.Range(), kv.Value.Range())), true
			}
		}
		return nil, Range{}, false
	}
	if elems, diags := hcl.ExprList(expr); !diags.HasErrors() {
		i, err := strconv.Atoi(step)
		if err != nil || i < 0 || i >= len(elems) {
			return nil, Range{}, false
		}
		return elems[i], toRange(elems[i].Range()), true
	}
	return nil, Range{}, false
}

// exprKey is the literal name of an object key: Owner for `Owner = …` and
// for `"Owner" = …`; "" for a computed key.
func exprKey(key hcl.Expression) string {
	if kw := hcl.ExprAsKeyword(key); kw != "" {
		return kw
	}
	v, diags := key.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() {
		return ""
	}
	switch v.Type() {
	case cty.String:
		return v.AsString()
	case cty.Number:
		return v.AsBigFloat().Text('f', -1)
	}
	return ""
}

// splitPath splits an attribute path into steps. It accepts hcl traversal
// syntax (tags["a.b"], ingress[0], ingress.0) and falls back to splitting
// at dots for paths that are not valid traversals (tags.kubernetes.io/x).
func splitPath(path string) []string {
	path = strings.TrimSpace(path)
	if path == "" {
		return nil
	}
	if trav, diags := hclsyntax.ParseTraversalAbs([]byte(path), "", hcl.InitialPos); !diags.HasErrors() {
		steps := make([]string, 0, len(trav))
		for _, s := range trav {
			switch s := s.(type) {
			case hcl.TraverseRoot:
				steps = append(steps, s.Name)
			case hcl.TraverseAttr:
				steps = append(steps, s.Name)
			case hcl.TraverseIndex:
				steps = append(steps, keyString(s.Key))
			default:
				steps = append(steps, "*")
			}
		}
		return steps
	}
	return strings.Split(path, ".")
}

// literalString evaluates expr as a constant string (module source and
// version must be literals in Terraform).
func literalString(expr hcl.Expression) (string, bool) {
	v, diags := expr.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

// diagError turns hcl error diagnostics into ConfigErrors joined together,
// each naming file:line:col.
func diagError(diags hcl.Diagnostics) error {
	var errs []error
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		ce := &ConfigError{Msg: msg}
		if d.Subject != nil {
			ce.File, ce.Line, ce.Column = d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column
		}
		errs = append(errs, ce)
		if len(errs) == 10 {
			// A badly broken file yields hundreds of cascading
			// diagnostics; the first few locate the problem.
			break
		}
	}
	return errors.Join(errs...)
}
