package edit

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/tfdrift/tfdrift/gitops/locate"
)

// maxDepth bounds reference chains (local.a = local.b = ...); Terraform
// itself rejects cycles, but Accept must not loop on a broken repo.
const maxDepth = 64

type engine struct {
	repo  *locate.Repo
	fsys  fs.FS
	files map[string]*srcFile
	uses  map[string]map[string][]use // module dir → "var.x" → uses
	// dirModules maps a module directory to the module addresses that
	// instantiate it: code in a directory used twice is shared.
	dirModules map[string][]string
	refusals   []Refusal
}

func newEngine(repo *locate.Repo, fsys fs.FS) *engine {
	e := &engine{
		repo:       repo,
		fsys:       fsys,
		files:      map[string]*srcFile{},
		uses:       map[string]map[string][]use{},
		dirModules: map[string][]string{},
	}
	seen := map[string]bool{}
	add := func(dir, mod string) {
		if seen[dir+"\x00"+mod] {
			return
		}
		seen[dir+"\x00"+mod] = true
		e.dirModules[dir] = append(e.dirModules[dir], mod)
	}
	for _, b := range repo.Blocks() {
		if b.Remote != "" {
			continue
		}
		add(b.ModuleDir, b.Module)
		for _, c := range repo.CallChain(b.Module) {
			if !c.Remote {
				add(c.Dir, c.Address)
			}
		}
	}
	for _, mods := range e.dirModules {
		slices.Sort(mods)
	}
	return e
}

// scope is where an expression is evaluated: a module, and the block
// whose count or for_each gives each.* and count.* their meaning (the
// resource, or the module call for a module's inputs).
type scope struct {
	module string // module address without keys, "" for the root
	dir    string // module directory relative to the repo root
	label  string // aws_instance.workers, module.web: for messages
	f      *srcFile
	// forEach and count are the block's meta-arguments (nil when unset);
	// multi is set when either is, also for JSON blocks whose
	// expressions tfdrift does not evaluate.
	forEach, count hclsyntax.Expression
	multi          bool
	meta           string    // "count" or "for_each"
	metaRange      hcl.Range // that argument, for messages
	key            instKey
}

// walk is the state of following one attribute's value through
// references: which scopes it crossed and which of those were narrowed
// to one instance (by each.value, [each.key] or [count.index]).
type walk struct {
	subject string // module.net.aws_instance.web["a"].tags
	scopes  []*scope
	sat     []*scope
	hops    []string
	depth   int
	keys    instanceKeys // the drifted instance's keys, per module call
}

func (w walk) hop(s string) walk {
	w.hops = append(slices.Clone(w.hops), s)
	return w
}

func (w walk) climb(s *scope) walk {
	w.scopes = append(slices.Clone(w.scopes), s)
	return w
}

func (w walk) satisfy(s *scope) walk {
	w.sat = append(slices.Clone(w.sat), s)
	return w
}

func (w walk) satisfied(s *scope) bool { return slices.Contains(w.sat, s) }

// refusalError carries a Refusal through the editing code.
type refusalError struct{ r Refusal }

func (e *refusalError) Error() string { return e.r.String() }

func asRefusal(err error) (Refusal, bool) {
	var re *refusalError
	if errors.As(err, &re) {
		return re.r, true
	}
	return Refusal{}, false
}

// oneLine shortens an expression's text for a message.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// refuse builds the standard refusal: "<subject> is set by <expr>
// (<file>:<line>)[, reached through <hops>]; <why>".
func (w walk) refuse(f *srcFile, r hcl.Range, why string) error {
	expr := oneLine(f.text(r))
	line := f.lineOf(r.Start.Byte)
	reason := fmt.Sprintf("%s is set by %s (%s:%d)", w.subject, expr, f.path, line)
	if len(w.hops) > 0 {
		reason += ", reached through " + strings.Join(w.hops, " → ")
	}
	reason += "; " + why
	return &refusalError{Refusal{Reason: reason, File: f.path, Line: line, Expr: expr}}
}

