package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/edit"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/gitops/locate"
)

// AcceptRequest is "/tfdrift accept": make the code follow the cloud.
type AcceptRequest struct {
	Repo     Repo
	Resource Resource
	// Issue is the issue or pull request the command was given on (an
	// accept pull request stands for its drift issue); 0 finds the drift
	// issue from the GitHub sink's receipts.
	Issue int
	// Actor is the commenter's login; "" is the App itself.
	Actor string
	// DryRun replies with the edit (the diff and the refusals) and
	// commits nothing.
	DryRun bool
}

// trigger says why an accept runs.
type trigger struct {
	// auto: no one asked (mode: pr, a new drift, the default branch
	// moved); what would be a reply is posted on the issue instead.
	auto bool
	// why is what the update comment on the pull request says.
	why string
	// onlyPR: do nothing unless the root's mode is pr.
	onlyPR bool
}

// Accept builds the edit that makes the code produce the cloud's values
// for every open drift of the resource, commits it on the accept branch
// and opens the pull request (or updates the open one), then proves it
// with the check run "tfdrift proof". When no attribute can be edited no
// pull request is opened, and the reply explains each refusal with its
// file:line. The error is for failures of GitHub or the store; what the
// commenter should hear is in the Result.
func (r *Reconciler) Accept(ctx context.Context, req AcceptRequest) (*Result, error) {
	return r.accept(ctx, req, trigger{why: "comment"})
}

func by(actor string) string {
	if actor == "" {
		return " by tfdrift"
	}
	return " by @" + actor
}

func (r *Reconciler) accept(ctx context.Context, req AcceptRequest, tr trigger) (*Result, error) {
	res := req.Resource
	lock := "accept:" + strings.ToLower(req.Repo.FullName()) + ":" + res.State + "/" + res.Address
	release, err := r.holdLock(ctx, lock, "accept of "+res.Address+by(req.Actor), r.o.RevertLease, r.o.AcceptWait)
	var le *store.LockedError
	if errors.As(err, &le) {
		return refused(failure("The accept", err)), nil
	}
	if err != nil {
		return nil, err
	}
	defer release()

	recs, drifts, err := r.openDrifts(ctx, res)
	if err != nil {
		return nil, err
	}
	if len(drifts) == 0 {
		return refused(fmt.Sprintf("There is no open drift of %s to accept.", code(res.Address))), nil
	}
	t, refusal, err := r.targetOf(ctx, req.Repo, res, drifts)
	if refusal != nil || err != nil {
		return refusal, err
	}
	defer t.close()
	if tr.onlyPR && t.root.Mode != config.ModePR {
		return &Result{OK: true}, nil
	}
	issue, err := r.issueOf(ctx, req.Repo, req.Issue, drifts)
	if err != nil {
		return nil, err
	}

	var skipped []string
	reqs := wiring.AcceptRequests(drifts, &skipped)
	proof := r.openProof(ctx, t, "accept proof of "+res.Address+by(req.Actor))
	defer proof.close()
	if proof.ws != nil && len(reqs) > 0 {
		// Terraform's refresh gives the values the audit records hide
		// or round, and drops what changed back meanwhile.
		var confirmedSkips []string
		confirmed, err := wiring.ConfirmRequests(ctx, proof.ws.Runner(), reqs, &confirmedSkips)
		if err != nil {
			proof.fail(err)
		} else {
			reqs, skipped = confirmed, append(skipped, confirmedSkips...)
		}
	}
	rootCode, err := loadRoot(t)
	if err != nil {
		return refused(fmt.Sprintf("The code of root module %s does not load: %s", code(t.root.Dir), text(err.Error()))), nil
	}
	plan, err := edit.Accept(rootCode, t.snap.Dir, reqs)
	if err != nil {
		return nil, fmt.Errorf("accept %s: %w", res.Address, err)
	}
	view := acceptView{Resource: res, Drifts: drifts, Changes: folded(reqs), Plan: plan, Skipped: skipped, Issue: issue,
		Link: t.blobURL, Proved: proof.ws != nil, NoProof: proof.why}

	if len(plan.Edits) == 0 {
		msg := view.nothingToEdit()
		if len(plan.Refusals) == 0 && len(skipped) == 0 {
			msg = fmt.Sprintf("The code already produces the cloud's values for %s: there is nothing to edit.", code(res.Address))
		}
		if tr.auto {
			r.tell(ctx, req.Repo, issue, res, msg)
		}
		return refused(msg), nil
	}
	if req.DryRun {
		return done(view.dryRun()), nil
	}
	return r.publish(ctx, req, tr, t, recs, view, proof)
}

// targetRefusal turns what keeps tfdrift from finding the resource's
// root module into a reply.
func targetRefusal(err error) (string, bool) {
	var nr *errNoRoot
	var ce *errRepoConfig
	switch {
	case errors.As(err, &nr):
		return "tfdrift cannot find this resource's code: " + text(nr.Error()) + ".", true
	case errors.As(err, &ce):
		return fmt.Sprintf("The repository's %s is not valid, so tfdrift cannot find the code:\n\n%s", code(config.RepoFileName), fence("text", ce.err.Error())), true
	}
	return "", false
}

// loadRoot loads the target's root module with its var files.
func loadRoot(t *repoTarget) (*locate.Repo, error) {
	m, err := locate.LoadMulti(t.snap.Dir, []locate.RootSpec{{Dir: t.root.Dir, Workspace: t.root.Workspace, StateKey: t.root.State, VarFiles: t.root.VarFiles}})
	if err != nil {
		return nil, err
	}
	return m.Repos()[0], nil
}

