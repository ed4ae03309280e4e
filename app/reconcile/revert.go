package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/terraform"
)

// RevertRequest is "/tfdrift revert [--allow-destroy] [--allow-replace]
// [--dry-run]": make the cloud follow the code.
type RevertRequest struct {
	Repo     Repo
	Resource Resource
	// Issue is the issue or pull request the command was given on; 0
	// finds the drift issue from the GitHub sink's receipts.
	Issue int
	// Actor is the commenter's login; "" is the App itself (auto_revert).
	Actor string
	// AllowDestroy and AllowReplace lift the guards against deleting or
	// replacing the resource; DryRun plans and checks, and applies
	// nothing.
	AllowDestroy, AllowReplace, DryRun bool
}

// Revert runs the guarded revert of the resource (a targeted plan,
// refreshing first; the guards; the apply of exactly that saved plan) in
// a working copy of the default branch head's snapshot, holding the
// root module's lease in the store so that no other replica or comment
// runs that root at the same time. The reply holds the plan in a
// collapsed block, then the result in plain words. Success resolves the
// resource's open drifts as reverted (with their Jira and PagerDuty
// resolves) and closes the drift issue. Without terraform it runs
// nothing and says so.
func (r *Reconciler) Revert(ctx context.Context, req RevertRequest) (*Result, error) {
	return r.revert(ctx, req, "")
}

// revert runs req; rule names the auto_revert rule that asked, if any.
func (r *Reconciler) revert(ctx context.Context, req RevertRequest, rule string) (*Result, error) {
	res := req.Resource
	recs, drifts, err := r.openDrifts(ctx, res)
	if err != nil {
		return nil, err
	}
	issue, err := r.issueOf(ctx, req.Repo, req.Issue, drifts)
	if err != nil {
		return nil, err
	}
	result, err := r.revertIn(ctx, req, rule, recs, drifts, issue)
	if result != nil {
		result.Issue = issue
	}
	return result, err
}

func (r *Reconciler) revertIn(ctx context.Context, req RevertRequest, rule string, recs []store.Record, drifts []*drift.Drift, issue int) (*Result, error) {
	if r.o.Terraform == nil {
		return refused(notConfigured("revert")), nil
	}
	res := req.Resource
	t, refusal, err := r.targetOf(ctx, req.Repo, res, drifts)
	if refusal != nil || err != nil {
		return refusal, err
	}
	defer t.close()
	who := by(req.Actor)
	if rule != "" {
		who = " by the auto_revert of rule " + rule
	}
	job := "revert of " + res.Address + who
	lock := "root:" + strings.ToLower(req.Repo.FullName()) + ":" + t.root.Dir + ":" + t.workspaceName()
	release, err := r.holdLock(ctx, lock, job, r.o.RevertLease, 0)
	var le *store.LockedError
	if errors.As(err, &le) {
		return refused(failure("The revert", err)), nil
	}
	if err != nil {
		return nil, err
	}
	defer release()

	ws, err := r.o.Terraform.TryOpen(ctx, r.spec(t, job, false))
	if err != nil {
		return refused(failure("The revert", err)), nil
	}
	defer ws.Close()
	opts := []terraform.RevertOption{terraform.AllowDestroy(req.AllowDestroy), terraform.AllowReplace(req.AllowReplace),
		terraform.LockTimeout(r.o.LockTimeout)}
	var plan *terraform.RevertPlan
	applied := false
	if req.DryRun {
		plan, err = ws.Runner().PlanRevert(ctx, []string{res.Address}, opts...)
	} else {
		var rr *terraform.RevertResult
		rr, err = ws.Runner().Revert(ctx, []string{res.Address}, opts...)
		if rr != nil {
			plan, applied = rr.Plan, rr.Applied
		}
	}
	var b strings.Builder
	if plan != nil {
		b.WriteString(details("terraform plan -target="+res.Address+" (at "+short(t.base)+")", fence("text", clip(strings.TrimSpace(plan.Rendered), maxPlanText))))
		b.WriteString("\n")
	}
	if err != nil {
		b.WriteString(failure("The revert", err))
		return refused(b.String()), nil
	}
	switch {
	case req.DryRun && len(plan.Changes) == 0:
		fmt.Fprintf(&b, "Dry run: nothing to revert; the cloud already matches the code for %s.\n", code(res.Address))
		return done(b.String()), nil
	case req.DryRun:
		fmt.Fprintf(&b, "Dry run: the plan passes every guard and would change %d resource(s); nothing was applied. Comment `/tfdrift revert` to apply it.\n", len(plan.Changes))
		return done(b.String()), nil
	case applied:
		fmt.Fprintf(&b, "Reverted %s: terraform applied exactly this plan (%s). The cloud now matches the code.\n", code(res.Address), planCount(plan))
	default:
		fmt.Fprintf(&b, "Nothing to revert: the cloud already matches the code for %s.\n", code(res.Address))
	}
	reason := "reverted" + who
	if !applied {
		reason = "the cloud already matched the code (revert" + who + ")"
	}
	n, err := r.resolve(ctx, recs, drifts, store.StatusResolved, req.Actor, reason)
	if err != nil {
		return nil, err
	}
	result := done(b.String())
	if n > 0 {
		fmt.Fprintf(&b, "The drift is resolved: %s", reason)
		if issue > 0 {
			b.WriteString(", and this issue is closed")
		}
		b.WriteString(".\n")
		result.Reply = b.String()
	}
	if issue > 0 {
		if err := closeIssue(ctx, req.Repo, issue, "completed"); err != nil {
			return nil, err
		}
		result.IssueClosed = true
	}
	return result, nil
}

// planCount is the plan's count line.
func planCount(p *terraform.RevertPlan) string {
	s := p.Summary()
	if i := strings.LastIndex(s, "\n"); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSuffix(s, ".")
}
