package config

import (
	"time"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/rules"
)

// Defaults applied by validation. docs/config.md lists them too.
const (
	DefaultStateRefreshInterval = time.Minute
	DefaultIgnoreFile           = ".tfdriftignore"
	DefaultWorkspaceKeyPrefix   = "env:"
	DefaultJiraProject          = "INFRA"
	DefaultJiraIssueType        = "Task"
	DefaultJiraDoneTransition   = "Done"
	DefaultSMTPPort             = 587
	DefaultWebhookMethod        = "POST"
	DefaultWebhookTimeout       = 10 * time.Second
)

// Config is a validated configuration: every value parsed, every default
// applied. Load and Parse return it only when the file has no problems.
type Config struct {
	// File is the name the configuration was read from.
	File string

	Providers Providers
	Falco     Falco
	SQS       SQS
	Terraform Terraform
	// Rules are the drift_rules, in file order, with compiled patterns.
	Rules []rules.Rule
	// DefaultSeverity is given to drifts that no rule raises.
	DefaultSeverity drift.Severity
	// StateRefreshInterval is the longest the state index may go without
	// reloading.
	StateRefreshInterval time.Duration
	// TrustedActors are user names or ARNs whose writes are Terraform's
	// own (a CI role, say): they refresh the state index and are never
	// drift. "*" globs as in exclude_users.
	TrustedActors []string
	IgnoreFile    string
	Notifications Notifications
	Output        Output
	// GitHub is the GitHub App; GitHub.Enabled is false without a github:
	// block.
	GitHub GitHub

	// Warnings are problems that do not stop the configuration from
	// being used: unset variables under AllowMissingEnv, a sink with no
	// credentials.
	Warnings []Problem
}

// RuleSet compiles the rules for the detector. Each call compiles anew;
// build it once per loaded Config.
func (c *Config) RuleSet() *rules.Set { return rules.NewSet(c.Rules, c.DefaultSeverity) }

// Providers configures the clouds watched.
type Providers struct {
	AWS AWS
	GCP GCP
}

// AWS is providers.aws.
type AWS struct {
	Enabled  bool
	Regions  []string
	Accounts []AWSAccount
	// States are the provider-level state sources (not tied to one
	// account).
	States []StateSource
}

// AWSAccount is one entry of providers.aws.accounts.
type AWSAccount struct {
	AccountID string
	Name      string
	Regions   []string
	RoleARN   string
	// States inherit the account's role_arn when they set none.
	States []StateSource
}

// GCP is providers.gcp.
type GCP struct {
	Enabled  bool
	Projects []string
	States   []StateSource
}

// Backend names where a state file lives.
type Backend string

// Backends.
const (
	BackendLocal Backend = "local"
	BackendS3    Backend = "s3"
	BackendGCS   Backend = "gcs"
)

// StateSource is one Terraform state (or one state per workspace) to index.
type StateSource struct {
	// Name labels the source in drifts and logs: the configured name, or
	// s3://bucket/key, gs://bucket/prefix, or the path.
	Name     string
	Backend  Backend
	Provider change.Provider
	// Account is the AWS account the source was configured under, empty
	// for provider-level sources.
	Account string

	Path string // local

	S3Bucket   string
	S3Key      string
	S3Region   string // empty: the AWS SDK's default resolution
	S3Endpoint string // for S3-compatible stores and tests
	RoleARN    string // role to assume for reading
	// WorkspaceKeyPrefix is where non-default workspaces live
	// (<prefix>/<workspace>/<key>), as in Terraform's s3 backend.
	WorkspaceKeyPrefix string

	GCSBucket   string
	GCSPrefix   string
	GCSEndpoint string

	// Workspaces to read (s3 and gcs); empty means every workspace found
	// in the bucket, listed once at start.
	Workspaces []string
}

// String is the source's name.
func (s StateSource) String() string { return s.Name }

