package docs

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// keyRow proves that some documented keys change what tfdrift does: the
// same observation of tfdrift with two configuration files, off and on,
// which differ only in those keys (absent, or another value), sees want
// only with on, or gone only with off.
type keyRow struct {
	keys    []string
	off, on string
	observe observer
	want    string
	gone    string
}

// Snippets the rows build on.
const (
	// rule raises the scenario's EBS volume resize (backend-team's
	// ModifyVolume, size 100 → 1000) to high.
	rule = "drift_rules:\n  - name: R\n    resource_types: [aws_ebs_volume]\n    severity: high\n"
	// slackHook is a Slack incoming webhook on the sinkhole.
	slackHook = "notifications:\n  slack:\n    webhook_url: ${SINK}/slack\n"
	// hook is one webhook on the sinkhole.
	hook = "notifications:\n  webhooks:\n    - url: ${SINK}/hook\n"
	// jira opens tickets on the sinkhole for the rule's drift.
	jiraRule = rule + "    actions:\n      - type: create_ticket\n"
	jira     = "notifications:\n  jira:\n    url: ${SINK}/jira\n    email: bot@example.com\n    api_token: jira-token\n"
	// mail sends to the SMTP fake, without STARTTLS (it has none).
	mail = "notifications:\n  email:\n    smtp_host: 127.0.0.1\n    smtp_port: ${SMTP_PORT}\n    from: tfdrift@example.com\n    to: [ops@example.com]\n    starttls: false\n"
	pd   = "notifications:\n  pagerduty:\n    routing_key: rk-0123\n    url: ${SINK}/pd\n"
	// awsState is the scenario's state file as a config state source.
	awsState = "providers:\n  aws:\n    state:\n      path: ${STATE}\n"
	// volume is the EBS drift as detect prints it.
	volume = "aws_ebs_volume.app_data sev="
)

// withRule adds to rule, indented as a key of it.
func withRule(lines ...string) string { return rule + "    " + strings.Join(lines, "\n    ") + "\n" }

// withHook adds keys to the webhook.
func withHook(lines ...string) string {
	return hook + "      " + strings.Join(lines, "\n      ") + "\n"
}

// s3State is a config S3 state source on gofakes3 with the given keys.
func s3State(lines ...string) string {
	return "providers:\n  aws:\n    state:\n      s3_bucket: tf-state\n      s3_key: terraform.tfstate\n      " + strings.Join(lines, "\n      ") + "\n"
}

func gcsState(lines ...string) string {
	return "providers:\n  gcp:\n    state:\n      gcs_bucket: tf-state\n      " + strings.Join(lines, "\n      ") + "\n"
}

func sqsInput(lines ...string) string {
	return "sqs:\n  queue_url: ${SQS_QUEUE}\n  endpoint: ${SQS_ENDPOINT}\n  region: us-east-1\n  pollers: 1\n  " + strings.Join(lines, "\n  ") + "\n"
}

// consumed is when the events queue is empty; deadLettered when the DLQ
// holds the message.
func consumed(s *sqsWorld, _ string) bool     { return len(s.fake.Messages("events")) == 0 }
func deadLettered(s *sqsWorld, _ string) bool { return len(s.fake.Messages("dlq")) > 0 }

