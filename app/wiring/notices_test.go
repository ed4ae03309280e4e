package wiring

import (
	"fmt"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

func consoleDrift(i int, user string) *drift.Drift {
	d := &drift.Drift{ChangeType: drift.Modified, ResourceType: "aws_instance", ResourceID: fmt.Sprintf("i-%04d", i),
		ResourceAddress: fmt.Sprintf("aws_instance.w[%d]", i), Severity: drift.High,
		Changes: map[string]drift.AttrChange{"instance_type": {Expected: "t3.micro", Actual: "m5.large"}},
		Event:   &change.Change{Provider: change.AWS, EventName: "ModifyInstanceAttribute", EventID: fmt.Sprint(i), Actor: change.Actor{UserName: user}}}
	d.ComputeFingerprint()
	d.ComputeEventID()
	return d
}

// TestStormControl: a console session touching many resources pages once
// per window, not once per resource; another actor is not held.
func TestStormControl(t *testing.T) {
	cfg, err := config.Parse("c.yaml", []byte(`notifications:
  slack:
    webhook_url: "https://hooks.slack.invalid/services/T/B/X"
  storm_control:
    threshold: 3
    window: 1m
`))
	if err != nil {
		t.Fatal(err)
	}
	n, err := BuildNotices(cfg)
	if err != nil {
		t.Fatal(err)
	}
	immediate := 0
	for i := 0; i < 200; i++ {
		immediate += len(n.Outbox(consoleDrift(i, "bob@example.com")))
	}
	if immediate != 2 {
		t.Errorf("%d notices sent at once for 200 drifts, want 2 (threshold 3)", immediate)
	}
	if got := len(n.Outbox(consoleDrift(999, "alice@example.com"))); got != 1 {
		t.Errorf("another actor's drift: %d notices, want 1", got)
	}
	if early := n.FlushStorms(time.Now(), false); len(early) != 0 {
		t.Errorf("%d groups before the window ended", len(early))
	}
	groups := n.FlushStorms(time.Now().Add(2*time.Minute), false)
	if len(groups) != 1 {
		t.Fatalf("%d group notices after the window, want 1", len(groups))
	}
	notice, err := ticket.DecodeNotice(groups[0].Payload)
	if err != nil {
		t.Fatal(err)
	}
	if notice.Kind != ticket.KindGroup || len(notice.Drifts()) != 198 {
		t.Errorf("group: kind %s with %d drifts, want group of 198", notice.Kind, len(notice.Drifts()))
	}
}

func TestStormControlOff(t *testing.T) {
	cfg, err := config.Parse("c.yaml", []byte("notifications:\n  slack:\n    webhook_url: \"https://hooks.slack.invalid/x\"\n  storm_control:\n    enabled: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := BuildNotices(cfg)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i := 0; i < 20; i++ {
		total += len(n.Outbox(consoleDrift(i, "bob@example.com")))
	}
	if total != 20 {
		t.Errorf("%d notices, want 20 with storm control off", total)
	}
}

// TestConfigFilterMatches: config filters mean, through the notices
// router's ticket.Filter, exactly what docs/config.md says.
func TestConfigFilterMatches(t *testing.T) {
	d := &drift.Drift{Severity: drift.High, Tags: []string{"iam", "security-incident"},
		Event: &change.Change{Provider: change.AWS, Account: "123456789012"}}
	tests := []struct {
		name string
		f    config.Filter
		want bool
	}{
		{"empty", config.Filter{}, true},
		{"account", config.Filter{Accounts: []string{"999", "123456789012"}}, true},
		{"other account", config.Filter{Accounts: []string{"999"}}, false},
		{"severity", config.Filter{Severities: []drift.Severity{drift.Critical, drift.High}}, true},
		{"other severity", config.Filter{Severities: []drift.Severity{drift.Critical}}, false},
		{"provider", config.Filter{Providers: []change.Provider{change.AWS}}, true},
		{"other provider", config.Filter{Providers: []change.Provider{change.GCP}}, false},
		{"one tag of several", config.Filter{Tags: []string{"security-incident", "cost"}}, true},
		{"no tag", config.Filter{Tags: []string{"cost"}}, false},
		{"all must hold", config.Filter{Accounts: []string{"123456789012"}, Tags: []string{"cost"}}, false},
	}
	for _, tt := range tests {
		if got := ticketFilter(tt.f).Matches(d); got != tt.want {
			t.Errorf("%s: Matches = %v, want %v", tt.name, got, tt.want)
		}
		if ticketFilter(tt.f).Empty() != (tt.name == "empty") {
			t.Errorf("%s: Empty = %v", tt.name, ticketFilter(tt.f).Empty())
		}
	}
}