// refuseInsert is refuse for code that would be added to a block.
func (w walk) refuseInsert(f *srcFile, blockHeader hcl.Range, why string) error {
	line := f.lineOf(blockHeader.Start.Byte)
	hdr := oneLine(strings.TrimSuffix(strings.TrimSpace(f.text(blockHeader)), "{"))
	reason := fmt.Sprintf("%s would be added to %s (%s:%d)", w.subject, hdr, f.path, line)
	if len(w.hops) > 0 {
		reason += ", reached through " + strings.Join(w.hops, " → ")
	}
	reason += "; " + why
	return &refusalError{Refusal{Reason: reason, File: f.path, Line: line, Expr: hdr}}
}

// refuseAt builds a refusal with a free-form reason positioned at r.
func refuseAt(f *srcFile, r hcl.Range, reason string) error {
	rf := Refusal{Reason: reason}
	if f != nil {
		rf.File, rf.Line, rf.Expr = f.path, f.lineOf(r.Start.Byte), oneLine(f.text(r))
	}
	return &refusalError{rf}
}

// target is the code an edit lands on: an expression, a key to add to an
// object literal, or a value in a JSON file.
type target struct {
	w    walk
	sc   *scope
	f    *srcFile
	expr hclsyntax.Expression

	addTo  *hclsyntax.ObjectConsExpr
	addKey string

	js *jsonSpot

	// label names the part of the attribute being edited in notes
	// ("ingress description"); empty for the attribute itself.
	label string
}

func (t target) child(x hclsyntax.Expression) target {
	return target{w: t.w, sc: t.sc, f: t.f, expr: x, label: t.label}
}

// tx collects one attribute's edits; they are committed only when the
// whole attribute could be edited, so a refusal never leaves half an edit.
type tx struct {
	e         *engine
	address   string
	attribute string
	splices   []pendingSplice
}

type pendingSplice struct {
	f    *srcFile
	s    splice
	note string
}

// edit is one planned change to a file.
type edit struct {
	start, end int
	text       string
	what       string    // for the note: what changed
	at         hcl.Range // the code the edit concerns, for refusals
	insert     bool      // new code added to the block at
}

// splice records an edit of t's file after checking that the code at
// that place belongs to this one resource instance.
func (tx *tx) splice(t target, ed edit) error {
	if err := tx.e.editable(t, ed); err != nil {
		return err
	}
	note := ed.what
	if t.label != "" {
		note = t.label + ": " + note
	}
	if len(t.w.hops) > 0 {
		note += "; via " + strings.Join(t.w.hops, " → ")
	}
	tx.splices = append(tx.splices, pendingSplice{f: t.f, s: splice{ed.start, ed.end, ed.text}, note: note})
	return nil
}

// editable refuses edits to code shared by instances other than the
// drifted one: a resource's or module's count/for_each not narrowed by
// each/count, or a module directory that is called more than once.
func (e *engine) editable(t target, ed edit) error {
	refuse := func(why string) error {
		if ed.insert {
			return t.w.refuseInsert(t.f, ed.at, why)
		}
		return t.w.refuse(t.f, ed.at, why)
	}
	for _, s := range t.w.scopes {
		if !s.multi || t.w.satisfied(s) {
			continue
		}
		return refuse(fmt.Sprintf("%s has %s (%s:%d), so every instance shares this code and editing it would change all of them; "+
			"tfdrift edits one instance only through each.value, [each.key] or [count.index] into a literal map or list",
			s.label, s.meta, s.f.path, s.f.lineOf(s.metaRange.Start.Byte)))
	}
	for _, c := range e.repo.CallChain(t.sc.module) {
		meta := "for_each"
		if c.Count {
			meta = "count"
		}
		if r, ok := c.Attributes[meta]; ok {
			return refuse(fmt.Sprintf("%s is code of %s, which has %s (%s:%d); editing it would change every instance of the module",
				t.f.path, c.Address, meta, c.File, r.Start.Line))
		}
	}
	if mods := e.dirModules[t.sc.dir]; len(mods) > 1 {
		return refuse(fmt.Sprintf("%s is code of the module directory %s, which %s all call; editing it would change all of them",
			t.f.path, t.sc.dir, strings.Join(mods, ", ")))
	}
	return nil
}

