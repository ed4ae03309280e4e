package wiring

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/internal/eventually"
)

// instanceState is a state holding one instance of the given type.
func instanceState(t *testing.T, serial int, instanceType string) *state.Snapshot {
	t.Helper()
	doc := fmt.Sprintf(`{"version":4,"terraform_version":"1.5.7","serial":%d,"lineage":"l","outputs":{},"resources":[
{"mode":"managed","type":"aws_instance","name":"app","provider":"provider[\"registry.terraform.io/hashicorp/aws\"]",
 "instances":[{"schema_version":1,"attributes":{"id":"i-1","instance_type":%q,"tags":{"Name":"app"}}}]}]}`, serial, instanceType)
	snap, err := state.Parse([]byte(doc), state.Source{Name: "prod", Workspace: "default", Provider: change.AWS})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func instanceDrift(user, actual string) *drift.Drift {
	d := &drift.Drift{ChangeType: drift.Modified, ResourceType: "aws_instance", ResourceID: "i-1", ResourceAddress: "aws_instance.app",
		Changes:  map[string]drift.AttrChange{"instance_type": {Expected: "t3.micro", Actual: actual}},
		Severity: drift.High, Event: &change.Change{Provider: change.AWS, EventID: "e-" + actual, Actor: change.Actor{UserName: user}},
		Terraform: drift.Location{State: "prod", Workspace: "default"}}
	d.ComputeFingerprint()
	d.ComputeEventID()
	return d
}

// TestLifecycle: a drift the reloaded state holds is resolved as
// accepted, one a later write put back as reverted, each with its
// resolve notices and reason; what is still drift stays open.
func TestLifecycle(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		st := openStore(t, dsn, newTestClock())
		ix := NewIndex(catalog.Default())
		ix.Replace(instanceState(t, 1, "t3.micro"))
		accepted, reverted, stays := instanceDrift("a", "m5.large"), instanceDrift("b", "m5.xlarge"), instanceDrift("c", "c5.large")
		stays.Changes["tags"] = drift.AttrChange{Expected: map[string]any{"Name": "app"}, Actual: map[string]any{"Name": "x"}}
		for _, d := range []*drift.Drift{accepted, reverted, stays} {
			if _, _, err := st.RecordDrift(ctx, d, nil); err != nil {
				t.Fatal(err)
			}
		}
		var reasons []string
		l := NewLifecycle(st, ix, func(d *drift.Drift, reason string) []store.NewNotice {
			reasons = append(reasons, reason)
			return []store.NewNotice{{Sink: "pagerduty", Key: "resolve/" + d.Fingerprint, Payload: []byte(reason)}}
		}, nil)
		l.Poll = 10 * time.Millisecond
		done := make(chan error, 1)
		go func() { done <- l.Run(ctx) }()
		statusOf := func(d *drift.Drift) store.Record {
			rec, err := st.Get(ctx, d.Fingerprint)
			if err != nil {
				t.Fatal(err)
			}
			return rec
		}
		waitFor := func(what string, cond func() bool) {
			t.Helper()
			eventually.True(t, what, cond)
		}

		// The code takes the change and is applied: the state holds it.
		ix.Replace(instanceState(t, 2, "m5.large"))
		waitFor("the accepted drift", func() bool { return statusOf(accepted).Status == store.StatusResolved })
		if rec := statusOf(accepted); rec.StatusNote != ReasonAccepted || rec.StatusActor != "tfdrift" {
			t.Errorf("accepted: %s by %s (%q)", rec.Status, rec.StatusActor, rec.StatusNote)
		}
		ns, _ := st.ListNotices(ctx, store.NoticeFilter{Fingerprint: accepted.Fingerprint})
		if len(ns) != 1 || string(ns[0].Payload) != ReasonAccepted {
			t.Errorf("accepted's notices: %+v", ns)
		}

		// Someone puts back what the code says (now m5.large): the other
		// drifts on instance_type are reverted; one that also changed
		// tags is not (the write did not set them).
		res := ix.ByAddress("prod", "aws_instance.app")
		l.InSync(res, map[string]any{"instance_type": "m5.large"})
		waitFor("the reverted drift", func() bool { return statusOf(reverted).Status == store.StatusResolved })
		if rec := statusOf(reverted); rec.StatusNote != ReasonReverted {
			t.Errorf("reverted: %q", rec.StatusNote)
		}
		if rec := statusOf(stays); rec.Status != store.StatusOpen {
			t.Errorf("a drift the write did not cover is %s", rec.Status)
		}
		// A reload that holds something else leaves it open too.
		ix.Replace(instanceState(t, 3, "t3.nano"))
		l.InSync(res, map[string]any{"ami": "x"})
		time.Sleep(50 * time.Millisecond)
		if rec := statusOf(stays); rec.Status != store.StatusOpen {
			t.Errorf("a drift still in the cloud is %s", rec.Status)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if len(reasons) != 2 {
			t.Errorf("resolve notices asked for: %q", reasons)
		}
	})
}
