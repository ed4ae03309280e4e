package wiring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/rules"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/deliver"
	"github.com/tfdrift/tfdrift/ticket/email"
	"github.com/tfdrift/tfdrift/ticket/jira"
	"github.com/tfdrift/tfdrift/ticket/output"
	"github.com/tfdrift/tfdrift/ticket/pagerduty"
	"github.com/tfdrift/tfdrift/ticket/slack"
	"github.com/tfdrift/tfdrift/ticket/webhook"
)

// Notices is the configured notification set-up: the router that decides
// who hears about a drift, one sink per destination, and the storm
// control policy that the store applies when it records a drift.
type Notices struct {
	Router *ticket.Router
	Sinks  []ticket.Sink
	Rules  *rules.Set
	// Storm is notifications.storm_control. Its windows live in the store
	// (Outbox marks the notices it applies to; StormFlusher announces
	// the windows that end).
	Storm ticket.StormControl
	// OnError, when set, hears what the storm flusher could not do (it
	// keeps going); serve logs it.
	OnError func(error)
	byName  map[string]ticket.Sink
	closers []io.Closer
	// githubWants is the GitHub App's own channel (UseGitHub).
	githubWants func(d *drift.Drift) bool
}

// BuildNotices maps the config's notifications onto sinks and routes. It
// returns nil when nothing is configured.
func BuildNotices(cfg *config.Config) (*Notices, error) {
	if cfg == nil {
		return nil, nil
	}
	n := &Notices{Rules: cfg.RuleSet(), byName: map[string]ticket.Sink{}}
	var routes []ticket.Route
	add := func(s ticket.Sink, r ticket.Route) {
		r.Sink = s.Name()
		n.Sinks = append(n.Sinks, s)
		n.byName[s.Name()] = s
		routes = append(routes, r)
	}
	nc := cfg.Notifications
	link := ticket.CodeLink{Template: nc.CodeURL}
	if s := nc.Slack; s.Enabled && (s.WebhookURL != "" || s.Token != "" || hasChannelWebhooks(s)) {
		hooks := map[string]string{}
		var targets []ticket.Target
		for _, ch := range s.Channels {
			if ch.WebhookURL != "" {
				hooks[ch.Name] = ch.WebhookURL
			}
			targets = append(targets, ticket.Target{Name: ch.Name, Filter: ticketFilter(ch.Filter)})
		}
		if len(targets) > 0 && s.Channel != "" {
			targets = append(targets, ticket.Target{Name: s.Channel, Fallback: true})
		}
		sink, err := slack.New(slack.Options{Name: ticket.TypeSlack, WebhookURL: s.WebhookURL, Token: s.Token,
			Channel: s.Channel, ChannelWebhooks: hooks, MessageTemplate: s.MessageTemplate, CodeLink: link})
		if err != nil {
			return nil, fmt.Errorf("notifications.slack: %w", err)
		}
		add(sink, ticket.Route{Type: ticket.TypeSlack, Targets: targets, Resolved: true})
	}
	for i, w := range nc.Webhooks {
		if !w.Enabled {
			continue
		}
		name := w.Name
		if name == "" {
			name = "webhook"
			if len(nc.Webhooks) > 1 {
				name += "-" + strconv.Itoa(i+1)
			}
		}
		sink, err := webhook.New(webhook.Options{Name: name, URL: w.URL, Method: w.Method, Headers: w.Headers,
			PayloadTemplate: w.PayloadTemplate, Timeout: w.Timeout, CodeLink: link})
		if err != nil {
			return nil, fmt.Errorf("notifications.webhooks[%d]: %w", i, err)
		}
		add(sink, ticket.Route{Type: ticket.TypeWebhook, Filter: ticketFilter(w.Filter)})
	}
	if p := nc.PagerDuty; p.Enabled {
		sink, err := pagerduty.New(pagerduty.Options{Name: ticket.TypePagerDuty, RoutingKey: p.RoutingKey, Severities: p.SeverityMap, BaseURL: p.URL, CodeLink: link})
		if err != nil {
			return nil, fmt.Errorf("notifications.pagerduty: %w", err)
		}
		add(sink, ticket.Route{Type: ticket.TypePagerDuty, Resolved: true})
	}
	if j := nc.Jira; j.Enabled {
		sink, err := jira.New(jira.Options{Name: ticket.TypeJira, URL: j.URL, Email: j.Email, APIToken: j.APIToken,
			PersonalAccessToken: j.PersonalAccessToken, Project: j.Project, IssueType: j.IssueType,
			Labels: j.Labels, Components: j.Components, CustomFields: j.CustomFields, DoneTransition: j.DoneTransition, CodeLink: link})
		if err != nil {
			return nil, fmt.Errorf("notifications.jira: %w", err)
		}
		add(sink, ticket.Route{Type: ticket.TypeJira, OnDemand: true, Resolved: true})
	}
	if e := nc.Email; e.Enabled {
		sink, err := email.New(email.Options{Name: ticket.TypeEmail, Host: e.SMTPHost, Port: e.SMTPPort,
			Username: e.Username, Password: e.Password, From: e.From, To: e.To, StartTLS: e.StartTLS, CodeLink: link})
		if err != nil {
			return nil, fmt.Errorf("notifications.email: %w", err)
		}
		add(sink, ticket.Route{Type: ticket.TypeEmail})
	}
	if cfg.Output.File != "" {
		sink, err := output.Open(ticket.TypeOutput, cfg.Output.File)
		if err != nil {
			return nil, fmt.Errorf("output.file: %w", err)
		}
		n.closers = append(n.closers, sink)
		add(sink, ticket.Route{Type: ticket.TypeOutput, Resolved: true})
	}
	if cfg.GitHub.Enabled {
		add(deferredGitHub{}, githubRoute())
	}
	// Rules' {type: webhook, url} actions post through one shared sink.
	action, err := webhook.New(webhook.Options{Name: ticket.DefaultActionWebhookSink})
	if err != nil {
		return nil, err
	}
	n.Sinks = append(n.Sinks, action)
	n.byName[action.Name()] = action
	router, err := ticket.NewRouter(routes, ticket.DefaultActionWebhookSink)
	if err != nil {
		return nil, err
	}
	n.Router = router
	if sc := nc.StormControl; sc.Enabled {
		n.Storm = ticket.StormControl{Threshold: sc.Threshold, Window: sc.Window, Exempt: sc.Exempt}
		if cfg.GitHub.Enabled {
			// One issue per resource is the App's own grouping.
			n.Storm.Exempt = append(slices.Clone(sc.Exempt), ticket.TypeGitHub)
		}
	}
	return n, nil
}

