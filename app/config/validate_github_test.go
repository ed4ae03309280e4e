package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGitHubBlock: the github: block loads with its defaults, reads
// ${ENV}, and every mistake is refused at its line without showing the
// key.
func TestGitHubBlock(t *testing.T) {
	const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"
	env := func(name string) (string, bool) {
		v, ok := map[string]string{"GITHUB_APP_PRIVATE_KEY": pem, "GITHUB_WEBHOOK_SECRET": "whsec-0123456789"}[name]
		return v, ok
	}
	c, err := Parse("t.yaml", []byte("github:\n  app_id: 123456\n  private_key: \"${GITHUB_APP_PRIVATE_KEY}\"\n  webhook_secret: \"${GITHUB_WEBHOOK_SECRET}\"\n"), WithEnv(env))
	if err != nil {
		t.Fatal(err)
	}
	want := GitHub{Enabled: true, AppID: 123456, PrivateKey: pem, WebhookSecret: "whsec-0123456789",
		APIURL: DefaultGitHubAPIURL, MaxOpenIssues: DefaultGitHubMaxOpenIssues}
	if diff := cmp.Diff(want, c.GitHub); diff != "" {
		t.Errorf("github (-want +got):\n%s", diff)
	}
	if !strings.Contains(c.Summary(), "github (App 123456, at most 50 open issues a repository)") {
		t.Errorf("summary:\n%s", c.Summary())
	}
	c, err = Parse("t.yaml", []byte("github:\n  app_id: 7\n  private_key_file: /etc/tfdrift/app.pem\n  webhook_secret: s\n  api_url: https://ghe.example.com/api/v3/\n  max_open_issues: 5\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.GitHub.APIURL != "https://ghe.example.com/api/v3/" || c.GitHub.MaxOpenIssues != 5 || c.GitHub.PrivateKeyFile != "/etc/tfdrift/app.pem" {
		t.Errorf("github: %+v", c.GitHub)
	}
	if c, err := Parse("t.yaml", []byte("default_severity: low\n")); err != nil || c.GitHub.Enabled {
		t.Errorf("without the block: %+v, %v", c.GitHub, err)
	}

	for _, tt := range []struct {
		name, yaml string
		want       []string
	}{
		{"nothing", "github: {}\n", []string{
			"t.yaml:1: github.app_id: missing: the App's ID (its settings page shows it; tfdrift app setup prints it)",
			`t.yaml:1: github.private_key_file: missing: the App's private key, as a file (private_key_file) or as PEM text (private_key: "${GITHUB_APP_PRIVATE_KEY}")`,
			`t.yaml:1: github.webhook_secret: missing: the App's webhook secret, which verifies every delivery to POST /webhooks/github (webhook_secret: "${GITHUB_WEBHOOK_SECRET}")`,
		}},
		{"both keys", "github:\n  app_id: 1\n  private_key_file: k.pem\n  private_key: \"${GITHUB_APP_PRIVATE_KEY}\"\n  webhook_secret: s\n",
			[]string{"t.yaml:4: github.private_key: set either private_key_file or private_key (the PEM text), not both"}},
		{"not PEM", "github:\n  app_id: 1\n  private_key: hunter2-not-a-key\n  webhook_secret: s\n",
			[]string{"t.yaml:3: github.private_key: not a PEM private key (it starts with -----BEGIN RSA PRIVATE KEY-----); for a file, use private_key_file"}},
		{"negative id", "github:\n  app_id: -4\n  private_key_file: k.pem\n  webhook_secret: s\n",
			[]string{"t.yaml:2: github.app_id: -4 is not an App ID: the App's settings page shows its positive number"}},
		{"web address", "github:\n  app_id: 1\n  private_key_file: k.pem\n  webhook_secret: s\n  api_url: https://github.com/\n",
			[]string{`t.yaml:5: github.api_url: "https://github.com/" is GitHub's web address; the API is https://api.github.com/`}},
		{"cap", "github:\n  app_id: 1\n  private_key_file: k.pem\n  webhook_secret: s\n  max_open_issues: 0\n",
			[]string{"t.yaml:5: github.max_open_issues: must be at least 1"}},
		{"unknown key", "github:\n  app_id: 1\n  private_key_file: k.pem\n  webhook_secret: s\n  app_slug: x\n",
			[]string{"t.yaml:5: github.app_slug: unknown key (known keys here: api_url, app_id, max_open_issues, private_key, private_key_file, webhook_secret)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.yaml), WithEnv(env))
			got := validationProblems(t, err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			for _, p := range got {
				if strings.Contains(p, "MIIB") || strings.Contains(p, "hunter2") {
					t.Errorf("a message shows the key: %s", p)
				}
			}
		})
	}
}

// TestGitHubSink: with the github: block, rules may route to the github
// sink and open tickets there.
func TestGitHubSink(t *testing.T) {
	const block = "github:\n  app_id: 1\n  private_key_file: k.pem\n  webhook_secret: s\n"
	_, err := Parse("t.yaml", []byte(block+`drift_rules:
  - name: r
    resource_types: ['*']
    actions:
      - type: alert
        channels: [github]
      - type: create_ticket
        system: github
notifications:
  storm_control:
    exempt: [github]
`))
	if err != nil {
		t.Fatal(err)
	}
}
