package config

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decoder walks a yaml.Node tree into the raw structs of raw.go. It does
// what yaml.v3's own decoder does not: it reports every problem instead of
// the first, names each by file, line and key path, reports a repeated key
// with both lines, suggests the key that was probably meant, and expands
// ${ENV} references in scalar values before they are converted.
type decoder struct {
	file            string
	lookup          func(string) (string, bool)
	allowMissingEnv bool

	problems []Problem
	warnings []Problem
	// at holds the position of every key and list item decoded, by path,
	// so the validation stage can name lines without holding nodes.
	at map[string]position
	// secrets maps expanded environment values to their variable names;
	// every message is scrubbed of them before it leaves the package.
	secrets map[string]string
	// bad holds the paths whose values could not be decoded; validation
	// does not pile "missing" on top of the type error.
	bad map[string]bool
	// budget caps the nodes visited, so an alias bomb ("billion laughs")
	// ends in an error instead of exhausting memory.
	budget    int
	exhausted bool
}

// position is where a key (or list item) and its value sit in the file.
type position struct {
	line, col int // the key, or the list item
	valLine   int
	style     yaml.Style
	// missingEnv is set when the value referred to an unset variable and
	// AllowMissingEnv turned that into a warning; checks on the value are
	// skipped, since it is not known.
	missingEnv bool
}

const nodeBudget = 200_000

func newDecoder(file string, o options) *decoder {
	return &decoder{
		file:            file,
		lookup:          o.lookup,
		allowMissingEnv: o.allowMissingEnv,
		at:              make(map[string]position),
		bad:             make(map[string]bool),
		budget:          nodeBudget,
	}
}

// nodeDecoder is implemented by raw types that accept more than one YAML
// shape (a string or a list of strings).
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node, path string)
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func indexPath(parent string, i int) string { return parent + "[" + strconv.Itoa(i) + "]" }

// parentPath strips the last ".key" or "[i]" from a path.
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// pos returns the position of path, or of its nearest recorded ancestor:
// a missing key is reported at the block that should hold it.
func (d *decoder) pos(path string) position {
	for p := path; ; p = parentPath(p) {
		if at, ok := d.at[p]; ok {
			return at
		}
		if p == "" {
			return position{}
		}
	}
}

func (d *decoder) errAt(path, format string, args ...any) {
	at := d.pos(path)
	d.problems = append(d.problems, Problem{File: d.file, Line: at.line, Column: at.col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) warnAt(path, format string, args ...any) {
	at := d.pos(path)
	d.warnings = append(d.warnings, Problem{File: d.file, Line: at.line, Column: at.col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) errNode(n *yaml.Node, path, format string, args ...any) {
	d.bad[path] = true
	d.problems = append(d.problems, Problem{File: d.file, Line: n.Line, Column: n.Column, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) record(path string, key, val *yaml.Node) {
	val = d.resolve(val)
	at := position{line: key.Line, col: key.Column}
	if val != nil {
		at.valLine, at.style = val.Line, val.Style
	}
	d.at[path] = at
}

// has reports whether the file sets path (even to null).
func (d *decoder) has(path string) bool {
	_, ok := d.at[path]
	return ok
}

// unknownValue reports whether path's value came from an unset variable
// (allowed by AllowMissingEnv), so checks on it must be skipped.
func (d *decoder) unknownValue(path string) bool { return d.at[path].missingEnv }

// unchecked reports whether path's value must not be checked further: it
// came from an unset variable or already failed to decode.
func (d *decoder) unchecked(path string) bool { return d.at[path].missingEnv || d.bad[path] }

// resolve follows aliases to the node they name.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > 100 {
			return nil
		}
		n = n.Alias
	}
	return n
}

func (d *decoder) spend() bool {
	if d.exhausted {
		return false
	}
	d.budget--
	if d.budget < 0 {
		d.exhausted = true
		d.problems = append(d.problems, Problem{File: d.file, Msg: fmt.Sprintf("the document expands to more than %d values (aliases nested too deep?)", nodeBudget)})
		return false
	}
	return true
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// describe names a node's shape for type errors.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "true/false"
		case "!!null":
			return "null"
		}
		return "a string"
	}
	return "something else"
}

// decode fills v from n. path names n in messages.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n = d.resolve(n)
	if n == nil || !d.spend() {
		return
	}
	if v.CanAddr() {
		if nd, ok := v.Addr().Interface().(nodeDecoder); ok {
			nd.decodeNode(d, n, path)
			return
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.MappingNode {
			d.errNode(n, path, "expected a mapping of keys, got %s", describe(n))
			return
		}
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.errNode(n, path, "expected a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			p := indexPath(path, i)
			d.record(p, item, item)
			d.decode(item, s.Index(i), p)
		}
		v.Set(s)
	case reflect.Map:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.MappingNode {
			d.errNode(n, path, "expected a mapping, got %s", describe(n))
			return
		}
		m := reflect.MakeMap(v.Type())
		for _, p := range d.pairs(n, path) {
			kp := joinPath(path, p.key.Value)
			d.record(kp, p.key, p.val)
			elem := reflect.New(v.Type().Elem()).Elem()
			d.decode(p.val, elem, kp)
			m.SetMapIndex(reflect.ValueOf(p.key.Value), elem)
		}
		v.Set(m)
	case reflect.String:
		if s, ok := d.scalar(n, path, "a string"); ok {
			v.SetString(s.value)
		}
	case reflect.Bool:
		s, ok := d.scalar(n, path, "true or false")
		if !ok || s.null || d.unknownValue(path) {
			return
		}
		switch strings.ToLower(strings.TrimSpace(s.value)) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			d.errNode(n, path, "expected true or false, got %s", s.show())
		}
	case reflect.Int:
		s, ok := d.scalar(n, path, "a whole number")
		if !ok || s.null || d.unknownValue(path) {
			return
		}
		i, err := strconv.Atoi(strings.TrimSpace(s.value))
		if err != nil {
			d.errNode(n, path, "expected a whole number, got %s", s.show())
			return
		}
		v.SetInt(int64(i))
	case reflect.Interface:
		d.decodeAny(n, v, path)
	default:
		// Only reachable if raw.go grows a field of a new kind.
		d.errNode(n, path, "internal error: cannot decode into %s", v.Type())
	}
}

