package ignore

// match reports whether p matches a prefix of s (so nested attribute paths
// and everything under an ignored resource or module are covered).
func (p *pattern) match(s []stok) bool {
	m := matcher{p: p.toks, s: s}
	if p.stars > 1 {
		// Memoise failed (pi, si) states; at most len(p)*len(s) of them.
		m.seen = make([]bool, (len(p.toks)+1)*(len(s)+1))
	}
	return m.at(0, 0)
}

type matcher struct {
	p    []ptok
	s    []stok
	seen []bool // nil unless memoising
}

func (m *matcher) at(pi, si int) bool {
	if m.seen != nil {
		idx := pi*(len(m.s)+1) + si
		if m.seen[idx] {
			return false
		}
		if m.try(pi, si) {
			return true
		}
		m.seen[idx] = true
		return false
	}
	return m.try(pi, si)
}

func (m *matcher) try(pi, si int) bool {
	if pi == len(m.p) {
		// The pattern is used up: whatever is left of the subject lies
		// under what was matched (an attribute's nested path, the
		// instances of a keyless name, a resource's attributes).
		return true
	}
	t := m.p[pi]
	if si == len(m.s) {
		// Only '**' can match nothing.
		return t.doubleStar && m.at(pi+1, si)
	}
	if t.doubleStar {
		for k := si; k <= len(m.s); k++ {
			if m.at(pi+1, k) {
				return true
			}
		}
		return false
	}
	st := m.s[si]
	if t.key {
		// A key names an instance (web[0]) or, inside an attribute path,
		// a map key or list index (tags["Owner"]). It never applies to
		// the resource name as if it were an attribute step.
		ok := st.kind == kKey || (st.kind == kAttr && si > 0 && m.s[si-1].kind == kAttr)
		return ok && t.matches(st.text) && m.at(pi+1, si+1)
	}
	switch st.kind {
	case kModule, kData:
		// Keywords only match themselves, so '*' cannot turn "*.*" into
		// "every module". A lone '*' may still stand for a whole data
		// resource.
		if t.star && st.kind == kData && m.at(pi+1, resourceEnd(m.s, si)) {
			return true
		}
		return t.literal && t.text == st.text && m.at(pi+1, si+1)
	case kKey:
		return false
	}
	if t.star && st.kind == kType && m.at(pi+1, resourceEnd(m.s, si)) {
		return true
	}
	if !t.matches(st.text) {
		return false
	}
	next := si + 1
	if next < len(m.s) && m.s[next].kind == kKey && !(pi+1 < len(m.p) && m.p[pi+1].key) {
		// A name without a key matches every instance.
		for next < len(m.s) && m.s[next].kind == kKey {
			next++
		}
	}
	return m.at(pi+1, next)
}