// keyRows is the table: every key docs/config.md and README.md document
// has at least one row, and every row names only documented keys.
func keyRows(w *world) []keyRow {
	s3Full, s3Empty := s3World(w)
	gcsFull, gcsEmpty := gcsWorld(w)
	s3Base := "s3_endpoint: " + s3Full
	gcsBase := "gcs_endpoint: " + gcsFull
	return append([]keyRow{
		// What counts as drift.
		{keys: []string{"drift_rules", "drift_rules[].name", "drift_rules[].severity"}, off: "", on: rule, observe: detect, want: volume + "high rules=R"},
		{keys: []string{"drift_rules[].resource_types"}, off: strings.Replace(rule, "aws_ebs_volume", "aws_instance", 1), on: rule, observe: detect, want: volume + "high rules=R"},
		{keys: []string{"drift_rules[].watched_attributes"}, off: withRule("watched_attributes: [iops]"), on: withRule("watched_attributes: [size]"), observe: detect, want: volume + "high rules=R"},
		{keys: []string{"drift_rules[].tags"}, off: rule, on: withRule("tags: [storage]"), observe: detect, want: "rules=R tags=storage"},
		{keys: []string{"drift_rules[].exclude_users"}, off: rule, on: withRule("exclude_users: [backend-team@example.com]"), observe: detect, gone: volume + "high rules=R"},
		{keys: []string{"drift_rules[].filters", "drift_rules[].filters.accounts"}, off: rule, on: withRule("filters: {accounts: ['999999999999']}"), observe: detect, gone: volume + "high rules=R"},
		{keys: []string{"drift_rules[].filters.regions"}, off: rule, on: withRule("filters: {regions: [eu-west-1]}"), observe: detect, gone: volume + "high rules=R"},
		{keys: []string{"drift_rules[].filters.provider"}, off: rule, on: withRule("filters: {provider: gcp}"), observe: detect, gone: volume + "high rules=R"},
		{keys: []string{"drift_rules[].filters.instance_type_pattern"},
			off:     "drift_rules:\n  - name: R\n    resource_types: [aws_instance]\n    severity: high\n    filters: {instance_type_pattern: '^t3\\.'}\n",
			on:      "drift_rules:\n  - name: R\n    resource_types: [aws_instance]\n    severity: high\n    filters: {instance_type_pattern: '^m5\\.8xlarge$'}\n",
			observe: detect, want: "aws_instance.app_server sev=high rules=R"},
		{keys: []string{"drift_rules[].conditions", "drift_rules[].conditions[].attribute", "drift_rules[].conditions[].pattern"},
			off: withRule("conditions: [{attribute: size, pattern: '^5$'}]"), on: withRule("conditions: [{attribute: size, pattern: '^1000$'}]"), observe: detect, want: volume + "high rules=R"},
		{keys: []string{"drift_rules[].conditions[].attribute"}, off: withRule("conditions: [{attribute: iops, value: 1000}]"), on: withRule("conditions: [{attribute: size, value: 1000}]"), observe: detect, want: volume + "high rules=R"},
		{keys: []string{"drift_rules[].conditions[].contains"}, off: withRule("conditions: [{attribute: size, contains: '7'}]"), on: withRule("conditions: [{attribute: size, contains: '100'}]"), observe: detect, want: volume + "high rules=R"},
		{keys: []string{"drift_rules[].conditions[].value"}, off: withRule("conditions: [{attribute: size, value: 5}]"), on: withRule("conditions: [{attribute: size, value: 1000}]"), observe: detect, want: volume + "high rules=R"},
		{keys: []string{"default_severity"}, off: "", on: "default_severity: low\n", observe: detect, want: volume + "low"},
		{keys: []string{"trusted_actors"}, off: "", on: "trusted_actors: [backend-team@example.com]\n", observe: detect, gone: volume},
		{keys: []string{"ignore_file"}, off: "", on: "ignore_file: ${DIR}/ignore\n", observe: func(w *world, cfg string) string {
			writeFile(w, "ignore", "aws_ebs_volume.app_data.size\n")
			return detect(w, cfg)
		}, gone: volume},
		{keys: []string{"output", "output.mode"}, off: "output: {mode: json}\n", on: "output: {mode: text}\n", observe: printed, want: "DRIFT DETECTED"},

		// Where the state comes from.
		{keys: []string{"providers", "providers.aws", "providers.aws.state", "state.path"}, off: "default_severity: medium\n", on: awsState, observe: detectFromConfig, want: volume},
		{keys: []string{"providers.aws.states"}, off: "providers:\n  aws:\n    states: []\n", on: "providers:\n  aws:\n    states:\n      - path: ${STATE}\n", observe: detectFromConfig, want: volume},
		{keys: []string{"providers.aws.enabled"}, off: awsState, on: "providers:\n  aws:\n    enabled: false\n    state:\n      path: ${STATE}\n", observe: detectFromConfig, want: "no Terraform state"},
		{keys: []string{"state.name"}, off: awsState, on: awsState + "      name: prod-network\n", observe: detectFromConfig, want: "state=prod-network"},
		{keys: []string{"state.backend"}, off: awsState, on: awsState + "      backend: s3\n", observe: validate, want: "does not apply to backend s3"},
		{keys: []string{"providers.aws.accounts", "providers.aws.accounts[].account_id", "providers.aws.accounts[].state"},
			off: "providers:\n  aws:\n    accounts:\n      - account_id: '999999999999'\n        state: {path: ${STATE}}\n",
			on:  "providers:\n  aws:\n    accounts:\n      - account_id: '123456789012'\n        state: {path: ${STATE}}\n", observe: detectFromConfig, want: volume},
		{keys: []string{"providers.aws.accounts[].states"},
			off: "providers:\n  aws:\n    accounts:\n      - account_id: '123456789012'\n        states: []\n",
			on:  "providers:\n  aws:\n    accounts:\n      - account_id: '123456789012'\n        states: [{path: ${STATE}}]\n", observe: detectFromConfig, want: volume},
		{keys: []string{"providers.gcp", "providers.gcp.state"}, off: awsState, on: "providers:\n  gcp:\n    state:\n      path: ${STATE}\n", observe: detectFromConfig, gone: volume},
		{keys: []string{"providers.gcp.states"}, off: "providers:\n  gcp:\n    states: []\n", on: "providers:\n  gcp:\n    states: [{path: ${STATE}}]\n", observe: detectFromConfig, want: "google_compute_firewall.web"},
		{keys: []string{"providers.gcp.enabled"}, off: "providers:\n  gcp:\n    state: {path: ${STATE}}\n", on: "providers:\n  gcp:\n    enabled: false\n    state: {path: ${STATE}}\n", observe: detectFromConfig, want: "no Terraform state"},
		{keys: []string{"state.s3_bucket", "state.s3_key", "state.s3_endpoint", "state.s3_region"}, off: awsState, on: s3State(s3Base, "s3_region: us-east-1", "workspaces: [default]"), observe: detectFromConfig, want: "state=s3://tf-state/terraform.tfstate"},
		{keys: []string{"state.s3_endpoint"}, off: s3State("s3_endpoint: "+s3Empty, "s3_region: us-east-1", "workspaces: [default]"), on: s3State(s3Base, "s3_region: us-east-1", "workspaces: [default]"), observe: detectFromConfig, want: volume},
		{keys: []string{"state.s3_region"}, off: s3State(s3Base, "workspaces: [default]"), on: s3State(s3Base, "s3_region: us-east-1", "workspaces: [default]"), observe: detectFromConfig, want: volume},
		{keys: []string{"state.s3_key"}, off: strings.Replace(s3State(s3Base, "s3_region: us-east-1", "workspaces: [default]"), "s3_key: terraform.tfstate", "s3_key: other.tfstate", 1), on: s3State(s3Base, "s3_region: us-east-1", "workspaces: [default]"), observe: detectFromConfig, want: volume},
		{keys: []string{"state.s3_bucket"}, off: strings.Replace(s3State(s3Base, "s3_region: us-east-1", "workspaces: [default]"), "s3_bucket: tf-state", "s3_bucket: no-such-bucket", 1), on: s3State(s3Base, "s3_region: us-east-1", "workspaces: [default]"), observe: detectFromConfig, want: volume},
		{keys: []string{"state.workspaces"}, off: s3State(s3Base, "s3_region: us-east-1", "workspace_key_prefix: wsp", "workspaces: [staging]"), on: s3State(s3Base, "s3_region: us-east-1", "workspace_key_prefix: wsp", "workspaces: [default]"), observe: detectFromConfig, want: "ws=default"},
		{keys: []string{"state.workspace_key_prefix"}, off: s3State(s3Base, "s3_region: us-east-1", "workspaces: [staging]"), on: s3State(s3Base, "s3_region: us-east-1", "workspaces: [staging]", "workspace_key_prefix: wsp"), observe: detectFromConfig, want: "ws=staging"},
		{keys: []string{"state.role_arn"}, off: s3State(s3Base, "s3_region: us-east-1", "workspaces: [default]"), on: s3State(s3Base, "s3_region: us-east-1", "workspaces: [default]", "role_arn: arn:aws:iam::123456789012:role/StateReader"),
			observe: func(w *world, cfg string) string { w.sts.take(); return detectFromConfig(w, cfg) + w.sts.take() }, want: "assumed=arn:aws:iam::123456789012:role/StateReader"},
		{keys: []string{"providers.aws.accounts[].role_arn"},
			off:     "providers:\n  aws:\n    accounts:\n      - account_id: '123456789012'\n        state: {s3_bucket: tf-state, s3_key: terraform.tfstate, " + s3Base + ", s3_region: us-east-1, workspaces: [default]}\n",
			on:      "providers:\n  aws:\n    accounts:\n      - account_id: '123456789012'\n        role_arn: arn:aws:iam::123456789012:role/AccountReader\n        state: {s3_bucket: tf-state, s3_key: terraform.tfstate, " + s3Base + ", s3_region: us-east-1, workspaces: [default]}\n",
			observe: func(w *world, cfg string) string { w.sts.take(); return detectFromConfig(w, cfg) + w.sts.take() }, want: "assumed=arn:aws:iam::123456789012:role/AccountReader"},
		{keys: []string{"state.gcs_bucket", "state.gcs_endpoint", "state.gcs_prefix"}, off: "providers:\n  gcp:\n    state: {path: ${MISSING}}\n", on: gcsState(gcsBase, "gcs_prefix: gcp", "workspaces: [default]"), observe: detectFromConfig, want: "google_compute_firewall.web"},
		{keys: []string{"state.gcs_endpoint"}, off: gcsState("gcs_endpoint: "+gcsEmpty, "gcs_prefix: gcp", "workspaces: [default]"), on: gcsState(gcsBase, "gcs_prefix: gcp", "workspaces: [default]"), observe: detectFromConfig, want: "google_compute_firewall.web"},
		{keys: []string{"state.gcs_prefix"}, off: gcsState(gcsBase, "gcs_prefix: other", "workspaces: [default]"), on: gcsState(gcsBase, "gcs_prefix: gcp", "workspaces: [default]"), observe: detectFromConfig, want: "google_compute_firewall.web"},
		{keys: []string{"state.gcs_bucket"}, off: strings.Replace(gcsState(gcsBase, "gcs_prefix: gcp", "workspaces: [default]"), "tf-state", "no-such-bucket", 1), on: gcsState(gcsBase, "gcs_prefix: gcp", "workspaces: [default]"), observe: detectFromConfig, want: "google_compute_firewall.web"},
		{keys: []string{"state_refresh_interval"}, off: "providers:\n  aws:\n    state: {path: ${REFRESHED}}\n", on: "state_refresh_interval: 1s\nproviders:\n  aws:\n    state: {path: ${REFRESHED}}\n", observe: refreshed, want: "serial 4242"},

		// Live inputs.
		{keys: []string{"falco", "falco.http", "falco.http.listen"}, off: "falco:\n  http:\n    listen: 127.0.0.2:0\n", on: "falco:\n  http:\n    listen: 127.0.0.1:0\n", observe: falcoAuth(""), want: "bound=127.0.0.1 "},
		{keys: []string{"falco.http.secret"}, off: "falco:\n  http:\n    listen: 127.0.0.1:0\n", on: "falco:\n  http:\n    listen: 127.0.0.1:0\n    secret: s3cret-0123456789abcdef\n", observe: falcoAuth("127.0.0.1:0"), want: "no-credentials=401"},
		{keys: []string{"falco.http.bearer_token"}, off: "falco:\n  http:\n    listen: 127.0.0.1:0\n    secret: s3cret-0123456789abcdef\n", on: "falco:\n  http:\n    listen: 127.0.0.1:0\n    secret: s3cret-0123456789abcdef\n    bearer_token: tok-0123456789abcdef0123\n", observe: falcoAuth("127.0.0.1:0"), want: "bearer=202"},
		{keys: []string{"falco.enabled"}, off: "falco:\n  http:\n    listen: 127.0.0.1:0\n    secret: s3cret-0123456789abcdef\n", on: "falco:\n  enabled: false\n  http:\n    listen: 127.0.0.1:0\n    secret: s3cret-0123456789abcdef\n", observe: falcoAuth("127.0.0.1:0"), want: "no-credentials=202"},
		{keys: []string{"falco.unix_socket"}, off: "", on: "falco:\n  unix_socket: ${DIR}/falco.sock\n", observe: readiness, want: "falco.sock"},
		{keys: []string{"falco.hostname", "falco.port"}, off: "", on: "falco:\n  hostname: 127.0.0.1\n  port: 1\n  cert_file: ${CERT}\n  key_file: ${KEY}\n  ca_file: ${CA}\n", observe: readiness, want: "127.0.0.1:1"},
		{keys: []string{"falco.cert_file"}, off: "falco:\n  hostname: 127.0.0.1\n  port: 1\n  cert_file: ${MISSING}.crt\n  key_file: ${KEY}\n  ca_file: ${CA}\n", on: "falco:\n  hostname: 127.0.0.1\n  port: 1\n  cert_file: ${CERT}\n  key_file: ${KEY}\n  ca_file: ${CA}\n", observe: readiness, gone: "missing.crt"},
		{keys: []string{"falco.key_file"}, off: "falco:\n  hostname: 127.0.0.1\n  port: 1\n  cert_file: ${CERT}\n  key_file: ${MISSING}.key\n  ca_file: ${CA}\n", on: "falco:\n  hostname: 127.0.0.1\n  port: 1\n  cert_file: ${CERT}\n  key_file: ${KEY}\n  ca_file: ${CA}\n", observe: readiness, gone: "missing.key"},
		{keys: []string{"falco.ca_file"}, off: "falco:\n  hostname: 127.0.0.1\n  port: 1\n  cert_file: ${CERT}\n  key_file: ${KEY}\n  ca_file: ${MISSING}.ca\n", on: "falco:\n  hostname: 127.0.0.1\n  port: 1\n  cert_file: ${CERT}\n  key_file: ${KEY}\n  ca_file: ${CA}\n", observe: readiness, gone: "missing.ca"},
		{keys: []string{"sqs", "sqs.queue_url", "sqs.endpoint", "sqs.region"}, off: "", on: sqsInput(), observe: fromQueue("us-east-1", false, 15*time.Second, consumed), want: "module.network.aws_security_group.web_servers"},
		{keys: []string{"sqs.queue_url"}, off: strings.Replace(sqsInput(), "${SQS_QUEUE}", "${SQS_OTHER}", 1), on: sqsInput(), observe: fromQueue("us-east-1", false, 15*time.Second, consumed), want: "events=0"},
		{keys: []string{"sqs.region"}, off: sqsInput(), on: strings.Replace(sqsInput(), "region: us-east-1", "region: eu-west-1", 1), observe: fromQueue("eu-west-1", false, 15*time.Second, consumed), want: "events=0"},
		{keys: []string{"sqs.enabled"}, off: sqsInput(), on: sqsInput("enabled: false"), observe: fromQueue("us-east-1", false, 3*time.Second, consumed), gone: "events=0"},
		{keys: []string{"sqs.pollers"}, off: sqsInput(), on: strings.Replace(sqsInput(), "pollers: 1", "pollers: 3", 1),
			observe: fromQueue("us-east-1", false, 10*time.Second, func(s *sqsWorld, _ string) bool { return s.fake.Calls()["ReceiveMessage"] >= 4 }), want: "receives=4"},
		{keys: []string{"sqs.dlq_url"}, off: sqsInput("max_receives: 1", "visibility_timeout: 1s"), on: sqsInput("max_receives: 1", "visibility_timeout: 1s", "dlq_url: ${SQS_DLQ}"),
			observe: fromQueue("us-east-1", true, 6*time.Second, deadLettered), want: "dlq=1"},
		{keys: []string{"sqs.max_receives"}, off: sqsInput("dlq_url: ${SQS_DLQ}", "visibility_timeout: 1s", "max_receives: 9"), on: sqsInput("dlq_url: ${SQS_DLQ}", "visibility_timeout: 1s", "max_receives: 1"),
			observe: fromQueue("us-east-1", true, 4*time.Second, deadLettered), want: "dlq=1"},
		{keys: []string{"sqs.visibility_timeout"}, off: sqsInput("dlq_url: ${SQS_DLQ}", "max_receives: 1"), on: sqsInput("dlq_url: ${SQS_DLQ}", "max_receives: 1", "visibility_timeout: 1s"),
			observe: fromQueue("us-east-1", true, 4*time.Second, deadLettered), want: "dlq=1"},
		// The fake knows only the base credentials, so it refuses what the
		// assumed role signs: proof that the input signs with them.
		{keys: []string{"sqs.role_arn"}, off: sqsInput(), on: sqsInput("role_arn: arn:aws:iam::123456789012:role/QueueReader"),
			observe: fromQueue("us-east-1", false, 15*time.Second, func(s *sqsWorld, seen string) bool { return consumed(s, seen) || len(s.fake.Refused()) > 0 }),
			want:    "assumed=arn:aws:iam::123456789012:role/QueueReader"},

		// Notices.
		{keys: []string{"notifications", "notifications.slack", "notifications.slack.webhook_url"}, off: "", on: slackHook, observe: notify, want: "POST /slack"},
		{keys: []string{"notifications.slack.enabled"}, off: slackHook, on: slackHook + "    enabled: false\n", observe: notify, gone: "POST /slack"},
		{keys: []string{"notifications.slack.message_template"}, off: slackHook, on: slackHook + "    message_template: 'drift marker {{ .ResourceType }}'\n", observe: notify, want: "drift marker aws_ebs_volume"},
		{keys: []string{"notifications.slack.channels", "notifications.slack.channels[].name", "notifications.slack.channels[].webhook_url"},
			off: "notifications:\n  slack:\n    channel: '#drift'\n", on: "notifications:\n  slack:\n    channels:\n      - name: '#ops'\n        webhook_url: ${SINK}/ops\n", observe: notify, want: "POST /ops"},
		{keys: []string{"notifications.slack.channels[].filter", "filter.severity"},
			off: "notifications:\n  slack:\n    channels:\n      - name: '#ops'\n        webhook_url: ${SINK}/ops\n",
			on:  "notifications:\n  slack:\n    channels:\n      - name: '#ops'\n        webhook_url: ${SINK}/ops\n        filter: {severity: [critical]}\n", observe: notify, gone: "POST /ops"},
		{keys: []string{"notifications.slack.channels[].name"},
			off: "notifications:\n  slack:\n    token: xoxb-test\n    channels:\n      - name: '#ops'\n",
			on:  "notifications:\n  slack:\n    token: xoxb-test\n    channels:\n      - name: '#platform'\n", observe: route, want: "→ slack target=#platform"},
		{keys: []string{"notifications.slack.token"}, off: "notifications:\n  slack:\n    channel: '#drift'\n", on: "notifications:\n  slack:\n    channel: '#drift'\n    token: xoxb-test\n", observe: route, want: "→ slack"},
		{keys: []string{"notifications.slack.channel"},
			off: "notifications:\n  slack:\n    token: xoxb-test\n    channels:\n      - name: '#critical'\n        filter: {severity: [critical]}\n",
			on:  "notifications:\n  slack:\n    token: xoxb-test\n    channel: '#drift'\n    channels:\n      - name: '#critical'\n        filter: {severity: [critical]}\n", observe: route, want: "→ slack target=#drift"},
		{keys: []string{"notifications.webhooks", "notifications.webhooks[].url"}, off: "", on: hook, observe: notify, want: "POST /hook"},
		{keys: []string{"notifications.webhook"}, off: "", on: "notifications:\n  webhook:\n    url: ${SINK}/single\n", observe: notify, want: "POST /single"},
		{keys: []string{"notifications.webhooks[].name"}, off: hook, on: withHook("name: siem"), observe: notify, want: "→ siem: sent"},
		{keys: []string{"notifications.webhooks[].enabled"}, off: hook, on: withHook("enabled: false"), observe: notify, gone: "POST /hook"},
		{keys: []string{"notifications.webhooks[].method"}, off: hook, on: withHook("method: PUT"), observe: notify, want: "PUT /hook"},
		{keys: []string{"notifications.webhooks[].headers"}, off: hook, on: withHook("headers: {X-Team: infra}"), observe: notify, want: "x-team=infra"},
		{keys: []string{"notifications.webhooks[].payload_template"}, off: hook, on: withHook(`payload_template: '{"marker": "{{ .ResourceType }}"}'`), observe: notify, want: `body={"marker": "aws_ebs_volume"}`},
		{keys: []string{"notifications.webhooks[].filter", "filter.accounts"}, off: hook, on: withHook("filter: {accounts: ['999999999999']}"), observe: notify, gone: `"resource_type":"aws_ebs_volume"`},
		{keys: []string{"filter.provider"}, off: hook, on: withHook("filter: {provider: gcp}"), observe: notify, gone: `"resource_type":"aws_ebs_volume"`},
		{keys: []string{"filter.tags"}, off: hook, on: withHook("filter: {tags: [nothing-has-this]}"), observe: notify, gone: "POST /hook"},
		{keys: []string{"notifications.webhooks[].timeout"}, off: "notifications:\n  webhooks:\n    - url: ${SINK}/slow\n      filter: {provider: gcp}\n",
			on: "notifications:\n  webhooks:\n    - url: ${SINK}/slow\n      filter: {provider: gcp}\n      timeout: 50ms\n", observe: notify, want: "→ webhook: FAILED"},
		{keys: []string{"notifications.jira", "notifications.jira.url", "notifications.jira.email", "notifications.jira.api_token", "drift_rules[].actions", "drift_rules[].actions[].type"},
			off: rule + jira, on: jiraRule + jira, observe: notify, want: "POST /jira/rest/api/2/issue auth=Basic Ym90QGV4YW1wbGUuY29tOmppcmEtdG9rZW4="},
		{keys: []string{"notifications.jira.personal_access_token"}, off: jiraRule + jira, on: jiraRule + "notifications:\n  jira:\n    url: ${SINK}/jira\n    personal_access_token: pat-0123\n", observe: notify, want: "auth=Bearer pat-0123"},
		{keys: []string{"notifications.jira.enabled"}, off: jiraRule + jira, on: jiraRule + jira + "    enabled: false\n", observe: notify, gone: "/rest/api/2/issue"},
		{keys: []string{"notifications.jira.project"}, off: jiraRule + jira, on: jiraRule + jira + "    project: OPS\n", observe: notify, want: `"key":"OPS"`},
		{keys: []string{"notifications.jira.issue_type"}, off: jiraRule + jira, on: jiraRule + jira + "    issue_type: Bug\n", observe: notify, want: `"name":"Bug"`},
		{keys: []string{"notifications.jira.labels"}, off: jiraRule + jira, on: jiraRule + jira + "    labels: [drift-label]\n", observe: notify, want: `"drift-label"`},
		{keys: []string{"notifications.jira.components"}, off: jiraRule + jira, on: jiraRule + jira + "    components: [platform]\n", observe: notify, want: `"components":[{"name":"platform"}]`},
		{keys: []string{"notifications.jira.custom_fields"}, off: jiraRule + jira, on: jiraRule + jira + "    custom_fields: {customfield_10010: {value: High}}\n", observe: notify, want: `"customfield_10010":{"value":"High"}`},
		{keys: []string{"notifications.jira.done_transition"}, off: jiraRule + jira, on: jiraRule + jira + "    done_transition: Resolved\n", observe: resolveInJira, want: `"transition":{"id":"31"}`},
		{keys: []string{"drift_rules[].actions[].project"}, off: jiraRule + jira, on: jiraRule + "        project: SEC\n" + jira, observe: notify, want: `"key":"SEC"`},
		{keys: []string{"drift_rules[].actions[].issue_type"}, off: jiraRule + jira, on: jiraRule + "        issue_type: Incident\n" + jira, observe: notify, want: `"name":"Incident"`},
		{keys: []string{"drift_rules[].actions[].summary"}, off: jiraRule + jira, on: jiraRule + "        summary: Volume resized by hand\n" + jira, observe: notify, want: "Volume resized by hand"},
		{keys: []string{"drift_rules[].actions[].system"}, off: jiraRule + "        system: jira\n" + jira, on: jiraRule + "        system: github\n" + jira, observe: validate, want: "github is not configured"},
		{keys: []string{"drift_rules[].actions[].channels"}, off: withRule("actions: [{type: alert}]") + slackHook + "  webhooks: [{url: '${SINK}/hook'}]\n",
			on: withRule("actions: [{type: alert, channels: [webhook]}]") + slackHook + "  webhooks: [{url: '${SINK}/hook'}]\n", observe: route, gone: "aws_ebs_volume.app_data → slack"},
		{keys: []string{"drift_rules[].actions[].enabled"}, off: withRule("actions: [{type: alert, channels: [webhook]}]") + slackHook + "  webhooks: [{url: '${SINK}/hook'}]\n",
			on: withRule("actions: [{type: alert, channels: [webhook], enabled: false}]") + slackHook + "  webhooks: [{url: '${SINK}/hook'}]\n", observe: route, want: "aws_ebs_volume.app_data → slack"},
		{keys: []string{"drift_rules[].actions[].type"}, off: withRule("actions: [{type: alert, enabled: true}]") + "terraform: {}\n",
			on: withRule("actions: [{type: auto_revert, enabled: true}]") + "terraform: {}\n", observe: autoReverts, want: "aws_ebs_volume.app_data auto_revert rule=R"},
		{keys: []string{"drift_rules[].actions[].enabled"}, off: withRule("actions: [{type: auto_revert, enabled: false}]") + "terraform: {}\n",
			on: withRule("actions: [{type: auto_revert, enabled: true}]") + "terraform: {}\n", observe: autoReverts, want: "aws_ebs_volume.app_data auto_revert rule=R"},
		{keys: []string{"terraform"}, off: withRule("actions: [{type: auto_revert, enabled: true}]"),
			on: withRule("actions: [{type: auto_revert, enabled: true}]") + "terraform: {}\n", observe: autoReverts, want: "aws_ebs_volume.app_data auto_revert rule=R"},
		{keys: []string{"drift_rules[].actions[].priority"}, off: withRule("actions: [{type: alert}]") + slackHook, on: withRule("actions: [{type: alert, priority: p1}]") + slackHook, observe: route, want: "priority=p1"},
		{keys: []string{"drift_rules[].actions[].url"}, off: "", on: withRule("actions: [{type: webhook, url: 'https://soar.example.com/x'}]"), observe: route, want: "→ action-webhook url=https://soar.example.com/x"},
		{keys: []string{"notifications.pagerduty", "notifications.pagerduty.routing_key", "notifications.pagerduty.url"}, off: "", on: pd, observe: notify, want: `POST /pd/v2/enqueue body={"routing_key":"rk-0123"`},
		{keys: []string{"notifications.pagerduty.severity_map"}, off: pd, on: pd + "    severity_map: {medium: critical}\n", observe: notify, want: `"severity":"critical"`},
		{keys: []string{"notifications.pagerduty.enabled"}, off: pd, on: pd + "    enabled: false\n", observe: notify, gone: "/v2/enqueue"},
		{keys: []string{"notifications.email", "notifications.email.smtp_host", "notifications.email.smtp_port", "notifications.email.from", "notifications.email.to"}, off: "", on: mail, observe: notify, want: "MAIL FROM:<tfdrift@example.com>"},
		{keys: []string{"notifications.email.smtp_host"}, off: strings.Replace(mail, "smtp_host: 127.0.0.1", "smtp_host: 127.0.0.2", 1), on: mail, observe: notify, want: "RCPT TO:<ops@example.com>"},
		{keys: []string{"notifications.email.smtp_port"}, off: strings.Replace(mail, "smtp_port: ${SMTP_PORT}", "smtp_port: 1", 1), on: mail, observe: notify, want: "RCPT TO:<ops@example.com>"},
		{keys: []string{"notifications.email.to"}, off: mail, on: strings.Replace(mail, "to: [ops@example.com]", "to: [oncall@example.com]", 1), observe: notify, want: "RCPT TO:<oncall@example.com>"},
		{keys: []string{"notifications.email.from"}, off: mail, on: strings.Replace(mail, "from: tfdrift@example.com", "from: drift-bot@example.com", 1), observe: notify, want: "MAIL FROM:<drift-bot@example.com>"},
		{keys: []string{"notifications.email.username", "notifications.email.password"}, off: mail, on: mail + "    username: tfdrift\n    password: smtp-secret\n", observe: notify, want: "AUTH tfdrift:smtp-secret"},
		{keys: []string{"notifications.email.starttls"}, off: mail, on: strings.Replace(mail, "starttls: false", "starttls: true", 1), observe: notify, want: "→ email: FAILED"},
		{keys: []string{"notifications.email.enabled"}, off: mail, on: mail + "    enabled: false\n", observe: notify, gone: "MAIL FROM"},
		{keys: []string{"notifications.code_url"}, off: slackHook, on: slackHook + "  code_url: 'https://code.example.com/{file}#L{line}'\n", observe: notify, want: "https://code.example.com/main.tf#L"},
		{keys: []string{"output.file"}, off: "", on: "output: {file: ${DIR}/audit.ndjson}\n", observe: notify, want: `"event_type":"terraform_drift_detected"`},
		{keys: []string{"notifications.storm_control", "notifications.storm_control.threshold"}, off: slackHook, on: slackHook + "  storm_control: {threshold: 3}\n", observe: storm, want: "slack: 2 at once"},
		{keys: []string{"notifications.storm_control.enabled"}, off: slackHook, on: slackHook + "  storm_control: {enabled: false}\n", observe: storm, want: "slack: 12 at once"},
		{keys: []string{"notifications.storm_control.exempt"}, off: slackHook, on: slackHook + "  storm_control: {exempt: [slack]}\n", observe: storm, want: "slack: 12 at once"},
		{keys: []string{"notifications.storm_control.window"}, off: slackHook, on: slackHook + "  storm_control: {window: 1s}\n", observe: storm, want: "groups released after 2s: 1"},

		// The GitHub App: an issue per drifted resource on the repository
		// whose .tfdrift.yml claims the state.
		{keys: []string{"github", "github.app_id", "github.private_key_file", "github.webhook_secret", "github.api_url"},
			off: "", on: githubBlock, observe: githubIssues, want: "Drift: aws_instance.workers[1] modified"},
		{keys: []string{"github.app_id"}, off: strings.Replace(githubBlock, "app_id: 42", "app_id: 43", 1), on: githubBlock, observe: githubIssues, want: "Drift: aws_instance.app_server modified"},
		{keys: []string{"github.private_key_file"}, off: strings.Replace(githubBlock, "${GITHUB_KEY}", "${GITHUB_OTHER_KEY}", 1), on: githubBlock, observe: githubIssues, want: "Drift: aws_instance.workers[1] modified"},
		{keys: []string{"github.private_key"}, off: strings.Replace(githubBlock, "${GITHUB_KEY}", "${GITHUB_OTHER_KEY}", 1),
			on: strings.Replace(githubBlock, "private_key_file: ${GITHUB_KEY}", `private_key: "${`+githubEnvKey+`}"`, 1), observe: githubIssues, want: "Drift: aws_instance.workers[1] modified"},
		{keys: []string{"github.webhook_secret"}, off: strings.Replace(githubBlock, "${GITHUB_SECRET}", "not-the-secret", 1), on: githubBlock, observe: githubIssues, want: "ping=200"},
		{keys: []string{"github.api_url"}, off: strings.Replace(githubBlock, "${GITHUB_API}", "${GITHUB_EMPTY_API}", 1), on: githubBlock, observe: githubIssues, want: "Drift: aws_instance.workers[1] modified"},
		{keys: []string{"github.max_open_issues"}, off: githubBlock, on: githubBlock + "  max_open_issues: 1\n", observe: githubIssues, want: "tfdrift: drifts over the limit"},
	}, terraformRows()...)
}

