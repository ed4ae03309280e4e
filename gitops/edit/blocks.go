package edit

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// blockVal is what a nested block's literal attributes say about it.
type blockVal struct {
	known   map[string]any
	unknown []string // attributes written as expressions
}

func nestedValue(b *hclsyntax.Block) blockVal {
	v := blockVal{known: map[string]any{}}
	for name, a := range b.Body.Attributes {
		if x, ok := literalValue(a.Expr); ok {
			v.known[name] = x
		} else {
			v.unknown = append(v.unknown, name)
		}
	}
	sort.Strings(v.unknown)
	return v
}

// objList reads a nested-block value: a list of objects (a single object
// and null are accepted too).
func objList(v any) ([]map[string]any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, true
	case map[string]any:
		return []map[string]any{x}, true
	case []any:
		out := make([]map[string]any, 0, len(x))
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			out = append(out, m)
		}
		return out, true
	}
	return nil, false
}

func isObjList(v any) bool {
	l, ok := v.([]any)
	if !ok || len(l) == 0 {
		return false
	}
	_, ok = objList(v)
	return ok
}

// same compares attribute values treating null and the empty/false/zero
// defaults as equal: state records an unset optional list as [], the code
// leaves it out.
func same(a, b any) bool {
	return equal(a, b) || (isDefault(a) && isDefault(b))
}

// declaredMatch: every literal attribute of the block has obj's value.
func declaredMatch(v blockVal, obj map[string]any) bool {
	for k, x := range v.known {
		if !same(x, obj[k]) {
			return false
		}
	}
	return true
}

// looseMatch: the block, read with defaults for what it leaves out,
// equals obj.
func looseMatch(v blockVal, obj map[string]any) bool {
	if len(v.unknown) > 0 || !declaredMatch(v, obj) {
		return false
	}
	for k, x := range obj {
		if _, ok := v.known[k]; !ok && !isDefault(x) {
			return false
		}
	}
	return true
}

func objEqual(a, b map[string]any) bool {
	for k, x := range a {
		if !same(x, b[k]) {
			return false
		}
	}
	for k, x := range b {
		if _, ok := a[k]; !ok && !isDefault(x) {
			return false
		}
	}
	return true
}

// similarity counts the attributes two rule objects share with a
// non-default value.
func similarity(a, b map[string]any) (score, size int) {
	keys := map[string]bool{}
	for k, x := range a {
		if !isDefault(x) {
			keys[k] = true
		}
	}
	for k, x := range b {
		if !isDefault(x) {
			keys[k] = true
		}
	}
	for k := range keys {
		if equal(a[k], b[k]) {
			score++
		}
	}
	return score, len(keys)
}

