package spool

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/ingest"
)

// ghDelivery is a journaled message of another kind than Falco's: a
// GitHub webhook delivery, which goes to the GitHub App, never to the
// drift pipeline.
func ghDelivery(i int) ingest.Message {
	return ingest.Message{Source: "github-webhook", ID: fmt.Sprintf("delivery-%03d", i),
		Body: []byte(fmt.Sprintf(`{"action":"created","n":%d}`, i)), Received: t0.Add(time.Duration(i) * time.Second)}
}

// journalUnsettled journals msgs through one spool and crashes it before
// any verdict, as kill -9 would.
func journalUnsettled(t *testing.T, dir string, msgs ...ingest.Message) {
	t.Helper()
	s := openSpool(t, dir)
	sink := &pipeline{}
	h := s.Wrap(sink.handle)
	for _, m := range msgs {
		if err := h(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	settle(t, s)
	crash(t, s)
}

// TestRecoverDispatchesBySource: each journaled message goes back to the
// consumer of its source, in arrival order within each.
func TestRecoverDispatchesBySource(t *testing.T) {
	dir := t.TempDir()
	journalUnsettled(t, dir, msg(1), ghDelivery(2), msg(3), ghDelivery(4), msg(5))

	s := openSpool(t, dir)
	drifts, app := &pipeline{}, &pipeline{}
	rec, err := s.Recover(context.Background(), Consumers{"falco-http": drifts.handle, "github-webhook": app.handle})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Replayed != 5 || rec.GivenUp != 0 || rec.Unclaimed != nil {
		t.Errorf("recovery: %+v", rec)
	}
	if diff := cmp.Diff(summary([]ingest.Message{msg(1), msg(3), msg(5)}), summary(drifts.taken())); diff != "" {
		t.Errorf("the drift pipeline got (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(summary([]ingest.Message{ghDelivery(2), ghDelivery(4)}), summary(app.taken())); diff != "" {
		t.Errorf("the GitHub App got (-want +got):\n%s", diff)
	}
}

// TestRecoverLeavesUnclaimedSources: a start without the consumer of a
// source (the GitHub App is not configured now) neither delivers its
// messages elsewhere nor counts a delivery: a later start that has the
// consumer still gets every one, even with MaxDeliveries 1.
func TestRecoverLeavesUnclaimedSources(t *testing.T) {
	dir := t.TempDir()
	journalUnsettled(t, dir, msg(1), ghDelivery(2), ghDelivery(3))

	s := openSpool(t, dir, WithMaxDeliveries(2))
	drifts := &pipeline{}
	rec, err := s.Recover(context.Background(), Consumers{"falco-http": drifts.handle})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Replayed != 1 || !cmp.Equal(rec.Unclaimed, map[string]int{"github-webhook": 2}) {
		t.Errorf("recovery: %+v", rec)
	}
	if diff := cmp.Diff(summary([]ingest.Message{msg(1)}), summary(drifts.taken())); diff != "" {
		t.Errorf("the drift pipeline got (-want +got):\n%s", diff)
	}
	drifts.taken()[0].Done(nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Several starts without the consumer: still not a delivery.
	for range 3 {
		s := openSpool(t, dir, WithMaxDeliveries(2))
		rec, err := s.Recover(context.Background(), Consumers{"falco-http": (&pipeline{}).handle})
		if err != nil || rec.Replayed != 0 || rec.Unclaimed["github-webhook"] != 2 {
			t.Fatalf("start without the App: %+v, %v", rec, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}

	s = openSpool(t, dir, WithMaxDeliveries(2))
	app := &pipeline{}
	rec, err = s.Recover(context.Background(), Consumers{"falco-http": (&pipeline{}).handle, "github-webhook": app.handle})
	if err != nil || rec.Replayed != 2 || rec.GivenUp != 0 || rec.Unclaimed != nil {
		t.Fatalf("start with the App: %+v, %v", rec, err)
	}
	if diff := cmp.Diff(summary([]ingest.Message{ghDelivery(2), ghDelivery(3)}), summary(app.taken())); diff != "" {
		t.Errorf("the GitHub App got (-want +got):\n%s", diff)
	}
}