// folded are the attribute changes the edit was made from.
func folded(reqs []edit.Request) map[string]drift.AttrChange {
	out := map[string]drift.AttrChange{}
	for _, q := range reqs {
		for k, v := range q.Changes {
			out[k] = v
		}
	}
	return out
}

// publish commits the edit on the accept branch and opens, or updates,
// the pull request; then proves the edit.
func (r *Reconciler) publish(ctx context.Context, req AcceptRequest, tr trigger, t *repoTarget, recs []store.Record, view acceptView, proof *proofRun) (*Result, error) {
	repo, res := req.Repo, req.Resource
	existing, err := r.o.Store.OpenPullFor(ctx, repo.FullName(), res.State, res.Address)
	switch {
	case errors.Is(err, store.ErrNotFound):
		existing = store.PullRecord{}
	case err != nil:
		return nil, err
	}
	if view.Issue == 0 {
		view.Issue = existing.Issue
	}
	branch := existing.Branch
	if branch == "" {
		branch = BranchName(res.Address, view.Drifts[len(view.Drifts)-1].Fingerprint)
	}
	files := map[string][]byte{}
	for _, e := range view.Plan.Edits {
		files[e.File] = e.After
	}
	commit, err := repo.Client.CommitFiles(ctx, repo.Owner, repo.Name, ghapi.CommitRequest{
		Base: t.base, Branch: branch, Message: view.commitMessage(), Files: files, Force: true,
	})
	if err != nil {
		return nil, err
	}
	pr, err := openPullFor(ctx, repo, branch)
	if err != nil {
		return nil, err
	}
	body := clip(view.body(), maxBody)
	opened := pr == nil
	if opened {
		pr, _, err = repo.Client.GitHub().PullRequests.Create(ctx, repo.Owner, repo.Name, &github.NewPullRequest{
			Title: github.String(PullTitle(res.Address)), Head: github.String(branch), Base: github.String(t.branch),
			Body: github.String(body),
		})
		if err != nil {
			return nil, ghapi.Wrap("open the accept pull request of "+res.Address, err)
		}
		if err := addLabels(ctx, repo, pr.GetNumber(), append([]string{"tfdrift"}, t.root.Labels...)); err != nil {
			r.log.Warn("accept pull request: labels", "pull", pr.GetNumber(), "err", err)
		}
		if err := askReviews(ctx, repo, pr.GetNumber(), t.root.Reviewers); err != nil {
			r.log.Warn("accept pull request: reviewers", "pull", pr.GetNumber(), "err", err)
		}
	} else {
		if _, _, err := repo.Client.GitHub().PullRequests.Edit(ctx, repo.Owner, repo.Name, pr.GetNumber(),
			&github.PullRequest{Body: github.String(body)}); err != nil {
			return nil, ghapi.Wrap("update the accept pull request of "+res.Address, err)
		}
		if !commit.Unchanged {
			why := "a new drift of " + code(res.Address) + " was recorded"
			switch {
			case tr.why == "comment":
				why = "`/tfdrift accept`" + by(req.Actor) + " asked again"
			case tr.why != "":
				why = tr.why
			}
			if err := comment(ctx, repo, pr.GetNumber(), updated(why, t.base, view.Drifts)); err != nil {
				return nil, err
			}
		}
	}
	if existing.Number != 0 && existing.Number != pr.GetNumber() {
		// The recorded one was closed without our hearing of it.
		existing.Status = store.PullClosed
		if err := r.o.Store.PutPull(ctx, existing); err != nil {
			return nil, err
		}
	}
	fps := make([]string, len(recs))
	for i, rec := range recs {
		fps[i] = rec.Fingerprint
	}
	if err := r.o.Store.PutPull(ctx, store.PullRecord{
		Repo: repo.FullName(), Number: pr.GetNumber(), Branch: branch, StateKey: res.State, Address: res.Address,
		Root: t.root.Dir, Issue: view.Issue, BaseSHA: t.base, HeadSHA: commit.SHA, Fingerprints: fps, Status: store.PullOpen,
	}); err != nil {
		return nil, err
	}
	out, err := r.report(ctx, repo, commit.SHA, proof, view.Plan)
	if err != nil {
		return nil, err
	}
	verb := "Opened"
	if !opened {
		verb = "Updated"
	}
	reply := fmt.Sprintf("%s #%d with the edit that makes the code match the cloud for %s (%d drift(s), %d file(s)). The proof: **%s**.",
		verb, pr.GetNumber(), code(res.Address), len(recs), len(view.Plan.Edits), text(out.Title))
	if len(view.Plan.Refusals) > 0 {
		reply += fmt.Sprintf(" %d attribute(s) could not be edited; the pull request lists them.", len(view.Plan.Refusals))
	}
	if tr.auto && opened {
		r.tell(ctx, repo, view.Issue, res, reply)
	}
	return &Result{OK: true, Reply: reply, PullRequest: pr.GetNumber(), PullURL: pr.GetHTMLURL(), Issue: view.Issue}, nil
}

// lastLine is the last non-empty line of a reply: its result.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// tell posts what the App did by itself on the drift issue, or logs it
// when the resource has no issue.
func (r *Reconciler) tell(ctx context.Context, repo Repo, issue int, res Resource, msg string) {
	if issue == 0 {
		r.log.Info("no drift issue to tell", "repo", repo.FullName(), "resource", res.Address, "what", lastLine(msg))
		return
	}
	if err := comment(ctx, repo, issue, msg); err != nil {
		r.log.Warn("telling the drift issue failed", "repo", repo.FullName(), "issue", issue, "err", err)
	}
}