// editBlocks makes the nested blocks of one type (ingress, egress, ...)
// produce act, a list of objects. Blocks are matched to the cloud's
// objects by content, as a set (security group rules are one): unchanged
// blocks stay byte-identical, changed ones are edited in place, blocks the
// cloud no longer has are removed and new objects become new blocks after
// the last block of the type.
func (e *engine) editBlocks(tx *tx, w walk, sc *scope, f *srcFile, parent *hclsyntax.Block, name string, exp any, hasExp bool, act any) error {
	var blocks []*hclsyntax.Block
	for _, b := range parent.Body.Blocks {
		if b.Type == name {
			blocks = append(blocks, b)
		}
	}
	base := target{w: w, sc: sc, f: f}
	actL, ok := objList(act)
	if !ok {
		return w.refuse(f, parent.TypeRange, fmt.Sprintf("the cloud value of %s is not a list of objects, which nested %s blocks need", name, name))
	}
	vals := make([]blockVal, len(blocks))
	for i, b := range blocks {
		vals[i] = nestedValue(b)
	}
	// What each block produced before: its state object when the blocks
	// can be matched to state, else its literals with defaults.
	expFor := make([]map[string]any, len(blocks))
	loose := make([]bool, len(blocks))
	expL, _ := objList(exp)
	if !hasExp {
		expL = nil
	}
	used := make([]bool, len(expL))
	for i, b := range blocks {
		for j, o := range expL {
			if !used[j] && declaredMatch(vals[i], o) {
				used[j], expFor[i] = true, o
				break
			}
		}
		if expFor[i] != nil {
			continue
		}
		// State does not say what this block produced (or describes
		// other code): read it from its literals, with defaults for what
		// it leaves out.
		if len(vals[i].unknown) > 0 {
			return w.refuse(f, b.TypeRange, fmt.Sprintf("this %s block sets %s with expressions and the state value does not say what they were, so tfdrift cannot match it to the cloud's rules", name, strings.Join(vals[i].unknown, ", ")))
		}
		expFor[i], loose[i] = vals[i].known, true
	}
	pair := make([]int, len(blocks))
	actUsed := make([]bool, len(actL))
	unchanged := make([]bool, len(blocks))
	for i := range blocks {
		pair[i] = -1
		for j, a := range actL {
			if actUsed[j] {
				continue
			}
			if (loose[i] && looseMatch(vals[i], a)) || (!loose[i] && objEqual(expFor[i], a)) {
				pair[i], actUsed[j], unchanged[i] = j, true, true
				break
			}
		}
	}
	// Pair the rest by similarity: a rule whose CIDR changed is the same
	// rule edited, not one removed and another added.
	for {
		bi, bj, best := -1, -1, 0
		for i := range blocks {
			if pair[i] >= 0 {
				continue
			}
			for j, a := range actL {
				if actUsed[j] {
					continue
				}
				score, size := similarity(expFor[i], a)
				if score > best && 2*score >= size {
					bi, bj, best = i, j, score
				}
			}
		}
		if bi < 0 {
			break
		}
		pair[bi], actUsed[bj] = bj, true
	}
	for i, b := range blocks {
		switch {
		case unchanged[i]:
		case pair[i] >= 0:
			if err := e.editBlock(tx, base, b, vals[i], expFor[i], loose[i], actL[pair[i]]); err != nil {
				return err
			}
		default:
			r := b.Range()
			s, end := f.removalRange(r.Start.Byte, r.End.Byte, true)
			ed := edit{start: s, end: end, at: hcl.RangeBetween(b.TypeRange, b.OpenBraceRange),
				what: fmt.Sprintf("removed %s block %s, which the cloud no longer has", name, compactObject(expFor[i]))}
			if err := tx.splice(base, ed); err != nil {
				return err
			}
		}
	}
	var added []map[string]any
	for j, a := range actL {
		if !actUsed[j] {
			added = append(added, a)
		}
	}
	if len(added) == 0 {
		return nil
	}
	var pos int
	var ind string
	if n := len(blocks); n > 0 {
		last := blocks[n-1]
		pos, ind = f.lineEnd(last.CloseBraceRange.End.Byte), f.indentAt(last.TypeRange.Start.Byte)
	} else {
		cl := parent.CloseBraceRange.Start.Byte
		if f.lineOf(parent.OpenBraceRange.Start.Byte) == f.lineOf(cl) || !f.onlySpaceBefore(cl) {
			return w.refuse(f, parent.TypeRange, "the block is written on one line, which leaves no clean place to add "+name+" blocks")
		}
		pos, ind = f.lineStart(cl), f.indentAt(parent.TypeRange.Start.Byte)+"  "
	}
	var sb strings.Builder
	for _, a := range added {
		text, err := blockText(name, a)
		if err != nil {
			return w.refuse(f, parent.TypeRange, "the cloud value cannot be written in HCL: "+err.Error())
		}
		sb.WriteString("\n" + ind + indent(text, ind) + "\n")
	}
	var objs []string
	for _, a := range added {
		objs = append(objs, compactObject(a))
	}
	return tx.splice(base, edit{start: pos, end: pos, text: sb.String(), insert: true,
		at:   hcl.RangeBetween(parent.TypeRange, parent.OpenBraceRange),
		what: fmt.Sprintf("added %s block %s", name, strings.Join(objs, ", "))})
}

