package ticket

import (
	"errors"
	"fmt"
	"slices"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/rules"
)

// Sink types. A rule's alert action names sinks by type ("channels:
// [slack, email]") or by name ("webhook-2").
const (
	TypeSlack     = "slack"
	TypeWebhook   = "webhook"
	TypePagerDuty = "pagerduty"
	TypeJira      = "jira"
	TypeEmail     = "email"
	TypeOutput    = "output"
	TypeGitHub    = "github"
)

var sinkTypes = []string{TypeSlack, TypeWebhook, TypePagerDuty, TypeJira, TypeEmail, TypeOutput, TypeGitHub}

// DefaultActionWebhookSink is the name under which the app registers the
// webhook sink that serves rules' webhook actions ({type: webhook, url}):
// the notice carries the URL, the sink posts the drift's JSON record to it.
const DefaultActionWebhookSink = "action-webhook"

// Route is one configured sink as the router sees it.
type Route struct {
	// Sink is the sink's name (Sink.Name()), unique among routes.
	Sink string
	// Type is one of the Type* constants.
	Type string
	// Filter selects the drifts the sink receives.
	Filter Filter
	// Targets split a sink's notices further: Slack channels. A drift
	// goes to every target whose filter it passes; when it passes none,
	// to the Fallback targets. Empty means one notice to the sink's
	// default destination.
	Targets []Target
	// OnDemand sinks receive only drifts that a matched rule addresses
	// explicitly: an alert action naming the sink or its type, or a
	// create_ticket action for its system. Ticket systems (Jira, GitHub
	// issues) are on demand so that enabling them does not open a ticket
	// for every drift.
	OnDemand bool
	// Resolved sinks also receive KindResolved notices (PagerDuty
	// resolves the incident, Jira transitions the ticket, Slack posts a
	// green message).
	Resolved bool
}

// Target is one destination inside a sink.
type Target struct {
	Name   string
	Filter Filter
	// Fallback targets receive the drifts no other target of the route
	// takes (the Slack block's top-level channel next to channels[]).
	Fallback bool
}

// Router decides which sinks hear about a drift. It is immutable and safe
// for concurrent use.
//
// The rules, in order:
//  1. When no matched rule has an enabled alert action, every route that
//     is not OnDemand is addressed (configs with
//     notifications and no rule actions).
//  2. Otherwise the alert actions choose: a route is addressed when an
//     action's channels name its sink or type; an action without channels
//     addresses every route that is not OnDemand.
//  3. A create_ticket action addresses the routes whose type or name is
//     its system (default jira), with the action's project, issue type and
//     summary; one notice per distinct project.
//  4. An addressed route still applies its Filter, then its Targets.
//  5. A webhook action adds a notice for the action-webhook sink carrying
//     the action's URL (drifts only, not resolutions).
//
// A sink receives at most one notice per target for one drift, however
// many rules address it.
type Router struct {
	routes        []Route
	actionWebhook string
}

// NewRouter checks routes and returns a Router. actionWebhookSink names the
// sink that serves rules' webhook actions; empty means
// DefaultActionWebhookSink.
func NewRouter(routes []Route, actionWebhookSink string) (*Router, error) {
	if actionWebhookSink == "" {
		actionWebhookSink = DefaultActionWebhookSink
	}
	var errs []error
	seen := map[string]bool{}
	for i, rt := range routes {
		switch {
		case rt.Sink == "":
			errs = append(errs, fmt.Errorf("route %d: sink name is empty", i))
		case seen[rt.Sink]:
			errs = append(errs, fmt.Errorf("route %d: sink name %q is used twice", i, rt.Sink))
		}
		seen[rt.Sink] = true
		if !slices.Contains(sinkTypes, rt.Type) {
			errs = append(errs, fmt.Errorf("route %q: unknown sink type %q (want one of %v)", rt.Sink, rt.Type, sinkTypes))
		}
		for j, t := range rt.Targets {
			if t.Name == "" && !t.Fallback {
				errs = append(errs, fmt.Errorf("route %q: target %d has no name", rt.Sink, j))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Router{routes: slices.Clone(routes), actionWebhook: actionWebhookSink}, nil
}

// Route returns the notices announcing d, given the actions of the rules
// d matched (rules.Set.Matched, flattened). The notices share d; sinks
// must not modify it.
func (r *Router) Route(d *drift.Drift, actions []rules.Action) []*Notice {
	return r.route(d, actions, KindDrift)
}

// Resolved returns the notices announcing that d went away, for the routes
// that want resolutions, addressed by the same actions as the drift was.
func (r *Router) Resolved(d *drift.Drift, actions []rules.Action) []*Notice {
	return r.route(d, actions, KindResolved)
}

func (r *Router) route(d *drift.Drift, actions []rules.Action, kind Kind) []*Notice {
	var alerts, tickets, hooks []rules.Action
	priority := ""
	for _, a := range actions {
		if !a.IsEnabled() {
			continue
		}
		switch a.Type {
		case rules.ActionAlert:
			alerts = append(alerts, a)
			if priority == "" {
				priority = a.Priority
			}
		case rules.ActionCreateTicket:
			tickets = append(tickets, a)
		case rules.ActionWebhook:
			hooks = append(hooks, a)
		}
	}
	fp := driftFingerprint(d)
	var out []*Notice
	seen := map[string]bool{}
	add := func(n *Notice) {
		k := n.Sink + "\x00" + n.Target + "\x00" + n.URL
		if seen[k] {
			return
		}
		seen[k] = true
		n.Kind, n.Drift, n.Fingerprint, n.Priority = kind, d, fp, priority
		out = append(out, n)
	}
	for i := range r.routes {
		rt := &r.routes[i]
		if kind == KindResolved && !rt.Resolved {
			continue
		}
		addressed := len(alerts) == 0 && !rt.OnDemand
		for _, a := range alerts {
			if len(a.Channels) == 0 && !rt.OnDemand || slices.Contains(a.Channels, rt.Sink) || slices.Contains(a.Channels, rt.Type) {
				addressed = true
			}
		}
		var specs []*TicketSpec
		for _, a := range tickets {
			system := a.System
			if system == "" {
				system = TypeJira
			}
			if system == rt.Type || system == rt.Sink {
				specs = append(specs, &TicketSpec{System: system, Project: a.Project, IssueType: a.IssueType, Summary: a.Summary})
			}
		}
		if !addressed && len(specs) == 0 || !rt.Filter.Matches(d) {
			continue
		}
		if len(specs) > 0 {
			for _, s := range specs {
				add(&Notice{Sink: rt.Sink, Target: s.Project, Ticket: s})
			}
			continue
		}
		for _, t := range rt.targetsFor(d) {
			add(&Notice{Sink: rt.Sink, Target: t})
		}
	}
	if kind == KindDrift {
		for _, a := range hooks {
			add(&Notice{Sink: r.actionWebhook, URL: a.URL})
		}
	}
	return out
}

// targetsFor returns the target names d goes to: [""] for a route without
// targets (the sink's default), none when no target takes d.
func (rt *Route) targetsFor(d *drift.Drift) []string {
	if len(rt.Targets) == 0 {
		return []string{""}
	}
	var names, fallback []string
	for _, t := range rt.Targets {
		switch {
		case t.Fallback:
			fallback = append(fallback, t.Name)
		case t.Filter.Matches(d):
			names = append(names, t.Name)
		}
	}
	if len(names) == 0 {
		return fallback
	}
	return names
}
