package detector

import (
	"strings"
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
}

// Stats are running counters, safe to read at any time.
type Stats struct {
	Processed, Drifts, Repeats atomic.Int64
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
	Stats   Stats
}

// New builds an engine.
func New(o Options) *Engine {
	e := &Engine{
		cat: o.Catalog, index: o.Index, rules: o.Rules, code: o.Code,
		ignore: o.Ignore, onTrust: o.OnTrustedWrite, now: o.Now,
		trusted: map[string]bool{},
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

	found, drifts, ignoredAll := e.compare(entry, c)
	res := Result{}
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
// every attribute of it was ignored.
func (e *Engine) compare(entry *catalog.Entry, c *change.Change) (found bool, out []*drift.Drift, ignoredAll bool) {
	ev := catalog.NewEvent(c)
	resolutions := entry.Resolve(ev)
	type pending struct {
		t    *catalog.Target
		id   string
		hits []*state.Resource
	}
	var creates, secondary []pending
	primaryFound := false
	modify := func(p pending) {
		for _, res := range p.hits {
			attrs, err := res.AttributesOf(p.t.AttrNames())
			if err != nil {
				continue // state parsed but this object is unreadable: nothing to compare
			}
			changes := e.diff(p.t, ev, p.id, attrs)
			if len(changes) == 0 {
				continue
			}
			kept := e.dropIgnored(res, changes)
			if len(kept) == 0 {
				ignoredAll = true
				continue
			}
			out = append(out, e.newDrift(drift.Modified, res, p.t.Type, kept))
		}
	}
	for _, r := range resolutions {
		hits := e.index.Lookup(c.Provider, c.Account, r.Target.Type, r.Target.Key, r.ID)
		p := pending{r.Target, r.ID, hits}
		switch {
		case r.Target.Op == catalog.Create:
			if len(hits) > 0 {
				found = true
			} else {
				creates = append(creates, p)
			}
		case r.Target.Secondary:
			secondary = append(secondary, p)
		default:
			if len(hits) > 0 {
				found, primaryFound = true, true
			}
			if r.Target.Op == catalog.Delete {
				for _, res := range hits {
					out = append(out, e.newDrift(drift.Deleted, res, r.Target.Type, nil))
				}
			} else {
				modify(p)
			}
		}
	}
	for _, p := range secondary {
		if primaryFound {
			continue
		}
		if len(p.hits) > 0 {
			found = true
		}
		if p.t.Op == catalog.Delete {
			for _, res := range p.hits {
				out = append(out, e.newDrift(drift.Deleted, res, p.t.Type, nil))
			}
		} else {
			modify(p)
		}
	}
	for _, p := range creates {
		if p.t.Secondary && found {
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
	return found, out, ignoredAll && len(out) == 0
}

const unknownDiff = "written outside Terraform; the audit record hides the new value"

func (e *Engine) diff(t *catalog.Target, ev *catalog.Event, id string, attrs map[string]any) map[string]drift.AttrChange {
	var changes map[string]drift.AttrChange
	for name, v := range t.DeriveFor(ev, id, attrs) {
		cur := attrs[name]
		var ac drift.AttrChange
		if v == catalog.Unknown {
			ac = drift.AttrChange{Expected: cur, Unknown: true, Diff: unknownDiff}
		} else {
			if normalize.Equal(cur, v) {
				continue
			}
			ac = drift.AttrChange{Expected: cur, Actual: v, Diff: normalize.Diff(cur, v)}
		}
		if changes == nil {
			changes = map[string]drift.AttrChange{}
		}
		changes[name] = ac
	}
	return changes
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
