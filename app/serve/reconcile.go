package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/app/daemon"
	"github.com/tfdrift/tfdrift/app/githubapp"
	"github.com/tfdrift/tfdrift/app/reconcile"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/rules"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/ticket"
)

// The GitHub App's reconciliation, wired: app/reconcile behind the
// githubapp.Reconciler seam. githubapp never imports reconcile and
// reconcile never imports githubapp; serve, which builds both, holds the
// adapter between them.

// reconcileQueue bounds what the App does without a command (a drift
// opened, the default branch moved) and has not done yet; past it a
// job is logged and dropped (the next drift, push or comment brings it
// back).
const reconcileQueue = 256

// issueWait bounds how long the App waits, after a drift opens, for
// the drift issue the outbox is opening, so that auto_revert and mode:
// pr speak on it and an accept pull request closes it.
const issueWait = 60 * time.Second

// appReconciler is app/reconcile's Reconciler as the App calls it: the
// comment commands and closed pull requests, and, through its queue,
// what happens without a command.
type appReconciler struct {
	r     *reconcile.Reconciler
	st    store.Store
	rules *rules.Set
	log   *slog.Logger
	// app is set once the App is built (the App is built with its
	// Reconciler).
	app  *githubapp.App
	jobs chan reconcileJob
	// branches holds the repositories whose default-branch job is queued,
	// so a burst of pushes queues one.
	mu       sync.Mutex
	branches map[string]bool
}

type reconcileJob struct {
	what string
	run  func(context.Context) error
}

// newReconciler builds app/reconcile's Reconciler from the config: with
// a terraform: block, working copies that run the config's terraform
// (the proof, revert, recheck, auto_revert); without one, none, so the
// proof is neutral and revert answers that it is not configured. tfLog
// receives terraform's progress.
func newReconciler(cfg *config.Config, st store.Store, snaps *ghapi.SnapshotCache, n *wiring.Notices, tfLog io.Writer, log *slog.Logger) (*appReconciler, error) {
	o := reconcile.Options{Store: st, Snapshots: snaps, Logger: log.With("component", "reconcile")}
	if n != nil {
		o.Rules = n.Rules
		o.Resolved = func(d *drift.Drift, reason string) []store.NewNotice {
			// The Reconciler closes the drift issue itself, saying why;
			// the issue sink's resolve would say it twice.
			var out []store.NewNotice
			for _, nn := range n.Resolved(d, reason) {
				if nn.Sink != ticket.TypeGitHub {
					out = append(out, nn)
				}
			}
			return out
		}
	} else {
		o.Rules = cfg.RuleSet()
	}
	if cfg.Terraform.Configured {
		tf := wiring.Terraform{}.Resolve(cfg)
		m, err := tf.Manager(tfLog)
		if err != nil {
			return nil, fmt.Errorf("terraform: %w", err)
		}
		o.Terraform, o.LockTimeout = m, tf.LockTimeout
	}
	r, err := reconcile.New(o)
	if err != nil {
		return nil, err
	}
	return &appReconciler{r: r, st: st, rules: o.Rules, log: log.With("component", "reconcile"), jobs: make(chan reconcileJob, reconcileQueue),
		branches: map[string]bool{}}, nil
}

// repoOf is the repository of a thread.
func repoOf(t githubapp.Thread) reconcile.Repo {
	return reconcile.Repo{Client: t.Client, Owner: t.Owner, Name: t.Repo}
}

// resource is the drifted resource a command's issue or pull request
// tracks. A command that names another address, or a thread of no
// resource, gets a refusal instead.
func (a *appReconciler) resource(ctx context.Context, c githubapp.Command) (reconcile.Resource, *githubapp.Reply, error) {
	res, ok, err := a.r.ResourceOfThread(ctx, repoOf(c.Thread), c.Thread.Number, c.Drifts)
	if err != nil {
		return reconcile.Resource{}, nil, err
	}
	if !ok {
		return reconcile.Resource{}, &githubapp.Reply{Refused: true,
			Body: fmt.Sprintf("@%s: this thread tracks no drifted resource of a Terraform state, so there is nothing to %s.", c.Author, c.Verb)}, nil
	}
	for _, addr := range c.Args {
		if addr != res.Address {
			return reconcile.Resource{}, &githubapp.Reply{Refused: true,
				Body: fmt.Sprintf("@%s: this thread tracks `%s`, not `%s`; comment on that resource's own issue.", c.Author, res.Address, strings.ReplaceAll(addr, "`", "'"))}, nil
		}
	}
	return res, nil, nil
}

