package app

import (
	"context"
	"errors"
	"fmt"
	"io"
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
// who hears about a drift, and one sink per destination.
type Notices struct {
	Router *ticket.Router
	Sinks  []ticket.Sink
	Rules  *rules.Set
	// Storms holds the notices of an actor's storm until its window ends.
	Storms  *ticket.Grouper
	byName  map[string]ticket.Sink
	closers []io.Closer
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
	sc := nc.StormControl
	if sc.Enabled {
		n.Storms = ticket.NewGrouper(ticket.GrouperOptions{Threshold: sc.Threshold, Window: sc.Window, Exempt: sc.Exempt}, nil)
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
func (n *Notices) For(d *drift.Drift) []*ticket.Notice { return n.Router.Route(d, n.actions(d)) }

// Outbox returns the notices of a drift in the store's form, to be written
// in the same transaction as the drift. Under storm control, notices that
// join an actor's storm are held; FlushStorms releases them as groups.
func (n *Notices) Outbox(d *drift.Drift) []store.NewNotice {
	var ready []*ticket.Notice
	for _, t := range n.For(d) {
		if n.Storms != nil {
			ready = append(ready, n.Storms.Add(t)...)
		} else {
			ready = append(ready, t)
		}
	}
	return outboxForm(ready)
}

// FlushStorms returns the grouped notices whose window has ended (all of
// them when final, at shutdown), ready for the outbox.
func (n *Notices) FlushStorms(now time.Time, final bool) []store.NewNotice {
	if n.Storms == nil {
		return nil
	}
	if final {
		return outboxForm(n.Storms.FlushAll())
	}
	return outboxForm(n.Storms.Flush(now))
}

// StormFlusher enqueues grouped notices as their windows end, and the rest
// when ctx ends (a daemon's shutdown).
func (n *Notices) StormFlusher(st store.Outbox) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				if groups := n.FlushStorms(time.Now(), true); len(groups) > 0 {
					_, err := st.EnqueueNotices(context.WithoutCancel(ctx), "", groups)
					return err
				}
				return nil
			case now := <-t.C:
				if groups := n.FlushStorms(now, false); len(groups) > 0 {
					if _, err := st.EnqueueNotices(ctx, "", groups); err != nil {
						return err
					}
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
// (PagerDuty resolve, Jira transition, Slack), in the store's form.
func (n *Notices) Resolved(d *drift.Drift) []store.NewNotice {
	return outboxForm(n.Router.Resolved(d, n.actions(d)))
}