func hasChannelWebhooks(s config.Slack) bool {
	for _, c := range s.Channels {
		if c.WebhookURL != "" {
			return true
		}
	}
	return false
}

func ticketFilter(f config.Filter) ticket.Filter {
	out := ticket.Filter{Accounts: f.Accounts, Severities: f.Severities, Tags: f.Tags}
	for _, p := range f.Providers {
		out.Providers = append(out.Providers, string(p))
	}
	return out
}

// actions returns the actions of the rules a drift matched.
func (n *Notices) actions(d *drift.Drift) []rules.Action {
	var out []rules.Action
	for _, r := range n.Rules.Matched(d) {
		out = append(out, r.Actions...)
	}
	return out
}

// For returns the notices a new drift produces.
func (n *Notices) For(d *drift.Drift) []*ticket.Notice {
	return n.withGitHub(d, n.Router.Route(d, n.actions(d)))
}

// Outbox returns the notices of a drift in the store's form, to be written
// in the same transaction as the drift. The notices storm control applies
// to carry its rule: the store decides inside that transaction, and only
// if the drift opens a record, whether each goes out now or joins its
// actor's storm window (store.NewNotice.Storm).
func (n *Notices) Outbox(d *drift.Drift) []store.NewNotice {
	ts := n.For(d)
	out := make([]store.NewNotice, 0, len(ts))
	for _, t := range ts {
		payload, err := ticket.EncodeNotice(t)
		if err != nil {
			continue // a drift's record always encodes; see EncodeNotice
		}
		nn := store.NewNotice{Sink: t.Sink, Key: t.OutboxKey(), Payload: payload}
		if key, ok := n.Storm.Key(t); ok {
			nn.Storm = &store.StormRule{Key: key, Threshold: n.Storm.Threshold, Window: n.Storm.Window}
		}
		out = append(out, nn)
	}
	return out
}

