package config

// The raw structs mirror the YAML file key for key (the yaml tags are the
// schema: decode.go rejects any key not listed here). They hold what was
// written, as strings where the value still needs parsing, so that
// validate*.go can check it with its position. Pointers mark blocks and
// booleans whose absence matters (an absent "enabled" defaults to true).

type rawConfig struct {
	Providers            rawProviders     `yaml:"providers"`
	Falco                *rawFalco        `yaml:"falco"`
	SQS                  *rawSQS          `yaml:"sqs"`
	Terraform            rawTerraform     `yaml:"terraform"`
	DriftRules           []rawRule        `yaml:"drift_rules"`
	DefaultSeverity      string           `yaml:"default_severity"`
	StateRefreshInterval string           `yaml:"state_refresh_interval"`
	TrustedActors        stringList       `yaml:"trusted_actors"`
	IgnoreFile           string           `yaml:"ignore_file"`
	Notifications        rawNotifications `yaml:"notifications"`
	Output               rawOutput        `yaml:"output"`
	GitHub               *rawGitHub       `yaml:"github"`
}

// rawGitHub is the GitHub App: its identity, its webhook secret and the
// API it talks to.
type rawGitHub struct {
	AppID          int    `yaml:"app_id"`
	PrivateKeyFile string `yaml:"private_key_file"`
	PrivateKey     string `yaml:"private_key"`
	WebhookSecret  string `yaml:"webhook_secret"`
	APIURL         string `yaml:"api_url"`
	MaxOpenIssues  *int   `yaml:"max_open_issues"`
}

type rawProviders struct {
	AWS *rawAWS `yaml:"aws"`
	GCP *rawGCP `yaml:"gcp"`
}

type rawAWS struct {
	Enabled  *bool        `yaml:"enabled"`
	Regions  stringList   `yaml:"regions"`
	Accounts []rawAccount `yaml:"accounts"`
	State    *rawState    `yaml:"state"`
	States   []rawState   `yaml:"states"`
}

type rawAccount struct {
	AccountID string     `yaml:"account_id"`
	Name      string     `yaml:"name"`
	Regions   stringList `yaml:"regions"`
	RoleARN   string     `yaml:"role_arn"`
	State     *rawState  `yaml:"state"`
	States    []rawState `yaml:"states"`
}

type rawGCP struct {
	Enabled  *bool      `yaml:"enabled"`
	Projects stringList `yaml:"projects"`
	State    *rawState  `yaml:"state"`
	States   []rawState `yaml:"states"`
}

type rawState struct {
	Name               string     `yaml:"name"`
	Backend            string     `yaml:"backend"`
	Path               string     `yaml:"path"`
	S3Bucket           string     `yaml:"s3_bucket"`
	S3Key              string     `yaml:"s3_key"`
	S3Region           string     `yaml:"s3_region"`
	S3Endpoint         string     `yaml:"s3_endpoint"`
	RoleARN            string     `yaml:"role_arn"`
	WorkspaceKeyPrefix string     `yaml:"workspace_key_prefix"`
	GCSBucket          string     `yaml:"gcs_bucket"`
	GCSPrefix          string     `yaml:"gcs_prefix"`
	GCSEndpoint        string     `yaml:"gcs_endpoint"`
	Workspaces         stringList `yaml:"workspaces"`
}

type rawFalco struct {
	Enabled    *bool         `yaml:"enabled"`
	Hostname   string        `yaml:"hostname"`
	Port       int           `yaml:"port"`
	UnixSocket string        `yaml:"unix_socket"`
	CertFile   string        `yaml:"cert_file"`
	KeyFile    string        `yaml:"key_file"`
	CAFile     string        `yaml:"ca_file"`
	HTTP       *rawFalcoHTTP `yaml:"http"`
}

// rawSQS is the EventBridge → SQS input.
type rawSQS struct {
	Enabled           *bool  `yaml:"enabled"`
	QueueURL          string `yaml:"queue_url"`
	DLQURL            string `yaml:"dlq_url"`
	Region            string `yaml:"region"`
	Endpoint          string `yaml:"endpoint"`
	RoleARN           string `yaml:"role_arn"`
	MaxReceives       int    `yaml:"max_receives"`
	VisibilityTimeout string `yaml:"visibility_timeout"`
	Pollers           int    `yaml:"pollers"`
}

type rawFalcoHTTP struct {
	Listen      string `yaml:"listen"`
	Secret      string `yaml:"secret"`
	BearerToken string `yaml:"bearer_token"`
}

type rawRule struct {
	Name              string         `yaml:"name"`
	ResourceTypes     stringList     `yaml:"resource_types"`
	WatchedAttributes stringList     `yaml:"watched_attributes"`
	Severity          string         `yaml:"severity"`
	Tags              stringList     `yaml:"tags"`
	ExcludeUsers      stringList     `yaml:"exclude_users"`
	Filters           rawRuleFilters `yaml:"filters"`
	Conditions        []rawCondition `yaml:"conditions"`
	Actions           []rawAction    `yaml:"actions"`
}

