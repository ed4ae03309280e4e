package detector

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/normalize"
	"github.com/tfdrift/tfdrift/detector/state"
)

// StateIndex finds state resources by identifier; *state.Index implements it.
type StateIndex interface {
	Lookup(p change.Provider, account, rtype, key, value string) []*state.Resource
}

// CodeIndex tells where a resource is declared and which of its attributes
// the code tells Terraform to ignore. The state source names the root
// module when one repo holds several (app adapts gitops/locate to it).
type CodeIndex interface {
	Location(state *state.Source, address string) (drift.Location, bool)
	IgnoreChanges(state *state.Source, address string) []string
}

// Ignorer is the .tfdriftignore matcher.
type Ignorer interface {
	Ignored(address, attribute string) bool
}

// Classifier sets severity, rule names and tags; *rules.Set implements it.
type Classifier interface {
	Apply(d *drift.Drift)
}

// Options configure an Engine. Catalog and Index are required.
type Options struct {
	Catalog *catalog.Catalog
	Index   StateIndex
	Rules   Classifier // nil: every drift gets drift.DefaultSeverity
	Code    CodeIndex  // nil: no file/line, no lifecycle.ignore_changes
	Ignore  Ignorer    // nil: nothing ignored
	// TrustedActors are user names, ARNs or principal IDs whose writes are
	// Terraform's own (CI roles): never drift.
	TrustedActors []string
	// DedupWindow is how long an identical drift is treated as a repeat.
	// Zero means DefaultDedupWindow.
	DedupWindow time.Duration
	// DedupCapacity bounds the remembered event IDs and fingerprints.
	DedupCapacity int
	// OnTrustedWrite is called for each mapped write made by Terraform or a
	// trusted actor, so the caller can re-read state early.
	OnTrustedWrite func(c *change.Change)
	// Shadow remembers the cloud's values between state refreshes, so
	// successive writes to one resource accumulate (see Shadow). Nil
	// means an in-memory shadow of DefaultShadowCapacity resources, which
	// is what replay and accept want for their run.
	Shadow Shadow
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// DefaultDedupWindow is the default window for identical drift.
const DefaultDedupWindow = time.Hour

// Outcome says what the engine did with a change; it labels metrics.
type Outcome string

// Outcomes.
const (
	OutcomeReadOnly   Outcome = "read_only"
	OutcomeFailed     Outcome = "failed_call"
	OutcomeUnmapped   Outcome = "unmapped"
	OutcomeTerraform  Outcome = "terraform_actor"
	OutcomeTrusted    Outcome = "trusted_actor"
	OutcomeDuplicate  Outcome = "duplicate_event"
	OutcomeNotInState Outcome = "not_in_state"
	OutcomeNoChange   Outcome = "no_change"
	// OutcomeAWSService: an AWS service created or deleted resources on
	// the account's behalf (Auto Scaling launching instances for a
	// group); that is the group working, not drift.
	OutcomeAWSService Outcome = "aws_service"
	OutcomeIgnored    Outcome = "ignored"
	OutcomeRepeat     Outcome = "repeat"
	OutcomeDrift      Outcome = "drift"
)

// Result is what one change produced.
type Result struct {
	Outcome Outcome
	// Drifts are new drifts, to be reported.
	Drifts []*drift.Drift
	// Repeats are drifts identical to one seen within the dedup window:
	// the record is updated, nobody is alerted again.
	Repeats []*drift.Drift
	// InSync is a managed resource the change wrote and left exactly as
	// state holds it (the first, when it wrote several), and InSyncAttrs
	// the values it set there: a drift on those attributes has been put
	// back in the cloud. Nil when the change left no resource in sync.
	// Both are shared with the engine and the index: read them only.
	InSync      *state.Resource
	InSyncAttrs map[string]any
}

// Stats are running counters, safe to read at any time. ShadowErrors
// counts shadow reads and writes that failed: the write was then compared
// with state alone.
type Stats struct {
	Processed, Drifts, Repeats, ShadowErrors atomic.Int64
}

// Engine applies the drift semantics to changes. It is safe for concurrent
// use.
type Engine struct {
	cat     *catalog.Catalog
	index   StateIndex
	rules   Classifier
	code    CodeIndex
	ignore  Ignorer
	trusted map[string]bool
	onTrust func(*change.Change)
	dedup   *dedup
	now     func() time.Time
	shadow  Shadow
	// locks serialise the read-derive-write of one resource's shadow
	// values, so two workers writing one resource do not lose an edit.
	locks    [64]sync.Mutex
	lockSeed maphash.Seed
	Stats    Stats
}

// New builds an engine.
func New(o Options) *Engine {
	e := &Engine{
		cat: o.Catalog, index: o.Index, rules: o.Rules, code: o.Code,
		ignore: o.Ignore, onTrust: o.OnTrustedWrite, now: o.Now,
		trusted: map[string]bool{}, shadow: o.Shadow, lockSeed: maphash.MakeSeed(),
	}
	if e.shadow == nil {
		e.shadow = NewMemoryShadow(0)
	}
	if e.now == nil {
		e.now = time.Now
	}
	for _, a := range o.TrustedActors {
		e.trusted[strings.ToLower(a)] = true
	}
	window := o.DedupWindow
	if window <= 0 {
		window = DefaultDedupWindow
	}
	e.dedup = newDedup(window, o.DedupCapacity)
	return e
}

// Keep is the decoders' cheap pre-filter: only mapped events are decoded.
func (e *Engine) Keep(p change.Provider, event string) bool { return e.cat.Has(p, event) }

// Catalog returns the engine's catalog.
func (e *Engine) Catalog() *catalog.Catalog { return e.cat }

// IsTerraform reports whether a user agent is Terraform's or OpenTofu's.
func IsTerraform(userAgent string) bool {
	return strings.Contains(userAgent, "Terraform/") || strings.Contains(userAgent, "OpenTofu/")
}

func (e *Engine) isTrusted(a change.Actor) bool {
	if len(e.trusted) == 0 {
		return false
	}
	for _, s := range []string{a.UserName, a.ARN, a.IssuerARN, a.PrincipalID} {
		if s != "" && e.trusted[strings.ToLower(s)] {
			return true
		}
	}
	return false
}

// Process runs one change through the drift semantics.
func (e *Engine) Process(c *change.Change) Result {
	return e.ProcessContext(context.Background(), c)
}

// ProcessContext is Process with a context for the shadow's reads and
// writes (a store-backed shadow queries a database).
func (e *Engine) ProcessContext(ctx context.Context, c *change.Change) Result {
	e.Stats.Processed.Add(1)
	switch {
	case c.ReadOnly:
		return Result{Outcome: OutcomeReadOnly}
	case c.Failed():
		return Result{Outcome: OutcomeFailed}
	}
	entry := e.cat.LookupService(c.Provider, c.Service, c.EventName)
	if entry == nil {
		return Result{Outcome: OutcomeUnmapped}
	}
	if IsTerraform(c.UserAgent) || e.isTrusted(c.Actor) {
		if e.onTrust != nil {
			e.onTrust(c)
		}
		if IsTerraform(c.UserAgent) {
			return Result{Outcome: OutcomeTerraform}
		}
		return Result{Outcome: OutcomeTrusted}
	}
	now := e.now()
	if c.EventID != "" && !e.dedup.firstEvent(string(c.Provider), c.EventID, now) {
		return Result{Outcome: OutcomeDuplicate}
	}

	found, drifts, ignoredAll, byService, synced := e.compare(ctx, entry, c)
	res := Result{InSync: synced.res, InSyncAttrs: synced.attrs}
	for _, d := range drifts {
		d.Event = c
		d.DetectedAt = now.UTC()
		if d.Severity == "" {
			d.Severity = drift.DefaultSeverity
		}
		if e.rules != nil {
			e.rules.Apply(d)
		}
		d.ComputeFingerprint()
		d.ComputeEventID()
		if e.dedup.firstDrift(d.Fingerprint, now) {
			res.Drifts = append(res.Drifts, d)
		} else {
			res.Repeats = append(res.Repeats, d)
		}
	}
	switch {
	case len(res.Drifts) > 0:
		res.Outcome = OutcomeDrift
	case len(res.Repeats) > 0:
		res.Outcome = OutcomeRepeat
	case ignoredAll:
		res.Outcome = OutcomeIgnored
	case byService:
		res.Outcome = OutcomeAWSService
	case found:
		res.Outcome = OutcomeNoChange
	default:
		res.Outcome = OutcomeNotInState
	}
	e.Stats.Drifts.Add(int64(len(res.Drifts)))
	e.Stats.Repeats.Add(int64(len(res.Repeats)))
	return res
}

// compare resolves the entry's targets against state. found reports whether
// any named resource is managed; ignoredAll whether drift was found but
// every attribute of it was ignored; byService whether an AWS service's
// own lifecycle action was passed over.
//
// Targets are taken in three rounds. Primary targets first: a found
// resource is compared (Modify) or reported deleted, and claims the write.
// Then inline and secondary Modify targets, which report only what no
// primary target claimed (see catalog.Target.Inline and Secondary). Last,
// Create targets: a creation is unmanaged when no state holds it, and a
// secondary one only when nothing else claimed the write.
func (e *Engine) compare(ctx context.Context, entry *catalog.Entry, c *change.Change) (found bool, out []*drift.Drift, ignoredAll, byService bool, synced inSync) {
	ev := catalog.NewEvent(c)
	resolutions := entry.Resolve(ev)
	service := awsServiceActor(c) != ""
	type pending struct {
		t    *catalog.Target
		id   string
		hits []*state.Resource
	}
	var creates, deferred []pending
	claimed := false
	deleted := func(p pending) {
		if service {
			byService = byService || len(p.hits) > 0
			return
		}
		for _, res := range p.hits {
			out = append(out, e.newDrift(drift.Deleted, res, p.t.Type, nil))
		}
	}
	modify := func(p pending, inline bool) (compared bool) {
		for _, res := range p.hits {
			d, cmp, ign, attrs := e.modify(ctx, p.t, ev, p.id, res, inline)
			compared = compared || cmp
			ignoredAll = ignoredAll || ign
			if d != nil {
				out = append(out, d)
			} else if attrs != nil && synced.res == nil {
				synced = inSync{res, attrs}
			}
		}
		return compared
	}
	for _, r := range resolutions {
		hits := e.index.Lookup(c.Provider, c.Account, r.Target.Type, r.Target.Key, r.ID)
		if r.Target.Match != nil {
			hits = e.matching(r.Target.Match, ev, hits)
		}
		p := pending{r.Target, r.ID, hits}
		switch {
		case r.Target.Op == catalog.Create:
			if len(hits) > 0 {
				found, claimed = true, true
			} else {
				creates = append(creates, p)
			}
		case r.Target.Secondary || r.Target.Inline != nil:
			deferred = append(deferred, p)
		default:
			if len(hits) > 0 {
				found, claimed = true, true
			}
			if r.Target.Op == catalog.Delete {
				deleted(p)
			} else {
				modify(p, false)
			}
		}
	}
	primaryClaimed := claimed
	for _, p := range deferred {
		if primaryClaimed || len(p.hits) == 0 {
			continue
		}
		found = true
		if sp := p.t.Inline; sp != nil {
			if len(e.index.Lookup(c.Provider, c.Account, sp.Type, sp.Key, p.id)) > 0 {
				continue // the split resources manage it
			}
			if modify(p, true) {
				claimed = true
			}
			continue
		}
		claimed = true
		if p.t.Op == catalog.Delete {
			deleted(p)
		} else {
			modify(p, false)
		}
	}
	for _, p := range creates {
		if p.t.Secondary && claimed {
			continue
		}
		if service {
			byService = true
			continue
		}
		changes := map[string]drift.AttrChange{}
		for name, v := range p.t.DeriveFor(ev, p.id, nil) {
			ac := drift.AttrChange{Actual: v}
			if v == catalog.Unknown {
				ac = drift.AttrChange{Unknown: true, Diff: unknownDiff}
			}
			changes[name] = ac
		}
		d := &drift.Drift{ChangeType: drift.Created, ResourceType: p.t.Type, ResourceID: p.id, Changes: changes}
		out = append(out, d)
	}
	return found, out, ignoredAll && len(out) == 0, byService && len(out) == 0, synced
}

// inSync is a resource a write left as state holds it, with the values
// the write set.
type inSync struct {
	res   *state.Resource
	attrs map[string]any
}

// matching keeps the resources m selects for the event.
func (e *Engine) matching(m *catalog.Match, ev *catalog.Event, hits []*state.Resource) []*state.Resource {
	var out []*state.Resource
	for _, res := range hits {
		attrs, err := res.AttributesOf(m.Attrs)
		if err == nil && m.Func(ev, attrs) {
			out = append(out, res)
		}
	}
	return out
}

const unknownDiff = "written outside Terraform; the audit record hides the new value"

// modify compares what the event sets on one resource with state, starting
// from the cloud's values the shadow holds, and records the new values in
// the shadow. compared is false when there was nothing to compare (an
// inline target whose attributes state does not hold); ignored is set when
// drift was found and every attribute of it was ignored; synced holds the
// values the write set when it left the resource as state holds it.
func (e *Engine) modify(ctx context.Context, t *catalog.Target, ev *catalog.Event, id string, res *state.Resource, inline bool) (d *drift.Drift, compared, ignored bool, synced map[string]any) {
	attrs, err := res.AttributesOf(t.AttrNames())
	if err != nil {
		return nil, false, false, nil // state parsed but this object is unreadable: nothing to compare
	}
	if inline {
		held := false
		for _, n := range t.AttrNames() {
			held = held || attrs[n] != nil
		}
		if !held {
			return nil, false, false, nil
		}
	}
	ref, serial := shadowRef(res)
	mu := e.lockFor(ref)
	mu.Lock()
	defer mu.Unlock()
	cloud, shadowed := e.cloudValues(ctx, ref, serial, t.AttrNames(), attrs)
	ev.Recorded = nil
	if len(shadowed) > 0 {
		ev.Recorded = attrs
	}
	derived, quiet := t.DeriveQuiet(ev, id, cloud)
	if inline {
		for name := range derived {
			if attrs[name] == nil {
				delete(derived, name) // state does not hold it: not managed inline
			}
		}
		if len(derived) == 0 {
			return nil, false, false, nil
		}
	}
	var changes map[string]drift.AttrChange
	var put map[string]json.RawMessage
	for name, v := range derived {
		cur := attrs[name]
		ac, drifted := drift.AttrChange{Expected: cur, Unknown: true, Diff: unknownDiff}, true
		if v != catalog.Unknown {
			eq, diff := normalize.Compare(cur, v)
			put = e.learn(put, name, v, shadowed, eq)
			if drifted = !eq; drifted {
				ac = drift.AttrChange{Expected: cur, Actual: v, Diff: diff}
			}
		} else if _, ok := shadowed[name]; ok {
			put = forget(put, name) // the cloud's value is no longer known
		}
		if !drifted {
			continue
		}
		if changes == nil {
			changes = map[string]drift.AttrChange{}
		}
		changes[name] = ac
	}
	for name, v := range quiet {
		put = e.learn(put, name, v, shadowed, normalize.Equal(attrs[name], v))
	}
	if len(put) > 0 {
		if err := e.shadow.Put(ctx, ref, serial, put); err != nil {
			e.Stats.ShadowErrors.Add(1)
		}
	}
	if len(changes) == 0 {
		if len(derived) == 0 {
			return nil, true, false, nil
		}
		return nil, true, false, derived
	}
	kept := e.dropIgnored(res, changes)
	if len(kept) == 0 {
		return nil, true, true, nil
	}
	d = e.newDrift(drift.Modified, res, t.Type, kept)
	if t.Pending != nil {
		if when := t.Pending(ev); when != "" {
			d.Pending, d.TakesEffect = true, when
		}
	}
	return d, true, false, nil
}

func shadowRef(res *state.Resource) (ShadowRef, int64) {
	ref := ShadowRef{Address: res.Address}
	var serial int64
	if src := res.Source; src != nil {
		ref.Source, ref.Workspace, serial = src.Name, src.Workspace, src.Serial
	}
	return ref, serial
}

func (e *Engine) lockFor(ref ShadowRef) *sync.Mutex {
	var h maphash.Hash
	h.SetSeed(e.lockSeed)
	h.WriteString(ref.Source)
	h.WriteByte(0)
	h.WriteString(ref.Workspace)
	h.WriteByte(0)
	h.WriteString(ref.Address)
	return &e.locks[h.Sum64()%uint64(len(e.locks))]
}

// cloudValues returns state's attributes (of names) with the shadow's
// values laid over them: what the cloud holds now, as far as the detector
// knows, and the shadow's values (whose keys are the attributes that came
// from it). It returns attrs itself when the shadow knows nothing newer.
func (e *Engine) cloudValues(ctx context.Context, ref ShadowRef, serial int64, names []string, attrs map[string]any) (cloud, shadowed map[string]any) {
	known, err := e.shadowValues(ctx, ref, serial, names)
	if err != nil {
		e.Stats.ShadowErrors.Add(1)
		return attrs, nil
	}
	if len(known) == 0 {
		return attrs, nil
	}
	cloud = maps.Clone(attrs)
	for name, v := range known {
		cloud[name] = v
	}
	return cloud, known
}

// shadowValues reads the shadow's values of names, decoded. The in-memory
// shadow hands them over without a JSON round trip.
func (e *Engine) shadowValues(ctx context.Context, ref ShadowRef, serial int64, names []string) (map[string]any, error) {
	if m, ok := e.shadow.(*MemoryShadow); ok {
		return m.values(ref, serial, names)
	}
	known, err := e.shadow.Get(ctx, ref, serial)
	if err != nil || len(known) == 0 {
		return nil, err
	}
	var out map[string]any
	for _, name := range names {
		raw, ok := known[name]
		if !ok {
			continue // attributes other targets read stay for their events
		}
		v, err := decodeValue(raw)
		if err != nil {
			return nil, fmt.Errorf("shadow %s %s: %w", ref.Address, name, err)
		}
		if out == nil {
			out = make(map[string]any, len(names))
		}
		out[name] = v
	}
	return out, nil
}

// learn adds to put what the event left in the cloud for one attribute: a
// value that differs from what the cloud had is recorded, one back at
// state's value (eqState) is forgotten. Comparing with state is the work
// the drift needs anyway; the cloud's value is compared only when the
// shadow supplied it.
func (e *Engine) learn(put map[string]json.RawMessage, name string, v any, shadowed map[string]any, eqState bool) map[string]json.RawMessage {
	had, isShadowed := shadowed[name]
	switch {
	case eqState:
		if isShadowed {
			put = forget(put, name)
		}
	case isShadowed && sameValue(had, v):
		// The cloud already had it: nothing new to learn. (A value equal
		// only after normalisation is written again, which is harmless
		// and cheaper than normalising on every repeat.)
	default:
		raw, err := drift.AppendJSON(nil, v)
		if err != nil {
			e.Stats.ShadowErrors.Add(1)
			return put
		}
		if put == nil {
			put = map[string]json.RawMessage{}
		}
		put[name] = raw
	}
	return put
}

// sameValue reports whether two JSON-model values are identical as
// values: same types, same map keys, same list order, same number text.
// It allocates nothing.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !sameValue(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}

// forget adds to put the forgetting of one attribute.
func forget(put map[string]json.RawMessage, name string) map[string]json.RawMessage {
	if put == nil {
		put = map[string]json.RawMessage{}
	}
	put[name] = nil
	return put
}

// dropIgnored removes attributes covered by lifecycle.ignore_changes in the
// code or by .tfdriftignore.
func (e *Engine) dropIgnored(res *state.Resource, changes map[string]drift.AttrChange) map[string]drift.AttrChange {
	address := res.Address
	var lifecycle []string
	if e.code != nil {
		lifecycle = e.code.IgnoreChanges(res.Source, address)
	}
	if len(lifecycle) == 0 && e.ignore == nil {
		return changes
	}
	out := make(map[string]drift.AttrChange, len(changes))
	for name, ac := range changes {
		if ignoredByLifecycle(lifecycle, name) {
			continue
		}
		if e.ignore != nil && e.ignore.Ignored(address, name) {
			continue
		}
		out[name] = ac
	}
	return out
}

// ignoredByLifecycle matches Terraform's ignore_changes paths: "all" or
// "*", the attribute itself, or a path under it ("tags" covers "tags",
// "tags[\"Owner\"]" covers only that key, which we cannot split, so a
// nested path does not cover the whole attribute).
func ignoredByLifecycle(paths []string, attr string) bool {
	for _, p := range paths {
		if p == "*" || p == "all" || p == attr {
			return true
		}
	}
	return false
}

func (e *Engine) newDrift(ct drift.ChangeType, res *state.Resource, rtype string, changes map[string]drift.AttrChange) *drift.Drift {
	d := &drift.Drift{
		ChangeType:      ct,
		ResourceType:    rtype,
		ResourceID:      res.ID,
		ResourceAddress: res.Address,
		Changes:         changes,
	}
	if res.Source != nil {
		d.Terraform.State = res.Source.Name
		d.Terraform.Workspace = res.Source.Workspace
	}
	if e.code != nil {
		if loc, ok := e.code.Location(res.Source, res.Address); ok {
			loc.State, loc.Workspace = d.Terraform.State, d.Terraform.Workspace
			d.Terraform = loc
		}
	}
	return d
}

// Forget makes the engine process c's event ID again: the caller could not
// record the drift it produced and expects a redelivery.
func (e *Engine) Forget(c *change.Change) {
	if c.EventID != "" {
		e.dedup.forget(e.dedup.eventKey(string(c.Provider), c.EventID))
	}
}
