package falcorules

import (
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// This file holds a small evaluator for the subset of Falco's rule language
// the generator emits (and, or, not, parentheses, macros, lists, =, in,
// startswith, endswith, exists), so the tests check what the rules match
// rather than how they are spelled. Anything outside the subset fails the
// parse, so a generator change that emits new syntax must extend this
// evaluator knowingly.

// falcoItem is one top-level element of a Falco rules file.
type falcoItem struct {
	RequiredEngineVersion  any            `yaml:"required_engine_version"`
	RequiredPluginVersions []pluginReq    `yaml:"required_plugin_versions"`
	Macro                  string         `yaml:"macro"`
	List                   string         `yaml:"list"`
	Items                  []string       `yaml:"items"`
	Rule                   string         `yaml:"rule"`
	Desc                   string         `yaml:"desc"`
	Condition              string         `yaml:"condition"`
	Output                 string         `yaml:"output"`
	Priority               string         `yaml:"priority"`
	Source                 string         `yaml:"source"`
	Tags                   []string       `yaml:"tags"`
	Extra                  map[string]any `yaml:",inline"`
}

type pluginReq struct {
	Name    string `yaml:"name"`
	Version string `yaml:"version"`
}

// falcoRules is a parsed rules file with conditions compiled.
type falcoRules struct {
	items  []falcoItem
	lists  map[string][]string
	macros map[string]cond
	rules  []compiledRule
}

type compiledRule struct {
	name, source string
	cond         cond
	item         falcoItem
}

// event is a Falco event as the rules see it: field values, absent fields
// missing from the map.
type event map[string]string

func parseFalcoRules(t *testing.T, data []byte) *falcoRules {
	t.Helper()
	var items []falcoItem
	if err := yaml.Unmarshal(data, &items); err != nil {
		t.Fatalf("rules are not a YAML list of Falco items: %v", err)
	}
	fr := &falcoRules{items: items, lists: map[string][]string{}, macros: map[string]cond{}}
	for i, it := range items {
		if len(it.Extra) > 0 {
			t.Fatalf("item %d has keys Falco rules do not use here: %v", i, it.Extra)
		}
		switch {
		case it.List != "":
			if _, dup := fr.lists[it.List]; dup {
				t.Fatalf("list %s defined twice", it.List)
			}
			fr.lists[it.List] = it.Items
		case it.Macro != "":
			c, err := fr.compile(it.Condition)
			if err != nil {
				t.Fatalf("macro %s: %v", it.Macro, err)
			}
			fr.macros[it.Macro] = c
		case it.Rule != "":
			c, err := fr.compile(it.Condition)
			if err != nil {
				t.Fatalf("rule %q: %v", it.Rule, err)
			}
			fr.rules = append(fr.rules, compiledRule{name: it.Rule, source: it.Source, cond: c, item: it})
		}
	}
	return fr
}

// matching returns the rules of source that match ev.
func (fr *falcoRules) matching(source string, ev event) []string {
	var out []string
	for _, r := range fr.rules {
		if r.source == source && r.cond(ev) {
			out = append(out, r.name)
		}
	}
	return out
}

type cond func(event) bool

// compile parses a condition. Lists and macros must be defined before use,
// as Falco requires.
func (fr *falcoRules) compile(s string) (cond, error) {
	p := &condParser{toks: tokenize(s), fr: fr}
	c, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q in %q", p.toks[p.pos], s)
	}
	return c, nil
}

func tokenize(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\n' || c == '\t':
			i++
		case c == '(' || c == ')' || c == ',' || c == '=':
			toks = append(toks, string(c))
			i++
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				j++
			}
			toks = append(toks, s[i:j+1])
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \n\t(),=\"", rune(s[j])) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks
}

type condParser struct {
	toks []string
	pos  int
	fr   *falcoRules
}

func (p *condParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *condParser) next() string { t := p.peek(); p.pos++; return t }

func (p *condParser) or() (cond, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peek() == "or" {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(e event) bool { return a(e) || b(e) }
	}
	return l, nil
}

func (p *condParser) and() (cond, error) {
	l, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.peek() == "and" {
		p.next()
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(e event) bool { return a(e) && b(e) }
	}
	return l, nil
}

func (p *condParser) not() (cond, error) {
	if p.peek() == "not" {
		p.next()
		c, err := p.not()
		if err != nil {
			return nil, err
		}
		return func(e event) bool { return !c(e) }, nil
	}
	return p.primary()
}

func (p *condParser) primary() (cond, error) {
	tok := p.next()
	if tok == "(" {
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.next() != ")" {
			return nil, fmt.Errorf("missing )")
		}
		return c, nil
	}
	if tok == "" || strings.HasPrefix(tok, "\"") {
		return nil, fmt.Errorf("expected a field or macro, got %q", tok)
	}
	field := tok
	switch op := p.peek(); op {
	case "=", "startswith", "endswith":
		p.next()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		return func(e event) bool {
			got, ok := e[field]
			if !ok {
				return false
			}
			switch op {
			case "=":
				return got == v
			case "startswith":
				return strings.HasPrefix(got, v)
			default:
				return strings.HasSuffix(got, v)
			}
		}, nil
	case "exists":
		p.next()
		return func(e event) bool { _, ok := e[field]; return ok }, nil
	case "in":
		p.next()
		if p.next() != "(" {
			return nil, fmt.Errorf("in without (")
		}
		set := map[string]bool{}
		for {
			t := p.next()
			if t == ")" {
				break
			}
			if t == "," {
				continue
			}
			if t == "" {
				return nil, fmt.Errorf("unterminated in (...)")
			}
			if items, ok := p.fr.lists[t]; ok {
				for _, it := range items {
					set[it] = true
				}
				continue
			}
			set[strings.Trim(t, "\"")] = true
		}
		return func(e event) bool {
			got, ok := e[field]
			return ok && set[got]
		}, nil
	}
	m, ok := p.fr.macros[field]
	if !ok {
		return nil, fmt.Errorf("%q is neither a comparison nor a macro defined earlier", field)
	}
	return m, nil
}

func (p *condParser) value() (string, error) {
	t := p.next()
	if t == "" || t == "(" || t == ")" {
		return "", fmt.Errorf("expected a value, got %q", t)
	}
	return strings.Trim(t, "\""), nil
}
