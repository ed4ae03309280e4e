package state

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/tfdrift/tfdrift/internal/jsonscan"
)

// Snapshot is one state file, read.
type Snapshot struct {
	Source           Source
	Version          int // state format version: always 4 once parsed
	TerraformVersion string
	Serial           int64
	Lineage          string
	// Resources holds managed resource instances in state order: data
	// sources and deposed objects are left out.
	Resources []*Resource
}

// SupportedVersion is the state format version Parse reads: the one written
// by Terraform 0.12 and later, and by OpenTofu.
const SupportedVersion = 4

// UnsupportedVersionError reports a state in a format other than
// SupportedVersion.
type UnsupportedVersionError struct {
	Source  string
	Version int
}

func (e *UnsupportedVersionError) Error() string {
	if e.Version < SupportedVersion {
		return fmt.Sprintf("unsupported state format version %d: tfdrift reads version %d, written by Terraform 0.12 and later; "+
			"any apply with a current Terraform upgrades the state", e.Version, SupportedVersion)
	}
	return fmt.Sprintf("unsupported state format version %d: tfdrift reads version %d; this state was written by a newer Terraform than tfdrift knows",
		e.Version, SupportedVersion)
}

// Parse reads a state file in format version 4. Only managed resources are
// kept; each count or for_each instance becomes one Resource. Parse does
// not keep data: every Resource holds a copy of its own attributes.
//
// Errors name the source; malformed JSON is reported as a *SyntaxError
// with its byte offset, and other format versions as an
// *UnsupportedVersionError.
func Parse(data []byte, src Source) (*Snapshot, error) {
	return ParseFrom(data, src, nil)
}

// Previous is a loaded snapshot a new version of the same state can share
// memory with: Index.Previous returns it.
type Previous struct {
	byAddr map[string]*Resource
}

// ParseFrom is Parse for a new version of a state whose previous version
// prev is loaded (prev may be nil). A resource whose attributes are
// unchanged since prev shares prev's copy of them instead of holding a
// second one: a reload then costs little more than the resources that
// changed, although both versions are in memory until the index swaps
// them.
func ParseFrom(data []byte, src Source, prev *Previous) (*Snapshot, error) {
	if src.Workspace == "" {
		src.Workspace = DefaultWorkspace
	}
	p := parser{
		s:      scanner{jsonscan.NewScanner(data)},
		snap:   &Snapshot{Source: src},
		intern: make(map[string]string),
	}
	if prev != nil {
		p.prev = prev.byAddr
	}
	if err := p.root(); err != nil {
		return nil, fmt.Errorf("state %s: %w", src.Name, withLine(data, err))
	}
	return p.snap, nil
}

type parser struct {
	s    scanner
	snap *Snapshot
	// intern shares the strings that repeat across resources (types,
	// module paths, provider addresses), which are most of the non-attribute
	// bytes kept per resource.
	intern map[string]string
	insts  []rawInstance // scratch, reused across resources
	// prev holds the previous version's resources by address, whose
	// attributes an unchanged resource shares.
	prev map[string]*Resource
	// compact is scratch for compacting attributes.
	compact []byte
	// base is the offset in the whole input of s.Data[0]: ParseStream
	// hands the parser one piece of its input at a time.
	base int64
}

// rawInstance is an instance as read, before its resource's mode and type
// are known (JSON does not promise "instances" comes last).
type rawInstance struct {
	index   any
	attrs   []byte // sub-slice of the input, copied once the instance is kept
	id      string
	sorted  bool // attrs' keys are unescaped and strictly increasing
	deposed bool
}

func (p *parser) str(raw []byte, escaped bool) (string, error) {
	if escaped {
		return decodeString(raw, escaped)
	}
	if v, ok := p.intern[string(raw)]; ok {
		return v, nil
	}
	v := string(raw)
	p.intern[v] = v
	return v, nil
}

// stringField reads a string value (or null, as "") for a named field.
func (p *parser) stringField(field string) (string, error) {
	s := &p.s
	switch s.Peek() {
	case '"':
		raw, esc, err := s.ReadString()
		if err != nil {
			return "", err
		}
		return p.str(raw, esc)
	case 'n':
		return "", s.Literal("null")
	default:
		return "", s.Unexpected(fmt.Sprintf("string for %q", field))
	}
}

