package reconcile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/rules"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
)

// What the App does without a command.

// DriftOpened is called when a drift opens (or reopens) a record, once
// the drift is routed to its repository. In order:
//
//   - a rule the drift matches has the action auto_revert with enabled:
//     true: the revert runs as "/tfdrift revert" would, never with
//     --allow-destroy or --allow-replace, and its reply is posted on the
//     drift issue (logged when there is none);
//   - the resource has an open accept pull request: it is made again
//     from the default branch head with every open drift, force-pushed,
//     and a comment on it says so;
//   - the root's mode is pr: the accept pull request is opened, where an
//     edit is possible (otherwise the issue gets the explanation).
//
// A drift of an unmanaged resource (no address) changes nothing.
func (r *Reconciler) DriftOpened(ctx context.Context, repo Repo, d *drift.Drift) (*Result, error) {
	if d.ResourceAddress == "" {
		return &Result{OK: true}, nil
	}
	res := ResourceOf(d)
	if rule := AutoRevertRule(r.o.Rules, d); rule != "" {
		result, err := r.revert(ctx, RevertRequest{Repo: repo, Resource: res}, rule)
		if err != nil {
			return nil, err
		}
		r.tell(ctx, repo, result.Issue, res, fmt.Sprintf("**auto_revert** (rule %s):\n\n%s", code(rule), result.Reply))
		return result, nil
	}
	_, err := r.o.Store.OpenPullFor(ctx, repo.FullName(), res.State, res.Address)
	switch {
	case err == nil:
		return r.accept(ctx, AcceptRequest{Repo: repo, Resource: res}, trigger{auto: true, why: "a new drift of " + code(res.Address) + " was recorded"})
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	return r.accept(ctx, AcceptRequest{Repo: repo, Resource: res}, trigger{auto: true, onlyPR: true})
}

// AutoRevertRule names the first rule d matches whose actions include
// auto_revert with enabled: true, or "". Without enabled: true an
// auto_revert action does nothing: reverting the cloud is never a
// default.
func AutoRevertRule(set *rules.Set, d *drift.Drift) string {
	if set == nil {
		return ""
	}
	for _, rule := range set.Matched(d) {
		for _, a := range rule.Actions {
			if a.Type == rules.ActionAutoRevert && a.Enabled != nil && *a.Enabled {
				return rule.Name
			}
		}
	}
	return ""
}

// DefaultBranchMoved is called on a push to repo's default branch: every
// open accept pull request that now conflicts with it is made again from
// the new head and force-pushed, with a comment. One GitHub has not
// finished computing is asked again a few times (Options.MergeablePolls).
func (r *Reconciler) DefaultBranchMoved(ctx context.Context, repo Repo) error {
	pulls, err := r.o.Store.OpenPulls(ctx, repo.FullName())
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range pulls {
		conflicts, open, err := r.conflicts(ctx, repo, p.Number)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !open {
			continue // closed without our hearing of it; its webhook will tell
		}
		if !conflicts {
			continue
		}
		if _, err := r.accept(ctx, AcceptRequest{Repo: repo, Resource: Resource{State: p.StateKey, Address: p.Address}, Issue: p.Issue},
			trigger{auto: true, why: "the default branch moved on and this pull request conflicted with it"}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// conflicts asks GitHub whether a pull request can be merged, waiting
// while GitHub is still computing it.
func (r *Reconciler) conflicts(ctx context.Context, repo Repo, number int) (conflicts, open bool, err error) {
	for i := range r.o.MergeablePolls {
		var pr *github.PullRequest
		pr, _, err = repo.Client.GitHub().PullRequests.Get(ctx, repo.Owner, repo.Name, number)
		if err != nil {
			return false, false, ghapi.Wrap(fmt.Sprintf("pull request %s#%d", repo.FullName(), number), err)
		}
		if pr.GetState() != "open" {
			return false, false, nil
		}
		if pr.Mergeable != nil {
			return !*pr.Mergeable, true, nil
		}
		if i+1 < r.o.MergeablePolls {
			select {
			case <-ctx.Done():
				return false, true, ctx.Err()
			case <-time.After(r.o.MergeableEvery):
			}
		}
	}
	r.log.Info("GitHub did not say whether the pull request conflicts; left as it is", "repo", repo.FullName(), "pull", number)
	return false, true, nil
}