// reply turns a reconcile.Result into the App's Reply.
func reply(res *reconcile.Result, err error) (githubapp.Reply, error) {
	if err != nil {
		return githubapp.Reply{}, err
	}
	if res == nil {
		return githubapp.Reply{}, nil
	}
	return githubapp.Reply{Body: res.Reply, Refused: !res.OK}, nil
}

// Accept opens or updates the accept pull request.
func (a *appReconciler) Accept(ctx context.Context, c githubapp.Command) (githubapp.Reply, error) {
	res, refusal, err := a.resource(ctx, c)
	if refusal != nil || err != nil {
		return deref(refusal), err
	}
	return reply(a.r.Accept(ctx, reconcile.AcceptRequest{Repo: repoOf(c.Thread), Resource: res, Issue: c.Thread.Number,
		Actor: c.Author, DryRun: c.Accept.DryRun}))
}

// Revert runs the guarded revert.
func (a *appReconciler) Revert(ctx context.Context, c githubapp.Command) (githubapp.Reply, error) {
	res, refusal, err := a.resource(ctx, c)
	if refusal != nil || err != nil {
		return deref(refusal), err
	}
	return reply(a.r.Revert(ctx, reconcile.RevertRequest{Repo: repoOf(c.Thread), Resource: res, Issue: c.Thread.Number,
		Actor: c.Author, AllowDestroy: c.Revert.AllowDestroy, AllowReplace: c.Revert.AllowReplace, DryRun: c.Revert.DryRun}))
}

// Ignore records the ignore and closes the issue as not planned.
func (a *appReconciler) Ignore(ctx context.Context, c githubapp.Command) (githubapp.Reply, error) {
	res, refusal, err := a.resource(ctx, c)
	if refusal != nil || err != nil {
		return deref(refusal), err
	}
	return reply(a.r.Ignore(ctx, reconcile.IgnoreRequest{Repo: repoOf(c.Thread), Resource: res, Issue: c.Thread.Number,
		Actor: c.Author, Attributes: c.Ignore.Attrs, For: c.Ignore.For}))
}

// Recheck asks terraform whether the drift is still there.
func (a *appReconciler) Recheck(ctx context.Context, c githubapp.Command) (githubapp.Reply, error) {
	res, refusal, err := a.resource(ctx, c)
	if refusal != nil || err != nil {
		return deref(refusal), err
	}
	return reply(a.r.Recheck(ctx, reconcile.RecheckRequest{Repo: repoOf(c.Thread), Resource: res, Issue: c.Thread.Number, Actor: c.Author}))
}

// PullRequestClosed resolves a merged accept pull request's drifts as
// accepted and closes the issue, or comments on a closed one.
func (a *appReconciler) PullRequestClosed(ctx context.Context, e githubapp.PullRequestEvent) error {
	_, err := a.r.PullRequestClosed(ctx, reconcile.PullRequestEvent{Repo: repoOf(e.Thread), Number: e.Thread.Number, Merged: e.Merged, Actor: e.Sender})
	return err
}

// DefaultBranchMoved queues the update of the accept pull requests that
// now conflict with the default branch (githubapp.BranchFollower).
func (a *appReconciler) DefaultBranchMoved(_ context.Context, t githubapp.Thread) error {
	key := strings.ToLower(t.Owner + "/" + t.Repo)
	a.mu.Lock()
	if a.branches[key] {
		a.mu.Unlock()
		return nil
	}
	a.branches[key] = true
	a.mu.Unlock()
	repo := repoOf(t)
	a.queue(reconcileJob{what: "default branch of " + key + " moved", run: func(ctx context.Context) error {
		a.mu.Lock()
		delete(a.branches, key)
		a.mu.Unlock()
		return a.r.DefaultBranchMoved(ctx, repo)
	}})
	return nil
}

