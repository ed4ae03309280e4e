package locate

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// fileSchema lists the top-level blocks locate reads; the rest (terraform,
// provider, output, import, removed, check, ...) are left alone.
var fileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "resource", LabelNames: []string{"type", "name"}},
		{Type: "data", LabelNames: []string{"type", "name"}},
		{Type: "module", LabelNames: []string{"name"}},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "moved"},
	},
}

// resourceMetaSchema pulls Terraform's meta blocks out of a JSON resource
// body, so that the remaining properties can be read as attributes.
var resourceMetaSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "lifecycle"},
		{Type: "dynamic", LabelNames: []string{"type"}},
		{Type: "provisioner", LabelNames: []string{"type"}},
		{Type: "connection"},
	},
}

var movedSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "from", Required: true},
	{Name: "to", Required: true},
}}

// moduleDir is one directory parsed once, whatever number of module calls
// use it. Everything in it carries module-relative addresses; Repo
// instantiates them per call.
type moduleDir struct {
	dir       string // slash path relative to the repo root
	files     []string
	overrides []string
	resources []*Block // Address relative to the module
	calls     []*ModuleCall
	vars      map[string]*VarDecl
	locals    map[string]*LocalDecl
	moves     []move
}

// move is one moved block, addresses relative to its module.
type move struct {
	from, to addr
	rng      Range
}

// isOverride reports Terraform's override file names, which locate skips.
func isOverride(name string) bool {
	base := strings.TrimSuffix(strings.TrimSuffix(name, ".json"), ".tf")
	return base == "override" || strings.HasSuffix(base, "_override")
}

// isIgnoredFile mirrors Terraform: editor backups and hidden files are not
// configuration.
func isIgnoredFile(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") ||
		(strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#"))
}

func parseModuleDir(fsys fs.FS, dir string) (*moduleDir, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("module directory %s: %w", dir, err)
	}
	md := &moduleDir{dir: dir, vars: map[string]*VarDecl{}, locals: map[string]*LocalDecl{}}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || isIgnoredFile(name) {
			continue
		}
		isJSON := strings.HasSuffix(name, ".tf.json")
		if !isJSON && !strings.HasSuffix(name, ".tf") {
			continue
		}
		file := path.Join(dir, name)
		if isOverride(name) {
			md.overrides = append(md.overrides, file)
			continue
		}
		src, err := fs.ReadFile(fsys, file)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", file, err))
			continue
		}
		md.files = append(md.files, file)
		if err := md.parseFile(file, src, isJSON); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	// fs.ReadDir sorts by name, so everything is in a stable order.
	return md, nil
}

func parseHCL(file string, src []byte, isJSON bool) (*hcl.File, error) {
	var (
		f     *hcl.File
		diags hcl.Diagnostics
	)
	if isJSON {
		f, diags = hcljson.Parse(src, file)
	} else {
		f, diags = hclsyntax.ParseConfig(src, file, hcl.InitialPos)
	}
	if diags.HasErrors() {
		return nil, diagError(diags)
	}
	return f, nil
}

