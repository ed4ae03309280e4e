package ticket_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

func driftBy(user string, i int) *drift.Drift {
	d := sample.SecurityGroup()
	ev := *d.Event
	ev.Actor.UserName = user
	d.Event = &ev
	d.ResourceID = fmt.Sprintf("sg-%04d", i)
	d.ComputeFingerprint()
	return d
}

func noticeFor(sink string, d *drift.Drift) *ticket.Notice {
	return &ticket.Notice{Sink: sink, Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint}
}

// A console session touching 200 resources: two notices pass, then one
// group per window holds the rest.
func TestGrouperConsoleSession(t *testing.T) {
	clock := &fakeClock{t: sample.When}
	g := ticket.NewGrouper(ticket.GrouperOptions{Threshold: 3, Window: 5 * time.Minute}, clock.Now)
	var passed, groups []*ticket.Notice
	for i := range 200 {
		passed = append(passed, g.Add(noticeFor("pagerduty", driftBy("alice", i)))...)
		clock.Advance(time.Second) // 200 s in all, inside one window
	}
	if len(passed) != 2 {
		t.Fatalf("%d notices passed before the storm, want 2", len(passed))
	}
	if got := g.Flush(clock.Now()); len(got) != 0 {
		t.Fatalf("Flush before the window closed emitted %d notices", len(got))
	}
	due, ok := g.NextDeadline()
	if want := sample.When.Add(2*time.Second + 5*time.Minute); !ok || !due.Equal(want) {
		t.Fatalf("NextDeadline = %v, %v; want %v", due, ok, want)
	}
	groups = g.Flush(due)
	if len(groups) != 1 {
		t.Fatalf("Flush at the deadline emitted %d notices, want 1 group", len(groups))
	}
	n := groups[0]
	if n.Kind != ticket.KindGroup || n.Drift != nil || n.Group == nil {
		t.Fatalf("emitted %+v, want a group notice", n)
	}
	if len(n.Group.Drifts) != 198 || n.Group.Actor != "alice" || n.Sink != "pagerduty" {
		t.Errorf("group has %d drifts by %q for %s, want 198 by alice for pagerduty", len(n.Group.Drifts), n.Group.Actor, n.Sink)
	}
	if n.Group.Drifts[0].ResourceID != "sg-0002" || n.Group.Drifts[197].ResourceID != "sg-0199" {
		t.Errorf("group drifts out of order: first %s last %s", n.Group.Drifts[0].ResourceID, n.Group.Drifts[197].ResourceID)
	}
	if n.Fingerprint == "" || n.Fingerprint == n.Group.Drifts[0].Fingerprint {
		t.Errorf("group fingerprint %q should be the group's own", n.Fingerprint)
	}
	// The actor keeps going: the storm continues without single notices.
	if got := g.Add(noticeFor("pagerduty", driftBy("alice", 500))); len(got) != 0 {
		t.Errorf("a drift right after the group passed through: %d notices", len(got))
	}
	// After a quiet window, single notices flow again.
	clock.Advance(6 * time.Minute)
	if got := g.Flush(clock.Now()); len(got) != 1 || got[0].Kind != ticket.KindDrift {
		t.Errorf("the lone held drift should come out as a drift notice, got %+v", got)
	}
	clock.Advance(6 * time.Minute)
	g.Flush(clock.Now())
	if got := g.Add(noticeFor("pagerduty", driftBy("alice", 600))); len(got) != 1 {
		t.Errorf("after a quiet window a drift was held")
	}
}

func TestGrouperKeys(t *testing.T) {
	clock := &fakeClock{t: sample.When}
	g := ticket.NewGrouper(ticket.GrouperOptions{Threshold: 2, Window: time.Minute, Exempt: []string{"output"}}, clock.Now)
	type step struct {
		n    *ticket.Notice
		want int // notices passed through
	}
	resolved := noticeFor("pagerduty", driftBy("alice", 9))
	resolved.Kind = ticket.KindResolved
	anonymous := sample.EBSVolume()
	anonymous.Event = nil
	steps := []step{
		{noticeFor("pagerduty", driftBy("alice", 1)), 1},
		{noticeFor("pagerduty", driftBy("bob", 2)), 1}, // another actor
		{noticeFor("slack", driftBy("alice", 3)), 1},   // another sink
		{noticeFor("output", driftBy("alice", 4)), 1},  // exempt
		{noticeFor("output", driftBy("alice", 5)), 1},  // exempt
		{resolved, 1},                                    // resolutions are never held
		{noticeFor("pagerduty", anonymous), 1},           // no actor
		{noticeFor("pagerduty", anonymous), 1},           // no actor
		{noticeFor("pagerduty", driftBy("alice", 6)), 0}, // second by alice to pagerduty: storm
	}
	for i, s := range steps {
		if got := len(g.Add(s.n)); got != s.want {
			t.Errorf("step %d (%s): %d notices passed, want %d", i, s.n.Sink, got, s.want)
		}
	}
	all := g.FlushAll()
	var sinks []string
	for _, n := range all {
		sinks = append(sinks, n.Sink+"/"+string(n.Kind))
	}
	// The storm holds only the drift that started it: it comes out alone.
	if diff := cmp.Diff([]string{"pagerduty/drift"}, sinks); diff != "" {
		t.Errorf("FlushAll (-want +got):\n%s", diff)
	}
}

func TestGrouperDisabled(t *testing.T) {
	for _, opts := range []ticket.GrouperOptions{{}, {Threshold: 1, Window: time.Minute}, {Threshold: 5}} {
		g := ticket.NewGrouper(opts, nil)
		for i := range 20 {
			if got := g.Add(noticeFor("s", driftBy("alice", i))); len(got) != 1 {
				t.Fatalf("%+v: notice %d held by a disabled grouper", opts, i)
			}
		}
		if g.Enabled() {
			t.Errorf("%+v: Enabled() = true", opts)
		}
	}
}
