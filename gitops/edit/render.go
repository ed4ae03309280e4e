package edit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// apply edits the code at t so that it produces act. exp is the value it
// produced before (state), when hasExp; literals carry their own.
func (e *engine) apply(tx *tx, t target, exp any, hasExp bool, act any) error {
	switch {
	case t.js != nil:
		return e.applyJSON(tx, t, act)
	case t.addTo != nil:
		return e.addItem(tx, t, act)
	}
	text, changed, err := e.render(tx, t, exp, hasExp, act)
	if err != nil || !changed {
		return err
	}
	old, hasOld := exp, hasExp
	if cur, ok := literalValue(t.expr); ok {
		old, hasOld = cur, true
	}
	r := t.expr.Range()
	return tx.splice(t, edit{start: r.Start.Byte, end: r.End.Byte, text: text, at: r, what: describe(old, hasOld, act)})
}

// render returns the new source for t.expr. Compound literals are edited
// item by item, so unchanged items (and their comments) stay as written;
// references are followed and edited where they lead (those edits go
// straight into tx, and the expression itself is left unchanged).
func (e *engine) render(tx *tx, t target, exp any, hasExp bool, act any) (string, bool, error) {
	cur, lit := literalValue(t.expr)
	if lit {
		if equal(cur, act) {
			return "", false, nil
		}
		exp, hasExp = cur, true
	} else if hasExp && equal(exp, act) {
		return "", false, nil
	}
	switch x := t.expr.(type) {
	case *hclsyntax.ObjectConsExpr:
		if m, ok := act.(map[string]any); ok {
			return e.renderObject(tx, t, x, exp, hasExp, m)
		}
		return e.renderNew(t, act)
	case *hclsyntax.TupleConsExpr:
		if l, ok := act.([]any); ok {
			return e.renderTuple(tx, t, x, exp, hasExp, l)
		}
		return e.renderNew(t, act)
	case *hclsyntax.TemplateExpr:
		if s, ok := cur.(string); ok && lit {
			return e.renderString(t, x, s, act)
		}
	case *hclsyntax.FunctionCallExpr:
		if x.Name == "jsonencode" && len(x.Args) == 1 && !x.ExpandFinal {
			return e.renderJSONEncode(tx, t, x, exp, hasExp, act)
		}
	}
	if lit {
		return e.renderNew(t, act)
	}
	t2, err := e.resolve(t.w, t.sc, t.f, t.expr, nil)
	if err != nil {
		return "", false, err
	}
	if t2.f == t.f && t2.expr == t.expr {
		return "", false, t.w.refuse(t.f, t.expr.Range(), "tfdrift cannot edit this expression")
	}
	t2.label = t.label
	return "", false, e.apply(tx, t2, exp, hasExp, act)
}

// renderNew writes act from scratch, laid out for t's position.
func (e *engine) renderNew(t target, act any) (string, bool, error) {
	text, err := hclText(act)
	if err != nil {
		return "", false, t.w.refuse(t.f, t.expr.Range(), "the cloud value cannot be written in HCL: "+err.Error())
	}
	return indent(text, t.f.indentAt(t.expr.Range().Start.Byte)), true, nil
}

// rep is a replacement inside an expression being rewritten.
type rep struct {
	start, end int
	text       string
}

// rewrite returns src[start:end] with reps applied (sorted, disjoint).
func (f *srcFile) rewrite(start, end int, reps []rep) string {
	sort.Slice(reps, func(i, j int) bool { return reps[i].start < reps[j].start })
	var sb strings.Builder
	last := start
	for _, r := range reps {
		sb.Write(f.src[last:r.start])
		sb.WriteString(r.text)
		last = r.end
	}
	sb.Write(f.src[last:end])
	return sb.String()
}

// objItem is one item of an object literal being rebuilt.
type objItem struct {
	key      string
	keyStart int
	valStart int
	valEnd   int
	newVal   string // replacement for the value, when changed
	changed  bool
	added    bool
	text     string // whole "key = value" for an added item
}

