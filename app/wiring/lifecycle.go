package wiring

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/normalize"
	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/ticket"
)

// Why a drift that went away by itself was resolved; the resolve
// notices carry it (the GitHub issue closes with it).
const (
	ReasonAccepted = "accepted: the state now holds the values the change set (the change was taken into the code and applied)"
	ReasonReverted = "reverted in the cloud: a later change put back the values the code declares"
)

// LifecycleStore is what the lifecycle uses of the store.
type LifecycleStore interface {
	List(ctx context.Context, f store.Filter) (store.Page, error)
	Transition(ctx context.Context, fingerprint string, to store.Status, actor, note string, notices ...store.NewNotice) (store.Record, error)
}

// Lifecycle resolves the open drifts that went away without anyone
// saying so, with their resolve notices in the same transaction:
//
//   - accepted: after a state reload, a drift whose resource the state
//     now holds with the drift's actual values (the change was written
//     into the code and applied; for a deleted resource, it is gone from
//     state; for an unmanaged one, state now manages it);
//   - reverted: a later write left the resource exactly as state holds it
//     (detector.Result.InSync) and set every attribute the drift changed.
//
// Serve runs it as a background job over the daemon's index, and hands
// InSync to the pipeline.
type Lifecycle struct {
	Store LifecycleStore
	Index *state.Index
	// Resolved returns the notices of a resolution (Notices.Resolved);
	// nil queues none.
	Resolved func(d *drift.Drift, reason string) []store.NewNotice
	Logger   *slog.Logger
	// Poll is how often it looks for state reloads; default 2s.
	Poll time.Duration

	inSync chan synced
}

// synced is a resource a write left as state holds it.
type synced struct {
	res   *state.Resource
	attrs map[string]any
}

// lifecycleActor is who the lifecycle's moves are recorded as.
const lifecycleActor = "tfdrift"

// NewLifecycle returns a Lifecycle ready to Run.
func NewLifecycle(st LifecycleStore, ix *state.Index, resolved func(*drift.Drift, string) []store.NewNotice, log *slog.Logger) *Lifecycle {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Lifecycle{Store: st, Index: ix, Resolved: resolved, Logger: log, inSync: make(chan synced, 256)}
}

// InSync hands over a resource a write left as state holds it (the
// daemon's pipeline calls it; it never blocks). When too many wait, the
// newest is dropped: the next reload's check, or the next such write,
// catches up.
func (l *Lifecycle) InSync(res *state.Resource, attrs map[string]any) {
	if res == nil || len(attrs) == 0 {
		return
	}
	select {
	case l.inSync <- synced{res, attrs}:
	default:
		l.Logger.Debug("lifecycle: too many writes in sync waiting; one is skipped", "resource", res.Address)
	}
}

// srcKey is a state source and workspace.
type srcKey struct{ name, workspace string }

