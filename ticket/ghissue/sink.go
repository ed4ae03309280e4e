package ghissue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/ticket"
)

// DefaultMaxOpen is max_open_issues' default: a repository with this
// many open drift issues gets no more; the overflow issue lists the rest.
const DefaultMaxOpen = 50

// Target is where a drift's issue lives, and how it is written.
type Target struct {
	// Client is the installation client (the App) or the token client
	// (the Action). Its writes go through its pacer.
	Client *ghapi.Client
	// Owner and Repo name the repository.
	Owner, Repo string
	// HTMLURL is the repository's html_url (github.com or GHES), the base
	// of the permalinks.
	HTMLURL string
	// Labels and Assignees are the root's, from .tfdrift.yml.
	Labels, Assignees []string
	// MaxOpen is github.max_open_issues; 0 means DefaultMaxOpen.
	MaxOpen int
	// Commands shows the /tfdrift commands section.
	Commands bool
	// Author is the login Client writes as when it is a person's token
	// (check --open-issues with a personal access token). Issues are
	// trusted as tfdrift's own only when a GitHub App's bot opened them
	// (the App, or Actions' GITHUB_TOKEN) or Author did: anyone who may
	// label issues could otherwise copy a marker into an issue of their
	// own and have tfdrift write there.
	Author string
}

func (t Target) maxOpen() int {
	if t.MaxOpen <= 0 {
		return DefaultMaxOpen
	}
	return t.MaxOpen
}

// FullName is "owner/repo".
func (t Target) FullName() string { return t.Owner + "/" + t.Repo }

// Resolver says where a drift's issue lives.
type Resolver interface {
	// Resolve says where d's issue lives; ok is false when no repository
	// claims d's state.
	Resolve(ctx context.Context, d *drift.Drift) (t Target, ok bool, err error)
}

// Fixed is a Resolver that puts every drift's issue in one repository:
// `tfdrift check --open-issues`, which runs in the repository it checks.
func Fixed(t Target) Resolver { return fixed{t} }

type fixed struct{ t Target }

func (f fixed) Resolve(context.Context, *drift.Drift) (Target, bool, error) { return f.t, true, nil }

// Outcome says what a delivery did to GitHub, for logs, metrics and
// `tfdrift check`'s report.
type Outcome string

// Outcomes.
const (
	// Opened: a new issue for the resource.
	Opened Outcome = "opened"
	// Commented: a comment on the resource's issue, and its table updated.
	Commented Outcome = "commented"
	// Unchanged: the issue already held this drift (a redelivery, or
	// tfdrift check finding the same drift again).
	Unchanged Outcome = "unchanged"
	// Overflowed: the repository is at max_open_issues; the drift is
	// listed in the overflow issue.
	Overflowed Outcome = "overflowed"
	// Closed: a resolution closed the resource's issue.
	Closed Outcome = "closed"
	// NotOpen: a resolution found no open issue (closed already, or never
	// opened).
	NotOpen Outcome = "not_open"
	// Unrouted: no repository claims the drift's state.
	Unrouted Outcome = "unrouted"
)

// Options configure the sink.
type Options struct {
	// Name is the sink's name; default ticket.TypeGitHub.
	Name string
	// Resolver says which repository each drift's issue goes to;
	// required.
	Resolver Resolver
	// Now is the clock. A retried delivery looks for its earlier comment
	// among those since a day before the drift was detected, or, for a
	// drift without a detection time, a day before Now. Default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// OnUnrouted is called when Resolve says no repository claims d (the
	// App counts tfdrift_github_unrouted_total).
	OnUnrouted func(d *drift.Drift)
	// OnOutcome, when set, hears what each delivered drift did. It runs
	// on the sender's goroutine and must not block.
	OnOutcome func(d *drift.Drift, o Outcome, r ticket.Receipt)
}

// Sink opens, updates and closes one GitHub issue per drifted resource.
type Sink struct {
	o Options

	mu    sync.Mutex
	repos map[string]*repoState
}

// repoState is what the sink keeps per repository: a lock, so that two
// drifts of one repository are never written at once (the cap is counted
// and the overflow issue rewritten under it), and the labels known to
// exist, listed once.
type repoState struct {
	lock   chan struct{}
	labels map[string]bool // lower-case names; nil until listed
}

