package edit

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/locate"
)

// Accept plans the edits that make the code in repoRoot produce the
// cloud's values for every requested attribute. repo must have been
// loaded from the same checkout. Attributes it will not edit are listed
// in Plan.Refusals with the reason; the error is for failures to read the
// repository and for internal faults (an edit that would not parse).
func Accept(repo *locate.Repo, repoRoot string, reqs []Request) (*Plan, error) {
	root, err := os.OpenRoot(repoRoot)
	if err != nil {
		return nil, fmt.Errorf("repository: %w", err)
	}
	defer root.Close()
	return AcceptFS(repo, root.FS(), reqs)
}

// AcceptFS is Accept over any file system holding the repository (a
// checkout, a git tree, a test's fstest.MapFS).
func AcceptFS(repo *locate.Repo, fsys fs.FS, reqs []Request) (*Plan, error) {
	if repo == nil {
		return nil, fmt.Errorf("accept: no repository loaded")
	}
	e := newEngine(repo, fsys)
	// One request per address: two drifts of the same resource edit the
	// same block and must be planned together.
	merged := map[string]map[string]drift.AttrChange{}
	var order []string
	for _, r := range reqs {
		m, ok := merged[r.Address]
		if !ok {
			m = map[string]drift.AttrChange{}
			merged[r.Address] = m
			order = append(order, r.Address)
		}
		for k, v := range r.Changes {
			m[k] = v
		}
	}
	sort.Strings(order)
	for _, addr := range order {
		if err := e.request(addr, merged[addr]); err != nil {
			return nil, err
		}
	}
	plan := &Plan{Refusals: e.refusals}
	names := make([]string, 0, len(e.files))
	for n := range e.files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := e.files[n]
		if len(f.splices) == 0 {
			continue
		}
		after, err := f.result()
		if err != nil {
			return nil, err
		}
		if err := checkParses(n, after); err != nil {
			return nil, err
		}
		if bytes.Equal(after, f.src) {
			continue
		}
		notes := append([]Note(nil), f.notes...)
		sort.SliceStable(notes, func(i, j int) bool { return notes[i].Line < notes[j].Line })
		plan.Edits = append(plan.Edits, FileEdit{File: n, Before: f.src, After: after, Notes: notes})
	}
	sort.SliceStable(plan.Refusals, func(i, j int) bool {
		a, b := plan.Refusals[i], plan.Refusals[j]
		if a.Address != b.Address {
			return a.Address < b.Address
		}
		return a.Attribute < b.Attribute
	})
	return plan, nil
}

// metaArgs are Terraform's own arguments: drift never concerns them and
// editing them would add or remove instances.
var metaArgs = map[string]bool{"count": true, "for_each": true, "provider": true, "depends_on": true, "lifecycle": true}

// computedOnly are attributes a provider sets and a configuration cannot:
// adding them would make the code invalid.
var computedOnly = map[string]bool{"id": true, "arn": true, "tags_all": true, "owner_id": true, "unique_id": true}

func (e *engine) request(address string, changes map[string]drift.AttrChange) error {
	names := make([]string, 0, len(changes))
	for n := range changes {
		names = append(names, n)
	}
	sort.Strings(names)
	refuseAll := func(r Refusal) {
		for _, n := range names {
			r.Address, r.Attribute = address, n
			e.refusals = append(e.refusals, r)
		}
	}
	blk, err := e.repo.Find(address)
	if err != nil {
		refuseAll(Refusal{Reason: fmt.Sprintf("%s: %v; there is no code to edit", address, err)})
		return nil
	}
	if blk.Data {
		refuseAll(Refusal{Reason: address + " is a data source, which reads the cloud rather than managing it", File: blk.File, Line: blk.Range.Start.Line})
		return nil
	}
	if blk.Remote != "" {
		refuseAll(Refusal{
			Reason: fmt.Sprintf("%s is declared in the remote module %q (called at %s:%d); tfdrift edits only code in this repository", address, blk.Remote, blk.File, blk.Range.Start.Line),
			File:   blk.File, Line: blk.Range.Start.Line,
		})
		return nil
	}
	keys, err := parseInstanceKeys(address)
	if err != nil {
		refuseAll(Refusal{Reason: err.Error()})
		return nil
	}
	f, err := e.file(blk.File)
	if err != nil {
		return err
	}
	var hb *hclsyntax.Block
	if !f.json {
		if hb = f.blockAt(blk.Range.Start.Byte); hb == nil {
			return fmt.Errorf("%s:%d: no block where locate found %s", blk.File, blk.Range.Start.Line, blk.Address)
		}
	}
	rs := e.resourceScope(blk, f, hb, keys)
	for _, name := range names {
		tx := &tx{e: e, address: address, attribute: name}
		err := e.attribute(tx, rs, blk, f, hb, keys, address, name, changes[name])
		if err == nil {
			err = e.commit(tx)
		}
		if err != nil {
			rf, ok := asRefusal(err)
			if !ok {
				return err
			}
			rf.Address, rf.Attribute = address, name
			e.refusals = append(e.refusals, rf)
		}
	}
	return nil
}

