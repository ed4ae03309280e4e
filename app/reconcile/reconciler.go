package reconcile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/rules"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/gitops/workspace"
	"github.com/tfdrift/tfdrift/ticket"
)

// Store is what the Reconciler keeps in the store; store.Store is one.
type Store interface {
	store.Drifts
	store.Receipts
	store.Locks
	store.Ignores
	store.Pulls
}

// ResolvedNotices returns the notices a drift resolved for reason sends
// (the Jira transition, the PagerDuty resolve): wiring.Notices.Resolved.
// reason is for people, as ticket.Notice.Reason is ("accepted in
// acme/infra#7, merged by @carol", "reverted by @alice"). The Reconciler
// closes the drift issue itself, with the state reason that fits (not
// planned for an ignore) and says why in its reply, so the GitHub issue
// sink's notice is best left out here.
type ResolvedNotices func(d *drift.Drift, reason string) []store.NewNotice

// Options configure a Reconciler.
type Options struct {
	// Store is required.
	Store Store
	// Snapshots keeps repository trees at commits (required): the edit
	// and every working copy are made from the default branch head's.
	Snapshots *ghapi.SnapshotCache
	// Terraform makes the working copies of the proof, revert and
	// recheck (wiring.Terraform.Manager). Nil when the server has no
	// terraform: block (config.Terraform.Configured false): proofs are
	// then neutral, and revert, recheck and auto_revert run nothing and
	// say so.
	Terraform *workspace.Manager
	// LockTimeout is how long terraform waits for its state lock
	// (config terraform.lock_timeout); default 30s.
	LockTimeout time.Duration
	// Rules are the config's drift rules, for auto_revert; nil is none.
	Rules *rules.Set
	// Resolved, when set, gives the notices of a resolved drift; they
	// are enqueued with the store's transition.
	Resolved ResolvedNotices
	// Logger receives what the Reconciler does without a comment thread
	// to say it in (an auto revert with no issue). Default: discard.
	Logger *slog.Logger
	// RevertLease is how long a revert's per-root lease lasts before it
	// is renewed; a replica that dies holding one frees the root after at
	// most this long. Default 10m.
	RevertLease time.Duration
	// AcceptWait bounds how long an accept waits for another accept of
	// the same resource to finish. Default 10m.
	AcceptWait time.Duration
	// MergeablePolls and MergeableEvery: how often DefaultBranchMoved
	// asks whether a pull request conflicts while GitHub is still
	// computing it. Default 5 times, 2s apart.
	MergeablePolls int
	MergeableEvery time.Duration
}

// Reconciler runs accept, revert, ignore and recheck for the GitHub App.
// Its methods are safe for concurrent use.
type Reconciler struct {
	o   Options
	log *slog.Logger
}

