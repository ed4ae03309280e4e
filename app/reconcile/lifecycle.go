package reconcile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/normalize"
	"github.com/tfdrift/tfdrift/ticket"
)

// IgnoreRequest is "/tfdrift ignore [--attr A]... [--for 7d]".
type IgnoreRequest struct {
	Repo     Repo
	Resource Resource
	Issue    int
	Actor    string
	// Attributes limits the ignore to these attributes; none means every
	// drifted attribute.
	Attributes []string
	// For makes the ignore expire; 0 keeps it until the values change.
	For time.Duration
}

// Ignore records in the store that the drifted values of the resource
// (all of them, or Attributes) are to be ignored, optionally for a time,
// moves its open drifts out of the way, and closes the drift issue as
// not planned. The pipeline's hook (HonourIgnores) then drops those
// values, so the same drift stays quiet until something else changes.
// A lasting ignore marks the drifts ignored; one with For resolves them,
// so that the same drift coming back after the ignore expires opens
// again.
func (r *Reconciler) Ignore(ctx context.Context, req IgnoreRequest) (*Result, error) {
	res := req.Resource
	recs, drifts, err := r.openDrifts(ctx, res)
	if err != nil {
		return nil, err
	}
	if len(drifts) == 0 {
		return refused(fmt.Sprintf("There is no open drift of %s to ignore.", code(res.Address))), nil
	}
	drifted := map[string]bool{}
	for _, d := range drifts {
		for a := range d.Changes {
			drifted[a] = true
		}
	}
	attrs := req.Attributes
	if len(attrs) == 0 {
		for a := range drifted {
			attrs = append(attrs, a)
		}
	}
	sort.Strings(attrs)
	attrs = slices.Compact(attrs)
	for _, a := range attrs {
		if !drifted[a] {
			names := make([]string, 0, len(drifted))
			for n := range drifted {
				names = append(names, code(n))
			}
			sort.Strings(names)
			return refused(fmt.Sprintf("%s has no drifted attribute %s; its drifted attributes are %s.", code(res.Address), code(a), strings.Join(names, ", "))), nil
		}
	}
	var expires time.Time
	if req.For > 0 {
		expires = time.Now().Add(req.For)
	}
	note := "/tfdrift ignore" + by(req.Actor)
	var igs []store.Ignore
	for _, d := range drifts {
		for _, a := range attrs {
			ac, ok := d.Changes[a]
			if !ok {
				continue
			}
			igs = append(igs, store.Ignore{ResourceKey: ticket.ResourceKey(d), Attribute: a, ValueHash: ValueHash(ac.Actual),
				Fingerprint: d.Fingerprint, Actor: req.Actor, Note: note, ExpiresAt: expires})
		}
	}
	if err := r.o.Store.AddIgnores(ctx, igs...); err != nil {
		return nil, err
	}
	to := store.StatusIgnored
	if req.For > 0 {
		to = store.StatusResolved
	}
	if _, err := r.resolve(ctx, recs, drifts, to, req.Actor, "ignored"+by(req.Actor)+" "+untilText(expires)); err != nil {
		return nil, err
	}
	issue, err := r.issueOf(ctx, req.Repo, req.Issue, drifts)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(attrs))
	for i, a := range attrs {
		names[i] = code(a)
	}
	result := done(fmt.Sprintf("Ignoring %s of %s %s.", strings.Join(names, ", "), code(res.Address), untilText(expires)))
	result.Issue = issue
	if issue > 0 {
		if err := closeIssue(ctx, req.Repo, issue, "not_planned"); err != nil {
			return nil, err
		}
		result.IssueClosed = true
		result.Reply += " Closing this issue as not planned."
	}
	return result, nil
}

// ValueHash identifies an attribute's value for an ignore: the hash of
// its canonical form (detector/normalize: the detector's own equality),
// so two values that mean the same hash the same however they were
// decoded (a float64 from the store, a json.Number from an event).
func ValueHash(v any) string {
	sum := sha256.Sum256([]byte(normalize.Text(normalize.Canonical(v))))
	return hex.EncodeToString(sum[:16])
}

// RecheckRequest is "/tfdrift recheck".
type RecheckRequest struct {
	Repo     Repo
	Resource Resource
	Issue    int
	Actor    string
}