// intField reads an integer value for a named field.
func (p *parser) intField(field string) (int64, error) {
	s := &p.s
	if c := s.Peek(); c != '-' && !jsonscan.IsDigit(c) {
		return 0, s.Unexpected(fmt.Sprintf("integer for %q", field))
	}
	at := s.Pos
	num, err := s.ReadNumber()
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		return 0, s.Errorf(at, "%q is %s, want an integer", field, num)
	}
	return n, nil
}

// memberName returns an object key ready for `switch string(k)`, which
// the compiler performs without allocating. Structural keys never contain
// escapes in practice; decoding them anyway keeps Parse a faithful JSON
// reader.
func memberName(key []byte, escaped bool) []byte {
	if !escaped {
		return key
	}
	v, err := decodeString(key, escaped)
	if err != nil {
		return nil
	}
	return []byte(v)
}

func (p *parser) root() error {
	s := &p.s
	if len(bytes.TrimSpace(s.Data)) == 0 {
		return errors.New("empty file, not a Terraform state")
	}
	if err := s.BeginObject("'{' starting the state object"); err != nil {
		return err
	}
	sawVersion := false
	resourcesAt := -1
	for first := true; ; first = false {
		key, esc, ok, err := s.NextMember(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		name := memberName(key, esc)
		if string(name) != "resources" {
			if err := p.field(name); err != nil {
				return err
			}
			sawVersion = sawVersion || p.snap.Version != 0
			continue
		}
		if !sawVersion {
			// Terraform writes "version" first; anything else is read
			// once the version is known to be 4.
			resourcesAt = s.Pos
			err = s.SkipValue()
		} else {
			// A repeated key replaces the earlier value, as in
			// encoding/json.
			p.snap.Resources = p.snap.Resources[:0]
			err = p.resources()
		}
		if err != nil {
			return err
		}
	}
	if s.Peek() != 0 {
		return s.Unexpected("end of input after the state object")
	}
	if !sawVersion {
		return errors.New(`no "version" field: not a Terraform state file`)
	}
	if resourcesAt >= 0 {
		p.snap.Resources = p.snap.Resources[:0]
		s.Pos = resourcesAt
		return p.resources()
	}
	return nil
}

// field reads the value of a top-level member other than "resources".
func (p *parser) field(name []byte) error {
	var err error
	switch string(name) {
	case "version":
		v, err := p.intField("version")
		if err != nil {
			return err
		}
		if v != SupportedVersion {
			return &UnsupportedVersionError{Source: p.snap.Source.Name, Version: int(v)}
		}
		p.snap.Version = int(v)
	case "terraform_version":
		p.snap.TerraformVersion, err = p.stringField("terraform_version")
	case "serial":
		if p.snap.Serial, err = p.intField("serial"); err == nil {
			p.snap.Source.Serial = p.snap.Serial
		}
	case "lineage":
		p.snap.Lineage, err = p.stringField("lineage")
	default:
		// outputs, check_results and fields added by later versions.
		err = p.s.SkipValue()
	}
	return err
}

func (p *parser) resources() error {
	s := &p.s
	if s.Peek() == 'n' {
		return s.Literal("null")
	}
	if err := s.BeginArray(`array for "resources"`); err != nil {
		return err
	}
	for first := true; ; first = false {
		ok, err := s.NextElement(first)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if err := p.resource(); err != nil {
			return err
		}
	}
}

func (p *parser) resource() error {
	s := &p.s
	start := s.Pos
	if err := s.BeginObject("'{' starting a resource"); err != nil {
		return err
	}
	var module, mode, rtype, name, provider string
	p.insts = p.insts[:0]
	for first := true; ; first = false {
		key, esc, ok, err := s.NextMember(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch string(memberName(key, esc)) {
		case "module":
			module, err = p.stringField("module")
		case "mode":
			mode, err = p.stringField("mode")
		case "type":
			rtype, err = p.stringField("type")
		case "name":
			name, err = p.stringField("name")
		case "provider":
			provider, err = p.stringField("provider")
		case "instances":
			err = p.instances()
		default:
			err = s.SkipValue()
		}
		if err != nil {
			return err
		}
	}
	if mode != "managed" {
		if mode == "" {
			return fmt.Errorf("resource at byte offset %d has no \"mode\"", p.base+int64(start))
		}
		return nil // data sources hold no cloud object of their own
	}
	if rtype == "" || name == "" {
		return fmt.Errorf("managed resource at byte offset %d has no \"type\" or \"name\"", p.base+int64(start))
	}
	prov := providerOf(provider)
	for i := range p.insts {
		in := &p.insts[i]
		if in.deposed {
			continue // a replaced object awaiting destruction, not the live one
		}
		r := &Resource{
			Address:      instanceAddress(module, rtype, name, in.index),
			Module:       module,
			Type:         rtype,
			Name:         name,
			Index:        in.index,
			Provider:     prov,
			ProviderAddr: provider,
			Source:       &p.snap.Source,
			ID:           in.id,
			sortedAttrs:  in.sorted,
		}
		if len(in.attrs) > 0 {
			if old := p.prev[r.Address]; old != nil && old.sortedAttrs == in.sorted && compactEqual(in.attrs, old.attrs) {
				r.attrs = old.attrs
			} else {
				r.attrs = compactCopyVia(&p.compact, in.attrs)
			}
		}
		p.snap.Resources = append(p.snap.Resources, r)
	}
	return nil
}

func (p *parser) instances() error {
	s := &p.s
	if s.Peek() == 'n' {
		return s.Literal("null")
	}
	if err := s.BeginArray(`array for "instances"`); err != nil {
		return err
	}
	for first := true; ; first = false {
		ok, err := s.NextElement(first)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if err := p.instance(); err != nil {
			return err
		}
	}
}

func (p *parser) instance() error {
	s := &p.s
	if err := s.BeginObject("'{' starting a resource instance"); err != nil {
		return err
	}
	var in rawInstance
	var flat []byte
	var flatID string
	var flatSorted bool
	haveAttrs := false
	for first := true; ; first = false {
		key, esc, ok, err := s.NextMember(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch string(memberName(key, esc)) {
		case "index_key":
			in.index, err = p.indexKey()
		case "attributes":
			start := s.Pos
			in.id, in.sorted, err = s.walkAttributes()
			in.attrs = trimNull(s.Data[start:s.Pos])
			haveAttrs = true
		case "attributes_flat":
			// Written by Terraform 0.11 for objects not refreshed since
			// the 0.12 upgrade: a flat map of strings. Its top-level keys
			// ("id", "bucket", "name") still identify the object.
			start := s.Pos
			flatID, flatSorted, err = s.walkAttributes()
			flat = trimNull(s.Data[start:s.Pos])
		case "deposed":
			var d string
			d, err = p.stringField("deposed")
			in.deposed = d != ""
		default:
			// schema_version, sensitive_attributes, private,
			// dependencies, create_before_destroy, status.
			err = s.SkipValue()
		}
		if err != nil {
			return err
		}
	}
	if !haveAttrs && flat != nil {
		in.attrs, in.id, in.sorted = flat, flatID, flatSorted
	}
	p.insts = append(p.insts, in)
	return nil
}

func trimNull(b []byte) []byte {
	if string(b) == "null" {
		return nil
	}
	return b
}

// indexKey reads an index_key: an integer for count, a string for
// for_each, null or absent for neither.
func (p *parser) indexKey() (any, error) {
	s := &p.s
	switch c := s.Peek(); {
	case c == '"':
		raw, esc, err := s.ReadString()
		if err != nil {
			return nil, err
		}
		return decodeString(raw, esc)
	case c == 'n':
		return nil, s.Literal("null")
	case c == '-' || jsonscan.IsDigit(c):
		n, err := p.intField("index_key")
		if err != nil {
			return nil, err
		}
		if int64(int(n)) != n {
			return nil, fmt.Errorf("index_key %d does not fit an int", n)
		}
		return int(n), nil
	default:
		return nil, s.Unexpected(`integer or string for "index_key"`)
	}
}

// walkAttributes consumes an attributes object (or null) and returns its
// "id" member, validating everything else on the way. sorted says its keys
// are unescaped and strictly increasing, as Terraform writes them (its
// JSON encoder sorts object keys): Resource.AttributesOf can then stop
// once it is past the names it wants, and no key can repeat.
func (s *scanner) walkAttributes() (id string, sorted bool, err error) {
	switch s.Peek() {
	case 'n':
		return "", false, s.Literal("null")
	}
	if err := s.BeginObject(`object for "attributes"`); err != nil {
		return "", false, err
	}
	sorted = true
	var prev []byte
	for first := true; ; first = false {
		key, esc, ok, err := s.NextMember(first)
		if err != nil {
			return "", false, err
		}
		if !ok {
			return id, sorted, nil
		}
		if sorted && (esc || (!first && bytes.Compare(prev, key) >= 0)) {
			sorted = false
		}
		prev = key
		if string(key) == "id" && !esc {
			id, err = s.scalar()
		} else {
			err = s.SkipValue()
		}
		if err != nil {
			return "", false, err
		}
	}
}