type pair struct{ key, val *yaml.Node }

// pairs returns a mapping's entries, reporting repeated keys (and keeping
// the first) and applying YAML merge keys ("<<: *defaults"), whose entries
// give way to keys written out.
func (d *decoder) pairs(n *yaml.Node, path string) []pair {
	var out, merged []pair
	first := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := d.resolve(n.Content[i]), n.Content[i+1]
		if k == nil || k.Kind != yaml.ScalarNode {
			d.errNode(n.Content[i], path, "keys must be plain strings")
			continue
		}
		if k.Tag == "!!merge" {
			merged = append(merged, d.mergePairs(val, path)...)
			continue
		}
		if prev, dup := first[k.Value]; dup {
			d.duplicate(k, prev, joinPath(path, k.Value))
			continue
		}
		first[k.Value] = k
		out = append(out, pair{k, val})
	}
	for _, m := range merged {
		if _, ok := first[m.key.Value]; !ok {
			first[m.key.Value] = m.key
			out = append(out, m)
		}
	}
	return out
}

func (d *decoder) mergePairs(val *yaml.Node, path string) []pair {
	val = d.resolve(val)
	if val == nil || !d.spend() {
		return nil
	}
	switch val.Kind {
	case yaml.MappingNode:
		return d.pairs(val, path)
	case yaml.SequenceNode:
		// Earlier mappings win, as in YAML's merge-key spec.
		var out []pair
		seen := map[string]bool{}
		for _, item := range val.Content {
			for _, p := range d.mergePairs(item, path) {
				if !seen[p.key.Value] {
					seen[p.key.Value] = true
					out = append(out, p)
				}
			}
		}
		return out
	}
	d.errNode(val, path, "<< must merge a mapping or a list of mappings, got %s", describe(val))
	return nil
}

// duplicate reports a key written twice in one mapping. yaml.v3 would
// stop at the first; a config may repeat "webhook:" meaning two
// webhooks, so that case gets the fix in the message.
func (d *decoder) duplicate(k, prev *yaml.Node, path string) {
	msg := fmt.Sprintf("%s is defined twice (first at line %d)", path, prev.Line)
	if path == "notifications.webhook" {
		msg += `; use "webhooks:" with a list to configure several webhooks`
	}
	d.errNode(k, path, "%s", msg)
}

// decodeStruct fills a raw struct; its keys are the fields' yaml tags.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	fields := fieldsOf(v.Type())
	for _, p := range d.pairs(n, path) {
		kp := joinPath(path, p.key.Value)
		i, ok := fields.index[p.key.Value]
		if !ok {
			d.errNode(p.key, kp, "%s", unknownKeyMessage(p.key.Value, fields.names))
			continue
		}
		d.record(kp, p.key, p.val)
		d.decode(p.val, v.Field(i), kp)
	}
}

type structFields struct {
	index map[string]int
	names []string // sorted, for suggestions
}