// New checks o and returns a Reconciler.
func New(o Options) (*Reconciler, error) {
	switch {
	case o.Store == nil:
		return nil, errors.New("reconcile: no store")
	case o.Snapshots == nil:
		return nil, errors.New("reconcile: no snapshot cache")
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = config.DefaultTerraformLockTimeout
	}
	if o.RevertLease <= 0 {
		o.RevertLease = 10 * time.Minute
	}
	if o.AcceptWait <= 0 {
		o.AcceptWait = 10 * time.Minute
	}
	if o.MergeablePolls <= 0 {
		o.MergeablePolls = 5
	}
	if o.MergeableEvery <= 0 {
		o.MergeableEvery = 2 * time.Second
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Reconciler{o: o, log: log}, nil
}

// Repo is a repository as the App reaches it.
type Repo struct {
	// Client is the installation's client (ghapi.App.Installation).
	Client *ghapi.Client
	Owner  string
	Name   string
}

// FullName is "owner/name".
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

// Resource is a drifted resource as the drift issue's marker names it.
type Resource struct {
	// State is the drifts' state source (drift.Location.State);
	// Workspace its Terraform workspace ("" and "default" are the same).
	State, Workspace string
	// Address is the Terraform address.
	Address string
}

func (r Resource) String() string { return r.Address }

// ResourceOf is d's Resource.
func ResourceOf(d *drift.Drift) Resource {
	return Resource{State: d.Terraform.State, Workspace: d.Terraform.Workspace, Address: d.ResourceAddress}
}

// has reports whether loc is this resource's state and workspace (any
// workspace when the resource does not name one).
func (r Resource) has(loc drift.Location) bool {
	return loc.State == r.State && (r.Workspace == "" || workspaceOf(loc.Workspace) == workspaceOf(r.Workspace))
}

func workspaceOf(ws string) string {
	if ws == "" {
		return "default"
	}
	return ws
}

// Result is what a command did, for its comment thread.
type Result struct {
	// OK is true when the command did what was asked (the rocket
	// reaction); false when it could not or would not (confused). Reply
	// says which, in either case.
	OK bool
	// Reply is the Markdown to post on the issue or pull request the
	// command came from.
	Reply string
	// PullRequest is the accept pull request opened or updated (0 when
	// none), PullURL its page.
	PullRequest int
	PullURL     string
	// Issue is the drift issue the command concerned (0 when none is
	// known); IssueClosed is true when it was closed.
	Issue       int
	IssueClosed bool
}

func done(reply string) *Result    { return &Result{OK: true, Reply: reply} }
func refused(reply string) *Result { return &Result{OK: false, Reply: reply} }

// ResourceOfThread finds the resource an issue or pull request of the
// App is about, for the webhook side: the drift records it tracks (its
// receipts), else the accept pull request the store knows by that
// number. ok is false for a thread of no resource.
func (r *Reconciler) ResourceOfThread(ctx context.Context, repo Repo, number int, tracked []store.Record) (res Resource, ok bool, err error) {
	for _, rec := range tracked {
		if rec.ResourceAddress != "" {
			loc := rec.Drift.Terraform
			return Resource{State: loc.State, Workspace: loc.Workspace, Address: rec.ResourceAddress}, true, nil
		}
	}
	p, err := r.o.Store.GetPull(ctx, repo.FullName(), number)
	if errors.Is(err, store.ErrNotFound) {
		return Resource{}, false, nil
	}
	if err != nil {
		return Resource{}, false, err
	}
	return Resource{State: p.StateKey, Address: p.Address}, true, nil
}

// openDrifts returns the open and acknowledged drifts of a resource,
// oldest sighting first: the order folding takes them in.
func (r *Reconciler) openDrifts(ctx context.Context, res Resource) ([]store.Record, []*drift.Drift, error) {
	f := store.Filter{Status: []store.Status{store.StatusOpen, store.StatusAcknowledged}, ResourceAddress: res.Address, Limit: 1000}
	var recs []store.Record
	for {
		page, err := r.o.Store.List(ctx, f)
		if err != nil {
			return nil, nil, fmt.Errorf("drifts of %s: %w", res.Address, err)
		}
		for _, rec := range page.Records {
			if res.has(rec.Drift.Terraform) {
				recs = append(recs, rec)
			}
		}
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	sort.SliceStable(recs, func(i, j int) bool {
		if !recs[i].LastSeen.Equal(recs[j].LastSeen) {
			return recs[i].LastSeen.Before(recs[j].LastSeen)
		}
		return recs[i].ID < recs[j].ID
	})
	drifts := make([]*drift.Drift, 0, len(recs))
	for _, rec := range recs {
		d, err := ticket.DriftFromRecord(rec.Drift)
		if err != nil {
			return nil, nil, fmt.Errorf("drift %s: %w", rec.Fingerprint, err)
		}
		d.Fingerprint = rec.Fingerprint
		drifts = append(drifts, d)
	}
	return recs, drifts, nil
}

// resolve moves every record to resolved (or ignored) for reason, which
// the store's history and the resolve notices carry, skipping records
// someone else moved meanwhile.
func (r *Reconciler) resolve(ctx context.Context, recs []store.Record, drifts []*drift.Drift, to store.Status, actor, reason string) (int, error) {
	n := 0
	for i, rec := range recs {
		var notices []store.NewNotice
		if r.o.Resolved != nil {
			notices = r.o.Resolved(drifts[i], reason)
		}
		_, err := r.o.Store.Transition(ctx, rec.Fingerprint, to, actorName(actor), reason, notices...)
		var te *store.TransitionError
		switch {
		case errors.As(err, &te), errors.Is(err, store.ErrNotFound):
			continue // resolved, ignored or removed by someone else meanwhile
		case err != nil:
			return n, err
		}
		n++
	}
	return n, nil
}

// actorName is who the store's history names: the commenter, or tfdrift
// for what the App did by itself.
func actorName(login string) string {
	if login == "" {
		return "tfdrift"
	}
	return "github:" + login
}

// repoTarget is a repository's default branch head, its snapshot, its
// .tfdrift.yml and the root module of the resource at hand.
type repoTarget struct {
	repo    Repo
	htmlURL string
	branch  string // the default branch
	base    string // its head commit
	snap    *ghapi.Snapshot
	rc      *config.RepoConfig
	root    config.RepoRoot
}

// errNoRoot is a resource whose state no root of .tfdrift.yml writes.
type errNoRoot struct{ state, file string }

func (e *errNoRoot) Error() string {
	return fmt.Sprintf("no root module in %s writes the state %s", e.file, e.state)
}

// errRepoConfig is a .tfdrift.yml that does not validate.
type errRepoConfig struct{ err error }

func (e *errRepoConfig) Error() string { return e.err.Error() }
func (e *errRepoConfig) Unwrap() error { return e.err }

// target reads the default branch head of repo and its snapshot, and
// finds the root module that holds loc's resource. The caller releases
// the snapshot (t.close).
func (r *Reconciler) target(ctx context.Context, repo Repo, loc drift.Location) (*repoTarget, error) {
	gh := repo.Client.GitHub()
	info, _, err := gh.Repositories.Get(ctx, repo.Owner, repo.Name)
	if err != nil {
		return nil, ghapi.Wrap("repository "+repo.FullName(), err)
	}
	t := &repoTarget{repo: repo, htmlURL: strings.TrimSuffix(info.GetHTMLURL(), "/"), branch: info.GetDefaultBranch()}
	if t.base, err = repo.Client.ResolveRef(ctx, repo.Owner, repo.Name, t.branch); err != nil {
		return nil, err
	}
	if t.snap, err = r.o.Snapshots.Get(ctx, repo.Client, repo.Owner, repo.Name, t.base); err != nil {
		return nil, err
	}
	if t.rc, err = config.LoadRepo(t.snap.Dir); err != nil {
		t.close()
		return nil, &errRepoConfig{err}
	}
	root, ok := t.rc.RootFor(loc)
	if !ok {
		t.close()
		return nil, &errNoRoot{state: loc.State, file: config.RepoFileName}
	}
	t.root = root
	return t, nil
}

// targetOf is target for a resource and its open drifts (the latest
// drift's location, else the resource's state alone). What keeps it from
// finding the root module is a refusal to reply with, not an error.
func (r *Reconciler) targetOf(ctx context.Context, repo Repo, res Resource, drifts []*drift.Drift) (*repoTarget, *Result, error) {
	loc := drift.Location{State: res.State}
	if len(drifts) > 0 {
		loc = drifts[len(drifts)-1].Terraform
	}
	t, err := r.target(ctx, repo, loc)
	if reply, ok := targetRefusal(err); ok {
		return nil, refused(reply), nil
	}
	return t, nil, err
}

func (t *repoTarget) close() {
	if t.snap != nil {
		t.snap.Release()
	}
}

// workspaceName is the root's Terraform workspace.
func (t *repoTarget) workspaceName() string {
	if t.root.Workspace == "" {
		return "default"
	}
	return t.root.Workspace
}

// blobURL links to a line of a file at the target's commit.
func (t *repoTarget) blobURL(file string, line int) string {
	u := t.htmlURL + "/blob/" + t.base + "/" + file
	if line > 0 {
		u += "#L" + strconv.Itoa(line)
	}
	return u
}

// issueOf finds the drift issue of a resource: the issue or pull request
// the command came on (a pull request stands for the issue it closes),
// else the GitHub issue sink's receipt for one of the drifts.
func (r *Reconciler) issueOf(ctx context.Context, repo Repo, given int, drifts []*drift.Drift) (int, error) {
	if given > 0 {
		p, err := r.o.Store.GetPull(ctx, repo.FullName(), given)
		switch {
		case err == nil:
			return p.Issue, nil
		case !errors.Is(err, store.ErrNotFound):
			return 0, err
		}
		return given, nil
	}
	keys := make([]string, 0, len(drifts))
	for _, d := range drifts {
		keys = append(keys, ticket.ResourceKey(d))
	}
	rs, err := r.o.Store.ReceiptsForResource(ctx, keys...)
	if err != nil {
		return 0, err
	}
	for _, rc := range rs { // newest first
		if rc.System != ticket.TypeGitHub {
			continue
		}
		if owner, _, ok := strings.Cut(rc.ExternalID, "#"); ok && owner != "" && !strings.EqualFold(owner, repo.FullName()) {
			continue // an issue in another repository
		}
		if n, ok := issueNumber(rc); ok {
			return n, nil
		}
	}
	return 0, nil
}

// issueNumber reads the issue number from a GitHub receipt: its
// ExternalID ("owner/name#12", or "12"), else the URL's last path
// element.
func issueNumber(rc store.Receipt) (int, bool) {
	id := rc.ExternalID
	if i := strings.LastIndex(id, "#"); i >= 0 {
		id = id[i+1:]
	}
	if n, err := strconv.Atoi(id); err == nil && n > 0 {
		return n, true
	}
	if i := strings.LastIndex(rc.URL, "/issues/"); i >= 0 {
		if n, err := strconv.Atoi(rc.URL[i+len("/issues/"):]); err == nil && n > 0 {
			return n, true
		}
	}
	return 0, false
}

// holdLock takes a lease, waiting up to wait while someone else holds it
// (wait 0: fail at once with the *store.LockedError). The lease is
// renewed in the background until release is called.
func (r *Reconciler) holdLock(ctx context.Context, name, holder string, ttl, wait time.Duration) (release func(), err error) {
	deadline := time.Now().Add(wait)
	pause := 100 * time.Millisecond
	var lease store.Lease
	for {
		lease, err = r.o.Store.TryLock(ctx, name, holder, ttl)
		var le *store.LockedError
		if err == nil {
			break
		}
		if !errors.As(err, &le) || time.Now().Add(pause).After(deadline) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 2*time.Second)
	}
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				l, err := r.o.Store.RenewLock(context.WithoutCancel(ctx), lease, ttl)
				if err != nil {
					r.log.Warn("renewing a lease failed", "lock", name, "err", err)
					continue
				}
				lease = l
			}
		}
	}()
	return func() {
		close(stop)
		<-finished
		if err := r.o.Store.Unlock(context.WithoutCancel(ctx), lease); err != nil {
			r.log.Warn("releasing a lease failed", "lock", name, "err", err)
		}
	}, nil
}