// Recheck asks Terraform whether the resource still drifts: a targeted
// refresh-only plan in a working copy of the default branch head. Gone:
// the open drifts resolve and the issue closes. Still there: the reply
// holds what the plan found.
func (r *Reconciler) Recheck(ctx context.Context, req RecheckRequest) (*Result, error) {
	if r.o.Terraform == nil {
		return refused(notConfigured("recheck")), nil
	}
	res := req.Resource
	recs, drifts, err := r.openDrifts(ctx, res)
	if err != nil {
		return nil, err
	}
	t, refusal, err := r.targetOf(ctx, req.Repo, res, drifts)
	if refusal != nil || err != nil {
		return refusal, err
	}
	defer t.close()
	ws, err := r.o.Terraform.Open(ctx, r.spec(t, "recheck of "+res.Address+by(req.Actor), true))
	if err != nil {
		return refused(failure("The recheck", err)), nil
	}
	defer ws.Close()
	conf, err := ws.Runner().Confirm(ctx, res.Address)
	if err != nil {
		return refused(failure("The recheck", err)), nil
	}
	var still []string
	deleted := false
	var b strings.Builder
	for _, rd := range conf.Drifted() {
		if rd.Deleted {
			deleted = true
			continue
		}
		for _, a := range rd.Attributes() {
			still = append(still, fmt.Sprintf("%s.%s: %s", rd.Address, a, changeText(rd.Changes[a])))
		}
	}
	switch {
	case deleted:
		fmt.Fprintf(&b, "Terraform still finds drift: %s no longer exists in the cloud. Comment `/tfdrift revert` to create it again, or remove it from the code.\n", code(res.Address))
		return done(b.String()), nil
	case len(still) > 0:
		fmt.Fprintf(&b, "Terraform still finds drift on %s (`terraform plan -refresh-only -target=%s` at %s):\n\n", code(res.Address), res.Address, code(short(t.base)))
		b.WriteString(details("What the refresh-only plan found", fence("text", clip(strings.Join(still, "\n"), maxPlanText))))
		return done(b.String()), nil
	}
	n, err := r.resolve(ctx, recs, drifts, store.StatusResolved, req.Actor, "terraform finds no drift any more (recheck"+by(req.Actor)+")")
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(&b, "Terraform finds no drift on %s any more: the cloud matches its state.", code(res.Address))
	if n > 0 {
		b.WriteString(" The drift is resolved.")
	}
	result := done(b.String())
	issue, err := r.issueOf(ctx, req.Repo, req.Issue, drifts)
	if err != nil {
		return nil, err
	}
	result.Issue = issue
	if issue > 0 {
		if err := closeIssue(ctx, req.Repo, issue, "completed"); err != nil {
			return nil, err
		}
		result.IssueClosed = true
		result.Reply += " Closing this issue."
	}
	return result, nil
}

// PullRequestEvent is a pull_request webhook's "closed" action.
type PullRequestEvent struct {
	Repo   Repo
	Number int
	Merged bool
	// Actor merged or closed it.
	Actor string
}

// PullRequestClosed handles an accept pull request being closed. Merged:
// the drifts its edit held resolve as accepted (with their Jira and
// PagerDuty resolves) and the App closes the drift issue itself, since
// GitHub's "Closes #N" acts only on merges into the default branch.
// Closed unmerged: a comment on the issue says so, and the drifts stay
// open. A pull request that is not an accept pull request, or whose
// close was already handled (a redelivered webhook), changes nothing.
func (r *Reconciler) PullRequestClosed(ctx context.Context, ev PullRequestEvent) (*Result, error) {
	p, err := r.o.Store.GetPull(ctx, ev.Repo.FullName(), ev.Number)
	if errors.Is(err, store.ErrNotFound) {
		return &Result{OK: true}, nil
	}
	if err != nil {
		return nil, err
	}
	if p.Status != store.PullOpen {
		return &Result{OK: true}, nil
	}
	if !ev.Merged {
		p.Status = store.PullClosed
		if err := r.o.Store.PutPull(ctx, p); err != nil {
			return nil, err
		}
		msg := fmt.Sprintf("The accept pull request #%d was closed without merging%s. The drift stays open: comment `/tfdrift accept` to open it again, `/tfdrift revert` to put the cloud back, or `/tfdrift ignore`.", ev.Number, by(ev.Actor))
		r.tell(ctx, ev.Repo, p.Issue, Resource{State: p.StateKey, Address: p.Address}, msg)
		return done(msg), nil
	}
	var recs []store.Record
	var drifts []*drift.Drift
	for _, fp := range p.Fingerprints {
		rec, err := r.o.Store.Get(ctx, fp)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if rec.Status != store.StatusOpen && rec.Status != store.StatusAcknowledged {
			continue
		}
		d, err := ticket.DriftFromRecord(rec.Drift)
		if err != nil {
			return nil, err
		}
		d.Fingerprint = rec.Fingerprint
		recs, drifts = append(recs, rec), append(drifts, d)
	}
	reason := fmt.Sprintf("accepted in %s#%d, merged%s", ev.Repo.FullName(), ev.Number, by(ev.Actor))
	n, err := r.resolve(ctx, recs, drifts, store.StatusResolved, ev.Actor, reason)
	if err != nil {
		return nil, err
	}
	p.Status = store.PullMerged
	if err := r.o.Store.PutPull(ctx, p); err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("Accepted in #%d, merged%s: the code now matches the cloud for %s. %d drift(s) resolved as accepted.", ev.Number, by(ev.Actor), code(p.Address), n)
	result := done(msg)
	result.Issue = p.Issue
	if p.Issue > 0 {
		r.tell(ctx, ev.Repo, p.Issue, Resource{State: p.StateKey, Address: p.Address}, msg)
		if err := closeIssue(ctx, ev.Repo, p.Issue, "completed"); err != nil {
			return nil, err
		}
		result.IssueClosed = true
	}
	return result, nil
}