func (e *engine) renderObject(tx *tx, t target, obj *hclsyntax.ObjectConsExpr, exp any, hasExp bool, act map[string]any) (string, bool, error) {
	expM, _ := exp.(map[string]any)
	var items []objItem
	seen := map[string]bool{}
	removed := false
	for _, it := range obj.Items {
		k, ok := itemKey(it.KeyExpr)
		if !ok {
			return "", false, t.w.refuse(t.f, it.KeyExpr.Range(), "the object has a computed key, so tfdrift cannot tell which cloud key it is")
		}
		seen[k] = true
		av, in := act[k]
		if !in {
			removed = true
			continue
		}
		ev, hv := expM[k]
		it2 := objItem{key: k, keyStart: it.KeyExpr.Range().Start.Byte, valStart: it.ValueExpr.Range().Start.Byte, valEnd: it.ValueExpr.Range().End.Byte}
		txt, ch, err := e.render(tx, t.child(it.ValueExpr), ev, hasExp && hv, av)
		if err != nil {
			return "", false, err
		}
		it2.newVal, it2.changed = txt, ch
		items = append(items, it2)
	}
	var added []string
	for k := range act {
		if !seen[k] {
			added = append(added, k)
		}
	}
	added = sortKeys(added)
	r := obj.Range()
	if !removed && len(added) == 0 {
		var reps []rep
		for _, it := range items {
			if it.changed {
				reps = append(reps, rep{it.valStart, it.valEnd, it.newVal})
			}
		}
		if len(reps) == 0 {
			return "", false, nil
		}
		return t.f.rewrite(r.Start.Byte, r.End.Byte, reps), true, nil
	}
	itemIndent := t.f.indentAt(r.Start.Byte) + "  "
	if len(obj.Items) > 0 {
		itemIndent = t.f.indentAt(obj.Items[0].KeyExpr.Range().Start.Byte)
	}
	for _, k := range added {
		text, err := hclText(act[k])
		if err != nil {
			return "", false, t.w.refuse(t.f, r, "the cloud value cannot be written in HCL: "+err.Error())
		}
		items = append(items, objItem{key: k, added: true, text: objectKey(k) + " = " + indent(text, itemIndent)})
	}
	return e.layoutObject(t.f, obj, items, itemIndent), true, nil
}

// layoutObject rebuilds an object literal from its kept, edited and added
// items. A regular multi-line object (one item per line, braces on their
// own lines) keeps every kept item's lines, comments included; other
// layouts are rebuilt.
func (e *engine) layoutObject(f *srcFile, obj *hclsyntax.ObjectConsExpr, items []objItem, itemIndent string) string {
	r := obj.Range()
	open, close := obj.OpenRange.Start.Byte, r.End.Byte-1
	itemText := func(it objItem) string {
		if it.added {
			return it.text
		}
		if it.changed {
			return f.rewrite(it.keyStart, it.valEnd, []rep{{it.valStart, it.valEnd, it.newVal}})
		}
		return string(f.src[it.keyStart:it.valEnd])
	}
	if f.regularObject(obj) {
		// Segments: each original item with the blank and comment lines
		// above it, through the end of its last line.
		segOf := map[int][2]int{}
		start := f.lineEnd(open)
		for _, it := range obj.Items {
			end := f.lineEnd(it.ValueExpr.Range().End.Byte)
			segOf[it.KeyExpr.Range().Start.Byte] = [2]int{start, end}
			start = end
		}
		var sb strings.Builder
		sb.Write(f.src[r.Start.Byte:f.lineEnd(open)])
		for _, it := range items {
			if it.added {
				sb.WriteString(itemIndent + it.text + "\n")
				continue
			}
			seg := segOf[it.keyStart]
			if it.changed {
				sb.WriteString(f.rewrite(seg[0], seg[1], []rep{{it.valStart, it.valEnd, it.newVal}}))
			} else {
				sb.Write(f.src[seg[0]:seg[1]])
			}
		}
		sb.Write(f.src[start:r.End.Byte])
		return sb.String()
	}
	if len(items) == 0 {
		return "{}"
	}
	single := f.lineOf(open) == f.lineOf(close)
	var texts []string
	for _, it := range items {
		s := itemText(it)
		if strings.Contains(s, "\n") {
			single = false
		}
		texts = append(texts, s)
	}
	if single && len(obj.Items) > 0 {
		return "{ " + strings.Join(texts, ", ") + " }"
	}
	base := f.indentAt(r.Start.Byte)
	var sb strings.Builder
	sb.WriteString("{\n")
	for _, s := range texts {
		sb.WriteString(base + "  " + s + "\n")
	}
	sb.WriteString(base + "}")
	return sb.String()
}