// StateSources returns every state source of every enabled provider,
// provider-level ones first, then each account's, in file order.
func (c *Config) StateSources() []StateSource {
	var out []StateSource
	if c.Providers.AWS.Enabled {
		out = append(out, c.Providers.AWS.States...)
		for _, a := range c.Providers.AWS.Accounts {
			out = append(out, a.States...)
		}
	}
	if c.Providers.GCP.Enabled {
		out = append(out, c.Providers.GCP.States...)
	}
	return out
}

// Falco configures the Falco inputs: gRPC over TCP (Hostname, Port, with
// mTLS files) or a unix socket, and the HTTP endpoint for http_output and
// falcosidekick.
// SQS is the EventBridge → SQS input: CloudTrail writes arrive in seconds,
// where the CloudTrail plugin's S3 log files arrive about 5 minutes late.
type SQS struct {
	Enabled  bool
	QueueURL string
	// DLQURL receives messages that failed MaxReceives times (default 5).
	DLQURL            string
	Region            string
	Endpoint          string // SQS-compatible endpoint (tests, LocalStack)
	RoleARN           string
	MaxReceives       int
	VisibilityTimeout time.Duration
	Pollers           int
}

// Terraform configures the runs of accept --confirm and revert.
type Terraform struct {
	// Configured is true when the config has a terraform: block: the
	// server may then run terraform for the GitHub App (the proof of an
	// accept pull request, /tfdrift revert and recheck, auto_revert).
	// Without one it runs none, and says so.
	Configured bool
	// Binary is terraform or tofu (a name on PATH or a path); the
	// version is checked before use.
	Binary string
	// PluginCacheDir is shared by every job's init.
	PluginCacheDir string
	// PluginMirror is a filesystem mirror of providers (offline installs).
	PluginMirror string
	LockTimeout  time.Duration
}

// Defaults of the terraform runs.
const (
	DefaultTerraformBinary      = "terraform"
	DefaultTerraformLockTimeout = 30 * time.Second
)

// Defaults of the SQS input.
const (
	DefaultSQSMaxReceives       = 5
	DefaultSQSVisibilityTimeout = 60 * time.Second
	DefaultSQSPollers           = 2
)

type Falco struct {
	Enabled    bool
	Hostname   string
	Port       int
	UnixSocket string
	CertFile   string
	KeyFile    string
	CAFile     string
	HTTP       FalcoHTTP
}

// FalcoHTTP is falco.http.
type FalcoHTTP struct {
	// Listen is host:port for the /falco endpoint; empty disables it.
	Listen string
	// Secret is the shared secret the endpoint requires; how a sender
	// presents it is the HTTP handler's contract.
	Secret string
	// BearerToken, when set, is required as "Authorization: Bearer …".
	BearerToken string
}

// Notifications configures the sinks.
// StormControl turns many drifts by one actor within Window into one
// grouped notice per sink: a console session touching 200 resources pages
// once. The first Threshold-1 drifts pass straight through.
type StormControl struct {
	Enabled   bool
	Threshold int
	Window    time.Duration
	// Exempt sinks are never grouped (an audit log wants every line).
	Exempt []string
}

// Storm control defaults.
const (
	DefaultStormThreshold = 10
	DefaultStormWindow    = 5 * time.Minute
)

type Notifications struct {
	Slack     Slack
	Webhooks  []Webhook
	Jira      Jira
	Email     Email
	PagerDuty PagerDuty
	// StormControl is on by default (threshold 10 in 5 minutes).
	StormControl StormControl
	// CodeURL is the URL template of a file line in the infra repo, with
	// {file} and {line}: https://github.com/acme/infra/blob/main/{file}#L{line}
	CodeURL string
}

// Filter selects the drifts a sink or channel receives. Every non-empty
// list must match; an empty filter passes everything.
type Filter struct {
	Accounts   []string
	Severities []drift.Severity
	Providers  []change.Provider
	// Tags: the drift must carry at least one of them.
	Tags []string
}