func (md *moduleDir) parseFile(file string, src []byte, isJSON bool) error {
	f, err := parseHCL(file, src, isJSON)
	if err != nil {
		return err
	}
	content, _, diags := f.Body.PartialContent(fileSchema)
	if diags.HasErrors() {
		return diagError(diags)
	}
	var errs []error
	for _, blk := range content.Blocks {
		if err := checkLabels(blk); err != nil {
			errs = append(errs, err)
			continue
		}
		var err error
		switch blk.Type {
		case "resource", "data":
			err = md.addResource(file, blk)
		case "module":
			err = md.addCall(file, blk)
		case "variable":
			err = md.addVariable(file, blk)
		case "locals":
			err = md.addLocals(blk)
		case "moved":
			err = md.addMove(blk)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (md *moduleDir) addResource(file string, blk *hcl.Block) error {
	b := &Block{
		Type:          blk.Labels[0],
		Name:          blk.Labels[1],
		Data:          blk.Type == "data",
		File:          file,
		TypeRange:     toRange(blk.LabelRanges[0]),
		NameRange:     toRange(blk.LabelRanges[1]),
		DynamicBlocks: map[string][]*Nested{},
	}
	b.Address = b.Type + "." + b.Name
	if b.Data {
		b.Address = "data." + b.Address
	}
	for _, other := range md.resources {
		if other.Address == b.Address {
			return configErrorAt(blk.DefRange, "duplicate %s: also declared at %s", b.Address, other.Range)
		}
	}

	var lifecycles []hcl.Body
	if sb, ok := blk.Body.(*hclsyntax.Body); ok {
		b.Range = toRange(hcl.RangeBetween(blk.TypeRange, sb.SrcRange))
		b.Body = nativeBody(sb, true)
		for _, child := range sb.Blocks {
			switch child.Type {
			case "lifecycle":
				lifecycles = append(lifecycles, child.Body)
			case "dynamic":
				if len(child.Labels) != 1 {
					return configErrorAt(child.TypeRange, "dynamic block needs one label, the nested block type")
				}
				n := nativeNested(child)
				b.addDynamic(child.Labels[0], n)
			}
		}
	} else {
		b.Range = toRange(jsonBlockRange(blk))
		meta, remain, diags := blk.Body.PartialContent(resourceMetaSchema)
		if diags.HasErrors() {
			return diagError(diags)
		}
		body, err := jsonBody(remain)
		if err != nil {
			return err
		}
		b.Body = body
		for _, child := range meta.Blocks {
			switch child.Type {
			case "lifecycle":
				lifecycles = append(lifecycles, child.Body)
			case "dynamic":
				cb, err := jsonBody(child.Body)
				if err != nil {
					return err
				}
				b.addDynamic(child.Labels[0], &Nested{
					Type:   "dynamic",
					Labels: child.Labels,
					Range:  toRange(jsonBlockRange(child)),
					Body:   cb,
				})
			}
		}
	}
	for _, lc := range lifecycles {
		paths, err := ignoreChanges(lc)
		if err != nil {
			return err
		}
		b.IgnoreChanges = append(b.IgnoreChanges, paths...)
	}
	_, b.Count = b.Attributes["count"]
	_, b.ForEach = b.Attributes["for_each"]
	md.resources = append(md.resources, b)
	return nil
}

func (b *Block) addDynamic(name string, n *Nested) {
	if _, seen := b.DynamicBlocks[name]; !seen {
		b.Dynamic = append(b.Dynamic, name)
	}
	b.DynamicBlocks[name] = append(b.DynamicBlocks[name], n)
}

// bodyOf records a block body in either syntax, with nested blocks in the
// native one.
func bodyOf(blk *hcl.Block) (Body, hcl.Range, error) {
	if sb, ok := blk.Body.(*hclsyntax.Body); ok {
		return nativeBody(sb, false), hcl.RangeBetween(blk.TypeRange, sb.SrcRange), nil
	}
	body, err := jsonBody(blk.Body)
	return body, jsonBlockRange(blk), err
}

func (md *moduleDir) addCall(file string, blk *hcl.Block) error {
	body, whole, err := bodyOf(blk)
	if err != nil {
		return err
	}
	c := &ModuleCall{
		Address:   "module." + blk.Labels[0],
		Name:      blk.Labels[0],
		File:      file,
		Range:     toRange(whole),
		NameRange: toRange(blk.LabelRanges[0]),
		Body:      body,
	}
	for _, other := range md.calls {
		if other.Name == c.Name {
			return configErrorAt(blk.DefRange, "duplicate module %q: also declared at %s", c.Name, other.Range)
		}
	}
	srcExpr, ok := body.exprs["source"]
	if !ok {
		return configErrorAt(blk.DefRange, "module %q has no source", c.Name)
	}
	if c.Source, ok = literalString(srcExpr); !ok {
		return configErrorAt(srcExpr.Range(), "module %q: source must be a literal string", c.Name)
	}
	if v, ok := body.exprs["version"]; ok {
		c.Version, _ = literalString(v)
	}
	_, c.Count = body.Attributes["count"]
	_, c.ForEach = body.Attributes["for_each"]
	md.calls = append(md.calls, c)
	return nil
}

func (md *moduleDir) addVariable(file string, blk *hcl.Block) error {
	body, whole, err := bodyOf(blk)
	if err != nil {
		return err
	}
	name := blk.Labels[0]
	if other, dup := md.vars[name]; dup {
		return configErrorAt(blk.DefRange, "duplicate variable %q: also declared at %s", name, other.Range)
	}
	v := &VarDecl{Name: name, File: file, Range: toRange(whole)}
	if r, ok := body.Exprs["default"]; ok {
		v.Default = &r
	}
	md.vars[name] = v
	return nil
}

func (md *moduleDir) addLocals(blk *hcl.Block) error {
	attrs, diags := blk.Body.JustAttributes()
	if diags.HasErrors() {
		return diagError(diags)
	}
	for name, a := range attrs {
		if other, dup := md.locals[name]; dup {
			return configErrorAt(a.NameRange, "duplicate local %q: also declared at %s", name, other.Range)
		}
		md.locals[name] = &LocalDecl{
			Name:  name,
			File:  a.Range.Filename,
			Range: toRange(a.Range),
			Expr:  toRange(a.Expr.Range()),
		}
	}
	return nil
}

func (md *moduleDir) addMove(blk *hcl.Block) error {
	content, diags := blk.Body.Content(movedSchema)
	if diags.HasErrors() {
		return diagError(diags)
	}
	var ends [2]addr
	for i, key := range []string{"from", "to"} {
		expr := content.Attributes[key].Expr
		trav, d := hcl.AbsTraversalForExpr(expr)
		if d.HasErrors() {
			return configErrorAt(expr.Range(), "moved %s must be an address", key)
		}
		a, err := traversalAddr(trav)
		if err != nil {
			return configErrorAt(expr.Range(), "moved %s: %v", key, err)
		}
		ends[i] = a
	}
	if ends[0].isModule != ends[1].isModule {
		return configErrorAt(blk.DefRange, "moved block must move a resource to a resource or a module to a module")
	}
	rng := blk.DefRange
	if sb, ok := blk.Body.(*hclsyntax.Body); ok {
		rng = hcl.RangeBetween(blk.TypeRange, sb.SrcRange)
	}
	md.moves = append(md.moves, move{from: ends[0], to: ends[1], rng: toRange(rng)})
	return nil
}

// checkLabels rejects names Terraform rejects: an address built from them
// could not be parsed back, so Find could never reach the block.
func checkLabels(blk *hcl.Block) error {
	for i, l := range blk.Labels {
		if !hclsyntax.ValidIdentifier(l) {
			return configErrorAt(blk.LabelRanges[i], "invalid %s name %q: must start with a letter or underscore and contain only letters, digits, underscores and dashes", blk.Type, l)
		}
	}
	return nil
}