func (r *repoState) acquire(ctx context.Context) error {
	select {
	case r.lock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *repoState) release() { <-r.lock }

// New checks o and returns the sink.
func New(o Options) (*Sink, error) {
	if o.Name == "" {
		o.Name = ticket.TypeGitHub
	}
	if o.Resolver == nil {
		return nil, fmt.Errorf("github issues %s: a Resolver is required", o.Name)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Sink{o: o, repos: map[string]*repoState{}}, nil
}

// Name is the sink's name.
func (s *Sink) Name() string { return s.o.Name }

// repo returns the state of t's repository, made on first use. One entry
// per repository the resolver ever named: small, and bounded by the
// repositories the installations reach.
func (s *Sink) repo(t Target) *repoState {
	key := strings.ToLower(strings.TrimSuffix(t.HTMLURL, "/") + "\x00" + t.FullName())
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[key]
	if !ok {
		r = &repoState{lock: make(chan struct{}, 1)}
		s.repos[key] = r
	}
	return r
}

// Send delivers n: a drift opens its resource's issue or comments on it
// (or, at the cap, is listed in the overflow issue); a resolution closes
// it with a comment that says why (n.Reason). A storm group's drifts are
// sent one by one, each to its resource's issue. Every write is found
// again on redelivery by its marker, so a retry never writes twice. The
// receipt is the issue: System "github", ExternalID "owner/repo#N", URL
// its html_url; empty for an unrouted drift.
//
// Errors follow ticket.Sink: a rate limit (or the pacer's refusal to wait
// that long) is a *ticket.RetryAfterError with the wait; 404 (the
// repository is gone or unreachable), 422 (GitHub refused what was sent)
// and other permanent 4xx are *ticket.PermanentError; 5xx and network
// failures are transient.
func (s *Sink) Send(ctx context.Context, n *ticket.Notice) (ticket.Receipt, error) {
	switch {
	case n.Kind == ticket.KindGroup && n.Group != nil:
		return s.each(ctx, n, n.Group.Drifts)
	case n.Drift == nil:
		return ticket.Receipt{}, ticket.Permanentf("github issues %s: %s notice without a drift", s.o.Name, n.Kind)
	}
	return s.one(ctx, n, n.Drift)
}

// each sends a group's drifts one by one (ticket.SendEach).
func (s *Sink) each(ctx context.Context, n *ticket.Notice, ds []*drift.Drift) (ticket.Receipt, error) {
	return ticket.SendEach(ds, ticket.TypeGitHub, "github issues "+s.o.Name, func(d *drift.Drift) (ticket.Receipt, error) { return s.one(ctx, n, d) })
}

func (s *Sink) one(ctx context.Context, n *ticket.Notice, d *drift.Drift) (ticket.Receipt, error) {
	t, ok, err := s.o.Resolver.Resolve(ctx, d)
	switch {
	case err != nil && ticket.IsPermanent(err):
		return ticket.Receipt{}, err
	case err != nil:
		return ticket.Receipt{}, fmt.Errorf("github issues %s: where does %s go: %w", s.o.Name, Title(d), err)
	case !ok:
		s.o.Logger.Info("github issues: no repository claims the drift's state", "sink", s.o.Name,
			"state", d.Terraform.State, "resource", ResourceID(d))
		if s.o.OnUnrouted != nil {
			s.o.OnUnrouted(d)
		}
		s.outcome(d, Unrouted, ticket.Receipt{})
		return ticket.Receipt{}, nil
	case t.Client == nil || t.Owner == "" || t.Repo == "":
		return ticket.Receipt{}, ticket.Permanentf("github issues %s: the resolver named no client or repository for %s", s.o.Name, ResourceID(d))
	}
	r := s.repo(t)
	if err := r.acquire(ctx); err != nil {
		return ticket.Receipt{}, fmt.Errorf("github %s: waiting for the repository's other deliveries: %w", t.FullName(), err)
	}
	defer r.release()
	w := &writer{s: s, t: t, r: r, n: n, d: d}
	var rc ticket.Receipt
	var oc Outcome
	if n.Kind == ticket.KindResolved {
		rc, oc, err = w.resolve(ctx)
	} else {
		rc, oc, err = w.open(ctx)
	}
	if err != nil {
		return ticket.Receipt{}, err
	}
	s.o.Logger.Info("github issues: delivered", "sink", s.o.Name, "repo", t.FullName(), "outcome", string(oc),
		"issue", rc.ExternalID, "resource", ResourceID(d))
	s.outcome(d, oc, rc)
	return rc, nil
}

func (s *Sink) outcome(d *drift.Drift, o Outcome, rc ticket.Receipt) {
	if s.o.OnOutcome != nil {
		s.o.OnOutcome(d, o, rc)
	}
}

// classify maps a ghapi error onto the outbox's kinds: a rate limit
// waits (primary: until the reset; secondary: Retry-After, or at least a
// minute), a permanent 4xx is dead-lettered with the reason, anything
// else is retried with backoff.
func classify(t Target, what string, err error) error {
	if err == nil {
		return nil
	}
	err = fmt.Errorf("github %s: %w", t.FullName(), ghapi.Wrap(what, err))
	if wait, ok := ghapi.RetryAfter(err); ok {
		return &ticket.RetryAfterError{After: max(wait, time.Second), Err: err}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if ghapi.IsPermanent(err) {
		return ticket.Permanent(fmt.Sprintf("github %s: %s will not succeed on retry", t.FullName(), what), err)
	}
	return err
}
