package ticket

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// StormControl is storm control's policy: many drifts by one actor within
// a window become one group notice, so a console session touching 200
// resources pages once.
//
// It holds no state. The counting and the held drifts live in the store
// (app/store's storm windows), inside the transaction that records a
// drift, so that replicas share one count, a redelivered drift is never
// counted twice, and a crash loses no held drift. The semantics the store
// implements, per storm key (sink, target, URL and actor):
//
//   - The first Threshold-1 drifts within Window pass straight through, so
//     a single change is announced without delay.
//   - The Threshold-th opens a window: it and every later drift of the key
//     are held, and the window is announced Window after it opened, as one
//     group notice (GroupNotice).
//   - While the actor keeps going, each Window yields one more group.
//   - Resolutions, drifts without an actor and exempt sinks are never held
//     (Key reports false).
type StormControl struct {
	// Threshold is how many drifts one actor may cause, for one sink and
	// target, within Window before the rest are held and announced as one
	// group. Below 2 storm control is off.
	Threshold int
	// Window is both the look-back that counts drifts towards Threshold
	// and how long a group collects before it is announced.
	Window time.Duration
	// Exempt lists sinks that are never grouped: an NDJSON audit log
	// wants every drift on its own line.
	Exempt []string
}

// Enabled reports whether storm control can hold anything.
func (sc StormControl) Enabled() bool { return sc.Threshold >= 2 && sc.Window > 0 }

// Key returns the storm key n is counted under: a stable hash of its
// sink, target, URL and actor, safe as a database key. It reports false
// for a notice that is never held: storm control off, anything but a
// drift notice, a drift without a known actor, or an exempt sink.
func (sc StormControl) Key(n *Notice) (string, bool) {
	if !sc.Enabled() || n.Kind != KindDrift || n.Drift == nil || slices.Contains(sc.Exempt, n.Sink) {
		return "", false
	}
	actor := n.Drift.User()
	if actor == "" {
		return "", false
	}
	return stormKey(n.Sink, n.Target, n.URL, actor), true
}

func stormKey(sink, target, url, actor string) string {
	h := sha256.New()
	for _, s := range []string{sink, target, url, actor} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "storm_" + hex.EncodeToString(h.Sum(nil))[:32]
}

// GroupNotice builds the notice that announces a storm window: members
// are the held drift notices of one storm key in arrival order, first and
// last the arrival times of the first and last, window the storm window.
// A drift held twice (a reopened drift) is listed once. With a single
// member, GroupNotice returns that member itself: nobody joined, so the
// drift is announced on its own after all. It returns nil without
// members.
//
// The group's Fingerprint is derived from the storm key, the first
// member's fingerprint and first, so rebuilding the group of one window
// (a flusher that died and a second one that retries) gives the same
// notice.
func GroupNotice(members []*Notice, first, last time.Time, window time.Duration) *Notice {
	var ds []*drift.Drift
	seen := map[string]bool{}
	var head *Notice
	for _, m := range members {
		if m == nil || m.Drift == nil {
			continue
		}
		fp := driftFingerprint(m.Drift)
		if seen[fp] {
			continue
		}
		seen[fp] = true
		if head == nil {
			head = m
		}
		ds = append(ds, m.Drift)
	}
	if head == nil {
		return nil
	}
	if len(ds) == 1 {
		return head
	}
	actor := head.Drift.User()
	g := *head
	g.Kind, g.Drift, g.Refs = KindGroup, nil, nil
	g.Group = &Group{Actor: actor, First: first, Last: last, Window: window, Drifts: ds}
	g.Fingerprint = groupFingerprint(stormKey(head.Sink, head.Target, head.URL, actor), driftFingerprint(head.Drift), first)
	return &g
}

func groupFingerprint(key, first string, at time.Time) string {
	h := sha256.New()
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write([]byte(first))
	h.Write([]byte{0})
	h.Write([]byte(at.UTC().Format(time.RFC3339Nano)))
	return "grp_" + hex.EncodeToString(h.Sum(nil))[:28]
}
