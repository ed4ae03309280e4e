package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRulesNameConfiguredSinks: a rule may only route to a sink that the
// file configures, by type or by name; the message says what is missing
// and what is there. A feature that does not exist yet is refused, saying
// so. A disabled sink is a warning: it is there, switched off.
func TestRulesNameConfiguredSinks(t *testing.T) {
	const sinks = `
notifications:
  slack:
    webhook_url: https://hooks.slack.com/services/T0/B0/x
  webhooks:
    - url: https://a.example.com/hook
    - name: siem
      url: https://siem.example.com/hook
  email:
    enabled: false
    smtp_host: smtp.example.com
    from: a@example.com
    to: [b@example.com]
output:
  file: /var/log/tfdrift.ndjson
drift_rules:
  - name: r
    resource_types: ['*']
    actions:
`
	tests := []struct {
		name     string
		actions  string
		errors   []string
		warnings []string
	}{
		{"types and names", "      - type: alert\n        channels: [slack, webhook, webhook-1, siem, output]\n", nil, nil},
		{"pagerduty not configured", "      - type: alert\n        channels: [pagerduty]\n",
			[]string{`t.yaml:21: drift_rules[0].actions[0].channels[0]: "pagerduty": notifications.pagerduty is not configured, so this alert reaches no pagerduty; configured sinks: email, output, siem, slack, webhook, webhook-1`}, nil},
		{"a name nobody gave", "      - type: alert\n        channels: [webhook-2]\n",
			[]string{`t.yaml:21: drift_rules[0].actions[0].channels[0]: "webhook-2" names no configured sink; did you mean "webhook"? (configured sinks: email, output, siem, slack, webhook, webhook-1)`}, nil},
		{"github without its block", "      - type: alert\n        channels: [github]\n",
			[]string{`t.yaml:21: drift_rules[0].actions[0].channels[0]: "github": github is not configured, so this alert reaches no github; configured sinks: email, output, siem, slack, webhook, webhook-1`}, nil},
		{"disabled sink", "      - type: alert\n        channels: [email]\n",
			nil, []string{`t.yaml:21: drift_rules[0].actions[0].channels[0]: "email" is configured with enabled: false: this alert sends nothing to it`}},
		{"create_ticket without jira", "      - type: create_ticket\n        project: OPS\n",
			[]string{`t.yaml:20: drift_rules[0].actions[0].system: create_ticket opens jira tickets, but notifications.jira is not configured, so no ticket would be opened; configured sinks: email, output, siem, slack, webhook, webhook-1`}, nil},
		{"create_ticket in github without its block", "      - type: create_ticket\n        system: github\n",
			[]string{`t.yaml:21: drift_rules[0].actions[0].system: create_ticket opens github tickets, but github is not configured, so no ticket would be opened; configured sinks: email, output, siem, slack, webhook, webhook-1`}, nil},
		{"auto_revert unsaid", "      - type: auto_revert\n",
			[]string{`t.yaml:20: drift_rules[0].actions[0].type: auto_revert runs only with enabled: true; write enabled: true to revert matching drifts without a command, or enabled: false to keep the action written down but off`}, nil},
		{"auto_revert disabled", "      - type: auto_revert\n        enabled: false\n", nil, nil},
		{"auto_revert without terraform", "      - type: auto_revert\n        enabled: true\n",
			[]string{`t.yaml:21: drift_rules[0].actions[0].enabled: auto_revert runs terraform, and the config has no terraform: block, so nothing would be reverted; add one (terraform: {} takes every default)`}, nil},
		{"priority belongs to alerts", "      - type: webhook\n        url: https://x.example.com\n        priority: p1\n",
			[]string{`t.yaml:22: drift_rules[0].actions[0].priority: does not apply to a webhook action`}, nil},
		{"extra is no key", "      - type: alert\n        extra: {playbook: x}\n",
			[]string{`t.yaml:21: drift_rules[0].actions[0].extra: unknown key (known keys here: channels, enabled, issue_type, priority, project, summary, system, type, url)`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("t.yaml", []byte(sinks+tt.actions))
			if tt.errors != nil || err != nil {
				if diff := cmp.Diff(tt.errors, validationProblems(t, err)); diff != "" {
					t.Errorf("errors (-want +got):\n%s", diff)
				}
				return
			}
			var got []string
			for _, w := range c.Warnings {
				got = append(got, w.String())
			}
			if diff := cmp.Diff(tt.warnings, got); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStormExemptNamesASink: storm control compares sink names, so an
// exempt entry that names no sink would exempt nothing.
func TestStormExemptNamesASink(t *testing.T) {
	_, err := Parse("t.yaml", []byte("notifications:\n  webhooks:\n    - name: siem\n      url: https://siem.example.com\n  storm_control:\n    exempt: [siem, output]\n"))
	want := []string{`t.yaml:6: notifications.storm_control.exempt[1]: "output" names no configured sink, so exempting it changes nothing (sink names: siem)`}
	if diff := cmp.Diff(want, validationProblems(t, err)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := Parse("t.yaml", []byte("output: {file: /tmp/x}\nnotifications:\n  storm_control:\n    exempt: [output]\n")); err != nil {
		t.Errorf("output.file is the sink named output: %v", err)
	}
}

// TestUnusedKeysWarn: keys that the seed's configs carry but tfdrift does
// not use load, with a warning at their line that says so.
func TestUnusedKeysWarn(t *testing.T) {
	c, err := Parse("t.yaml", []byte(`providers:
  aws:
    regions: [us-east-1]
    accounts:
      - account_id: "123456789012"
        name: production
        regions: [us-east-1]
  gcp:
    projects: [my-project-123]
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range c.Warnings {
		got = append(got, w.String())
	}
	want := []string{
		"t.yaml:3: providers.aws.regions: " + unusedRegions,
		"t.yaml:6: providers.aws.accounts[0].name: " + unusedAccountName,
		"t.yaml:7: providers.aws.accounts[0].regions: " + unusedRegions,
		"t.yaml:9: providers.gcp.projects: " + unusedProjects,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !strings.Contains(c.Summary(), "providers: aws (1 account), gcp") {
		t.Errorf("the summary counts what tfdrift does not use:\n%s", c.Summary())
	}
}

// TestAutoRevertWithTerraform: auto_revert with enabled: true loads when
// the config has a terraform: block, and the rule carries it.
func TestAutoRevertWithTerraform(t *testing.T) {
	c, err := Parse("t.yaml", []byte(`terraform: {}
drift_rules:
  - name: No public SSH
    resource_types: [aws_security_group]
    actions:
      - type: auto_revert
        enabled: true
`))
	if err != nil {
		t.Fatal(err)
	}
	a := c.Rules[0].Actions[0]
	if a.Type != "auto_revert" || a.Enabled == nil || !*a.Enabled {
		t.Errorf("action %+v", a)
	}
}