// StormStore is what the storm flusher uses of the store.
type StormStore interface{ store.Storms }

// Storm flusher tuning: how often it looks for windows that ended, how
// many it takes at once, and how long a claimed window is its own.
const (
	stormPoll  = time.Second
	stormBatch = 16
	stormLease = 2 * time.Minute
)

// FlushStorms claims the storm windows that have ended and enqueues what
// each announces, once: one group notice listing its drifts, or the
// drift's own notice when the storm held only one. Drifts resolved or
// ignored while they were held are left out. It returns how many windows
// it flushed.
func (n *Notices) FlushStorms(ctx context.Context, st StormStore, owner string) (int, error) {
	ws, err := st.ClaimStorms(ctx, owner, stormBatch, stormLease)
	if err != nil {
		return 0, err
	}
	var errs []error
	flushed := 0
	for _, w := range ws {
		if err := st.FlushStorm(ctx, w.ID, owner, stormRelease(w)); err != nil {
			errs = append(errs, err)
			continue
		}
		flushed++
	}
	return flushed, errors.Join(errs...)
}

// stormRelease is what window w announces.
func stormRelease(w store.StormWindow) []store.Release {
	var live []store.StormMember
	for _, m := range w.Members {
		if m.Live {
			live = append(live, m)
		}
	}
	own := func(ms []store.StormMember) []store.Release {
		out := make([]store.Release, len(ms))
		for i, m := range ms {
			out[i] = store.Release{Fingerprint: m.Fingerprint, Episode: m.Episode, Notice: m.Notice}
		}
		return out
	}
	if len(live) <= 1 {
		return own(live)
	}
	ns := make([]*ticket.Notice, len(live))
	for i, m := range live {
		t, err := ticket.DecodeNotice(m.Notice.Payload)
		if err != nil {
			// Let each go out on its own: the deliverer dead-letters what
			// it cannot decode, with the reason, where operators look.
			return own(live)
		}
		ns[i] = t
	}
	g := ticket.GroupNotice(ns, w.OpenedAt, live[len(live)-1].At, w.DueAt.Sub(w.OpenedAt))
	payload, err := ticket.EncodeNotice(g)
	if err != nil {
		return own(live)
	}
	return []store.Release{{Notice: store.NewNotice{Sink: g.Sink, Key: g.OutboxKey(), Payload: payload}}}
}

// StormFlusher returns the serve background job that announces storm
// windows as they end (FlushStorms, every second). It keeps going when the
// store fails, reporting to OnError. Nothing is flushed at shutdown: the
// windows are in the store, and whichever replica runs (or this one after
// its restart) announces them when they end.
func (n *Notices) StormFlusher(st StormStore) func(ctx context.Context) error {
	host, _ := os.Hostname()
	owner := fmt.Sprintf("%s-%d-storms", host, os.Getpid())
	return func(ctx context.Context) error {
		t := time.NewTicker(stormPoll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
				if _, err := n.FlushStorms(ctx, st, owner); err != nil && ctx.Err() == nil && n.OnError != nil {
					n.OnError(fmt.Errorf("storm control: %w", err))
				}
			}
		}
	}
}

func outboxForm(ts []*ticket.Notice) []store.NewNotice {
	var out []store.NewNotice
	for _, t := range ts {
		payload, err := ticket.EncodeNotice(t)
		if err != nil {
			continue // a drift's record always encodes; see EncodeNotice
		}
		out = append(out, store.NewNotice{Sink: t.Sink, Key: t.OutboxKey(), Payload: payload})
	}
	return out
}