// terraformRows are the rows of the terraform block: revert --dry-run
// with a real Terraform. Their observer, reverting, is nil without -tags
// e2e (world_noterraform_test.go).
func terraformRows() []keyRow {
	return []keyRow{
		// How accept --confirm and revert run terraform.
		{keys: []string{"terraform", "terraform.binary", "terraform.plugin_mirror"}, off: "terraform: {binary: ${MISSING}, plugin_mirror: ${MIRROR}}\n", on: "terraform: {binary: ${TF}, plugin_mirror: ${MIRROR}}\n", observe: reverting, want: "exit 0"},
		{keys: []string{"terraform.plugin_mirror"}, off: "terraform: {binary: ${TF}, plugin_mirror: ${EMPTY_MIRROR}}\n", on: "terraform: {binary: ${TF}, plugin_mirror: ${MIRROR}}\n", observe: reverting, want: "exit 0"},
		{keys: []string{"terraform.lock_timeout"}, off: "terraform: {binary: ${WRAPPER}, plugin_mirror: ${MIRROR}}\n", on: "terraform: {binary: ${WRAPPER}, plugin_mirror: ${MIRROR}, lock_timeout: 7s}\n", observe: reverting, want: "-lock-timeout=7s"},
		{keys: []string{"terraform.plugin_cache_dir"}, off: "terraform: {binary: ${TF}, plugin_mirror: ${MIRROR}}\n", on: "terraform: {binary: ${TF}, plugin_mirror: ${MIRROR}, plugin_cache_dir: ${DIR}/plugin-cache}\n", observe: reverting, want: "registry.terraform.io/hashicorp/aws"},
	}
}

func writeFile(w *world, name, content string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, name), []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
}
