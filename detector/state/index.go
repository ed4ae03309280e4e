package state

import (
	"cmp"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tfdrift/tfdrift/detector/change"
)

// Index answers "which state resource does this cloud identifier name?"
// across many state sources, with one hash lookup whatever the number of
// sources or resources.
//
// It is safe for concurrent use. Readers never block and never wait:
// the index keeps two copies of its tables (the left-right technique);
// readers use one while Replace and Remove edit the other, switch readers
// over, wait for the stragglers to leave the old copy and replay the same
// edit on it. A Replace therefore costs time in proportion to the sizes of
// the old and new snapshot of that source, not to the whole index, and a
// reader sees each source either wholly before or wholly after a Replace.
// A write waits only for the readers already inside a call to return.
type Index struct {
	byType map[string]*keyPlan
	def    *keyPlan
	now    func() time.Time

	wmu sync.Mutex // serialises writers

	// Left-right state. Readers register in readers[version], then read
	// tables[active].
	active  atomic.Int32
	version atomic.Int32
	readers [2]paddedCounter
	tables  [2]*table
}

// paddedCounter keeps the two reader counters on separate cache lines, so
// readers arriving on one do not slow down those leaving the other.
type paddedCounter struct {
	n atomic.Int64
	_ [56]byte
}

// table is one copy of the index. Posting slices and source entries are
// immutable once published and shared between both copies; only the maps
// differ while a write is in progress.
type table struct {
	postings map[lookupKey][]*Resource
	sources  map[sourceID]*sourceEntry
	count    int
}

type sourceID struct{ name, workspace string }

// sourceEntry is one source's snapshot with its per-source lookups.
type sourceEntry struct {
	snap     *Snapshot
	byAddr   map[string]*Resource
	keyed    []keyedResource
	loadedAt time.Time
}

// SourceInfo describes one loaded state source.
type SourceInfo struct {
	Name             string
	Workspace        string
	Provider         change.Provider
	Account          string
	Serial           int64
	Lineage          string
	TerraformVersion string
	Resources        int
	LoadedAt         time.Time
}

// NewIndex returns an empty index keying resources as keys says.
func NewIndex(keys KeySpec) *Index {
	ix := &Index{now: time.Now}
	ix.byType, ix.def = keys.plans()
	for i := range ix.tables {
		ix.tables[i] = &table{
			postings: make(map[lookupKey][]*Resource),
			sources:  make(map[sourceID]*sourceEntry),
		}
	}
	return ix
}

// read registers a reader and returns the table to read and the token to
// pass to done.
func (ix *Index) read() (*table, int32) {
	v := ix.version.Load()
	ix.readers[v].n.Add(1)
	return ix.tables[ix.active.Load()], v
}

func (ix *Index) done(v int32) { ix.readers[v].n.Add(-1) }

// write applies an edit to both copies, one at a time, each while no
// reader is using it: first to the copy readers have left, then, once they
// have moved over, to the other. The two copies are equal before the edit
// and edit must leave them equal after it.
func (ix *Index) write(edit func(*table)) {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	cur := ix.active.Load()
	edit(ix.tables[1-cur])
	ix.active.Store(1 - cur)
	// Readers that registered before the switch may still be reading
	// tables[cur]. Flip the version they register with and wait for both
	// counters to drain: after that nobody can be on tables[cur].
	prev := ix.version.Load()
	ix.waitReaders(1 - prev)
	ix.version.Store(1 - prev)
	ix.waitReaders(prev)
	edit(ix.tables[cur])
}

// waitReaders waits until no reader is registered under version v. Reads
// take nanoseconds, so it spins briefly before yielding the processor to a
// reader that may have been descheduled mid-read.
func (ix *Index) waitReaders(v int32) {
	for spins := 0; ix.readers[v].n.Load() != 0; spins++ {
		if spins >= 64 {
			runtime.Gosched()
		}
	}
}

// Replace adds snap's source, or replaces the snapshot loaded earlier for
// the same Source.Name and Workspace. The index keeps snap and its
// resources: do not modify them afterwards. Every resource's Source is
// pointed at snap.Source (Parse already does this), which is how the index
// tells one snapshot's resources from another's.
func (ix *Index) Replace(snap *Snapshot) {
	if snap == nil {
		return
	}
	if snap.Source.Workspace == "" {
		snap.Source.Workspace = DefaultWorkspace
	}
	entry := ix.newEntry(snap)
	sw := &swap{id: sourceID{snap.Source.Name, snap.Source.Workspace}, next: entry}
	ix.write(sw.apply)
}

