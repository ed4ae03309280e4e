package reconcile

import (
	"context"
	"fmt"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

// Recorder records drifts: the daemon's pipeline Recorder
// (app/daemon.Recorder), which store.Store implements.
type Recorder interface {
	RecordDrift(ctx context.Context, d *drift.Drift, notices []store.NewNotice) (store.Record, bool, error)
}

// NoticeFunc gives a drift's notices (app/daemon.NoticeFunc).
type NoticeFunc func(d *drift.Drift) []store.NewNotice

// HonourIgnores wraps the pipeline's Recorder so that "/tfdrift ignore"
// holds: before a drift is recorded, each attribute whose actual value a
// person ignored (and whose ignore has not expired) is dropped from it,
// in place, and its fingerprint computed again; notices, when given,
// makes the notices of what is left. A drift left with no attribute is
// not recorded and is reported as not opened, so the pipeline announces
// nothing. Serve wires it between the pipeline and the store:
//
//	Recorder: reconcile.HonourIgnores(st, st, notices.Outbox)
func HonourIgnores(next Recorder, ignores store.Ignores, notices NoticeFunc) Recorder {
	return &ignoringRecorder{next: next, ignores: ignores, notices: notices}
}

type ignoringRecorder struct {
	next    Recorder
	ignores store.Ignores
	notices NoticeFunc
}

func (g *ignoringRecorder) RecordDrift(ctx context.Context, d *drift.Drift, notices []store.NewNotice) (store.Record, bool, error) {
	if len(d.Changes) == 0 {
		return g.next.RecordDrift(ctx, d, notices)
	}
	igs, err := g.ignores.ActiveIgnores(ctx, ticket.ResourceKey(d))
	if err != nil {
		return store.Record{}, false, fmt.Errorf("ignores of %s: %w", d.ResourceAddress, err)
	}
	if len(igs) == 0 {
		return g.next.RecordDrift(ctx, d, notices)
	}
	ignored := map[string]bool{}
	for _, ig := range igs {
		ignored[ig.Attribute+"\x00"+ig.ValueHash] = true
	}
	kept := map[string]drift.AttrChange{}
	for name, ac := range d.Changes {
		if !ignored[name+"\x00"+ValueHash(ac.Actual)] {
			kept[name] = ac
		}
	}
	switch {
	case len(kept) == len(d.Changes):
		return g.next.RecordDrift(ctx, d, notices)
	case len(kept) == 0:
		return store.Record{}, false, nil
	}
	d.Changes = kept
	d.ComputeFingerprint()
	if g.notices != nil {
		notices = g.notices(d)
	}
	return g.next.RecordDrift(ctx, d, notices)
}
