package ticket

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// GrouperOptions configure storm control.
type GrouperOptions struct {
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

// Grouper is storm control: many drifts by one actor within a window
// become one group notice, so a console session touching 200 resources
// pages once.
//
// The first Threshold-1 drifts of an actor within Window pass straight
// through, so a single change is announced without delay. The
// Threshold-th starts a storm: it and every later drift by the same actor,
// for the same sink and target, are held in a group announced Window after
// the storm began. While the actor keeps going, each Window yields one more
// group. Resolutions and notices without an actor are never held.
//
// Time comes from the clock given to NewGrouper (Add) and from Flush's
// argument, so tests drive it deterministically. Held notices live in
// memory: the drifts themselves are already in the store, but a group not
// yet flushed when the process dies is not announced.
type Grouper struct {
	opts GrouperOptions
	now  func() time.Time

	mu     sync.Mutex
	storms map[string]*storm
}

type storm struct {
	recent   []time.Time
	held     *Notice
	deadline time.Time
}

// NewGrouper returns a Grouper reading time from now (time.Now when nil).
func NewGrouper(opts GrouperOptions, now func() time.Time) *Grouper {
	if now == nil {
		now = time.Now
	}
	return &Grouper{opts: opts, now: now, storms: map[string]*storm{}}
}

// Enabled reports whether storm control can hold anything.
func (g *Grouper) Enabled() bool { return g.opts.Threshold >= 2 && g.opts.Window > 0 }

// Add offers a notice and returns what to enqueue now: n itself, or
// nothing when n joins a held group.
func (g *Grouper) Add(n *Notice) []*Notice {
	if !g.Enabled() || n.Kind != KindDrift || n.Drift == nil || slices.Contains(g.opts.Exempt, n.Sink) {
		return []*Notice{n}
	}
	actor := n.Drift.User()
	if actor == "" {
		return []*Notice{n}
	}
	now := g.now()
	k := strings.Join([]string{n.Sink, n.Target, n.URL, actor}, "\x00")

	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.storms[k]
	if st == nil {
		st = &storm{}
		g.storms[k] = st
	}
	st.prune(now.Add(-g.opts.Window))
	st.recent = append(st.recent, now)
	if st.held != nil {
		st.held.Group.Drifts = append(st.held.Group.Drifts, n.Drift)
		st.held.Group.Last = now
		return nil
	}
	if len(st.recent) < g.opts.Threshold {
		return []*Notice{n}
	}
	held := *n
	held.Kind = KindGroup
	held.Drift = nil
	held.Group = &Group{Actor: actor, First: now, Last: now, Window: g.opts.Window, Drifts: []*drift.Drift{n.Drift}}
	held.Fingerprint = groupFingerprint(k, n.Fingerprint, now)
	st.held, st.deadline = &held, now.Add(g.opts.Window)
	return nil
}

// Flush returns the groups whose window has closed by now, oldest first.
func (g *Grouper) Flush(now time.Time) []*Notice { return g.flush(now, false) }

// FlushAll returns every held group, for a graceful shutdown.
func (g *Grouper) FlushAll() []*Notice { return g.flush(time.Time{}, true) }

// NextDeadline is when the next held group is due, for the caller's timer.
func (g *Grouper) NextDeadline() (time.Time, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var next time.Time
	for _, st := range g.storms {
		if st.held != nil && (next.IsZero() || st.deadline.Before(next)) {
			next = st.deadline
		}
	}
	return next, !next.IsZero()
}

func (g *Grouper) flush(now time.Time, all bool) []*Notice {
	g.mu.Lock()
	defer g.mu.Unlock()
	type due struct {
		key string
		st  *storm
	}
	var ready []due
	for k, st := range g.storms {
		if st.held != nil && (all || !st.deadline.After(now)) {
			ready = append(ready, due{k, st})
		}
		if !all {
			st.prune(now.Add(-g.opts.Window))
			if st.held == nil && len(st.recent) == 0 {
				delete(g.storms, k)
			}
		}
	}
	slices.SortFunc(ready, func(a, b due) int {
		if c := a.st.deadline.Compare(b.st.deadline); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	out := make([]*Notice, 0, len(ready))
	for _, r := range ready {
		n := r.st.held
		r.st.held = nil
		if len(n.Group.Drifts) == 1 {
			// Nobody joined: announce the drift on its own after all.
			d := n.Group.Drifts[0]
			n.Kind, n.Drift, n.Group, n.Fingerprint = KindDrift, d, nil, driftFingerprint(d)
		}
		out = append(out, n)
	}
	return out
}

// prune drops arrival times before since.
func (st *storm) prune(since time.Time) {
	i := 0
	for i < len(st.recent) && st.recent[i].Before(since) {
		i++
	}
	st.recent = st.recent[i:]
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