// editBlock edits one nested block in place to produce act.
func (e *engine) editBlock(tx *tx, base target, b *hclsyntax.Block, v blockVal, exp map[string]any, loose bool, act map[string]any) error {
	f := base.f
	// Notes name the block by its rule when it has one ("block 80/tcp").
	label := ""
	if n := ruleName(exp); n != "" {
		label = "block " + n
	}
	base.label = label
	names := make([]string, 0, len(b.Body.Attributes))
	for n := range b.Body.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := b.Body.Attributes[n]
		av := act[n]
		cur, known := v.known[n]
		if !known {
			cur = exp[n]
		}
		if same(cur, av) {
			continue
		}
		if isDefault(av) {
			if err := e.removeAttr(tx, base, a); err != nil {
				return err
			}
			continue
		}
		t := base.child(a.Expr)
		t.label = strings.TrimSpace(label + " " + n)
		if err := e.apply(tx, t, cur, true, av); err != nil {
			return err
		}
	}
	subTypes := map[string]bool{}
	for _, sb := range b.Body.Blocks {
		if sb.Type == "dynamic" {
			return base.w.refuse(f, sb.TypeRange, "the block has a dynamic block inside, which tfdrift cannot edit")
		}
		subTypes[sb.Type] = true
	}
	for _, st := range sortKeys(keysOf(subTypes)) {
		if err := e.editBlocks(tx, base.w, base.sc, f, b, st, exp[st], exp != nil, act[st]); err != nil {
			return err
		}
	}
	for _, k := range mapKeys(act) {
		if _, ok := b.Body.Attributes[k]; ok || subTypes[k] {
			continue
		}
		av := act[k]
		if isDefault(av) || (!loose && same(exp[k], av)) {
			continue
		}
		if isObjList(av) {
			if err := e.editBlocks(tx, base.w, base.sc, f, b, k, nil, false, av); err != nil {
				return err
			}
			continue
		}
		if err := e.insertAttr(tx, base, b, k, av); err != nil {
			return err
		}
	}
	return nil
}

func keysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// blockText writes a new nested block with the attributes that are not
// defaults (empty lists, false, "" are what the provider assumes when
// they are left out), laid out by hclwrite.Format at column 0.
func blockText(name string, obj map[string]any) (string, error) {
	var sb strings.Builder
	if err := writeBlock(&sb, name, obj); err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(hclwrite.Format([]byte(sb.String()))), "\n"), nil
}

func writeBlock(sb *strings.Builder, name string, obj map[string]any) error {
	if !hclsyntax.ValidIdentifier(name) {
		return fmt.Errorf("%q is not a valid block type", name)
	}
	sb.WriteString(name + " {\n")
	var nested []string
	for _, k := range mapKeys(obj) {
		v := obj[k]
		if isDefault(v) {
			continue
		}
		if isObjList(v) {
			nested = append(nested, k)
			continue
		}
		if !hclsyntax.ValidIdentifier(k) {
			return fmt.Errorf("%q is not a valid attribute name", k)
		}
		text, err := hclText(v)
		if err != nil {
			return err
		}
		sb.WriteString(k + " = " + text + "\n")
	}
	for _, k := range nested {
		l, _ := objList(obj[k])
		for _, m := range l {
			sb.WriteString("\n")
			if err := writeBlock(sb, k, m); err != nil {
				return err
			}
		}
	}
	sb.WriteString("}\n")
	return nil
}

// ruleName names a nested block in notes by its ports and protocol when
// it has them (security group rules), else by its description.
func ruleName(obj map[string]any) string {
	fp, ok1 := obj["from_port"]
	tp, ok2 := obj["to_port"]
	if ok1 && ok2 {
		proto, _ := obj["protocol"].(string)
		if equal(fp, tp) {
			return fmt.Sprintf("%v/%s", fp, proto)
		}
		return fmt.Sprintf("%v-%v/%s", fp, tp, proto)
	}
	if d, ok := obj["description"].(string); ok && d != "" {
		return strconv.Quote(d)
	}
	return ""
}