func (e *engine) attribute(tx *tx, rs *scope, blk *locate.Block, f *srcFile, hb *hclsyntax.Block, keys instanceKeys, address, name string, ch drift.AttrChange) error {
	subject := address + "." + name
	if ch.Unknown {
		return &refusalError{Refusal{Reason: subject + ": the audit record hides the new value, so there is nothing to write"}}
	}
	act, err := normalize(ch.Actual)
	if err != nil {
		return &refusalError{Refusal{Reason: fmt.Sprintf("%s: the cloud value cannot be represented: %v", subject, err)}}
	}
	exp, err := normalize(ch.Expected)
	hasExp := ch.Expected != nil && err == nil
	steps := splitPath(name)
	if len(steps) == 0 {
		return &refusalError{Refusal{Reason: fmt.Sprintf("%s: empty attribute name", subject)}}
	}
	if metaArgs[steps[0].key] {
		return &refusalError{Refusal{Reason: fmt.Sprintf("%s: %s is a Terraform meta-argument, not a cloud attribute", subject, steps[0].key)}}
	}
	w := walk{subject: subject, scopes: []*scope{rs}, keys: keys}
	if f.json {
		return e.jsonAttribute(tx, w, rs, blk, f, steps, act)
	}
	if err := e.refuseLegacyInline(w, f, blk, hb, steps[0].key); err != nil {
		return err
	}
	return e.bodyEdit(tx, w, rs, f, hb, steps, exp, hasExp, act)
}

// bodyEdit edits the attribute or nested blocks steps name in blk's body.
func (e *engine) bodyEdit(tx *tx, w walk, sc *scope, f *srcFile, blk *hclsyntax.Block, steps []step, exp any, hasExp bool, act any) error {
	name := steps[0].key
	for _, d := range blk.Body.Blocks {
		if d.Type == "dynamic" && len(d.Labels) == 1 && d.Labels[0] == name {
			r := d.TypeRange
			if fe, ok := d.Body.Attributes["for_each"]; ok {
				r = fe.Expr.Range()
			}
			return w.refuse(f, r, fmt.Sprintf("the %s blocks are generated by a dynamic block (%s:%d), and tfdrift does not edit generated blocks", name, f.path, f.lineOf(d.TypeRange.Start.Byte)))
		}
	}
	base := target{w: w, sc: sc, f: f}
	if a, ok := blk.Body.Attributes[name]; ok {
		if len(steps) == 1 {
			if act == nil && !sc.multi {
				if cur, ok := literalValue(a.Expr); ok && cur == nil {
					return nil
				}
				return e.removeAttr(tx, base, a)
			}
			return e.apply(tx, base.child(a.Expr), exp, hasExp, act)
		}
		if act == nil {
			// The cloud dropped a key: remove it from its object rather
			// than writing key = null, which a map(string) rejects.
			parent, err := e.resolve(w, sc, f, a.Expr, steps[1:len(steps)-1])
			if err != nil {
				return err
			}
			if obj, ok := parent.expr.(*hclsyntax.ObjectConsExpr); ok {
				return e.removeItem(tx, parent, obj, steps[len(steps)-1].key)
			}
		}
		t, err := e.resolve(w, sc, f, a.Expr, steps[1:])
		if err != nil {
			return err
		}
		return e.apply(tx, t, exp, hasExp, act)
	}
	var blocks []*hclsyntax.Block
	for _, b := range blk.Body.Blocks {
		if b.Type == name {
			blocks = append(blocks, b)
		}
	}
	if len(blocks) > 0 || (len(steps) == 1 && isObjList(act)) {
		if len(steps) == 1 {
			return e.editBlocks(tx, w, sc, f, blk, name, exp, hasExp, act)
		}
		rest := steps[1:]
		if i, ok := rest[0].index(); ok {
			if len(blocks) != 1 || i != 0 {
				return w.refuse(f, blk.TypeRange, fmt.Sprintf("%s names one of %d %s blocks by position, but state orders them differently from the code; accept the whole %s attribute instead", w.subject, len(blocks), name, name))
			}
			rest = rest[1:]
			if len(rest) == 0 {
				return e.editBlocks(tx, w, sc, f, blk, name, exp, hasExp, act)
			}
		} else if len(blocks) != 1 {
			return w.refuse(f, blk.TypeRange, fmt.Sprintf("there are %d %s blocks and the path does not say which one", len(blocks), name))
		}
		return e.bodyEdit(tx, w, sc, f, blocks[0], rest, exp, hasExp, act)
	}
	// The code does not set it.
	if len(steps) > 2 || (len(steps) == 2 && steps[1].isIdx) {
		return w.refuse(f, blk.TypeRange, fmt.Sprintf("%s is not written in the code, and tfdrift adds only whole attributes or map keys", strings.Join(stepKeys(steps), ".")))
	}
	if computedOnly[name] {
		return w.refuse(f, blk.TypeRange, fmt.Sprintf("%s is computed by the provider and cannot be set in code", name))
	}
	if isDefault(act) {
		return w.refuse(f, blk.TypeRange, fmt.Sprintf("%s is not set in the code, so the provider's default or computed value applies; there is nothing to edit", name))
	}
	if len(steps) == 2 {
		act = map[string]any{steps[1].key: act}
	}
	return e.insertAttr(tx, base, blk, name, act)
}

func stepKeys(s []step) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = x.key
	}
	return out
}

// splitPath splits an attribute path: tags.Owner, tags["kubernetes.io/x"],
// ingress[0].cidr_blocks, ingress.0.cidr_blocks.
func splitPath(p string) []step {
	p = strings.TrimSpace(p)
	if p == "" {
		return nil
	}
	if trav, diags := hclsyntax.ParseTraversalAbs([]byte(p), "", hcl.InitialPos); !diags.HasErrors() {
		out := []step{{key: trav.RootName()}}
		rest, err := travSteps(trav[1:])
		if err == nil {
			return append(out, rest...)
		}
	}
	var out []step
	for _, s := range strings.Split(p, ".") {
		out = append(out, step{key: s})
	}
	return out
}