// commit moves a finished attribute's splices into their files. A splice
// that overlaps a different edit already planned is a conflict.
func (e *engine) commit(tx *tx) error {
	for _, p := range tx.splices {
		for _, s := range p.f.splices {
			if s != p.s && p.s.start < s.end && s.start < p.s.end {
				return refuseAt(p.f, rangeOf(p.s.start, p.s.end),
					fmt.Sprintf("%s.%s: the edit overlaps another edit in this plan (%s:%d); accept the attributes one at a time",
						tx.address, tx.attribute, p.f.path, p.f.lineOf(s.start)))
			}
		}
	}
	for _, p := range tx.splices {
		if !slices.Contains(p.f.splices, p.s) {
			p.f.splices = append(p.f.splices, p.s)
		}
		p.f.notes = append(p.f.notes, Note{
			Address:   tx.address,
			Attribute: tx.attribute,
			Line:      p.f.lineOf(p.s.start),
			Text:      p.note,
		})
	}
	return nil
}

// resourceScope builds the scope of the drifted resource block.
func (e *engine) resourceScope(blk *locate.Block, f *srcFile, hb *hclsyntax.Block, keys instanceKeys) *scope {
	sc := &scope{module: blk.Module, dir: blk.ModuleDir, label: blk.Address, f: f, key: keys.resource,
		multi: blk.Count || blk.ForEach}
	sc.setMeta(hb, blk.Attributes)
	return sc
}

// setMeta records the block's count or for_each argument.
func (sc *scope) setMeta(hb *hclsyntax.Block, attrs map[string]locate.Range) {
	for _, meta := range []string{"for_each", "count"} {
		r, ok := attrs[meta]
		if !ok {
			continue
		}
		sc.meta, sc.metaRange = meta, locRange(r)
		if hb == nil {
			return
		}
		if a, ok := hb.Body.Attributes[meta]; ok {
			if meta == "for_each" {
				sc.forEach = a.Expr
			} else {
				sc.count = a.Expr
			}
		}
		return
	}
}

// callScope builds the scope in which the module call for moduleAddr
// evaluates its arguments.
func (e *engine) callScope(moduleAddr string, keys instanceKeys) (*scope, *locate.ModuleCall, error) {
	call, ok := e.repo.ModuleCall(moduleAddr)
	if !ok {
		return nil, nil, fmt.Errorf("module call %s not found", moduleAddr)
	}
	dir, _ := e.repo.ModuleDir(call.Parent)
	f, err := e.file(call.File)
	if err != nil {
		return nil, nil, err
	}
	sc := &scope{module: call.Parent, dir: dir, label: call.Address, f: f, key: keys.modules[call.Address],
		multi: call.Count || call.ForEach}
	sc.setMeta(f.blockAt(call.Range.Start.Byte), call.Attributes)
	return sc, call, nil
}

func locRange(r locate.Range) hcl.Range {
	return hcl.Range{
		Filename: r.Start.File,
		Start:    hcl.Pos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
		End:      hcl.Pos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte},
	}
}

// blockAt returns the top-level native block starting at off.
func (f *srcFile) blockAt(off int) *hclsyntax.Block {
	if f.body == nil {
		return nil
	}
	for _, b := range f.body.Blocks {
		if b.TypeRange.Start.Byte == off {
			return b
		}
	}
	return nil
}

// exprAt returns the native expression spanning exactly r.
func (f *srcFile) exprAt(r locate.Range) hclsyntax.Expression {
	if f.body == nil {
		return nil
	}
	var found hclsyntax.Expression
	_ = hclsyntax.VisitAll(f.body, func(n hclsyntax.Node) hcl.Diagnostics {
		if found != nil {
			return nil
		}
		if a, ok := n.(*hclsyntax.Attribute); ok {
			er := a.Expr.Range()
			if er.Start.Byte == r.Start.Byte && er.End.Byte == r.End.Byte {
				found = a.Expr
			}
		}
		return nil
	})
	return found
}

// dirOf is the module directory a repo-relative file belongs to.
func dirOf(file string) string { return path.Dir(file) }
