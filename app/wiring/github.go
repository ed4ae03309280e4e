package wiring

import (
	"context"
	"slices"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

// The GitHub App's channel. With a github: block the notices have a
// github route (OnDemand, so alert actions and create_ticket with
// system: github reach it as they name it) and, in serve, the App's own
// channel: every drift the App wants (a repository's root claims its
// state, issues: true, at least min_severity) gets a github notice
// whatever the rules say. Its resolutions always go to the sink, which
// closes the resource's issue when there is one. Storm control never
// holds the App's notices: one issue per resource is the grouping.

// GitHubChannel is what serve hands the notices when it runs the App:
// the sink that writes the issues, and which drifts the App's own
// channel takes.
type GitHubChannel struct {
	Sink  ticket.Sink
	Wants func(d *drift.Drift) bool
}

// UseGitHub makes serve's App the github sink and turns its own channel
// on. Without it (the jobs other than serve) github notices are still
// routed and queued, for serve to deliver, and sending one at once
// fails, saying so.
func (n *Notices) UseGitHub(ch GitHubChannel) {
	if n == nil || n.byName[ticket.TypeGitHub] == nil {
		return
	}
	for i, s := range n.Sinks {
		if s.Name() == ticket.TypeGitHub {
			n.Sinks[i] = ch.Sink
		}
	}
	n.byName[ticket.TypeGitHub] = ch.Sink
	n.githubWants = ch.Wants
}

// githubRoute is the route of the github sink.
func githubRoute() ticket.Route {
	return ticket.Route{Type: ticket.TypeGitHub, OnDemand: true, Resolved: true}
}

// withGitHub adds the App's own channel to a drift's notices: a github
// notice for a drift the App wants, unless a rule already made one.
func (n *Notices) withGitHub(d *drift.Drift, ts []*ticket.Notice) []*ticket.Notice {
	if n.githubWants == nil || slices.ContainsFunc(ts, isGitHub) || !n.githubWants(d) {
		return ts
	}
	return append(ts, n.githubNotice(d, ticket.KindDrift))
}

// withGitHubResolved makes sure a resolution reaches the github sink,
// which closes the resource's issue if the App opened one.
func (n *Notices) withGitHubResolved(d *drift.Drift, ts []*ticket.Notice) []*ticket.Notice {
	if n.byName[ticket.TypeGitHub] == nil || slices.ContainsFunc(ts, isGitHub) {
		return ts
	}
	return append(ts, n.githubNotice(d, ticket.KindResolved))
}

func (n *Notices) githubNotice(d *drift.Drift, kind ticket.Kind) *ticket.Notice {
	fp := d.Fingerprint
	if fp == "" {
		fp = d.ComputeFingerprint()
	}
	return &ticket.Notice{Sink: ticket.TypeGitHub, Kind: kind, Drift: d, Fingerprint: fp}
}

func isGitHub(t *ticket.Notice) bool { return t.Sink == ticket.TypeGitHub }

// deferredGitHub stands for the github sink in a job that does not run
// the App: its notices are queued for serve, never sent from here.
type deferredGitHub struct{}

func (deferredGitHub) Name() string { return ticket.TypeGitHub }

func (deferredGitHub) Send(context.Context, *ticket.Notice) (ticket.Receipt, error) {
	return ticket.Receipt{}, ticket.Permanentf("github issues are written by tfdrift serve, which runs the GitHub App: queue the notice (serve --database) instead of sending it from here")
}
