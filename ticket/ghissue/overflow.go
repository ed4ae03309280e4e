package ghissue

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// OverflowTitle is the title of the one issue per repository that lists
// the drifts over max_open_issues.
const OverflowTitle = "tfdrift: drifts over the limit"

// maxOverflowEntries bounds the overflow issue's list. Past it, the
// least severe and oldest entries are dropped and counted.
const maxOverflowEntries = 1000

// overflowState is the overflow issue's list, kept in its hidden marker.
type overflowState struct {
	Entries []overflowEntry `json:"entries"`
	// Dropped counts entries dropped to stay within maxOverflowEntries.
	Dropped int `json:"dropped,omitempty"`
}

// overflowEntry is one resource's latest drift over the limit.
type overflowEntry struct {
	Resource string    `json:"r"` // ResourceID
	What     string    `json:"w"` // the address, or type and ID
	Change   string    `json:"c"`
	Severity string    `json:"s"`
	User     string    `json:"u,omitempty"`
	At       time.Time `json:"at"`
	Key      string    `json:"k"` // the delivery key
}

func parseOverflow(body string) *overflowState {
	var st overflowState
	if decodeBlob(body, overflowPrefix, &st) != nil {
		return &overflowState{}
	}
	return &st
}

func entryOf(d *drift.Drift) overflowEntry {
	what := d.ResourceAddress
	if what == "" {
		what = d.ResourceType + " " + d.ResourceID
	}
	return overflowEntry{Resource: ResourceID(d), What: what, Change: string(d.ChangeType), Severity: string(severity(d)),
		User: d.User(), At: d.DetectedAt.UTC(), Key: deliveryKey(d)}
}

// covers reports whether the list already holds d: its own delivery, or
// a later drift of its resource.
func (st *overflowState) covers(d *drift.Drift) bool {
	e := entryOf(d)
	return slices.ContainsFunc(st.Entries, func(o overflowEntry) bool {
		return o.Key == e.Key || o.Resource == e.Resource && o.At.After(e.At)
	})
}

// upsert returns the list with d's entry in place of its resource's.
func (st *overflowState) upsert(d *drift.Drift) *overflowState {
	e := entryOf(d)
	out := &overflowState{Dropped: st.Dropped}
	out.Entries = slices.DeleteFunc(slices.Clone(st.Entries), func(o overflowEntry) bool { return o.Resource == e.Resource })
	out.Entries = append(out.Entries, e)
	sortEntries(out.Entries)
	if n := len(out.Entries); n > maxOverflowEntries {
		out.Dropped += n - maxOverflowEntries
		out.Entries = out.Entries[:maxOverflowEntries]
	}
	return out
}

// remove returns the list without resource's entry, and whether it was
// there.
func (st *overflowState) remove(resource string) (*overflowState, bool) {
	out := &overflowState{Dropped: st.Dropped}
	out.Entries = slices.DeleteFunc(slices.Clone(st.Entries), func(o overflowEntry) bool { return o.Resource == resource })
	return out, len(out.Entries) != len(st.Entries)
}

// sortEntries orders the most severe first, then the latest.
func sortEntries(es []overflowEntry) {
	slices.SortStableFunc(es, func(a, b overflowEntry) int {
		if ra, rb := drift.Severity(a.Severity).Rank(), drift.Severity(b.Severity).Rank(); ra != rb {
			return rb - ra
		}
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(a.Resource, b.Resource)
	})
}

// overflowBody renders the list, showing at most show rows (all when
// show < 0).
func overflowBody(st *overflowState, maxOpen, show int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "tfdrift found drift on more resources of this repository than it opens issues for: `max_open_issues` is %d, and at least that many drift issues are open. ", maxOpen)
	fmt.Fprintf(&b, "The drifts below have no issue of their own; a later drift of one of them opens its issue once fewer than %d drift issues are open. Each resource is listed once, with its latest drift.\n\n", maxOpen)
	if len(st.Entries) == 0 {
		b.WriteString("No drift is over the limit now.\n\n")
	} else {
		fmt.Fprintf(&b, "| Resource | Change | Severity | By | Detected |\n| --- | --- | --- | --- | --- |\n")
		shown := st.Entries
		if show >= 0 && show < len(shown) {
			shown = shown[:show]
		}
		for _, e := range shown {
			by := "unknown"
			if e.User != "" {
				by = code(truncateRunes(e.User, 80), true)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", code(truncateRunes(e.What, 150), true), text(e.Change), text(e.Severity), by, when(e.At))
		}
		b.WriteString("\n")
		if hidden := len(st.Entries) - len(shown) + st.Dropped; hidden > 0 {
			fmt.Fprintf(&b, "… and %d more, not shown to keep this issue within GitHub's size limit (`tfdrift drifts list` has them all).\n\n", hidden)
		}
	}
	b.WriteString("<sub>tfdrift keeps this issue up to date. Resolve or close drift issues to make room.</sub>\n\n")
	b.WriteString(overflowMarker + "\n")
	if blob, err := encodeBlob(st); err == nil {
		b.WriteString(overflowPrefix + blob + markerEnd + "\n")
	}
	return b.String()
}

// fitOverflow renders the list within GitHub's body limit: fewer rows
// shown first, then the least severe and oldest entries dropped (and
// counted), until it fits.
func fitOverflow(st *overflowState, maxOpen int) string {
	body := overflowBody(st, maxOpen, -1)
	show := len(st.Entries)
	for utf8.RuneCountInString(body) > bodyBudget {
		switch {
		case show > 0:
			show = show * 3 / 4
		case len(st.Entries) == 0:
			return body
		default:
			drop := max(1, len(st.Entries)/10)
			st = &overflowState{Entries: st.Entries[:len(st.Entries)-drop], Dropped: st.Dropped + drop}
		}
		body = overflowBody(st, maxOpen, show)
	}
	return body
}