// regularObject: braces on lines of their own (a comment may follow the
// opening one) and every item alone on its lines.
func (f *srcFile) regularObject(obj *hclsyntax.ObjectConsExpr) bool {
	r := obj.Range()
	open, close := obj.OpenRange.Start.Byte, r.End.Byte-1
	if f.lineOf(open) == f.lineOf(close) || !f.restIsComment(open+1) || !f.onlySpaceBefore(close) {
		return false
	}
	for _, it := range obj.Items {
		if !f.aloneOnLines(it.KeyExpr.Range().Start.Byte, it.ValueExpr.Range().End.Byte) {
			return false
		}
	}
	return true
}

// restIsComment: from off to the end of its line there is only
// whitespace or a comment.
func (f *srcFile) restIsComment(off int) bool {
	rest := strings.TrimSpace(string(f.src[off:f.lineEnd(off)]))
	return rest == "" || strings.HasPrefix(rest, "#") || strings.HasPrefix(rest, "//")
}

func (f *srcFile) onlySpaceBefore(off int) bool {
	return strings.TrimSpace(string(f.src[f.lineStart(off):off])) == ""
}

// addItem adds a key to an object literal (an attribute path such as
// tags.Owner that the code does not have yet). In a regular multi-line
// object the new line is inserted after the last item, leaving the rest
// untouched, so that several keys of one map can be accepted together.
func (e *engine) addItem(tx *tx, t target, act any) error {
	obj := t.addTo
	if act == nil {
		return nil // an absent key already reads as null
	}
	r := obj.Range()
	itemIndent := t.f.indentAt(r.Start.Byte) + "  "
	if len(obj.Items) > 0 {
		itemIndent = t.f.indentAt(obj.Items[0].KeyExpr.Range().Start.Byte)
	}
	text, err := hclText(act)
	if err != nil {
		return t.w.refuse(t.f, r, "the cloud value cannot be written in HCL: "+err.Error())
	}
	item := objectKey(t.addKey) + " = " + indent(text, itemIndent)
	what := fmt.Sprintf("added %s = %s", objectKey(t.addKey), short(act))
	t.expr = obj
	if t.f.regularObject(obj) {
		pos := t.f.lineEnd(obj.OpenRange.Start.Byte)
		if n := len(obj.Items); n > 0 {
			pos = t.f.lineEnd(obj.Items[n-1].ValueExpr.Range().End.Byte)
		}
		return tx.splice(t, edit{start: pos, end: pos, text: itemIndent + item + "\n", at: r, what: what})
	}
	var items []objItem
	for _, it := range obj.Items {
		k, _ := itemKey(it.KeyExpr)
		items = append(items, objItem{key: k, keyStart: it.KeyExpr.Range().Start.Byte,
			valStart: it.ValueExpr.Range().Start.Byte, valEnd: it.ValueExpr.Range().End.Byte})
	}
	items = append(items, objItem{key: t.addKey, added: true, text: item})
	out := e.layoutObject(t.f, obj, items, itemIndent)
	return tx.splice(t, edit{start: r.Start.Byte, end: r.End.Byte, text: out, at: r, what: what})
}

