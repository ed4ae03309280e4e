package ghissue

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// OpenDrift is a managed resource with an open drift in a repository: its
// own issue, or an entry in the overflow issue.
type OpenDrift struct {
	// Issue is the resource's issue number; 0 when the resource is only
	// listed in the overflow issue.
	Issue int
	// Drift is what the repository remembers of the resource: its state,
	// workspace and address, its severity (from the severity label or the
	// overflow entry) and when its drift was last detected. Sent as a
	// ticket.KindResolved notice, it closes the issue (or unlists the
	// entry).
	Drift *drift.Drift
}

// OpenDrifts lists the managed resources of one state and workspace that
// have an open drift in t (their own issue or an overflow entry), sorted
// by address: what `tfdrift check --open-issues` closes when a check of
// that root finds them in sync. Only issues tfdrift opened are read (as
// for every write: a marker copied into a person's issue is not trusted).
func (s *Sink) OpenDrifts(ctx context.Context, t Target, state, workspace string) ([]OpenDrift, error) {
	r := s.repo(t)
	if err := r.acquire(ctx); err != nil {
		return nil, err
	}
	defer r.release()
	idx, err := (&writer{s: s, t: t, r: r}).list(ctx)
	if err != nil {
		return nil, err
	}
	var out []OpenDrift
	seen := map[string]bool{}
	for id, is := range idx.byResource {
		d, ok := driftOfID(id, state, workspace)
		if !ok {
			continue
		}
		d.Severity = severityLabel(is)
		if h, ok := ParseHistory(is.GetBody()); ok {
			d.DetectedAt = h.Last
		}
		seen[id] = true
		out = append(out, OpenDrift{Issue: is.GetNumber(), Drift: d})
	}
	if idx.overflow != nil {
		for _, e := range parseOverflow(idx.overflow.GetBody()).Entries {
			d, ok := driftOfID(e.Resource, state, workspace)
			if !ok || seen[e.Resource] {
				continue
			}
			seen[e.Resource] = true
			d.Severity, d.DetectedAt = drift.Severity(e.Severity), e.At
			out = append(out, OpenDrift{Drift: d})
		}
	}
	slices.SortFunc(out, func(a, b OpenDrift) int { return strings.Compare(a.Drift.ResourceAddress, b.Drift.ResourceAddress) })
	return out, nil
}

// driftOfID is the managed resource a marker's resource ID names, when it
// belongs to state and workspace: the ID of a drift there with the
// address is exactly id (ResourceID escapes "/" in an address, so a
// longer state is never mistaken for this one).
func driftOfID(id, state, workspace string) (*drift.Drift, bool) {
	if workspace == "" {
		workspace = "default"
	}
	d := &drift.Drift{Terraform: drift.Location{State: state, Workspace: workspace}, ResourceAddress: "x"}
	prefix := strings.TrimSuffix(ResourceID(d), "x")
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok || rest == "" {
		return nil, false
	}
	addr, err := url.PathUnescape(rest) // markerValue's percent-encoding
	if err != nil {
		return nil, false
	}
	d.ResourceAddress = addr
	if ResourceID(d) != id {
		return nil, false // not the canonical escape: not one tfdrift wrote
	}
	return d, true
}

// severityLabel is the severity an issue's severity:<s> label names, ""
// when it has none.
func severityLabel(is *github.Issue) drift.Severity {
	for _, l := range is.Labels {
		if s, ok := strings.CutPrefix(l.GetName(), severityPrefix); ok {
			if sev := drift.Severity(s); sev.Rank() > 0 {
				return sev
			}
		}
	}
	return ""
}
