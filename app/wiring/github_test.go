package wiring

import (
	"context"
	"errors"
	"testing"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

type recordingSink struct{ name string }

func (s recordingSink) Name() string { return s.name }
func (s recordingSink) Send(context.Context, *ticket.Notice) (ticket.Receipt, error) {
	return ticket.Receipt{}, nil
}

const githubBlock = "github:\n  app_id: 1\n  private_key_file: k.pem\n  webhook_secret: s\n"

// TestGitHubChannel: with the App running, every drift it wants gets a
// github notice whatever the rules say, once, outside storm control; a
// create_ticket with system: github reaches it too. A job that does not
// run the App queues github notices only as rules ask, and cannot send
// one itself.
func TestGitHubChannel(t *testing.T) {
	yaml := githubBlock + `notifications:
  slack:
    webhook_url: https://hooks.slack.com/services/T0/B0/x
  storm_control: {threshold: 2}
drift_rules:
  - name: tickets
    resource_types: [aws_instance]
    severity: low
    actions:
      - type: create_ticket
        system: github
`
	n := notices(t, yaml)
	if s := n.byName[ticket.TypeGitHub]; s == nil {
		t.Fatal("no github sink")
	} else if _, err := s.Send(context.Background(), &ticket.Notice{}); !errors.As(err, new(*ticket.PermanentError)) {
		t.Errorf("sending from a job without the App: %v, want a permanent error", err)
	}
	sink := recordingSink{ticket.TypeGitHub}
	n.UseGitHub(GitHubChannel{Sink: sink, Wants: func(d *drift.Drift) bool { return d.ResourceAddress == "aws_instance.wanted" }})
	count := func(ts []*ticket.Notice) (github int, ticketed bool) {
		for _, t := range ts {
			if t.Sink == ticket.TypeGitHub {
				github++
				ticketed = t.Ticket != nil
			}
		}
		return
	}
	wanted := consoleDrift(1, "alice")
	wanted.ResourceAddress, wanted.ResourceType = "aws_instance.wanted", "aws_instance"
	other := consoleDrift(2, "alice")
	other.ResourceAddress, other.ResourceType = "aws_security_group.x", "aws_security_group"
	ticketed := consoleDrift(3, "alice")
	ticketed.ResourceAddress, ticketed.ResourceType = "aws_instance.low", "aws_instance"
	for _, tt := range []struct {
		name     string
		d        *drift.Drift
		want     int
		byTicket bool
	}{
		{"the App's own channel", wanted, 1, true}, // the rule also asks: still one
		{"not wanted, no rule", other, 0, false},
		{"create_ticket below the App's threshold", ticketed, 1, true},
	} {
		got, byTicket := count(n.For(tt.d))
		if got != tt.want || byTicket != tt.byTicket {
			t.Errorf("%s: %d github notices (ticket spec %v), want %d (%v)", tt.name, got, byTicket, tt.want, tt.byTicket)
		}
	}
	for _, nn := range n.Outbox(other) {
		if nn.Sink == "slack" && nn.Storm == nil {
			t.Error("slack is not under storm control")
		}
	}
	for _, nn := range n.Outbox(wanted) {
		if nn.Sink == ticket.TypeGitHub && nn.Storm != nil {
			t.Error("the App's notices are held by storm control")
		}
	}
	if n.byName[ticket.TypeGitHub] != sink {
		t.Error("UseGitHub did not install the App's sink")
	}
	// Every resolution reaches the sink, which closes the resource's
	// issue if the App opened one, saying why.
	for _, d := range []*drift.Drift{wanted, other} {
		var got []*ticket.Notice
		for _, nn := range n.Resolved(d, "reverted in the cloud") {
			if nn.Sink == ticket.TypeGitHub {
				dn, err := ticket.DecodeNotice(nn.Payload)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, dn)
			}
		}
		if len(got) != 1 || got[0].Kind != ticket.KindResolved || got[0].Reason != "reverted in the cloud" {
			t.Errorf("%s: github resolve notices %+v", d.ResourceAddress, got)
		}
	}
}