// removeItem deletes one key of an object literal (tags.Temporary, when
// the cloud no longer has it).
func (e *engine) removeItem(tx *tx, t target, obj *hclsyntax.ObjectConsExpr, key string) error {
	for _, it := range obj.Items {
		k, ok := itemKey(it.KeyExpr)
		if !ok || k != key {
			continue
		}
		kr, vr := it.KeyExpr.Range(), it.ValueExpr.Range()
		what := fmt.Sprintf("removed %s", objectKey(key))
		t.expr = it.ValueExpr
		if t.f.regularObject(obj) {
			s, end := t.f.removalRange(kr.Start.Byte, vr.End.Byte, false)
			return tx.splice(t, edit{start: s, end: end, at: hcl.RangeBetween(kr, vr), what: what})
		}
		var items []objItem
		for _, other := range obj.Items {
			if other == it {
				continue
			}
			ok2, _ := itemKey(other.KeyExpr)
			items = append(items, objItem{key: ok2, keyStart: other.KeyExpr.Range().Start.Byte,
				valStart: other.ValueExpr.Range().Start.Byte, valEnd: other.ValueExpr.Range().End.Byte})
		}
		r := obj.Range()
		out := e.layoutObject(t.f, obj, items, t.f.indentAt(r.Start.Byte)+"  ")
		return tx.splice(t, edit{start: r.Start.Byte, end: r.End.Byte, text: out, at: r, what: what})
	}
	return nil // already absent
}

