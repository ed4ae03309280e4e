package detector

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
)

// Shadow is the detector's memory of the cloud between state refreshes.
//
// State says what Terraform last wrote; the cloud may have moved on since.
// For every resource a write touched, the shadow keeps the cloud's value of
// each attribute the detector derived, tagged with the serial of the state
// it was compared against. The next write to the resource is derived from
// those values rather than from state, so successive console edits
// accumulate: the second edit's drift holds the first one's change too,
// while Expected stays state's value.
//
// A state with a newer serial accounts for everything learnt before it
// (terraform apply and refresh read every resource back), so values tagged
// with an older serial are never returned for it, and Drop forgets them.
//
// Values are JSON documents (numbers keep their exact text), keyed by
// state source, workspace, resource address and attribute, so that an
// implementation backed by a database can store them as they are: one row
// per attribute, with its serial. Package detector/shadowtest states the
// contract as a test any implementation runs (shadowtest.Run).
type Shadow interface {
	// Get returns the attribute values known for r that were learnt at
	// serial or later, keyed by attribute name. A resource with none
	// gives an empty (possibly nil) map and no error. The map is the
	// caller's to keep or change.
	Get(ctx context.Context, r ShadowRef, serial int64) (map[string]json.RawMessage, error)
	// Put records the cloud's value of some attributes of r, learnt while
	// state was at serial; it replaces earlier values of those attributes
	// and leaves the others. An empty value (nil or zero length; JSON
	// null is a value) forgets the attribute: the cloud is back to state's
	// value, or its value is no longer known. Put copies what it keeps.
	Put(ctx context.Context, r ShadowRef, serial int64, values map[string]json.RawMessage) error
	// Drop forgets every value of the state source and workspace learnt
	// at a serial below before: a state with serial before accounts for
	// them. Other sources and workspaces are untouched.
	Drop(ctx context.Context, source, workspace string, before int64) error
}

// ShadowRef names one resource instance of one state.
type ShadowRef struct {
	// Source and Workspace name the state (state.Source.Name and
	// .Workspace); Address is the instance address within it.
	Source    string
	Workspace string
	Address   string
}

// DefaultShadowCapacity bounds the resources a MemoryShadow remembers; the
// oldest are forgotten first, which costs accuracy (a later edit is again
// compared with state alone), never correctness of what is reported.
const DefaultShadowCapacity = 100_000

// MemoryShadow is a Shadow held in the process's memory: replay and accept
// keep it for the run. It is safe for concurrent use.
type MemoryShadow struct {
	mu      sync.Mutex
	cap     int
	entries map[ShadowRef]*shadowEntry
	ring    []shadowSlot // insertion order, for eviction
	next    int
	seq     uint64
}

type shadowEntry struct {
	seq   uint64 // which ring slot owns the entry
	attrs map[string]shadowValue
}

type shadowValue struct {
	raw    json.RawMessage
	serial int64
	// val is raw decoded, on first use by the engine (see values); it
	// is never handed out, only copies of it.
	val     any
	decoded bool
}

type shadowSlot struct {
	ref ShadowRef
	seq uint64
}

// NewMemoryShadow returns an empty in-memory shadow remembering at most
// capacity resources (DefaultShadowCapacity when capacity <= 0).
func NewMemoryShadow(capacity int) *MemoryShadow {
	if capacity <= 0 {
		capacity = DefaultShadowCapacity
	}
	return &MemoryShadow{cap: capacity, entries: map[ShadowRef]*shadowEntry{}}
}

// Get implements Shadow. Values older than serial are forgotten on the
// way: no reader at this serial or later needs them again.
func (m *MemoryShadow) Get(_ context.Context, r ShadowRef, serial int64) (map[string]json.RawMessage, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.entries[r]
	if e == nil {
		return nil, nil
	}
	var out map[string]json.RawMessage
	for name, v := range e.attrs {
		if v.serial < serial {
			delete(e.attrs, name)
			continue
		}
		if out == nil {
			out = make(map[string]json.RawMessage, len(e.attrs))
		}
		out[name] = v.raw // never modified in place: Put stores fresh copies
	}
	if len(e.attrs) == 0 {
		delete(m.entries, r)
	}
	return out, nil
}

// Put implements Shadow.
func (m *MemoryShadow) Put(_ context.Context, r ShadowRef, serial int64, values map[string]json.RawMessage) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.entries[r]
	for name, raw := range values {
		if len(raw) == 0 {
			if e != nil {
				delete(e.attrs, name)
			}
			continue
		}
		if e == nil {
			e = m.insert(r)
		}
		e.attrs[name] = shadowValue{raw: append(json.RawMessage(nil), raw...), serial: serial}
	}
	if e != nil && len(e.attrs) == 0 {
		delete(m.entries, r)
	}
	return nil
}

// insert adds an entry for r, evicting the oldest when full.
func (m *MemoryShadow) insert(r ShadowRef) *shadowEntry {
	m.seq++
	e := &shadowEntry{seq: m.seq, attrs: map[string]shadowValue{}}
	slot := shadowSlot{ref: r, seq: m.seq}
	if len(m.ring) < m.cap {
		m.ring = append(m.ring, slot)
	} else {
		old := m.ring[m.next]
		if cur := m.entries[old.ref]; cur != nil && cur.seq == old.seq {
			delete(m.entries, old.ref)
		}
		m.ring[m.next] = slot
		m.next = (m.next + 1) % m.cap
	}
	m.entries[r] = e
	return e
}

// values is Get for the engine, without the JSON round trip: the values
// of names learnt at serial or later, decoded once and copied on every
// read, so that no caller can change what the shadow holds.
func (m *MemoryShadow) values(r ShadowRef, serial int64, names []string) (map[string]any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.entries[r]
	if e == nil {
		return nil, nil
	}
	var out map[string]any
	for _, name := range names {
		v, ok := e.attrs[name]
		if !ok {
			continue
		}
		if v.serial < serial {
			delete(e.attrs, name)
			continue
		}
		if !v.decoded {
			val, err := decodeValue(v.raw)
			if err != nil {
				return nil, fmt.Errorf("shadow %s %s: %w", r.Address, name, err)
			}
			v.val, v.decoded = val, true
			e.attrs[name] = v
		}
		if out == nil {
			out = make(map[string]any, len(names))
		}
		out[name] = copyValue(v.val)
	}
	if len(e.attrs) == 0 {
		delete(m.entries, r)
	}
	return out, nil
}

// copyValue copies the maps and lists of a decoded JSON value; strings,
// numbers and booleans are immutable and shared.
func copyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = copyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}

// Drop implements Shadow.
func (m *MemoryShadow) Drop(_ context.Context, source, workspace string, before int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for r, e := range m.entries {
		if r.Source != source || r.Workspace != workspace {
			continue
		}
		for name, v := range e.attrs {
			if v.serial < before {
				delete(e.attrs, name)
			}
		}
		if len(e.attrs) == 0 {
			delete(m.entries, r)
		}
	}
	return nil
}

// Len returns how many resources the shadow holds values for.
func (m *MemoryShadow) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// decodeValue decodes one stored value as encoding/json does with
// UseNumber: numbers keep their exact text, as in state.
func decodeValue(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the value")
	}
	return v, nil
}
