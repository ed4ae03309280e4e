package config

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/internal/golden"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/rules"
)

// regexpByText compares compiled patterns by their source.
var regexpByText = cmp.Comparer(func(a, b *regexp.Regexp) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.String() == b.String()
})

// seedEnv holds a value for every variable the seed's snippets use.
func seedEnv() map[string]string {
	return map[string]string{
		"SLACK_SECURITY_WEBHOOK": "https://hooks.slack.com/services/T000/B000/security",
		"SLACK_WEBHOOK":          "https://hooks.slack.com/services/T000/B000/general",
		"SIEM_TOKEN":             "siem-token-1",
		"SYSDIG_TOKEN":           "sysdig-token-1",
		"API_TOKEN":              "api-token-1",
		"PAGERDUTY_TOKEN":        "pd-token-1",
		"PAGERDUTY_ROUTING_KEY":  "pd-routing-1",
		"PAGERDUTY_SECURITY_KEY": "pd-security-1",
		"COST_MGMT_TOKEN":        "cost-token-1",
		"AUDIT_TOKEN":            "audit-token-1",
	}
}

func envOf(m map[string]string) Option {
	return WithEnv(func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	})
}

func validationProblems(t *testing.T, err error) []string {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error is %T (%v), want *ValidationError", err, err)
	}
	out := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		out[i] = p.String()
	}
	return out
}