func (e *engine) renderTuple(tx *tx, t target, tup *hclsyntax.TupleConsExpr, exp any, hasExp bool, act []any) (string, bool, error) {
	elems := tup.Exprs
	vals := make([]any, len(elems))
	known := make([]bool, len(elems))
	expL, _ := exp.([]any)
	for i, el := range elems {
		if v, ok := literalValue(el); ok {
			vals[i], known[i] = v, true
		} else if hasExp && len(expL) == len(elems) {
			vals[i], known[i] = expL[i], true
		}
	}
	r := tup.Range()
	// Lists of scalars (CIDRs, ids) are matched by value so that an
	// element's comment stays with it; lists of objects (policy
	// statements) are edited element by element.
	if len(act) == len(elems) && !(allScalars(act) && allScalars(vals)) {
		var reps []rep
		for i, el := range elems {
			if known[i] && equal(vals[i], act[i]) {
				continue
			}
			txt, ch, err := e.render(tx, t.child(el), vals[i], known[i], act[i])
			if err != nil {
				return "", false, err
			}
			if ch {
				er := el.Range()
				reps = append(reps, rep{er.Start.Byte, er.End.Byte, txt})
			}
		}
		if len(reps) == 0 {
			return "", false, nil
		}
		return t.f.rewrite(r.Start.Byte, r.End.Byte, reps), true, nil
	}
	// The length changed: keep the elements the cloud still has (by
	// value), in the cloud's order, and write the new ones.
	used := make([]bool, len(elems))
	pick := make([]int, len(act))
	for j, a := range act {
		pick[j] = -1
		for i := range elems {
			if !used[i] && known[i] && equal(vals[i], a) {
				used[i], pick[j] = true, i
				break
			}
		}
	}
	for i, el := range elems {
		if !known[i] && !used[i] {
			return "", false, t.w.refuse(t.f, el.Range(), "the list mixes in a value tfdrift cannot evaluate, so it cannot tell which elements the cloud kept")
		}
	}
	elemIndent := t.f.indentAt(r.Start.Byte) + "  "
	if len(elems) > 0 {
		elemIndent = t.f.indentAt(elems[0].Range().Start.Byte)
	}
	type elem struct {
		orig int
		text string
	}
	var out []elem
	for j, a := range act {
		if pick[j] >= 0 {
			er := elems[pick[j]].Range()
			out = append(out, elem{pick[j], t.f.text(er)})
			continue
		}
		text, err := hclText(a)
		if err != nil {
			return "", false, t.w.refuse(t.f, r, "the cloud value cannot be written in HCL: "+err.Error())
		}
		out = append(out, elem{-1, indent(text, elemIndent)})
	}
	if len(out) == 0 {
		return "[]", true, nil
	}
	open, close := tup.OpenRange.Start.Byte, r.End.Byte-1
	if t.f.regularTuple(tup) {
		var sb strings.Builder
		sb.Write(t.f.src[r.Start.Byte:t.f.lineEnd(open)])
		segStart := make([]int, len(elems))
		start := t.f.lineEnd(open)
		for i, el := range elems {
			segStart[i] = start
			start = t.f.lineEnd(el.Range().End.Byte)
		}
		for _, o := range out {
			if o.orig < 0 {
				sb.WriteString(elemIndent + o.text + ",\n")
				continue
			}
			er := elems[o.orig].Range()
			sb.Write(t.f.src[segStart[o.orig]:er.End.Byte])
			after := string(t.f.src[er.End.Byte:t.f.lineEnd(er.End.Byte)])
			trimmed := strings.TrimLeft(after, " \t")
			if !strings.HasPrefix(trimmed, ",") {
				after = "," + after
			}
			if !strings.HasSuffix(after, "\n") {
				after += "\n"
			}
			sb.WriteString(after)
		}
		sb.Write(t.f.src[start:r.End.Byte])
		return sb.String(), true, nil
	}
	single := t.f.lineOf(open) == t.f.lineOf(close)
	var texts []string
	for _, o := range out {
		if strings.Contains(o.text, "\n") {
			single = false
		}
		texts = append(texts, o.text)
	}
	if single {
		return "[" + strings.Join(texts, ", ") + "]", true, nil
	}
	base := t.f.indentAt(r.Start.Byte)
	var sb strings.Builder
	sb.WriteString("[\n")
	for _, s := range texts {
		sb.WriteString(base + "  " + s + ",\n")
	}
	sb.WriteString(base + "]")
	return sb.String(), true, nil
}

func (f *srcFile) regularTuple(tup *hclsyntax.TupleConsExpr) bool {
	r := tup.Range()
	open, close := tup.OpenRange.Start.Byte, r.End.Byte-1
	if len(tup.Exprs) == 0 || f.lineOf(open) == f.lineOf(close) || !f.restIsComment(open+1) || !f.onlySpaceBefore(close) {
		return false
	}
	for _, el := range tup.Exprs {
		er := el.Range()
		if !f.aloneOnLines(er.Start.Byte, er.End.Byte) {
			return false
		}
	}
	return true
}