// driftOpened queues what the App does when a drift opens a record:
// auto_revert, the update of an open accept pull request, mode: pr.
func (a *appReconciler) driftOpened(ctx context.Context, d *drift.Drift) {
	if d.ResourceAddress == "" || a.app == nil {
		return
	}
	claim, ok := a.app.Claim(d)
	if !ok {
		return
	}
	owner, name, _ := strings.Cut(claim.Repo, "/")
	// Only a drift the App acts on costs a job (and the GitHub calls that
	// read the repository): one an auto_revert rule reverts, one of a
	// resource with an open accept pull request, one of a mode: pr root.
	if reconcile.AutoRevertRule(a.rules, d) == "" && claim.Mode != config.ModePR {
		_, err := a.st.OpenPullFor(ctx, claim.Repo, d.Terraform.State, d.ResourceAddress)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return
		case err != nil:
			a.log.Warn("open accept pull requests of a drifted resource", "resource", d.ResourceAddress, "err", err)
			return
		}
	}
	repo := reconcile.Repo{Client: a.app.GitHub().Installation(claim.Installation), Owner: owner, Name: name}
	wantsIssue := a.app.Wants(d)
	a.queue(reconcileJob{what: "drift of " + d.ResourceAddress + " opened", run: func(ctx context.Context) error {
		if wantsIssue {
			a.awaitIssue(ctx, d)
		}
		_, err := a.r.DriftOpened(ctx, repo, d)
		return err
	}})
}

// awaitIssue waits, up to issueWait, for the GitHub issue sink's receipt
// of d's resource: the drift issue exists.
func (a *appReconciler) awaitIssue(ctx context.Context, d *drift.Drift) {
	deadline := time.After(issueWait)
	key := ticket.ResourceKey(d)
	for {
		rs, err := a.st.ReceiptsForResource(ctx, key)
		if err != nil {
			a.log.Warn("receipts of a drifted resource", "resource", d.ResourceAddress, "err", err)
			return
		}
		for _, rc := range rs {
			if rc.System == ticket.TypeGitHub {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-deadline:
			a.log.Info("the drift issue is not open yet; going on without it", "resource", d.ResourceAddress, "waited", issueWait)
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (a *appReconciler) queue(j reconcileJob) {
	select {
	case a.jobs <- j:
	default:
		a.log.Warn("reconcile queue full: dropped", "job", j.what, "queue", reconcileQueue)
	}
}

// run works off the queue, one job at a time, until ctx ends.
func (a *appReconciler) run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case j := <-a.jobs:
			if err := j.run(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("reconcile", "job", j.what, "err", err)
			}
		}
	}
}

// recorder wraps the pipeline's Recorder: "/tfdrift ignore" holds (the
// values a person ignored are dropped before a drift is recorded), and
// a drift that opens a record is handed to driftOpened.
func (a *appReconciler) recorder(next daemon.Recorder, notices daemon.NoticeFunc) daemon.Recorder {
	var nf reconcile.NoticeFunc
	if notices != nil {
		nf = reconcile.NoticeFunc(notices)
	}
	return &openedRecorder{next: reconcile.HonourIgnores(next, a.st, nf), a: a}
}

type openedRecorder struct {
	next reconcile.Recorder
	a    *appReconciler
}

func (o *openedRecorder) RecordDrift(ctx context.Context, d *drift.Drift, notices []store.NewNotice) (store.Record, bool, error) {
	rec, opened, err := o.next.RecordDrift(ctx, d, notices)
	if err != nil || !opened {
		return rec, opened, err
	}
	// The queued job gets its own copy: the pipeline's drift is not ours
	// to keep.
	c, cerr := ticket.DriftFromRecord(rec.Drift)
	if cerr != nil {
		o.a.log.Warn("a recorded drift that does not read back", "fingerprint", rec.Fingerprint, "err", cerr)
		return rec, opened, nil
	}
	c.Fingerprint = rec.Fingerprint
	o.a.driftOpened(ctx, c)
	return rec, opened, nil
}

func deref(r *githubapp.Reply) githubapp.Reply {
	if r == nil {
		return githubapp.Reply{}
	}
	return *r
}

var _ githubapp.BranchFollower = (*appReconciler)(nil)