// TestSeedSnippets loads every configuration snippet of the seed's use
// cases and checks what each one configures.
func TestSeedSnippets(t *testing.T) {
	webhook := func(name, url string, headers map[string]string, tmpl string, f Filter) Webhook {
		return Webhook{Name: name, Enabled: true, URL: url, Method: "POST", Headers: headers,
			PayloadTemplate: tmpl, Filter: f, Timeout: DefaultWebhookTimeout}
	}
	tests := []struct {
		file  string
		check func(t *testing.T, c *Config)
		// warnings are the texts of the warnings the file gets, in order.
		warnings []string
	}{
		{"uc01-security-group.yaml", func(t *testing.T, c *Config) {
			want := []rules.Rule{{Name: "Security Group Ingress Rule Violation", ResourceTypes: []string{"aws_security_group", "aws_security_group_rule"},
				WatchedAttributes: []string{"ingress", "cidr_blocks"}, Severity: drift.Critical}}
			if diff := cmp.Diff(want, c.Rules, regexpByText); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
			wantSlack := Slack{Enabled: true, WebhookURL: "https://hooks.slack.com/services/T000/B000/security", Channel: "#security-alerts"}
			if diff := cmp.Diff(wantSlack, c.Notifications.Slack); diff != "" {
				t.Errorf("slack (-want +got):\n%s", diff)
			}
			wantHooks := []Webhook{webhook("webhook", "https://your-siem.example.com/security-events", map[string]string{"Authorization": "Bearer siem-token-1"}, "", Filter{})}
			if diff := cmp.Diff(wantHooks, c.Notifications.Webhooks); diff != "" {
				t.Errorf("webhooks (-want +got):\n%s", diff)
			}
		}, nil},
		{"uc01-sysdig-webhook.yaml", func(t *testing.T, c *Config) {
			w := c.Notifications.Webhooks[0]
			if w.Headers["Authorization"] != "Bearer sysdig-token-1" || !strings.Contains(w.PayloadTemplate, `"scope": "{{ .ResourceID }}"`) {
				t.Errorf("webhook = %+v", w)
			}
		}, nil},
		{"uc02-iam-webhook.yaml", func(t *testing.T, c *Config) {
			want := []Webhook{webhook("webhook", "https://your-api.example.com/iam-violation",
				map[string]string{"Authorization": "Bearer api-token-1", "X-Action": "create-incident"}, "", Filter{})}
			if diff := cmp.Diff(want, c.Notifications.Webhooks); diff != "" {
				t.Errorf("webhooks (-want +got):\n%s", diff)
			}
		}, nil},
		{"uc03-s3-encryption-rule.yaml", func(t *testing.T, c *Config) {
			want := []rules.Rule{{Name: "S3 Encryption Disabled", ResourceTypes: []string{"aws_s3_bucket"},
				WatchedAttributes: []string{"server_side_encryption_configuration"}, Severity: drift.Critical,
				Tags: []string{"compliance", "encryption", "soc2"}}}
			if diff := cmp.Diff(want, c.Rules, regexpByText); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
		}, nil},
		{"uc03-pagerduty-webhook.yaml", func(t *testing.T, c *Config) {
			w := c.Notifications.Webhooks[0]
			// ${…} inside a template is expanded like any string value.
			if !strings.Contains(w.PayloadTemplate, `"routing_key": "pd-routing-1"`) || w.Headers["Content-Type"] != "application/json" {
				t.Errorf("webhook = %+v", w)
			}
		}, nil},
		{"uc04-instance-type-rules.yaml", func(t *testing.T, c *Config) {
			want := []rules.Rule{
				{Name: "EC2 Instance Type Change", ResourceTypes: []string{"aws_instance"}, WatchedAttributes: []string{"instance_type"}, Severity: drift.High},
				{Name: "High-Cost Instance Upgrade", ResourceTypes: []string{"aws_instance"}, Severity: drift.Critical,
					Filters: rules.Filters{InstanceTypePattern: regexp.MustCompile(`^(m5|c5|r5)\.(8|12|16|24)xlarge$`)}},
			}
			if diff := cmp.Diff(want, c.Rules, regexpByText); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
		}, nil},
		{"uc04-cost-webhook.yaml", func(t *testing.T, c *Config) {
			if w := c.Notifications.Webhooks[0]; !strings.Contains(w.PayloadTemplate, `"timestamp": "{{ .DetectedAt }}"`) {
				t.Errorf("webhook = %+v", w)
			}
		}, nil},
		{"uc06-audit-output.yaml", func(t *testing.T, c *Config) {
			if c.Output != (Output{Mode: OutputJSON}) {
				t.Errorf("output = %+v", c.Output)
			}
			if h := c.Notifications.Webhooks[0].Headers; h["X-Event-Type"] != "infrastructure-change" {
				t.Errorf("headers = %v", h)
			}
		}, nil},
		{"uc07-multi-account.yaml", func(t *testing.T, c *Config) {
			var ids, sources, roles []string
			for _, a := range c.Providers.AWS.Accounts {
				ids = append(ids, a.AccountID+" "+a.Name+" "+strings.Join(a.Regions, ","))
			}
			for _, s := range c.StateSources() {
				sources = append(sources, s.Name+" "+s.Account)
				roles = append(roles, s.RoleARN)
			}
			want := []string{"123456789012 development us-east-1", "456789012345 staging us-east-1",
				"789012345678 production-us us-east-1,us-west-2", "101112131415 production-eu eu-west-1,eu-central-1"}
			if diff := cmp.Diff(want, ids); diff != "" {
				t.Errorf("accounts (-want +got):\n%s", diff)
			}
			wantSources := []string{"s3://dev-terraform-state/terraform.tfstate 123456789012", "s3://staging-terraform-state/terraform.tfstate 456789012345",
				"s3://prod-us-terraform-state/terraform.tfstate 789012345678", "s3://prod-eu-terraform-state/terraform.tfstate 101112131415"}
			if diff := cmp.Diff(wantSources, sources); diff != "" {
				t.Errorf("state sources (-want +got):\n%s", diff)
			}
			if roles[3] != "arn:aws:iam::101112131415:role/TFDriftMonitor" {
				t.Errorf("role of prod-eu = %q", roles[3])
			}
			wantChannels := []SlackChannel{
				{Name: "#dev-alerts", Filter: Filter{Accounts: []string{"123456789012"}}},
				{Name: "#staging-alerts", Filter: Filter{Accounts: []string{"456789012345"}}},
				{Name: "#prod-critical", Filter: Filter{Accounts: []string{"789012345678", "101112131415"}, Severities: []drift.Severity{drift.Critical, drift.High}}},
			}
			if diff := cmp.Diff(wantChannels, c.Notifications.Slack.Channels); diff != "" {
				t.Errorf("channels (-want +got):\n%s", diff)
			}
		},
			// Account names and regions load for compatibility but are
			// not used, which each warning says. The snippet shows
			// routing only: without credentials nothing can be sent, a
			// warning too.
			[]string{unusedAccountName, unusedRegions, unusedAccountName, unusedRegions, unusedAccountName, unusedRegions,
				unusedAccountName, unusedRegions, "neither webhook_url nor token"}},
		{"uc09-detection-rules.yaml", func(t *testing.T, c *Config) {
			want := []rules.Rule{
				{Name: "Potential Backdoor - Public SSH Access", ResourceTypes: []string{"aws_security_group"},
					Conditions: []rules.Condition{{Attribute: "ingress", Pattern: regexp.MustCompile(`port=22.*cidr_blocks.*0\.0\.0\.0/0`)}},
					Severity:   drift.Critical, Tags: []string{"security-incident", "potential-breach"},
					Actions: []rules.Action{{Type: "alert", Priority: "p1"}, {Type: "webhook", URL: "https://incident-response.example.com/trigger"}}},
				{Name: "IAM Privilege Escalation Attempt", ResourceTypes: []string{"aws_iam_role_policy", "aws_iam_user_policy"},
					Conditions: []rules.Condition{{Attribute: "policy", Contains: "iam:PassRole"}, {Attribute: "policy", Contains: "sts:AssumeRole"}},
					Severity:   drift.Critical, Tags: []string{"security-incident", "privilege-escalation"}},
				{Name: "S3 Bucket Made Public", ResourceTypes: []string{"aws_s3_bucket_public_access_block"},
					Conditions: []rules.Condition{{Attribute: "block_public_acls", Value: false}},
					Severity:   drift.Critical, Tags: []string{"security-incident", "data-exfiltration-risk"}},
			}
			if diff := cmp.Diff(want, c.Rules, regexpByText); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
		}, []string{"an alert without channels goes to every configured sink, and no sink is configured"}},
	}
	files, err := filepath.Glob("testdata/seed/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	checked := map[string]bool{}
	for _, tt := range tests {
		checked[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			c, err := Load(filepath.Join("testdata/seed", tt.file), envOf(seedEnv()))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			var got []string
			for i, w := range c.Warnings {
				if i < len(tt.warnings) && strings.Contains(w.Msg, tt.warnings[i]) {
					got = append(got, tt.warnings[i])
				} else {
					got = append(got, w.Msg)
				}
			}
			if diff := cmp.Diff(tt.warnings, got); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			tt.check(t, c)
		})
	}
	// The one snippet that cannot load as written: use case 9 repeats
	// "webhook:" to mean two webhooks.
	checked["uc09-incident-response.yaml"] = true
	t.Run("uc09-incident-response.yaml", func(t *testing.T) {
		_, err := Load("testdata/seed/uc09-incident-response.yaml", envOf(seedEnv()))
		want := []string{`testdata/seed/uc09-incident-response.yaml:31: notifications.webhook is defined twice (first at line 3); use "webhooks:" with a list to configure several webhooks`}
		if diff := cmp.Diff(want, validationProblems(t, err)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	// Use case 8 names email and Jira, which its snippet does not
	// configure: a rule that routes to a sink nobody configured is
	// refused, naming what is missing. The completed copy adds them.
	checked["uc08-gitops.yaml"] = true
	t.Run("uc08-gitops.yaml", func(t *testing.T) {
		_, err := Load("testdata/seed/uc08-gitops.yaml", envOf(seedEnv()))
		want := []string{
			`testdata/seed/uc08-gitops.yaml:11: drift_rules[0].actions[0].channels[1]: "email": notifications.email is not configured, so this alert reaches no email; configured sinks: slack`,
			`testdata/seed/uc08-gitops.yaml:13: drift_rules[0].actions[1].system: create_ticket opens jira tickets, but notifications.jira is not configured, so no ticket would be opened; configured sinks: slack`,
		}
		if diff := cmp.Diff(want, validationProblems(t, err)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("uc08-gitops-complete.yaml", func(t *testing.T) {
		c, err := Load("testdata/uc08-gitops-complete.yaml", envOf(seedEnv()))
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if len(c.Warnings) > 0 {
			t.Errorf("warnings: %v", c.Warnings)
		}
		check := func(t *testing.T, c *Config) {
			want := []rules.Rule{{Name: "Console Change Detection", ResourceTypes: []string{"*"},
				ExcludeUsers: []string{"terraform-ci-cd@example.com", "arn:aws:iam::123456789012:role/TerraformRole"},
				Severity:     drift.High,
				Actions: []rules.Action{{Type: "alert", Channels: []string{"slack", "email"}},
					{Type: "create_ticket", System: "jira", Project: "INFRA", IssueType: "Task", Summary: "Manual Infrastructure Change Detected"}}}}
			if diff := cmp.Diff(want, c.Rules, regexpByText); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
			if s := c.Notifications.Slack; !strings.HasPrefix(s.MessageTemplate, "⛔ GitOps Violation Detected\n") || s.WebhookURL != "https://hooks.slack.com/services/T000/B000/general" {
				t.Errorf("slack = %+v", s)
			}
		}
		check(t, c)
	})
	// Use case 10 reads Falco's gRPC over TCP without certificates, which
	// is always mutual TLS: serve could not connect, so the snippet is
	// refused; the completed copy adds the client certificate files.
	checked["uc10-multi-cloud.yaml"] = true
	t.Run("uc10-multi-cloud.yaml", func(t *testing.T) {
		_, err := Load("testdata/seed/uc10-multi-cloud.yaml", envOf(seedEnv()))
		want := []string{"testdata/seed/uc10-multi-cloud.yaml:25: falco.hostname: Falco's gRPC over TCP is always mutual TLS: set cert_file, key_file and ca_file (or use unix_socket on the same host)"}
		if diff := cmp.Diff(want, validationProblems(t, err)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("uc10-multi-cloud-complete.yaml", func(t *testing.T) {
		c, err := Load("testdata/uc10-multi-cloud-complete.yaml", envOf(seedEnv()))
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		var got []string
		for _, w := range c.Warnings {
			got = append(got, w.Msg)
		}
		if len(got) != 3 || got[0] != unusedRegions || got[1] != unusedProjects {
			t.Errorf("warnings: %q", got)
		}
		c.Falco.CertFile, c.Falco.KeyFile, c.Falco.CAFile = "", "", ""
		check := func(t *testing.T, c *Config) {
			wantProviders := Providers{
				AWS: AWS{Enabled: true, Regions: []string{"us-east-1", "us-west-2"}, States: []StateSource{{
					Name: "s3://my-terraform-state/aws/terraform.tfstate", Backend: BackendS3, Provider: change.AWS,
					S3Bucket: "my-terraform-state", S3Key: "aws/terraform.tfstate", WorkspaceKeyPrefix: "env:"}}},
				GCP: GCP{Enabled: true, Projects: []string{"my-project-123", "my-project-456"}, States: []StateSource{{
					Name: "gs://my-terraform-state/gcp", Backend: BackendGCS, Provider: change.GCP,
					GCSBucket: "my-terraform-state", GCSPrefix: "gcp"}}},
			}
			if diff := cmp.Diff(wantProviders, c.Providers); diff != "" {
				t.Errorf("providers (-want +got):\n%s", diff)
			}
			if c.Falco != (Falco{Enabled: true, Hostname: "localhost", Port: 5060}) {
				t.Errorf("falco = %+v", c.Falco)
			}
			if len(c.Rules) != 3 || c.Rules[2].Conditions[0].Attribute != "*" || c.Rules[2].Conditions[0].Pattern.String() != `0\.0\.0\.0/0` {
				t.Errorf("rules = %+v", c.Rules)
			}
			var filters []Filter
			for _, ch := range c.Notifications.Slack.Channels {
				filters = append(filters, ch.Filter)
			}
			want := []Filter{{Providers: []change.Provider{change.AWS}}, {Providers: []change.Provider{change.GCP}}, {Severities: []drift.Severity{drift.Critical}}}
			if diff := cmp.Diff(want, filters); diff != "" {
				t.Errorf("filters (-want +got):\n%s", diff)
			}
		}
		check(t, c)
	})
	t.Run("uc09-incident-response-webhooks.yaml", func(t *testing.T) {
		c, err := Load("testdata/uc09-incident-response-webhooks.yaml", envOf(seedEnv()))
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		var got []string
		for _, w := range c.Notifications.Webhooks {
			got = append(got, w.Name+" "+w.URL+" "+strings.Join(w.Filter.Tags, ","))
		}
		want := []string{"pagerduty-security https://events.pagerduty.com/v2/enqueue security-incident",
			"siem https://siem.example.com/api/security-events security-incident"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("webhooks (-want +got):\n%s", diff)
		}
		if !strings.Contains(c.Notifications.Webhooks[0].PayloadTemplate, `"routing_key": "pd-security-1"`) {
			t.Errorf("payload template not expanded: %s", c.Notifications.Webhooks[0].PayloadTemplate)
		}
	})
	for _, f := range files {
		if !checked[filepath.Base(f)] {
			t.Errorf("%s has no test", f)
		}
	}
}

// TestSeedSnippetsWithoutSecrets is "tfdrift config validate" on a laptop:
// the variables are unset, which is an error unless AllowMissingEnv.
func TestSeedSnippetsWithoutSecrets(t *testing.T) {
	const file = "testdata/seed/uc01-security-group.yaml"
	_, err := Load(file, WithEnv(noEnv))
	want := []string{
		file + ":15: notifications.slack.webhook_url: environment variable SLACK_SECURITY_WEBHOOK is not set (give a default with ${SLACK_SECURITY_WEBHOOK:-value})",
		file + ":22: notifications.webhook.headers.Authorization: environment variable SIEM_TOKEN is not set (give a default with ${SIEM_TOKEN:-value})",
	}
	if diff := cmp.Diff(want, validationProblems(t, err)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}

	c, err := Load(file, WithEnv(noEnv), AllowMissingEnv())
	if err != nil {
		t.Fatalf("with AllowMissingEnv: %v", err)
	}
	var got []string
	for _, w := range c.Warnings {
		got = append(got, w.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	// The unknown URL is not checked, and the slack block is not
	// reported as lacking credentials: it has them, they are just unset.
	if c.Notifications.Slack.WebhookURL != "" || !c.Notifications.Slack.Enabled {
		t.Errorf("slack = %+v", c.Notifications.Slack)
	}

	// Every snippet validates this way.
	files, _ := filepath.Glob("testdata/seed/*.yaml")
	for _, f := range files {
		if strings.Contains(f, "uc09-incident-response") || strings.Contains(f, "uc08-gitops") || strings.Contains(f, "uc10-multi-cloud") {
			continue
		}
		if _, err := Load(f, WithEnv(noEnv), AllowMissingEnv()); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestFullConfig(t *testing.T) {
	env := map[string]string{"FALCO_SECRET": "falco-secret", "SLACK_TOKEN": "xoxb-1", "SIEM_TOKEN": "siem-1",
		"JIRA_TOKEN": "jira-1", "SMTP_PASSWORD": "smtp-1", "PD_ROUTING_KEY": "pd-1"}
	c, err := Load("testdata/full.yaml", envOf(env))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	on := true
	want := &Config{
		File: "testdata/full.yaml",
		Providers: Providers{
			AWS: AWS{
				Enabled: true,
				States: []StateSource{{Name: "shared-network", Backend: BackendS3, Provider: change.AWS,
					S3Bucket: "org-terraform-state", S3Key: "network/terraform.tfstate", S3Region: "us-east-1",
					S3Endpoint: "http://127.0.0.1:9000", WorkspaceKeyPrefix: "workspaces", Workspaces: []string{"default", "staging"}}},
				Accounts: []AWSAccount{{
					AccountID: "012345678901",
					RoleARN:   "arn:aws:iam::012345678901:role/TFDriftMonitor",
					States: []StateSource{
						{Name: "s3://prod-terraform-state/terraform.tfstate", Backend: BackendS3, Provider: change.AWS, Account: "012345678901",
							S3Bucket: "prod-terraform-state", S3Key: "terraform.tfstate", RoleARN: "arn:aws:iam::012345678901:role/TFDriftMonitor",
							WorkspaceKeyPrefix: "env:"},
						{Name: "/var/lib/tfdrift/prod-legacy.tfstate", Backend: BackendLocal, Provider: change.AWS, Account: "012345678901",
							Path: "/var/lib/tfdrift/prod-legacy.tfstate"},
					},
				}},
			},
			GCP: GCP{Enabled: true, States: []StateSource{{
				Name: "gs://gcp-terraform-state/prod", Backend: BackendGCS, Provider: change.GCP,
				GCSBucket: "gcp-terraform-state", GCSPrefix: "prod/", GCSEndpoint: "http://127.0.0.1:4443/storage/v1/"}}},
		},
		Falco: Falco{Enabled: true, Hostname: "falco.internal", Port: 5060,
			CertFile: "/etc/tfdrift/client.crt", KeyFile: "/etc/tfdrift/client.key", CAFile: "/etc/tfdrift/ca.crt",
			HTTP: FalcoHTTP{Listen: ":8080", Secret: "falco-secret"}},
		DefaultSeverity:      drift.Low,
		StateRefreshInterval: 5 * time.Minute,
		TrustedActors:        []string{"terraform-ci@example.com", "arn:aws:sts::*:assumed-role/TerraformApply/*"},
		IgnoreFile:           ".tfdriftignore.prod",
		Rules: []rules.Rule{
			{Name: "IAM changes", ResourceTypes: []string{"aws_iam_*"}, WatchedAttributes: []string{"policy", "assume_role_policy"},
				Severity: drift.High, Tags: []string{"iam"}, ExcludeUsers: []string{"break-glass@example.com"},
				Filters: rules.Filters{Accounts: []string{"012345678901"}, Regions: []string{"us-east-1"}, Providers: []string{"aws"}},
				Actions: []rules.Action{
					{Type: "alert", Channels: []string{"slack", "pagerduty"}, Priority: "p2"},
					{Type: "create_ticket", System: "jira", Project: "SEC", IssueType: "Bug", Summary: "IAM changed outside Terraform"},
					{Type: "webhook", URL: "https://soar.example.com/hooks/iam", Enabled: &on},
				}},
			{Name: "Big instances", ResourceTypes: []string{"aws_instance"}, Severity: drift.Critical,
				Filters:    rules.Filters{InstanceTypePattern: regexp.MustCompile(`^(m5|c5)\.(8|12)xlarge$`)},
				Conditions: []rules.Condition{{Attribute: "ebs_optimized", Value: true}}},
		},
		Notifications: Notifications{
			Slack: Slack{Enabled: true, Token: "xoxb-1", Channel: "#drift",
				Channels: []SlackChannel{{Name: "#prod", WebhookURL: "https://hooks.slack.com/services/T0/B0/prod",
					Filter: Filter{Accounts: []string{"012345678901"}, Severities: []drift.Severity{drift.Critical, drift.High},
						Providers: []change.Provider{change.AWS}, Tags: []string{"iam"}}}},
				MessageTemplate: "{{ .Severity }} drift on {{ .ResourceType }} {{ .ResourceID }} by {{ .User }}\n"},
			Webhooks: []Webhook{
				{Name: "siem", Enabled: true, URL: "https://siem.example.com/events", Method: "PUT",
					Headers: map[string]string{"Authorization": "Bearer siem-1"}, PayloadTemplate: `{"id": "{{ .EventID }}"}`,
					Filter: Filter{Severities: []drift.Severity{drift.Critical}}, Timeout: 3 * time.Second},
				{Name: "webhook-2", Enabled: false, URL: "https://audit.example.com/events", Method: "POST", Timeout: DefaultWebhookTimeout},
			},
			Jira: Jira{Enabled: true, URL: "https://example.atlassian.net", Project: "OPS", IssueType: "Bug",
				Email: "bot@example.com", APIToken: "jira-1", Labels: []string{"tfdrift", "drift"}, Components: []string{"platform"},
				CustomFields:   map[string]any{"customfield_10010": map[string]any{"value": "High"}, "customfield_10020": 3},
				DoneTransition: "Resolved"},
			Email: Email{Enabled: true, SMTPHost: "smtp.example.com", SMTPPort: 465, Username: "tfdrift", Password: "smtp-1",
				From: "tfdrift <tfdrift@example.com>", To: []string{"platform@example.com", "security@example.com"}, StartTLS: false},
			PagerDuty: PagerDuty{Enabled: true, RoutingKey: "pd-1", SeverityMap: map[drift.Severity]string{
				drift.Critical: "critical", drift.High: "critical", drift.Medium: "warning", drift.Low: "info", drift.Info: "info"}},
			StormControl: StormControl{Enabled: true, Threshold: 20, Window: 10 * time.Minute, Exempt: []string{"output"}},
		},
		Terraform: Terraform{Configured: true, Binary: "/usr/local/bin/tofu", PluginCacheDir: "/var/cache/tfdrift/plugins",
			PluginMirror: "/opt/providers", LockTimeout: 2 * time.Minute},
		Output: Output{Mode: "json", File: "/var/log/tfdrift/drifts.ndjson"},
	}
	if diff := cmp.Diff(want, c, regexpByText); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(c.Warnings) > 0 {
		t.Errorf("warnings: %v", c.Warnings)
	}
	checkGolden(t, "testdata/full.summary.golden", c.Summary())
}

func TestDefaults(t *testing.T) {
	c, err := Parse("min.yaml", []byte(`
providers:
  aws:
    state: {backend: s3, s3_bucket: b, s3_key: k}
notifications:
  webhook: {url: "https://example.com/hook"}
  jira: {url: "https://jira.example.com", personal_access_token: pat}
  email: {smtp_host: smtp, from: a@example.com, to: b@example.com}
  pagerduty: {routing_key: rk}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := struct {
		Sev                 drift.Severity
		Refresh             time.Duration
		Ignore, Mode        string
		AWSEnabled          bool
		Prefix              string
		Hook                Webhook
		Project, Type, Done string
		Port                int
		StartTLS            bool
		PD                  map[drift.Severity]string
	}{c.DefaultSeverity, c.StateRefreshInterval, c.IgnoreFile, c.Output.Mode, c.Providers.AWS.Enabled,
		c.Providers.AWS.States[0].WorkspaceKeyPrefix, c.Notifications.Webhooks[0],
		c.Notifications.Jira.Project, c.Notifications.Jira.IssueType, c.Notifications.Jira.DoneTransition,
		c.Notifications.Email.SMTPPort, c.Notifications.Email.StartTLS, c.Notifications.PagerDuty.SeverityMap}
	want := got
	want.Sev, want.Refresh, want.Ignore, want.Mode, want.AWSEnabled, want.Prefix = drift.Medium, time.Minute, ".tfdriftignore", "text", true, "env:"
	want.Hook = Webhook{Name: "webhook", Enabled: true, URL: "https://example.com/hook", Method: "POST", Timeout: 10 * time.Second}
	want.Project, want.Type, want.Done, want.Port, want.StartTLS = "INFRA", "Task", "Done", 587, true
	want.PD = DefaultPagerDutySeverities()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	empty, err := Parse("empty.yaml", []byte("# nothing configured\n"))
	if err != nil {
		t.Fatal(err)
	}
	if empty.DefaultSeverity != drift.Medium || empty.Falco.Enabled || len(empty.StateSources()) != 0 || empty.Terraform.Configured {
		t.Errorf("empty config = %+v", empty)
	}
	// An empty terraform block asks for terraform with every default.
	tf, err := Parse("tf.yaml", []byte("terraform: {}\n"))
	if err != nil || !tf.Terraform.Configured || tf.Terraform.Binary != DefaultTerraformBinary {
		t.Errorf("terraform: {} = %+v, %v", tf.Terraform, err)
	}
}

// tcp adds the client certificate files that Falco's gRPC over TCP needs.
func tcp(f Falco) Falco {
	f.CertFile, f.KeyFile, f.CAFile = "c.pem", "k.pem", "ca.pem"
	return f
}

func TestEnvExpansion(t *testing.T) {
	env := envOf(map[string]string{"HOST": "falco.internal", "PORT": "5061", "EMPTY": "", "SECRET": "s3cr3t-value"})
	tests := []struct {
		name, yaml string
		want       Falco
	}{
		{"set", "falco: {hostname: \"${HOST}\", port: \"${PORT}\", cert_file: c.pem, key_file: k.pem, ca_file: ca.pem}", tcp(Falco{Enabled: true, Hostname: "falco.internal", Port: 5061})},
		{"default unused", "falco: {hostname: \"${HOST:-other}\", port: 5060, cert_file: c.pem, key_file: k.pem, ca_file: ca.pem}", tcp(Falco{Enabled: true, Hostname: "falco.internal", Port: 5060})},
		{"default for unset", "falco: {hostname: \"${NOPE:-localhost}\", port: \"${NOPE:-5060}\", cert_file: c.pem, key_file: k.pem, ca_file: ca.pem}", tcp(Falco{Enabled: true, Hostname: "localhost", Port: 5060})},
		{"default for empty", "falco: {hostname: \"${EMPTY:-localhost}\", port: 1, cert_file: c.pem, key_file: k.pem, ca_file: ca.pem}", tcp(Falco{Enabled: true, Hostname: "localhost", Port: 1})},
		{"empty without default", "falco: {unix_socket: \"/run/${EMPTY}falco.sock\"}", Falco{Enabled: true, UnixSocket: "/run/falco.sock"}},
		{"in the middle", "falco: {hostname: \"a-${HOST}-b\", port: 1, cert_file: c.pem, key_file: k.pem, ca_file: ca.pem}", tcp(Falco{Enabled: true, Hostname: "a-falco.internal-b", Port: 1})},
		{"escaped", "falco: {unix_socket: \"/run/$${HOST}/$HOST\"}", Falco{Enabled: true, UnixSocket: "/run/${HOST}/$HOST"}},
		{"bool from env", "falco: {enabled: \"${OFF:-false}\"}", Falco{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("t.yaml", []byte(tt.yaml), env)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, c.Falco); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestSecretsStayOut checks that no message carries an expanded value.
func TestSecretsStayOut(t *testing.T) {
	const secret = "hunter2-very-secret"
	env := envOf(map[string]string{"TOKEN": secret, "URL": "not a url " + secret})
	yaml := `
falco:
  hostname: x
  port: ${TOKEN}
  cert_file: c.pem
  key_file: k.pem
  ca_file: ca.pem
notifications:
  slack:
    webhook_url: ${URL}
  webhook:
    url: https://example.com/${TOKEN}
    method: ${TOKEN}
    payload_template: "{{ .Nope }} ${TOKEN}"
drift_rules:
  - name: ${TOKEN}
    resource_types: ["${TOKEN}"]
    severity: ${TOKEN}
    conditions:
      - attribute: x
        pattern: "(${TOKEN}"
`
	_, err := Parse("t.yaml", []byte(yaml), env)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if strings.Contains(strings.ToLower(msg), secret) {
		t.Errorf("secret in message:\n%s", msg)
	}
	if n := len(validationProblems(t, err)); n != 7 {
		t.Errorf("got %d problems, want 7:\n%s", n, msg)
	}
	if !strings.Contains(msg, `t.yaml:4: falco.port: expected a whole number, got "${TOKEN}" (after expanding variables)`) {
		t.Errorf("port message does not show the reference:\n%s", msg)
	}
}

func TestProblems(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		opts []Option
		want []string
	}{
		{"unknown key, suggestion", "notifications:\n  webhok:\n    url: https://x.example.com\n",
			nil, []string{`t.yaml:2: notifications.webhok: unknown key; did you mean "webhook"?`}},
		{"unknown top-level key", "drift_rule:\n  - name: x\n",
			nil, []string{`t.yaml:1: drift_rule: unknown key; did you mean "drift_rules"?`}},
		{"unknown key, no suggestion", "output:\n  format: json\n",
			nil, []string{`t.yaml:2: output.format: unknown key (known keys here: file, mode)`}},
		{"key in wrong case", "output:\n  Mode: json\n",
			nil, []string{`t.yaml:2: output.Mode: unknown key; did you mean "mode"?`}},
		{"list expected", "drift_rules:\n  name: x\n",
			nil, []string{`t.yaml:2: drift_rules: expected a list, got a mapping`}},
		{"mapping expected", "notifications:\n  slack: yes\n",
			nil, []string{`t.yaml:2: notifications.slack: expected a mapping of keys, got a string`}},
		{"whole number expected", "falco:\n  unix_socket: /run/falco.sock\n  port: fivethousand\n",
			nil, []string{`t.yaml:3: falco.port: expected a whole number, got "fivethousand"`}},
		{"bool expected", "falco:\n  enabled: yes\n",
			nil, []string{`t.yaml:2: falco.enabled: expected true or false, got "yes"`}},
		{"string expected", "drift_rules:\n  - name: [a]\n    resource_types: ['*']\n",
			nil, []string{`t.yaml:2: drift_rules[0].name: expected a string, got a list`}},
		{"string or list expected", "drift_rules:\n  - name: a\n    resource_types: {a: b}\n",
			nil, []string{`t.yaml:3: drift_rules[0].resource_types: expected a string or a list of strings, got a mapping`}},
		{"bad regex", "drift_rules:\n  - name: SSH\n    resource_types: [aws_security_group]\n    conditions:\n      - attribute: ingress\n        pattern: \"port=(22\"\n",
			nil, []string{`t.yaml:6: drift_rules[0].conditions[0].pattern: rule "SSH": invalid regular expression: error parsing regexp: missing closing ): ` + "`port=(22`"}},
		{"bad instance type pattern", "drift_rules:\n  - name: big\n    resource_types: [aws_instance]\n    filters:\n      instance_type_pattern: \"m5.[\"\n",
			nil, []string{`t.yaml:5: drift_rules[0].filters.instance_type_pattern: rule "big": invalid regular expression: error parsing regexp: missing closing ]: ` + "`[`"}},
		{"bad severity, close", "drift_rules:\n  - name: a\n    resource_types: ['*']\n    severity: critcal\n",
			nil, []string{`t.yaml:4: drift_rules[0].severity: unknown value "critcal"; did you mean "critical"?`}},
		{"bad severity, far", "default_severity: urgent\n",
			nil, []string{`t.yaml:1: default_severity: unknown value "urgent" (want one of info, low, medium, high, critical)`}},
		{"bad severity in a filter", "notifications:\n  slack:\n    webhook_url: https://h.example.com\n    channels:\n      - name: '#a'\n        filter: {severity: [high, hgh]}\n",
			nil, []string{`t.yaml:6: notifications.slack.channels[0].filter.severity[1]: unknown value "hgh"; did you mean "high"?`}},
		{"missing env", "notifications:\n  slack:\n    webhook_url: ${SLACK_WEBHOOK}\n",
			nil, []string{`t.yaml:3: notifications.slack.webhook_url: environment variable SLACK_WEBHOOK is not set (give a default with ${SLACK_WEBHOOK:-value})`}},
		{"bad variable name", "output:\n  file: ${1BAD}\n",
			nil, []string{`t.yaml:2: output.file: invalid variable reference ${1BAD} (a name is letters, digits and _, not starting with a digit)`}},
		{"unterminated variable", "output:\n  file: \"${HOME\"\n",
			nil, []string{`t.yaml:2: output.file: unterminated variable reference "${HOME" (want ${NAME} or ${NAME:-default}; write $${ for a literal ${)`}},
		{"duplicate key", "drift_rules: []\noutput: {mode: json}\ndrift_rules: []\n",
			nil, []string{`t.yaml:3: drift_rules is defined twice (first at line 1)`}},
		{"duplicate key in a rule", "drift_rules:\n  - name: a\n    resource_types: ['*']\n    name: b\n",
			nil, []string{`t.yaml:4: drift_rules[0].name is defined twice (first at line 2)`}},
		{"duplicate webhook", "notifications:\n  webhook: {url: 'https://a.example.com'}\n  webhook: {url: 'https://b.example.com'}\n",
			nil, []string{`t.yaml:3: notifications.webhook is defined twice (first at line 2); use "webhooks:" with a list to configure several webhooks`}},
		{"template does not parse", "notifications:\n  slack:\n    webhook_url: https://h.example.com\n    message_template: |\n      Drift!\n      by {{ .User }\n",
			nil, []string{`t.yaml:6: notifications.slack.message_template: template: unexpected "}" in operand`}},
		{"template with an unknown field", "notifications:\n  webhook:\n    url: https://h.example.com\n    payload_template: |\n      {\n        \"id\": \"{{ .ResourceId }}\"\n      }\n",
			nil, []string{`t.yaml:6: notifications.webhook.payload_template: template: <.ResourceId>: can't evaluate field ResourceId in type *drift.Drift`}},
		{"template on one line", "notifications:\n  webhook:\n    url: https://h.example.com\n    payload_template: '{{ if }}'\n",
			nil, []string{`t.yaml:4: notifications.webhook.payload_template: template: missing value for if`}},
		{"template with an unknown function", "notifications:\n  webhook:\n    url: https://h.example.com\n    payload_template: '{{ .Tags | toJSON }}'\n",
			nil, []string{`t.yaml:4: notifications.webhook.payload_template: template: function "toJSON" not defined`}},
		{"state: s3 without key", "providers:\n  aws:\n    state:\n      backend: s3\n      s3_bucket: b\n",
			nil, []string{`t.yaml:3: providers.aws.state.s3_key: missing: the state object's key (terraform.tfstate)`}},
		{"state: unknown backend", "providers:\n  aws:\n    state: {backend: s4, s3_bucket: b, s3_key: k}\n",
			nil, []string{`t.yaml:3: providers.aws.state.backend: unknown value "s4"; did you mean "s3"?`}},
		{"state: key of another backend", "providers:\n  gcp:\n    state:\n      backend: gcs\n      gcs_bucket: b\n      s3_key: k\n      role_arn: arn:aws:iam::1:role/x\n",
			nil, []string{`t.yaml:6: providers.gcp.state.s3_key: does not apply to backend gcs`, `t.yaml:7: providers.gcp.state.role_arn: does not apply to backend gcs`}},
		{"state: no backend", "providers:\n  aws:\n    states:\n      - workspaces: [a]\n",
			nil, []string{`t.yaml:4: providers.aws.states[0].backend: missing: local, s3 or gcs`}},
		{"state: both forms", "providers:\n  aws:\n    state: {path: a.tfstate}\n    states:\n      - path: b.tfstate\n",
			nil, []string{`t.yaml:4: providers.aws.states: set either state (one) or states (a list), not both`}},
		{"state: same name twice", "providers:\n  aws:\n    states:\n      - path: a.tfstate\n      - path: a.tfstate\n",
			nil, []string{`t.yaml:5: providers.aws.states[1]: state source "a.tfstate" is already configured at providers.aws.states[0]; give one a distinct name`}},
		{"account id", "providers:\n  aws:\n    accounts:\n      - account_id: 12345\n      - name: x\n",
			nil, []string{`t.yaml:4: providers.aws.accounts[0].account_id: "12345" is not a 12-digit AWS account ID (quote it so YAML keeps leading zeros)`,
				`t.yaml:5: providers.aws.accounts[1].account_id: missing: the 12-digit AWS account ID`}},
		{"duplicate account", "providers:\n  aws:\n    accounts:\n      - account_id: '123456789012'\n      - account_id: '123456789012'\n",
			nil, []string{`t.yaml:5: providers.aws.accounts[1].account_id: account 123456789012 is already configured at providers.aws.accounts[0]`}},
		{"region and project names", "providers:\n  aws:\n    regions: [us-east-1, useast1]\n  gcp:\n    projects: [My_Project]\n",
			nil, []string{`t.yaml:3: providers.aws.regions[1]: "useast1" is not an AWS region name (like us-east-1)`,
				`t.yaml:5: providers.gcp.projects[0]: "My_Project" is not a GCP project ID (6-30 lower-case letters, digits and hyphens)`}},
		{"falco without input", "falco:\n  enabled: true\n",
			nil, []string{`t.yaml:1: falco is enabled but has no input: set hostname and port (gRPC), unix_socket, or http.listen`}},
		{"falco host without port", "falco:\n  hostname: localhost\n  cert_file: c.pem\n  http: {listen: 'nohostport'}\n",
			nil, []string{`t.yaml:1: falco.port: missing: Falco's gRPC port (usually 5060)`,
				`t.yaml:2: falco.hostname: Falco's gRPC over TCP is always mutual TLS: set cert_file, key_file and ca_file (or use unix_socket on the same host)`,
				`t.yaml:3: falco.cert_file: cert_file and key_file go together (the client certificate for mTLS)`,
				`t.yaml:4: falco.http.listen: "nohostport" is not host:port (like :8080 or 127.0.0.1:8080)`}},
		{"falco disabled is not checked", "falco:\n  enabled: false\n", nil, nil},
		{"rule without name and types", "drift_rules:\n  - severity: high\n",
			nil, []string{`t.yaml:2: drift_rules[0].name: missing: a name for the rule (it appears in drifts and alerts)`,
				`t.yaml:2: drift_rules[0].resource_types: missing: the resource types the rule applies to ("*" for all)`}},
		{"rule names unique", "drift_rules:\n  - name: a\n    resource_types: ['*']\n  - name: a\n    resource_types: ['*']\n",
			nil, []string{`t.yaml:4: drift_rules[1].name: rule "a" is already defined at drift_rules[0] (line 2); rule names must be unique`}},
		{"bad resource type", "drift_rules:\n  - name: a\n    resource_types: [AWS_Instance]\n",
			nil, []string{`t.yaml:3: drift_rules[0].resource_types[0]: "AWS_Instance" is not a resource type (lower-case letters, digits, _ and the globs * ?)`}},
		{"condition without test", "drift_rules:\n  - name: a\n    resource_types: ['*']\n    conditions:\n      - attribute: x\n",
			nil, []string{`t.yaml:5: drift_rules[0].conditions[0]: rule "a": a condition needs one of pattern, contains or value`}},
		{"condition with two tests", "drift_rules:\n  - name: a\n    resource_types: ['*']\n    conditions:\n      - {attribute: x, contains: y, value: null}\n",
			nil, []string{`t.yaml:5: drift_rules[0].conditions[0]: rule "a": set only one of pattern, contains and value in a condition`}},
		{"empty tests", "drift_rules:\n  - name: a\n    resource_types: ['*']\n    conditions:\n      - {attribute: x, pattern: ''}\n      - {attribute: x, contains: ''}\n",
			nil, []string{`t.yaml:5: drift_rules[0].conditions[0].pattern: rule "a": an empty pattern matches everything; remove the condition instead`,
				`t.yaml:6: drift_rules[0].conditions[1].contains: rule "a": an empty contains matches everything; remove the condition instead`}},
		{"action type", "drift_rules:\n  - name: a\n    resource_types: ['*']\n    actions:\n      - type: alrt\n      - channels: [slack]\n",
			nil, []string{`t.yaml:5: drift_rules[0].actions[0].type: unknown value "alrt"; did you mean "alert"?`,
				`t.yaml:6: drift_rules[0].actions[1].type: missing: one of alert, create_ticket, webhook, auto_revert`}},
		{"action keys", "drift_rules:\n  - name: a\n    resource_types: ['*']\n    actions:\n      - type: alert\n        url: https://x.example.com\n        channels: [slak]\n      - type: webhook\n      - type: create_ticket\n        system: jira-cloud\n",
			nil, []string{`t.yaml:6: drift_rules[0].actions[0].url: does not apply to a alert action`,
				`t.yaml:7: drift_rules[0].actions[0].channels[0]: "slak" names no configured sink; did you mean "slack"? (configured sinks: none)`,
				`t.yaml:8: drift_rules[0].actions[1].url: missing: the URL to call`,
				`t.yaml:10: drift_rules[0].actions[2].system: unknown value "jira-cloud" (want one of jira, github)`}},
		{"webhook checks", "notifications:\n  webhooks:\n    - url: ftp://x\n      method: GET\n      timeout: soon\n      headers: {'Bad Header': x}\n    - name: webhook-1\n      url: https://ok.example.com\n",
			nil, []string{`t.yaml:3: notifications.webhooks[0].url: not an absolute http:// or https:// URL`,
				`t.yaml:4: notifications.webhooks[0].method: unknown value "GET" (want one of POST, PUT, PATCH)`,
				`t.yaml:5: notifications.webhooks[0].timeout: not a duration (write it like 90s, 5m or 1h30m)`,
				`t.yaml:6: notifications.webhooks[0].headers.Bad Header: "Bad Header" is not a valid HTTP header name`,
				`t.yaml:7: notifications.webhooks[1].name: webhook name "webhook-1" is already used by notifications.webhooks[0]; names identify webhooks in the outbox`}},
		{"jira without credentials", "notifications:\n  jira:\n    url: https://jira.example.com\n",
			nil, []string{`t.yaml:2: notifications.jira: jira needs credentials: email and api_token (Jira Cloud) or personal_access_token (Data Center)`}},
		{"jira half credentials", "notifications:\n  jira:\n    url: https://jira.example.com\n    email: a@example.com\n",
			nil, []string{`t.yaml:2: notifications.jira.api_token: missing: the API token that goes with email`}},
		{"email checks", "notifications:\n  email:\n    smtp_port: 70000\n    from: not-an-address\n    to: [ok@example.com, 'bad']\n    username: u\n",
			nil, []string{`t.yaml:2: notifications.email.smtp_host: missing: the SMTP server's host name`,
				`t.yaml:3: notifications.email.smtp_port: 70000 is not a TCP port (1-65535)`,
				`t.yaml:4: notifications.email.from: "not-an-address" is not an email address`,
				`t.yaml:5: notifications.email.to[1]: "bad" is not an email address`,
				`t.yaml:6: notifications.email.username: username and password go together (SMTP AUTH)`}},
		{"pagerduty checks", "notifications:\n  pagerduty:\n    severity_map: {high: sev1, urgent: critical}\n",
			nil, []string{`t.yaml:2: notifications.pagerduty.routing_key: missing: the Events API v2 integration (routing) key`,
				`t.yaml:3: notifications.pagerduty.severity_map.high: unknown value "sev1" (want one of critical, error, warning, info)`,
				`t.yaml:3: notifications.pagerduty.severity_map.urgent: unknown value "urgent" (want one of info, low, medium, high, critical)`}},
		{"output and durations", "output: {mode: yaml}\nstate_refresh_interval: 10ms\n",
			nil, []string{`t.yaml:1: output.mode: unknown value "yaml" (want one of text, json)`,
				`t.yaml:2: state_refresh_interval: must be at least 1s`}},
		{"yaml syntax", "output:\n  mode: json\n  file: \"a\n",
			nil, []string{`t.yaml:3: YAML syntax: found unexpected end of stream`}},
		{"two documents", "output: {mode: json}\n---\noutput: {mode: text}\n",
			nil, []string{`t.yaml:2: only one YAML document is allowed (found a second after ---)`}},
		{"root not a mapping", "- a\n- b\n",
			nil, []string{`t.yaml:1: the file must be a mapping of keys (providers, drift_rules, notifications, …), not a list`}},
		{"non-string key", "notifications:\n  ? [a]\n  : b\n",
			nil, []string{`t.yaml:2: notifications: keys must be plain strings`}},
		{"merge keys", "notifications:\n  webhooks:\n    - &base\n      url: https://a.example.com\n      timeout: 2s\n    - <<: *base\n      url: https://b.example.com\n", nil, nil},
		{"bad merge", "notifications:\n  webhook:\n    url: https://a.example.com\n    <<: [a]\n",
			nil, []string{`t.yaml:4: notifications.webhook: << must merge a mapping or a list of mappings, got a string`}},
		{"alias bomb", aliasBomb(), nil, []string{`t.yaml: the document expands to more than 200000 values (aliases nested too deep?)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.yaml), tt.opts...)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error:\n%v", err)
				}
				return
			}
			if diff := cmp.Diff(tt.want, validationProblems(t, err)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// aliasBomb nests aliases so that a free-form value (Jira custom fields)
// expands to 10^7 values.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("notifications:\n  jira:\n    url: https://jira.example.com\n    personal_access_token: p\n    custom_fields:\n")
	b.WriteString("      a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 6; i++ {
		b.WriteString("      a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func TestMergeKeys(t *testing.T) {
	c, err := Parse("t.yaml", []byte("notifications:\n  webhooks:\n    - &base\n      name: a\n      url: https://a.example.com\n      timeout: 2s\n    - <<: *base\n      name: b\n      url: https://b.example.com\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range c.Notifications.Webhooks {
		got = append(got, w.Name+" "+w.URL+" "+w.Timeout.String())
	}
	if diff := cmp.Diff([]string{"a https://a.example.com 2s", "b https://b.example.com 2s"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestTemplateOptions(t *testing.T) {
	yaml := []byte("notifications:\n  webhook:\n    url: https://h.example.com\n    payload_template: '{{ .Tags | toJSON }} {{ .Extra }}'\n")
	type data struct {
		Tags  []string
		Extra string
	}
	_, err := Parse("t.yaml", yaml, WithTemplateFuncs(map[string]any{"toJSON": func(any) string { return "" }}), WithTemplateData(data{}))
	if err != nil {
		t.Errorf("with the notices layer's funcs and data: %v", err)
	}
}

func TestWarningsAreDeduped(t *testing.T) {
	c, err := Parse("t.yaml", []byte("notifications:\n  slack: {token: '${A}', channel: '${A}'}\n"), AllowMissingEnv())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 2 {
		t.Errorf("warnings = %v", c.Warnings)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/does-not-exist.yaml")
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "does-not-exist.yaml") {
		t.Errorf("err = %v", err)
	}
}

// TestLoadReadsProcessEnv checks Load's one default: the process
// environment.
func TestLoadReadsProcessEnv(t *testing.T) {
	t.Setenv("TFDRIFT_TEST_HOOK", "https://env.example.com/hook")
	dir := t.TempDir()
	f := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(f, []byte("notifications:\n  webhook: {url: '${TFDRIFT_TEST_HOOK}'}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Notifications.Webhooks[0].URL; got != "https://env.example.com/hook" {
		t.Errorf("url = %q", got)
	}
	if _, err := Parse("c.yaml", []byte("notifications:\n  webhook: {url: '${TFDRIFT_TEST_HOOK}'}\n")); err == nil {
		t.Error("Parse read the process environment; it must see an empty one by default")
	}
}

// TestGoldenErrors renders the problems of a deliberately broken file.
func TestGoldenErrors(t *testing.T) {
	_, err := Load("testdata/broken.yaml", envOf(map[string]string{"SIEM_TOKEN": "t0ps3cret-siem"}))
	if err == nil {
		t.Fatal("broken.yaml loaded")
	}
	checkGolden(t, "testdata/broken.golden", err.Error()+"\n")
}

func checkGolden(t *testing.T, file, got string) {
	t.Helper()
	golden.CheckString(t, file, got)
}

// TestRuleSetFromConfig runs a seed drift through rules loaded from the
// seed's snippet: the config and rules packages agree.
func TestRuleSetFromConfig(t *testing.T) {
	c, err := Load("testdata/seed/uc09-detection-rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d := &drift.Drift{ResourceType: "aws_s3_bucket_public_access_block", ChangeType: drift.Modified,
		Changes: map[string]drift.AttrChange{"block_public_acls": {Expected: true, Actual: false}}}
	c.RuleSet().Apply(d)
	if d.Severity != drift.Critical || len(d.Rules) != 1 || d.Rules[0] != "S3 Bucket Made Public" {
		t.Errorf("drift = %+v", d)
	}
}