// renderString edits a string literal. JSON documents keep their style:
// a heredoc gets pretty-printed JSON, a quoted string compact JSON; key
// order follows the old document where keys remain.
func (e *engine) renderString(t target, x *hclsyntax.TemplateExpr, cur string, act any) (string, bool, error) {
	s, ok := act.(string)
	if !ok {
		return e.renderNew(t, act)
	}
	src := t.f.text(x.SrcRange)
	curDoc, curJSON := jsonDoc(cur)
	actDoc, actJSON := jsonDoc(s)
	if curJSON && actJSON && equal(plain(curDoc), plain(actDoc)) {
		return "", false, nil
	}
	if !strings.HasPrefix(src, "<<") {
		if curJSON && actJSON {
			out, err := writeJSON(mergeOrdered(curDoc, plain(actDoc)), jsonStyle{spaced: strings.Contains(cur, ": ")})
			if err != nil {
				return "", false, t.w.refuse(t.f, x.SrcRange, err.Error())
			}
			return quoteString(out), true, nil
		}
		return quoteString(s), true, nil
	}
	h, ok := parseHeredoc(src)
	if !ok {
		return quoteString(s), true, nil
	}
	var content string
	if curJSON && actJSON {
		unit, _ := jsonIndent(cur)
		out, err := writeJSON(mergeOrdered(curDoc, plain(actDoc)), jsonStyle{pretty: true, unit: unit})
		if err != nil {
			return "", false, t.w.refuse(t.f, x.SrcRange, err.Error())
		}
		// The source's own indentation of the document, which for <<- is
		// not part of the value.
		content = prefixLines(out, h.prefix) + "\n"
	} else {
		if !strings.HasSuffix(s, "\n") || heredocClash(s, h.marker) || (h.dash && minIndent(s) > 0) {
			// A heredoc always ends in a newline, cannot contain its own
			// marker line, and <<- would strip indentation the value has.
			return quoteString(s), true, nil
		}
		content = s
		if h.dash {
			content = prefixLines(strings.TrimSuffix(s, "\n"), h.prefix) + "\n"
		}
	}
	content = escapeTemplate(content)
	return h.opener + content + h.closer, true, nil
}

type heredoc struct {
	opener string // "<<EOF\n" or "<<-EOF\n"
	closer string // the closing marker line, with its indentation
	marker string
	dash   bool
	prefix string // common indentation of the content (for <<-)
}

func parseHeredoc(src string) (heredoc, bool) {
	nl := strings.IndexByte(src, '\n')
	last := strings.LastIndexByte(src, '\n')
	if nl < 0 || last < nl {
		return heredoc{}, false
	}
	h := heredoc{opener: src[:nl+1], closer: src[last+1:]}
	m := strings.TrimPrefix(strings.TrimSpace(src[:nl]), "<<")
	if strings.HasPrefix(m, "-") {
		h.dash = true
		m = m[1:]
	}
	h.marker = m
	body := src[nl+1 : last+1]
	h.prefix = strings.Repeat(" ", minIndent(body))
	return h, true
}

func heredocClash(s, marker string) bool {
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) == marker {
			return true
		}
	}
	return false
}

// minIndent is the smallest indentation of the non-blank lines (spaces).
func minIndent(s string) int {
	min := -1
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if min < 0 || n < min {
			min = n
		}
	}
	if min < 0 {
		return 0
	}
	return min
}

// jsonIndent detects a pretty-printed document's indentation unit and the
// indentation common to all its lines.
func jsonIndent(doc string) (unit, prefix string) {
	common := minIndent(doc)
	step := 0
	for _, l := range strings.Split(doc, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " ")) - common
		if n > 0 && (step == 0 || n < step) {
			step = n
		}
	}
	if step == 0 {
		step = 2
	}
	return strings.Repeat(" ", step), strings.Repeat(" ", common)
}

