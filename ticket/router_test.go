package ticket_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/rules"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
)

// routed is what a test compares of a notice.
type routed struct {
	Sink, Target, URL, Priority string
	Kind                        ticket.Kind
	Ticket                      *ticket.TicketSpec
}

func summarize(ns []*ticket.Notice) []routed {
	var out []routed
	for _, n := range ns {
		out = append(out, routed{Sink: n.Sink, Target: n.Target, URL: n.URL, Priority: n.Priority, Kind: n.Kind, Ticket: n.Ticket})
	}
	return out
}

func withAccount(d *drift.Drift, account string, sev drift.Severity) *drift.Drift {
	c := *d
	ev := *d.Event
	ev.Account = account
	c.Event = &ev
	c.Severity = sev
	return &c
}

// Seed use case 7: Slack channels routed by account and severity.
func TestRouterUseCase7MultiAccount(t *testing.T) {
	r, err := ticket.NewRouter([]ticket.Route{{
		Sink: "slack", Type: ticket.TypeSlack, Resolved: true,
		Targets: []ticket.Target{
			{Name: "#dev-alerts", Filter: ticket.Filter{Accounts: []string{"123456789012"}}},
			{Name: "#staging-alerts", Filter: ticket.Filter{Accounts: []string{"456789012345"}}},
			{Name: "#prod-critical", Filter: ticket.Filter{Accounts: []string{"789012345678", "101112131415"}, Severities: []drift.Severity{drift.Critical, drift.High}}},
		},
	}}, "")
	if err != nil {
		t.Fatal(err)
	}
	base := sample.SecurityGroup()
	tests := []struct {
		name string
		d    *drift.Drift
		want []routed
	}{
		{"dev", withAccount(base, "123456789012", drift.Low), []routed{{Sink: "slack", Target: "#dev-alerts", Kind: ticket.KindDrift}}},
		{"staging", withAccount(base, "456789012345", drift.Critical), []routed{{Sink: "slack", Target: "#staging-alerts", Kind: ticket.KindDrift}}},
		{"prod high", withAccount(base, "101112131415", drift.High), []routed{{Sink: "slack", Target: "#prod-critical", Kind: ticket.KindDrift}}},
		{"prod medium goes nowhere", withAccount(base, "789012345678", drift.Medium), nil},
		{"unknown account goes nowhere", withAccount(base, "999999999999", drift.Critical), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, summarize(r.Route(tt.d, nil))); diff != "" {
				t.Errorf("Route (-want +got):\n%s", diff)
			}
		})
	}
}

// Seed use case 10: provider channels plus a severity channel; one drift
// may go to two channels. A fallback channel takes what no filter takes.
func TestRouterUseCase10MultiCloud(t *testing.T) {
	r, err := ticket.NewRouter([]ticket.Route{{
		Sink: "slack", Type: ticket.TypeSlack,
		Targets: []ticket.Target{
			{Name: "#aws-alerts", Filter: ticket.Filter{Providers: []string{"aws"}}},
			{Name: "#gcp-alerts", Filter: ticket.Filter{Providers: []string{"gcp"}}},
			{Name: "#multi-cloud-security", Filter: ticket.Filter{Severities: []drift.Severity{drift.Critical}}},
			{Name: "#catch-all", Fallback: true},
		},
	}}, "")
	if err != nil {
		t.Fatal(err)
	}
	gcp := sample.GCPFirewall()
	got := summarize(r.Route(gcp, nil))
	want := []routed{
		{Sink: "slack", Target: "#gcp-alerts", Kind: ticket.KindDrift},
		{Sink: "slack", Target: "#multi-cloud-security", Kind: ticket.KindDrift},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("gcp critical (-want +got):\n%s", diff)
	}
	other := sample.GCPFirewall()
	ev := *other.Event
	ev.Provider = "azure"
	other.Event, other.Severity = &ev, drift.Low
	if diff := cmp.Diff([]routed{{Sink: "slack", Target: "#catch-all", Kind: ticket.KindDrift}}, summarize(r.Route(other, nil))); diff != "" {
		t.Errorf("fallback (-want +got):\n%s", diff)
	}
}

// Seed use case 8: alert to slack and email, a Jira ticket, and no
// webhook (not named by the alert action).
func TestRouterUseCase8Actions(t *testing.T) {
	routes := []ticket.Route{
		{Sink: "slack", Type: ticket.TypeSlack},
		{Sink: "email", Type: ticket.TypeEmail},
		{Sink: "webhook", Type: ticket.TypeWebhook},
		{Sink: "jira", Type: ticket.TypeJira, OnDemand: true, Resolved: true},
		{Sink: "pagerduty", Type: ticket.TypePagerDuty, Resolved: true},
	}
	r, err := ticket.NewRouter(routes, "")
	if err != nil {
		t.Fatal(err)
	}
	actions := []rules.Action{
		{Type: rules.ActionAlert, Channels: []string{"slack", "email"}},
		{Type: rules.ActionCreateTicket, System: "jira", Project: "INFRA", IssueType: "Task", Summary: "Manual Infrastructure Change Detected"},
		{Type: rules.ActionAutoRevert, Enabled: new(bool)},
	}
	spec := &ticket.TicketSpec{System: "jira", Project: "INFRA", IssueType: "Task", Summary: "Manual Infrastructure Change Detected"}
	d := sample.SecurityGroup()
	want := []routed{
		{Sink: "slack", Kind: ticket.KindDrift},
		{Sink: "email", Kind: ticket.KindDrift},
		{Sink: "jira", Target: "INFRA", Kind: ticket.KindDrift, Ticket: spec},
	}
	if diff := cmp.Diff(want, summarize(r.Route(d, actions))); diff != "" {
		t.Errorf("Route (-want +got):\n%s", diff)
	}
	// The resolution goes to the routes that want resolutions and were
	// addressed: Jira (PagerDuty was not named by the alert action).
	wantResolved := []routed{{Sink: "jira", Target: "INFRA", Kind: ticket.KindResolved, Ticket: spec}}
	if diff := cmp.Diff(wantResolved, summarize(r.Resolved(d, actions))); diff != "" {
		t.Errorf("Resolved (-want +got):\n%s", diff)
	}
	for _, n := range r.Route(d, actions) {
		if n.Fingerprint != d.Fingerprint || n.Drift != d {
			t.Errorf("%s: notice does not carry the drift and its fingerprint", n.Sink)
		}
	}
}

