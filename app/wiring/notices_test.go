package wiring

import (
	"fmt"
	"testing"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
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