func prefixLines(s, prefix string) string {
	if prefix == "" {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// escapeTemplate doubles template introducers: heredocs are templates.
func escapeTemplate(s string) string {
	s = strings.ReplaceAll(s, "${", "$${")
	return strings.ReplaceAll(s, "%{", "%%{")
}

// renderJSONEncode regenerates the object inside jsonencode(...) from the
// cloud's JSON document, editing only what changed.
func (e *engine) renderJSONEncode(tx *tx, t target, call *hclsyntax.FunctionCallExpr, exp any, hasExp bool, act any) (string, bool, error) {
	s, ok := act.(string)
	if !ok {
		return e.renderNew(t, act)
	}
	actV, err := decodeJSON([]byte(s))
	if err != nil {
		// The cloud holds something that is not JSON: write it as is.
		return e.renderNew(t, act)
	}
	arg := call.Args[0]
	var expV any
	hasE := false
	if v, ok := literalValue(arg); ok {
		expV, hasE = v, true
	} else if es, ok := exp.(string); ok && hasExp {
		if v, err := decodeJSON([]byte(es)); err == nil {
			expV, hasE = v, true
		}
	}
	if hasE && equal(expV, actV) {
		return "", false, nil
	}
	txt, ch, err := e.render(tx, t.child(arg), expV, hasE, actV)
	if err != nil || !ch {
		return "", false, err
	}
	r, ar := call.Range(), arg.Range()
	return t.f.rewrite(r.Start.Byte, r.End.Byte, []rep{{ar.Start.Byte, ar.End.Byte, txt}}), true, nil
}

// removeAttr deletes an attribute's lines (and its comment lines above).
func (e *engine) removeAttr(tx *tx, t target, a *hclsyntax.Attribute) error {
	r := a.SrcRange
	if !t.f.aloneOnLines(r.Start.Byte, r.End.Byte) {
		return t.w.refuse(t.f, r, "the attribute shares its line with other code, so tfdrift cannot remove it cleanly")
	}
	s, end := t.f.removalRange(r.Start.Byte, r.End.Byte, false)
	t.expr = a.Expr
	what := "removed " + a.Name + ", which the cloud does not set"
	if cur, ok := literalValue(a.Expr); ok {
		what = "removed " + a.Name + " = " + short(cur) + ", which the cloud does not set"
	}
	return tx.splice(t, edit{start: s, end: end, at: a.Expr.Range(), what: what})
}

// insertAttr adds "name = value" to a block body, after its last
// attribute (or first thing in the body).
func (e *engine) insertAttr(tx *tx, t target, blk *hclsyntax.Block, name string, act any) error {
	var last *hclsyntax.Attribute
	for _, a := range blk.Body.Attributes {
		if last == nil || a.SrcRange.End.Byte > last.SrcRange.End.Byte {
			last = a
		}
	}
	var pos int
	var ind string
	switch {
	case last != nil:
		if !t.f.aloneOnLines(last.SrcRange.Start.Byte, last.SrcRange.End.Byte) {
			return t.w.refuse(t.f, last.SrcRange, "the block's layout (several items on a line) leaves no clean place to add "+name)
		}
		pos, ind = t.f.lineEnd(last.SrcRange.End.Byte), t.f.indentAt(last.SrcRange.Start.Byte)
	default:
		open := blk.OpenBraceRange.Start.Byte
		if t.f.lineOf(open) == t.f.lineOf(blk.CloseBraceRange.Start.Byte) || !t.f.restIsComment(open+1) {
			return t.w.refuse(t.f, blk.OpenBraceRange, "the block is written on one line, which leaves no clean place to add "+name)
		}
		pos, ind = t.f.lineEnd(open), t.f.indentAt(blk.TypeRange.Start.Byte)+"  "
	}
	if !hclsyntax.ValidIdentifier(name) {
		return t.w.refuse(t.f, blk.TypeRange, fmt.Sprintf("%q is not a valid attribute name", name))
	}
	text, err := hclText(act)
	if err != nil {
		return t.w.refuse(t.f, blk.TypeRange, "the cloud value cannot be written in HCL: "+err.Error())
	}
	line := ind + name + " = " + indent(text, ind) + "\n"
	if pos == len(t.f.src) && len(t.f.src) > 0 && t.f.src[pos-1] != '\n' {
		line = "\n" + line
	}
	t.expr = nil
	return tx.splice(t, edit{start: pos, end: pos, text: line, insert: true,
		at:   hcl.RangeBetween(blk.TypeRange, blk.OpenBraceRange),
		what: fmt.Sprintf("added %s = %s", name, short(act))})
}

// rangeOf is a byte range in hcl form, for messages.
func rangeOf(start, end int) hcl.Range {
	return hcl.Range{Start: hcl.Pos{Byte: start}, End: hcl.Pos{Byte: end}}
}

func allScalars(l []any) bool {
	for _, x := range l {
		switch x.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}