type rawRuleFilters struct {
	Accounts            stringList `yaml:"accounts"`
	Regions             stringList `yaml:"regions"`
	Provider            stringList `yaml:"provider"`
	InstanceTypePattern string     `yaml:"instance_type_pattern"`
}

type rawCondition struct {
	Attribute string `yaml:"attribute"`
	Pattern   string `yaml:"pattern"`
	Contains  string `yaml:"contains"`
	Value     any    `yaml:"value"`
}

type rawAction struct {
	Type      string     `yaml:"type"`
	Channels  stringList `yaml:"channels"`
	Priority  string     `yaml:"priority"`
	System    string     `yaml:"system"`
	Project   string     `yaml:"project"`
	IssueType string     `yaml:"issue_type"`
	Summary   string     `yaml:"summary"`
	URL       string     `yaml:"url"`
	Enabled   *bool      `yaml:"enabled"`
}

type rawNotifications struct {
	Slack     *rawSlack     `yaml:"slack"`
	Webhook   *rawWebhook   `yaml:"webhook"`
	Webhooks  []rawWebhook  `yaml:"webhooks"`
	Jira      *rawJira      `yaml:"jira"`
	Email     *rawEmail     `yaml:"email"`
	PagerDuty *rawPagerDuty `yaml:"pagerduty"`
	// StormControl groups many drifts by one actor into one notice.
	StormControl *rawStormControl `yaml:"storm_control"`
	// CodeURL links notices to the drifted resource's file and line.
	CodeURL string `yaml:"code_url"`
}

type rawStormControl struct {
	Enabled   *bool      `yaml:"enabled"`
	Threshold int        `yaml:"threshold"`
	Window    string     `yaml:"window"`
	Exempt    stringList `yaml:"exempt"`
}

type rawFilter struct {
	Accounts stringList `yaml:"accounts"`
	Severity stringList `yaml:"severity"`
	Provider stringList `yaml:"provider"`
	Tags     stringList `yaml:"tags"`
}

type rawSlack struct {
	Enabled         *bool             `yaml:"enabled"`
	WebhookURL      string            `yaml:"webhook_url"`
	Token           string            `yaml:"token"`
	Channel         string            `yaml:"channel"`
	Channels        []rawSlackChannel `yaml:"channels"`
	MessageTemplate string            `yaml:"message_template"`
}

type rawSlackChannel struct {
	Name       string    `yaml:"name"`
	WebhookURL string    `yaml:"webhook_url"`
	Filter     rawFilter `yaml:"filter"`
}

type rawWebhook struct {
	Name            string            `yaml:"name"`
	Enabled         *bool             `yaml:"enabled"`
	URL             string            `yaml:"url"`
	Method          string            `yaml:"method"`
	Headers         map[string]string `yaml:"headers"`
	PayloadTemplate string            `yaml:"payload_template"`
	Filter          rawFilter         `yaml:"filter"`
	Timeout         string            `yaml:"timeout"`
}

type rawJira struct {
	Enabled             *bool          `yaml:"enabled"`
	URL                 string         `yaml:"url"`
	Project             string         `yaml:"project"`
	IssueType           string         `yaml:"issue_type"`
	Email               string         `yaml:"email"`
	APIToken            string         `yaml:"api_token"`
	PersonalAccessToken string         `yaml:"personal_access_token"`
	Labels              stringList     `yaml:"labels"`
	Components          stringList     `yaml:"components"`
	CustomFields        map[string]any `yaml:"custom_fields"`
	DoneTransition      string         `yaml:"done_transition"`
}

type rawEmail struct {
	Enabled  *bool      `yaml:"enabled"`
	SMTPHost string     `yaml:"smtp_host"`
	SMTPPort int        `yaml:"smtp_port"`
	Username string     `yaml:"username"`
	Password string     `yaml:"password"`
	From     string     `yaml:"from"`
	To       stringList `yaml:"to"`
	StartTLS *bool      `yaml:"starttls"`
}

type rawPagerDuty struct {
	Enabled     *bool             `yaml:"enabled"`
	RoutingKey  string            `yaml:"routing_key"`
	SeverityMap map[string]string `yaml:"severity_map"`
	URL         string            `yaml:"url"`
}

type rawOutput struct {
	Mode string `yaml:"mode"`
	File string `yaml:"file"`
}

// rawTerraform configures the terraform runs of accept --confirm and revert.
type rawTerraform struct {
	Binary         string `yaml:"binary"`
	PluginCacheDir string `yaml:"plugin_cache_dir"`
	PluginMirror   string `yaml:"plugin_mirror"`
	LockTimeout    string `yaml:"lock_timeout"`
}