// Seed use case 9: a tag-filtered PagerDuty webhook and SIEM webhook, an
// alert with a priority, and a rule webhook action with its URL.
func TestRouterUseCase9Incident(t *testing.T) {
	sec := ticket.Filter{Tags: []string{"security-incident"}}
	routes := []ticket.Route{
		{Sink: "webhook-1", Type: ticket.TypeWebhook, Filter: sec},
		{Sink: "webhook-2", Type: ticket.TypeWebhook, Filter: sec},
		{Sink: "slack", Type: ticket.TypeSlack},
		{Sink: "jira", Type: ticket.TypeJira, OnDemand: true},
	}
	r, err := ticket.NewRouter(routes, "")
	if err != nil {
		t.Fatal(err)
	}
	actions := []rules.Action{
		{Type: rules.ActionAlert, Priority: "p1"},
		{Type: rules.ActionWebhook, URL: "https://incident-response.example.com/trigger"},
	}
	want := []routed{
		{Sink: "webhook-1", Priority: "p1", Kind: ticket.KindDrift},
		{Sink: "webhook-2", Priority: "p1", Kind: ticket.KindDrift},
		{Sink: "slack", Priority: "p1", Kind: ticket.KindDrift},
		{Sink: ticket.DefaultActionWebhookSink, URL: "https://incident-response.example.com/trigger", Priority: "p1", Kind: ticket.KindDrift},
	}
	if diff := cmp.Diff(want, summarize(r.Route(sample.SecurityGroup(), actions))); diff != "" {
		t.Errorf("tagged (-want +got):\n%s", diff)
	}
	// Without the tag the webhooks' filters drop it; without actions the
	// on-demand Jira route stays silent.
	want = []routed{{Sink: "slack", Kind: ticket.KindDrift}}
	if diff := cmp.Diff(want, summarize(r.Route(sample.EBSVolume(), nil))); diff != "" {
		t.Errorf("untagged (-want +got):\n%s", diff)
	}
}

func TestRouterAlertNamesSinkOrType(t *testing.T) {
	r, err := ticket.NewRouter([]ticket.Route{
		{Sink: "siem", Type: ticket.TypeWebhook},
		{Sink: "cost", Type: ticket.TypeWebhook},
		{Sink: "jira", Type: ticket.TypeJira, OnDemand: true},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		channels []string
		want     []string
	}{
		{[]string{"webhook"}, []string{"siem", "cost"}},
		{[]string{"cost"}, []string{"cost"}},
		{[]string{"jira"}, []string{"jira"}},
		{nil, []string{"siem", "cost"}}, // empty channels: every non-on-demand sink
		{[]string{"email"}, nil},
	}
	for _, tt := range tests {
		var got []string
		// Two rules naming the same sink still make one notice.
		for _, n := range r.Route(sample.EBSVolume(), []rules.Action{{Type: rules.ActionAlert, Channels: tt.channels}, {Type: rules.ActionAlert, Channels: tt.channels}}) {
			got = append(got, n.Sink)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("channels %v (-want +got):\n%s", tt.channels, diff)
		}
	}
}

func TestNewRouterRejects(t *testing.T) {
	tests := []struct {
		name   string
		routes []ticket.Route
	}{
		{"empty name", []ticket.Route{{Type: ticket.TypeSlack}}},
		{"duplicate", []ticket.Route{{Sink: "a", Type: ticket.TypeSlack}, {Sink: "a", Type: ticket.TypeEmail}}},
		{"unknown type", []ticket.Route{{Sink: "a", Type: "carrier-pigeon"}}},
		{"unnamed target", []ticket.Route{{Sink: "a", Type: ticket.TypeSlack, Targets: []ticket.Target{{}}}}},
	}
	for _, tt := range tests {
		if _, err := ticket.NewRouter(tt.routes, ""); err == nil {
			t.Errorf("%s: NewRouter accepted %+v", tt.name, tt.routes)
		}
	}
}

func TestFilterMatches(t *testing.T) {
	d := sample.SecurityGroup() // aws, 123456789012, critical, security-incident
	tests := []struct {
		f    ticket.Filter
		want bool
	}{
		{ticket.Filter{}, true},
		{ticket.Filter{Accounts: []string{"123456789012"}}, true},
		{ticket.Filter{Accounts: []string{"1"}}, false},
		{ticket.Filter{Severities: []drift.Severity{drift.High}}, false},
		{ticket.Filter{Providers: []string{"AWS"}}, true},
		{ticket.Filter{Providers: []string{"gcp"}}, false},
		{ticket.Filter{Tags: []string{"x", "security-incident"}}, true},
		{ticket.Filter{Tags: []string{"x"}}, false},
		{ticket.Filter{Accounts: []string{"123456789012"}, Tags: []string{"x"}}, false},
	}
	for _, tt := range tests {
		if got := tt.f.Matches(d); got != tt.want {
			t.Errorf("%+v.Matches = %v, want %v", tt.f, got, tt.want)
		}
	}
}
