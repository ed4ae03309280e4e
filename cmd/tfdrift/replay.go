package main

import "github.com/tfdrift/tfdrift/app/replay"

func init() {
	register("replay", command{summary: "run audit events from files through the detector",
		run: jobCommand("replay", "replay [flags] FILE... | -", replayHelp,
			func(a *replay.Args, args []string) error { a.Inputs = args; return nil }, replay.Run)})
}

const replayHelp = `
Runs audit events through the detector and prints the drifts found.

Each input may be a CloudTrail log file ({"Records":[...]}, plain or .gz), a
single CloudTrail record, NDJSON, an EventBridge envelope, a Falco alert
(http_output or falcosidekick; sources aws_cloudtrail and gcp_auditlog), a GCP
audit LogEntry or a Pub/Sub push message — detected record by record. "-"
reads standard input.

Drifts go to stdout; diagnostics to stderr. A bad record is reported with its
file and record number and skipped; the rest still run and the exit status
is 1.

Exit status: 0 ok (or, with --detailed-exitcode, no drift); 2 drift found
(--detailed-exitcode only); 1 error or bad records.

Examples:
  tfdrift replay --state terraform.tfstate cloudtrail/*.json.gz
  tfdrift replay --config tfdrift.yaml --repo ../infra --format json events.ndjson
  aws s3 cp s3://trail/...json.gz - | tfdrift replay --state prod.tfstate -
  tfdrift replay --config tfdrift.yaml --notify events.json   # try your Slack/Jira set-up`
