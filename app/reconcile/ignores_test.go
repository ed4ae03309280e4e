package reconcile

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/store/storetest"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

// recorderFunc records what reaches the store.
type recorderFunc func(d *drift.Drift, notices []store.NewNotice) (store.Record, bool, error)

func (f recorderFunc) RecordDrift(_ context.Context, d *drift.Drift, notices []store.NewNotice) (store.Record, bool, error) {
	return f(d, notices)
}

// TestHonourIgnoresStripsIgnoredValues: an ignored value is dropped from a
// drift that also changed something else; the rest is recorded under its
// own fingerprint, with notices made for what is left. A value that means
// the same (a float64 for a json.Number, another list order) is ignored
// too.
func TestHonourIgnoresStripsIgnoredValues(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mk := func(changes map[string]drift.AttrChange) *drift.Drift {
		d := &drift.Drift{ChangeType: drift.Modified, ResourceType: "aws_instance", ResourceAddress: "aws_instance.app", ResourceID: "i-1",
			Changes: changes, Event: &change.Change{Provider: change.AWS, Account: "1"}, Terraform: drift.Location{State: "prod", Workspace: "default"}}
		d.ComputeFingerprint()
		return d
	}
	ignoredPorts := []any{json.Number("22"), json.Number("443")}
	first := mk(map[string]drift.AttrChange{"ports": {Actual: ignoredPorts}})
	if err := st.AddIgnores(ctx, store.Ignore{ResourceKey: ticket.ResourceKey(first), Attribute: "ports", ValueHash: ValueHash(ignoredPorts)},
		store.Ignore{ResourceKey: ticket.ResourceKey(first), Attribute: "tags", ValueHash: ValueHash("x"), ExpiresAt: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	var got *drift.Drift
	var gotNotices []store.NewNotice
	next := recorderFunc(func(d *drift.Drift, n []store.NewNotice) (store.Record, bool, error) {
		got, gotNotices = d, n
		return store.Record{Fingerprint: d.Fingerprint}, true, nil
	})
	renotice := func(d *drift.Drift) []store.NewNotice { return []store.NewNotice{{Sink: "slack", Key: d.Fingerprint}} }
	hook := HonourIgnores(next, st, renotice)

	d := mk(map[string]drift.AttrChange{
		"ports":         {Actual: []any{443.0, 22.0}},
		"instance_type": {Expected: "t3.micro", Actual: "t3.large"},
		"tags":          {Actual: "x"}, // its ignore expired
	})
	full := d.Fingerprint
	_, opened, err := hook.RecordDrift(ctx, d, []store.NewNotice{{Sink: "slack", Key: full}})
	if err != nil || !opened {
		t.Fatalf("RecordDrift: %v, %v", opened, err)
	}
	if len(got.Changes) != 2 || got.Changes["instance_type"].Actual != "t3.large" || got.Changes["tags"].Actual != "x" {
		t.Errorf("recorded changes %+v, want instance_type and tags", got.Changes)
	}
	if got.Fingerprint == full || got.Fingerprint != mk(got.Changes).Fingerprint {
		t.Errorf("fingerprint %s not recomputed for what is left", got.Fingerprint)
	}
	if len(gotNotices) != 1 || gotNotices[0].Key != got.Fingerprint {
		t.Errorf("notices %+v, want them made again for the stripped drift", gotNotices)
	}

	got = nil
	if _, opened, err := hook.RecordDrift(ctx, mk(map[string]drift.AttrChange{"ports": {Actual: ignoredPorts}}), nil); err != nil || opened || got != nil {
		t.Errorf("an entirely ignored drift: opened %v, %v, recorded %v", opened, err, got)
	}
	other := mk(map[string]drift.AttrChange{"ports": {Actual: []any{json.Number("22")}}})
	if _, opened, err := hook.RecordDrift(ctx, other, nil); err != nil || !opened || got == nil {
		t.Errorf("another value of an ignored attribute: opened %v, %v", opened, err)
	}
}