func fieldsOf(t reflect.Type) structFields {
	f := structFields{index: make(map[string]int, t.NumField())}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		f.index[name] = i
		f.names = append(f.names, name)
	}
	sort.Strings(f.names)
	return f
}

// scalarValue is a scalar after ${ENV} expansion.
type scalarValue struct {
	value string
	raw   string // as written, before expansion
	env   bool   // expansion happened
	null  bool
}

// show renders the value for a type error. A value that came from the
// environment is shown as written ("${PORT}"), never expanded: it may be
// a secret.
func (s scalarValue) show() string {
	if s.env {
		return fmt.Sprintf("%q (after expanding variables)", s.raw)
	}
	return fmt.Sprintf("%q", truncate(s.value, 60))
}

// scalar checks that n is a scalar and expands variables in it.
func (d *decoder) scalar(n *yaml.Node, path, want string) (scalarValue, bool) {
	if n.Kind != yaml.ScalarNode {
		d.errNode(n, path, "expected %s, got %s", want, describe(n))
		return scalarValue{}, false
	}
	if isNull(n) {
		return scalarValue{null: true}, true
	}
	e, err := expand(n.Value, d.lookup)
	if err != nil {
		d.errNode(n, path, "%v", err)
		return scalarValue{}, false
	}
	for v, name := range e.secrets {
		if d.secrets == nil {
			d.secrets = make(map[string]string)
		}
		d.secrets[v] = name
	}
	for _, name := range e.missing {
		msg := fmt.Sprintf("environment variable %s is not set (give a default with ${%s:-value})", name, name)
		if d.allowMissingEnv {
			d.warnings = append(d.warnings, Problem{File: d.file, Line: n.Line, Column: n.Column, Path: path, Msg: msg})
			at := d.at[path]
			at.missingEnv = true
			d.at[path] = at
		} else {
			d.errNode(n, path, "%s", msg)
		}
	}
	return scalarValue{value: e.value, raw: n.Value, env: len(e.used) > 0}, true
}

// decodeAny decodes a free-form value (a condition's value, a Jira custom
// field) with yaml.v3, after expanding variables in its strings.
func (d *decoder) decodeAny(n *yaml.Node, v reflect.Value, path string) {
	c := d.expandTree(n, path)
	if c == nil {
		return
	}
	var out any
	if err := c.Decode(&out); err != nil {
		d.errNode(n, path, "%v", strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  "))
		return
	}
	if out != nil {
		v.Set(reflect.ValueOf(out))
	}
}

// expandTree copies n with aliases resolved and variables expanded.
func (d *decoder) expandTree(n *yaml.Node, path string) *yaml.Node {
	n = d.resolve(n)
	if n == nil || !d.spend() {
		return nil
	}
	c := &yaml.Node{Kind: n.Kind, Style: n.Style, Tag: n.Tag, Value: n.Value, Line: n.Line, Column: n.Column}
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		s, ok := d.scalar(n, path, "a value")
		if !ok {
			return nil
		}
		c.Value = s.value
		return c
	}
	for _, e := range n.Content {
		ce := d.expandTree(e, path)
		if ce == nil {
			return nil
		}
		c.Content = append(c.Content, ce)
	}
	return c
}

// stringList accepts one string or a list of strings: "provider: aws"
// and "severity: [critical, high]" are both written in configs.
type stringList []string

func (l *stringList) decodeNode(d *decoder, n *yaml.Node, path string) {
	switch {
	case isNull(n):
	case n.Kind == yaml.ScalarNode:
		if s, ok := d.scalar(n, path, "a string or a list of strings"); ok {
			*l = stringList{s.value}
		}
	case n.Kind == yaml.SequenceNode:
		out := make(stringList, 0, len(n.Content))
		for i, item := range n.Content {
			p := indexPath(path, i)
			d.record(p, item, item)
			item = d.resolve(item)
			if item == nil || !d.spend() {
				continue
			}
			if s, ok := d.scalar(item, p, "a string"); ok && !s.null {
				out = append(out, s.value)
			}
		}
		*l = out
	default:
		d.errNode(n, path, "expected a string or a list of strings, got %s", describe(n))
	}
}

// scrub replaces expanded environment values in messages with their
// ${NAME}, so no secret reaches an error or a log line. The match ignores
// case, since some checks echo a value upper- or lower-cased. Values
// shorter than four characters are left: they are not secrets ("true",
// "443"), and replacing them would garble messages.
func (d *decoder) scrub(ps []Problem) {
	if len(d.secrets) == 0 || len(ps) == 0 {
		return
	}
	sc := newScrubber(d.secrets)
	for i := range ps {
		ps[i].Msg = sc.Scrub(ps[i].Msg)
	}
}