// Previous returns what ParseFrom needs to share the memory of the
// snapshot loaded for a source with its next version, or nil if none is.
func (ix *Index) Previous(sourceName, workspace string) *Previous {
	if workspace == "" {
		workspace = DefaultWorkspace
	}
	t, v := ix.read()
	defer ix.done(v)
	e := t.sources[sourceID{sourceName, workspace}]
	if e == nil {
		return nil
	}
	// byAddr is never modified once its entry is published.
	return &Previous{byAddr: e.byAddr}
}

// Remove drops a source from the index.
func (ix *Index) Remove(sourceName, workspace string) {
	if workspace == "" {
		workspace = DefaultWorkspace
	}
	sw := &swap{id: sourceID{sourceName, workspace}}
	ix.write(sw.apply)
}

// newEntry does the expensive part of a Replace (reading every resource's
// keys) before any lock is taken.
func (ix *Index) newEntry(snap *Snapshot) *sourceEntry {
	e := &sourceEntry{
		snap:     snap,
		byAddr:   make(map[string]*Resource, len(snap.Resources)),
		loadedAt: ix.now(),
	}
	// Size keyed for the most keys the snapshot can have: it lives as long
	// as the snapshot, so growing it by doubling would waste up to half.
	most, widest := 0, 0
	for _, r := range snap.Resources {
		p := ix.plan(r.Type)
		most += len(p.keys)
		widest = max(widest, len(p.fields))
	}
	vals := make([]string, widest)
	keyed := make([]keyedResource, 0, most)
	for _, r := range snap.Resources {
		if r.Source != &snap.Source {
			r.Source = &snap.Source
		}
		if _, dup := e.byAddr[r.Address]; !dup {
			e.byAddr[r.Address] = r
		}
		keyed = extractKeys(keyed, r, ix.plan(r.Type), vals)
	}
	e.keyed = keyed
	return e
}

func (ix *Index) plan(rtype string) *keyPlan {
	if p := ix.byType[rtype]; p != nil {
		return p
	}
	return ix.def
}

// postingOp sets (or, with an empty posting, deletes) one posting list.
type postingOp struct {
	k lookupKey
	p []*Resource
}

// swap replaces one source's entry in a table with next, or removes it when
// next is nil. The first time it runs, on the copy no reader can see, it
// edits that copy's postings in place and records each edit; the second
// time it replays the record, so both copies end up equal at the cost of
// one hash lookup per edit.
//
// A posting slice is never modified once stored, because the other copy,
// readers and Lookup's callers may hold it: every edit stores a new slice.
type swap struct {
	id      sourceID
	next    *sourceEntry
	ops     []postingOp
	planned bool
}

func (sw *swap) apply(t *table) {
	if !sw.planned {
		sw.plan(t)
		sw.planned = true
	} else {
		if len(t.postings) == 0 {
			t.postings = make(map[lookupKey][]*Resource, len(sw.ops))
		}
		for _, op := range sw.ops {
			setPosting(t, op.k, op.p)
		}
	}
	if old := t.sources[sw.id]; old != nil {
		t.count -= len(old.snap.Resources)
		delete(t.sources, sw.id)
	}
	if sw.next != nil {
		t.sources[sw.id] = sw.next
		t.count += len(sw.next.snap.Resources)
	}
}

func (sw *swap) plan(t *table) {
	old := t.sources[sw.id]
	n := 0
	if old != nil {
		n += len(old.keyed)
	}
	if sw.next != nil {
		n += len(sw.next.keyed)
	}
	sw.ops = make([]postingOp, 0, n)
	record := func(k lookupKey, p []*Resource) {
		setPosting(t, k, p)
		sw.ops = append(sw.ops, postingOp{k, p})
	}
	if old != nil {
		src := &old.snap.Source
		fromOld := func(r *Resource) bool { return r.Source == src }
		for _, kr := range old.keyed {
			p := t.postings[kr.k]
			if slices.ContainsFunc(p, fromOld) {
				record(kr.k, slices.Clip(slices.DeleteFunc(slices.Clone(p), fromOld)))
			}
		}
	}
	if sw.next == nil {
		return
	}
	if len(t.postings) == 0 {
		t.postings = make(map[lookupKey][]*Resource, len(sw.next.keyed))
	}
	// Most keys are new and name one resource: their one-element postings
	// share one allocation. Nothing else points into it once the source is
	// replaced, since every later edit of those postings copies.
	slab := make([]*Resource, len(sw.next.keyed))
	for i, kr := range sw.next.keyed {
		p := t.postings[kr.k]
		if len(p) == 0 {
			slab[i] = kr.r
			record(kr.k, slab[i:i+1:i+1])
		} else {
			record(kr.k, insertSorted(p, kr.r))
		}
	}
}