// Slack is notifications.slack. Messages go through WebhookURL (an
// incoming webhook) or, with Token, through chat.postMessage to Channel
// and Channels.
type Slack struct {
	Enabled    bool
	WebhookURL string
	Token      string
	Channel    string
	// Channels route drifts by filter; each may have its own webhook.
	Channels []SlackChannel
	// MessageTemplate is a text/template; empty means the built-in one.
	MessageTemplate string
}

// SlackChannel is one entry of notifications.slack.channels.
type SlackChannel struct {
	Name       string
	WebhookURL string // empty: the Slack block's webhook_url or token
	Filter     Filter
}

// Webhook is one HTTP sink (notifications.webhook or webhooks[]).
type Webhook struct {
	// Name identifies the webhook in logs and the outbox; defaults to
	// "webhook" for a single one, "webhook-N" in a list.
	Name    string
	Enabled bool
	URL     string
	Method  string
	Headers map[string]string
	// PayloadTemplate is a text/template rendering the body; empty means
	// the drift's JSON record.
	PayloadTemplate string
	Filter          Filter
	Timeout         time.Duration
}

// Jira is notifications.jira. Authentication is Email + APIToken (Jira
// Cloud) or PersonalAccessToken (Jira Data Center).
type Jira struct {
	Enabled             bool
	URL                 string
	Project             string
	IssueType           string
	Email               string
	APIToken            string
	PersonalAccessToken string
	Labels              []string
	Components          []string
	// CustomFields are set on every issue: customfield_10010: "x", or
	// an object where Jira wants one ({value: "High"}).
	CustomFields map[string]any
	// DoneTransition is the workflow transition used when a drift is
	// resolved.
	DoneTransition string
}

// Email is notifications.email.
type Email struct {
	Enabled  bool
	SMTPHost string
	SMTPPort int
	Username string
	Password string
	From     string
	To       []string
	StartTLS bool
}

// PagerDuty is notifications.pagerduty (Events API v2).
type PagerDuty struct {
	Enabled    bool
	RoutingKey string
	// URL is the Events API host (default https://events.pagerduty.com;
	// EU accounts use https://events.eu.pagerduty.com).
	URL string
	// SeverityMap maps drift severities to PagerDuty's (critical, error,
	// warning, info). Every drift severity has an entry.
	SeverityMap map[drift.Severity]string
}

// DefaultPagerDutySeverities returns the severity_map used for keys the
// file does not set.
func DefaultPagerDutySeverities() map[drift.Severity]string {
	return map[drift.Severity]string{
		drift.Critical: "critical",
		drift.High:     "error",
		drift.Medium:   "warning",
		drift.Low:      "info",
		drift.Info:     "info",
	}
}

// Output configures how drifts are printed.
type Output struct {
	Mode string // "text" or "json" (one object per line)
	File string // empty: stdout
}

// Output modes.
const (
	OutputText = "text"
	OutputJSON = "json"
)

// GitHub is the github: block: the GitHub App that opens one issue per
// drifted resource on the repository that holds its code, and takes the
// webhooks at POST /webhooks/github.
type GitHub struct {
	// Enabled is set when the block is present.
	Enabled bool
	AppID   int64
	// PrivateKeyFile or PrivateKey (PEM text), exactly one: the App's
	// private key as GitHub hands it out.
	PrivateKeyFile string
	PrivateKey     string
	// WebhookSecret verifies X-Hub-Signature-256 on every webhook.
	WebhookSecret string
	// APIURL is the REST API: https://api.github.com/ or, for GitHub
	// Enterprise Server, https://HOST/api/v3/.
	APIURL string
	// MaxOpenIssues caps the open drift issues of one repository.
	MaxOpenIssues int
}

// Defaults of the github block.
const (
	DefaultGitHubAPIURL        = "https://api.github.com/"
	DefaultGitHubMaxOpenIssues = 50
)