// SendNow delivers a drift's notices synchronously, for `replay --notify`:
// each result is reported, nothing is queued or retried.
func (n *Notices) SendNow(ctx context.Context, d *drift.Drift, report func(t *ticket.Notice, err error)) error {
	var first error
	for _, t := range n.For(d) {
		s, ok := n.byName[t.Sink]
		if !ok {
			err := fmt.Errorf("no sink named %q", t.Sink)
			report(t, err)
			continue
		}
		_, err := s.Send(ctx, t)
		report(t, err)
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Close releases the sinks that hold files.
func (n *Notices) Close() error {
	for _, c := range n.closers {
		c.Close()
	}
	return nil
}

// NoticeStore is what the outbox workers use of the store: the outbox
// and the receipts deliveries leave.
type NoticeStore interface {
	store.Outbox
	store.Receipts
}

// Deliverer starts outbox workers over the store. o's Owner and OnResult
// are set here; its other fields (backoff, poll interval) pass through.
// Receipts the sinks return are kept in the store, and each notice is
// handed the receipts of its resources before it is sent.
func (n *Notices) Deliverer(st NoticeStore, owner string, onResult func(deliver.Result), o deliver.Options) (*deliver.Deliverer, error) {
	o.Owner, o.OnResult = owner, onResult
	return deliver.New(storeQueue{st}, n.Sinks, o)
}

// storeQueue adapts the store's outbox to the deliverer's queue (and its
// receipts to the deliverer's RefFinder). It passes deliver's conformance
// suite (queuetest), like deliver.MemQueue.
type storeQueue struct{ s NoticeStore }

var (
	_ deliver.Queue     = storeQueue{}
	_ deliver.RefFinder = storeQueue{}
)

func (q storeQueue) Claim(ctx context.Context, owner string, limit int, lease time.Duration) ([]deliver.Queued, error) {
	rows, err := q.s.ClaimNotices(ctx, owner, limit, lease)
	if err != nil {
		return nil, err
	}
	out := make([]deliver.Queued, len(rows))
	for i, r := range rows {
		out[i] = deliver.Queued{ID: r.ID, Sink: r.Sink, Payload: r.Payload, Attempts: r.Attempts}
	}
	return out, nil
}

func (q storeQueue) Delivered(ctx context.Context, id int64, owner string, refs []ticket.Ref) error {
	var rs []store.Receipt
	for _, r := range refs {
		rs = append(rs, store.Receipt{Fingerprint: r.Fingerprint, Sink: r.Sink, Target: r.Target, ResourceKey: r.ResourceKey,
			System: r.System, ExternalID: r.ExternalID, URL: r.URL})
	}
	return leaseLost(q.s.MarkDelivered(ctx, id, owner, rs...))
}

func (q storeQueue) Failed(ctx context.Context, id int64, owner, msg string, retryAt time.Time) error {
	return leaseLost(q.s.MarkFailed(ctx, id, owner, msg, retryAt))
}

func (q storeQueue) Dead(ctx context.Context, id int64, owner, reason string) error {
	return leaseLost(q.s.MarkDead(ctx, id, owner, reason))
}

func (q storeQueue) Refs(ctx context.Context, resourceKeys []string) ([]ticket.Ref, error) {
	rs, err := q.s.ReceiptsForResource(ctx, resourceKeys...)
	if err != nil {
		return nil, err
	}
	out := make([]ticket.Ref, len(rs))
	for i, r := range rs {
		out[i] = ticket.Ref{Sink: r.Sink, Target: r.Target, Fingerprint: r.Fingerprint, ResourceKey: r.ResourceKey,
			Receipt: ticket.Receipt{System: r.System, ExternalID: r.ExternalID, URL: r.URL}, At: r.UpdatedAt}
	}
	return out, nil
}

// leaseLost makes the store's ErrLeaseLost also the one deliver.Queue
// promises (deliver.ErrLeaseLost), keeping both in the chain and the
// store's message.
func leaseLost(err error) error {
	if errors.Is(err, store.ErrLeaseLost) && !errors.Is(err, deliver.ErrLeaseLost) {
		return lostLease{err}
	}
	return err
}

type lostLease struct{ err error }

func (e lostLease) Error() string   { return e.err.Error() }
func (e lostLease) Unwrap() []error { return []error{deliver.ErrLeaseLost, e.err} }

// Resolved returns the notices that announce a stored drift's resolution
// (PagerDuty resolve, Jira transition, Slack, the GitHub issue closed), in
// the store's form. reason says why, for people ("resolved by alice:
// fixed", "accepted: the state now holds the cloud's values", "reverted
// in the cloud"); the GitHub issue's closing comment shows it.
func (n *Notices) Resolved(d *drift.Drift, reason string) []store.NewNotice {
	ts := n.withGitHubResolved(d, n.Router.Resolved(d, n.actions(d)))
	for _, t := range ts {
		t.Reason = reason
	}
	return outboxForm(ts)
}