func setPosting(t *table, k lookupKey, p []*Resource) {
	if len(p) == 0 {
		delete(t.postings, k)
	} else {
		t.postings[k] = p
	}
}

// compareResources orders results by source name, workspace, then address.
func compareResources(a, b *Resource) int {
	return cmp.Or(
		cmp.Compare(a.Source.Name, b.Source.Name),
		cmp.Compare(a.Source.Workspace, b.Source.Workspace),
		cmp.Compare(a.Address, b.Address),
	)
}

// insertSorted returns a new slice holding p and r in order, with no spare
// capacity so that a caller appending to a Lookup result cannot write into
// the index.
func insertSorted(p []*Resource, r *Resource) []*Resource {
	i, _ := slices.BinarySearchFunc(p, r, compareResources)
	out := make([]*Resource, len(p)+1)
	copy(out, p[:i])
	out[i] = r
	copy(out[i+1:], p[i:])
	return out
}

func matches(r *Resource, p change.Provider, account string) bool {
	src := r.Source
	if p != "" {
		if src.Provider != "" && src.Provider != p {
			return false
		}
		if r.Provider != "" && r.Provider != p {
			return false
		}
	}
	return account == "" || src.Account == "" || src.Account == account
}

// Lookup returns the resources of type rtype whose identifying key (as
// named in the KeySpec: "id", "role:name") equals value, among sources
// whose Provider matches p (or is "") and whose Account matches account.
// A source with an unknown account matches any account, and an empty
// account or provider matches any source. Results are ordered by source
// name, workspace and address; usually there is one.
//
// The returned slice is shared with the index: do not modify its elements.
func (ix *Index) Lookup(p change.Provider, account, rtype, key, value string) []*Resource {
	t, v := ix.read()
	defer ix.done(v)
	post := t.postings[lookupKey{rtype, key, value}]
	n := 0
	for _, r := range post {
		if matches(r, p, account) {
			n++
		}
	}
	switch n {
	case 0:
		return nil
	case len(post):
		return post
	}
	out := make([]*Resource, 0, n)
	for _, r := range post {
		if matches(r, p, account) {
			out = append(out, r)
		}
	}
	return out
}

// ByAddress finds a resource by its Terraform address within the named
// source (any workspace), or within any source when sourceName is "". When
// several match, the first in source name and workspace order wins.
func (ix *Index) ByAddress(sourceName, address string) *Resource {
	t, v := ix.read()
	defer ix.done(v)
	var best *Resource
	for id, e := range t.sources {
		if sourceName != "" && id.name != sourceName {
			continue
		}
		r := e.byAddr[address]
		if r != nil && (best == nil || compareResources(r, best) < 0) {
			best = r
		}
	}
	return best
}

// Sources describes every loaded source, ordered by name and workspace.
func (ix *Index) Sources() []SourceInfo {
	t, v := ix.read()
	defer ix.done(v)
	out := make([]SourceInfo, 0, len(t.sources))
	for _, e := range t.sources {
		s := e.snap
		out = append(out, SourceInfo{
			Name:             s.Source.Name,
			Workspace:        s.Source.Workspace,
			Provider:         s.Source.Provider,
			Account:          s.Source.Account,
			Serial:           s.Serial,
			Lineage:          s.Lineage,
			TerraformVersion: s.TerraformVersion,
			Resources:        len(s.Resources),
			LoadedAt:         e.loadedAt,
		})
	}
	slices.SortFunc(out, func(a, b SourceInfo) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Workspace, b.Workspace))
	})
	return out
}

// Len returns the number of resources across all sources.
func (ix *Index) Len() int {
	t, v := ix.read()
	defer ix.done(v)
	return t.count
}
