package ticket_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
)

func driftBy(user string, i int) *drift.Drift {
	d := sample.SecurityGroup()
	ev := *d.Event
	ev.Actor.UserName = user
	d.Event = &ev
	d.ResourceID = fmt.Sprintf("sg-%04d", i)
	d.ResourceAddress = fmt.Sprintf("aws_security_group.sg%d", i)
	d.ComputeFingerprint()
	return d
}

func noticeFor(sink string, d *drift.Drift) *ticket.Notice {
	return &ticket.Notice{Sink: sink, Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint}
}

// Key decides which notices storm control may hold, and which count
// together.
func TestStormKey(t *testing.T) {
	sc := ticket.StormControl{Threshold: 2, Window: time.Minute, Exempt: []string{"output"}}
	resolved := noticeFor("pagerduty", driftBy("alice", 9))
	resolved.Kind = ticket.KindResolved
	anonymous := sample.EBSVolume()
	anonymous.Event = nil
	toChannel := noticeFor("slack", driftBy("alice", 3))
	toChannel.Target = "#prod"
	base, _ := sc.Key(noticeFor("pagerduty", driftBy("alice", 1)))
	tests := []struct {
		name string
		n    *ticket.Notice
		held bool
		same bool // counted with base
	}{
		{"another resource, same actor and sink", noticeFor("pagerduty", driftBy("alice", 2)), true, true},
		{"another actor", noticeFor("pagerduty", driftBy("bob", 2)), true, false},
		{"another sink", noticeFor("slack", driftBy("alice", 3)), true, false},
		{"another target", toChannel, true, false},
		{"exempt sink", noticeFor("output", driftBy("alice", 4)), false, false},
		{"a resolution", resolved, false, false},
		{"no actor", noticeFor("pagerduty", anonymous), false, false},
	}
	for _, tt := range tests {
		key, held := sc.Key(tt.n)
		if held != tt.held || (key == base) != tt.same {
			t.Errorf("%s: Key = %q, %v; want held %v, same key as the first %v", tt.name, key, held, tt.held, tt.same)
		}
		if held && (len(key) != len("storm_")+32 || key[:6] != "storm_") {
			t.Errorf("%s: key %q is not a storm_ hash", tt.name, key)
		}
	}
	for _, off := range []ticket.StormControl{{}, {Threshold: 1, Window: time.Minute}, {Threshold: 5}} {
		if _, held := off.Key(noticeFor("s", driftBy("alice", 1))); held || off.Enabled() {
			t.Errorf("%+v: storm control is off, yet it holds", off)
		}
	}
}

// GroupNotice announces a window's members once each, in order; a single
// member is announced as itself.
func TestGroupNotice(t *testing.T) {
	first, last := sample.When, sample.When.Add(3*time.Minute)
	var members []*ticket.Notice
	for i := range 5 {
		members = append(members, noticeFor("pagerduty", driftBy("alice", i)))
	}
	// A reopened drift held again: listed once.
	members = append(members, noticeFor("pagerduty", members[2].Drift))
	g := ticket.GroupNotice(members, first, last, 5*time.Minute)
	if g.Kind != ticket.KindGroup || g.Drift != nil || g.Sink != "pagerduty" {
		t.Fatalf("group notice %+v", g)
	}
	if len(g.Group.Drifts) != 5 || g.Group.Actor != "alice" || !g.Group.First.Equal(first) || !g.Group.Last.Equal(last) || g.Group.Window != 5*time.Minute {
		t.Errorf("group %d drifts by %q, %v → %v (%v)", len(g.Group.Drifts), g.Group.Actor, g.Group.First, g.Group.Last, g.Group.Window)
	}
	for i, d := range g.Group.Drifts {
		if d.Fingerprint != members[i].Fingerprint {
			t.Errorf("drift %d is %s, want %s (arrival order)", i, d.Fingerprint, members[i].Fingerprint)
		}
	}
	if len(g.Fingerprint) != len("grp_")+28 || g.Fingerprint[:4] != "grp_" {
		t.Errorf("group fingerprint %q", g.Fingerprint)
	}
	// Rebuilt by another flusher: the same notice, so the same outbox key.
	if again := ticket.GroupNotice(members, first, last, 5*time.Minute); again.Fingerprint != g.Fingerprint || again.OutboxKey() != g.OutboxKey() {
		t.Errorf("rebuilding the group changed its identity: %s vs %s", again.Fingerprint, g.Fingerprint)
	}
	if other := ticket.GroupNotice(members, first.Add(time.Second), last, 5*time.Minute); other.Fingerprint == g.Fingerprint {
		t.Error("two windows of one actor share a fingerprint")
	}
	// Nobody joined: the drift on its own, as it was routed.
	one := ticket.GroupNotice(members[:1], first, first, 5*time.Minute)
	if one != members[0] {
		t.Errorf("single member: %+v, want the member itself", one)
	}
	dup := ticket.GroupNotice([]*ticket.Notice{members[0], noticeFor("pagerduty", members[0].Drift)}, first, last, time.Minute)
	if dup.Kind != ticket.KindDrift {
		t.Errorf("one drift held twice: kind %s, want drift", dup.Kind)
	}
	if ticket.GroupNotice(nil, first, last, time.Minute) != nil {
		t.Error("GroupNotice without members is not nil")
	}
}