// Run resolves until ctx ends: at start and after every state reload it
// checks the open drifts of the reloaded sources; between, it follows
// the writes in sync.
func (l *Lifecycle) Run(ctx context.Context) error {
	poll := l.Poll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	seen := map[srcKey]time.Time{}
	for {
		if changed, now := l.reloaded(seen); len(changed) > 0 {
			if err := l.checkAccepted(ctx, changed); err != nil {
				if ctx.Err() == nil {
					l.Logger.Error("lifecycle: checking drifts after a state reload; trying again", "err", err)
				}
			} else {
				seen = now // checked: the next reload is the next change
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case s := <-l.inSync:
			if err := l.checkReverted(ctx, s); err != nil && ctx.Err() == nil {
				l.Logger.Error("lifecycle: checking a write in sync", "resource", s.res.Address, "err", err)
			}
		case <-t.C:
		}
	}
}

// reloaded returns the sources loaded since seen, and the load times to
// remember once they are checked.
func (l *Lifecycle) reloaded(seen map[srcKey]time.Time) (changed map[srcKey]bool, now map[srcKey]time.Time) {
	changed, now = map[srcKey]bool{}, map[srcKey]time.Time{}
	for _, s := range l.Index.Sources() {
		k := srcKey{s.Name, s.Workspace}
		now[k] = s.LoadedAt
		if at, ok := seen[k]; !ok || !at.Equal(s.LoadedAt) {
			changed[k] = true
		}
	}
	return changed, now
}

// eachOpen calls fn with every open or acknowledged record matching f.
func (l *Lifecycle) eachOpen(ctx context.Context, f store.Filter, fn func(store.Record) error) error {
	f.Status, f.Limit = []store.Status{store.StatusOpen, store.StatusAcknowledged}, 1000
	for {
		page, err := l.Store.List(ctx, f)
		if err != nil {
			return err
		}
		for _, rec := range page.Records {
			if err := fn(rec); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		f.Cursor = page.Next
	}
}

// checkAccepted resolves the drifts of the reloaded sources that their
// new state holds.
func (l *Lifecycle) checkAccepted(ctx context.Context, changed map[srcKey]bool) error {
	return l.eachOpen(ctx, store.Filter{}, func(rec store.Record) error {
		loc := rec.Drift.Terraform
		if rec.ChangeType != drift.Created && !changed[srcKey{loc.State, workspaceOf(loc)}] {
			return nil
		}
		if !l.accepted(rec) {
			return nil
		}
		return l.resolve(ctx, rec, ReasonAccepted)
	})
}

func workspaceOf(loc drift.Location) string {
	if loc.Workspace == "" {
		return state.DefaultWorkspace
	}
	return loc.Workspace
}

// accepted reports whether the index's state holds what rec's drift
// did to its resource.
func (l *Lifecycle) accepted(rec store.Record) bool {
	r := rec.Drift
	switch r.ChangeType {
	case drift.Created:
		return r.ResourceID != "" && len(l.Index.Lookup(change.Provider(r.Provider), r.AccountID, r.ResourceType, "id", r.ResourceID)) > 0
	case drift.Deleted:
		return r.Terraform.State != "" && r.ResourceAddress != "" && l.Index.ByAddress(r.Terraform.State, r.ResourceAddress) == nil &&
			l.loaded(r.Terraform.State, workspaceOf(r.Terraform))
	}
	res := l.Index.ByAddress(r.Terraform.State, r.ResourceAddress)
	if res == nil || res.Source == nil || res.Source.Workspace != workspaceOf(r.Terraform) || len(r.Changes) == 0 {
		return false
	}
	names := make([]string, 0, len(r.Changes))
	for name, ac := range r.Changes {
		if ac.Unknown {
			return false // the cloud's value was never known
		}
		names = append(names, name)
	}
	attrs, err := res.AttributesOf(names)
	if err != nil {
		return false
	}
	for name, ac := range r.Changes {
		if !normalize.Equal(attrs[name], ac.Actual) {
			return false
		}
	}
	return true
}

// loaded reports whether a source and workspace is in the index.
func (l *Lifecycle) loaded(name, workspace string) bool {
	for _, s := range l.Index.Sources() {
		if s.Name == name && s.Workspace == workspace {
			return true
		}
	}
	return false
}

// checkReverted resolves the drifts a write put back: those on the
// resource whose every changed attribute the write set to state's value.
func (l *Lifecycle) checkReverted(ctx context.Context, s synced) error {
	src := s.res.Source
	if src == nil {
		return nil
	}
	return l.eachOpen(ctx, store.Filter{ResourceType: s.res.Type}, func(rec store.Record) error {
		loc := rec.Drift.Terraform
		if rec.ResourceAddress != s.res.Address || loc.State != src.Name || workspaceOf(loc) != src.Workspace ||
			rec.ChangeType != drift.Modified || len(rec.Drift.Changes) == 0 {
			return nil
		}
		for name := range rec.Drift.Changes {
			if _, set := s.attrs[name]; !set {
				return nil
			}
		}
		return l.resolve(ctx, rec, ReasonReverted)
	})
}

// resolve moves rec to resolved with its resolve notices. A record
// another replica (or a person) moved first is left alone.
func (l *Lifecycle) resolve(ctx context.Context, rec store.Record, reason string) error {
	var notices []store.NewNotice
	if l.Resolved != nil {
		d, err := ticket.DriftFromRecord(rec.Drift)
		if err != nil {
			return err
		}
		notices = l.Resolved(d, reason)
	}
	_, err := l.Store.Transition(ctx, rec.Fingerprint, store.StatusResolved, lifecycleActor, reason, notices...)
	var te *store.TransitionError
	if errors.As(err, &te) || errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err == nil {
		l.Logger.Info("drift resolved", "fingerprint", rec.Fingerprint, "resource", rec.ResourceAddress, "reason", reason)
	}
	return err
}
