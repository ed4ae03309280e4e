package ghissue

import (
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// History is what an issue remembers of its resource's drifts, kept in a
// hidden marker of the body so that any replica, after any restart, can
// bring the change table up to date: every attribute drifted so far (the
// latest detection winning), how many drifts there were since when, and
// the deliveries already applied (their event markers), for idempotency.
type History struct {
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	Count int       `json:"count"`
	// Attrs are the drifted attributes by name.
	Attrs map[string]AttrHistory `json:"attrs"`
	// Applied are the delivery keys (event ID and fingerprint) merged into
	// the body, newest last, at most maxApplied.
	Applied []string `json:"applied"`
}

// AttrHistory is one attribute's latest drift.
type AttrHistory struct {
	Expected any    `json:"expected"`
	Actual   any    `json:"actual"`
	Diff     string `json:"diff,omitempty"`
	Unknown  bool   `json:"unknown,omitempty"`
	// Cut is set when the values were too long to keep: they are then the
	// start of their JSON text.
	Cut bool `json:"cut,omitempty"`
	// At is when the drift that set it was detected.
	At time.Time `json:"at"`
}

// maxApplied bounds History.Applied: a delivery older than the last 64 of
// its resource is long settled, and if it is retried anyway the comment
// markers still find it.
const maxApplied = 64

// ParseHistory reads the history marker of an issue body. An issue whose
// marker is missing or damaged (a person edited it) has none: the body is
// then rebuilt from the next drift, and the comments keep what was lost.
func ParseHistory(body string) (*History, bool) {
	var h History
	if decodeBlob(body, historyPrefix, &h) != nil || h.Count < 0 {
		return nil, false
	}
	if h.Attrs == nil {
		h.Attrs = map[string]AttrHistory{}
	}
	return &h, true
}

// Has reports whether the history already shows d: its delivery was
// merged, and each of its attributes still shows d's value or a later
// drift's. A drift that comes back to values seen before (a check run
// finding the first values again after others) is news; the same drift
// found again by a later run, or redelivered, is not.
func (h *History) Has(d *drift.Drift) bool {
	if h == nil || !slices.Contains(h.Applied, deliveryKey(d)) {
		return false
	}
	at := d.DetectedAt.UTC()
	for name, c := range d.Changes {
		a, ok := h.Attrs[name]
		if !ok || !a.At.After(at) && !a.Cut && !sameJSON(a.Actual, c.Actual) {
			return false
		}
	}
	return true
}

func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// merge returns h with d folded in: each of d's attributes replaces the
// one in h unless h's was detected later (deliveries may come out of
// order), and d's delivery is recorded, newest last. A drift h already
// shows changes nothing. h is not modified; nil is an empty history.
func (h *History) merge(d *drift.Drift) *History {
	out := &History{Attrs: map[string]AttrHistory{}}
	if h != nil {
		*out = *h
		out.Attrs = maps.Clone(h.Attrs)
		if out.Attrs == nil {
			out.Attrs = map[string]AttrHistory{}
		}
		out.Applied = slices.Clone(h.Applied)
	}
	if h.Has(d) {
		return out
	}
	at := d.DetectedAt.UTC()
	for name, c := range d.Changes {
		if old, ok := out.Attrs[name]; ok && old.At.After(at) {
			continue
		}
		out.Attrs[name] = AttrHistory{Expected: c.Expected, Actual: c.Actual, Diff: c.Diff, Unknown: c.Unknown, At: at}
	}
	if out.First.IsZero() || at.Before(out.First) {
		out.First = at
	}
	if at.After(out.Last) {
		out.Last = at
	}
	out.Count++
	key := deliveryKey(d)
	out.Applied = append(slices.DeleteFunc(out.Applied, func(k string) bool { return k == key }), key)
	if n := len(out.Applied); n > maxApplied {
		out.Applied = slices.Delete(out.Applied, 0, n-maxApplied)
	}
	return out
}

// capped returns h with every value whose JSON is longer than limit
// bytes replaced by the start of that JSON (Cut set), so the body fits
// GitHub's 65,536 characters. limit <= 0 keeps everything.
func (h *History) capped(limit int) *History {
	if h == nil || limit <= 0 {
		return h
	}
	out := *h
	out.Attrs = make(map[string]AttrHistory, len(h.Attrs))
	for name, a := range h.Attrs {
		e, ecut := capValue(a.Expected, limit)
		v, vcut := capValue(a.Actual, limit)
		a.Expected, a.Actual, a.Cut = e, v, a.Cut || ecut || vcut
		out.Attrs[name] = a
	}
	return &out
}

func capValue(v any, limit int) (any, bool) {
	if s, ok := v.(string); ok {
		if len(s) <= limit {
			return v, false
		}
		return truncateRunes(s, limit/2), true
	}
	raw, err := json.Marshal(v)
	if err != nil || len(raw) <= limit {
		return v, false
	}
	return truncateRunes(string(raw), limit/2), true
}

// drift renders h as a drift like d (d's resource, event and location)
// whose changes are every attribute of h: what the body's table shows.
func (h *History) drift(d *drift.Drift) *drift.Drift {
	c := *d
	c.Changes = make(map[string]drift.AttrChange, len(h.Attrs))
	for name, a := range h.Attrs {
		c.Changes[name] = drift.AttrChange{Expected: a.Expected, Actual: a.Actual, Diff: a.Diff, Unknown: a.Unknown}
	}
	return &c
}
