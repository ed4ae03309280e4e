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
file and record number (and line and byte offset where the JSON framing was
lost; reading resumes at the next line that starts with { or [) and skipped;
an unreadable input is reported and the next one read. Every drift found is
printed whatever fails later. Records that describe no cloud API call (an EC2
state-change notice, a Falco syscall alert) are skipped and counted with their
reason; they do not change the exit status. SIGINT or SIGTERM stops a replay
at once, even one waiting on a FIFO or a stalled pipe.

Exit status: 0 ok (or, with --detailed-exitcode, no drift); 2 drift found
(--detailed-exitcode only); 1 an error, or records or inputs that could not be
read.

Examples:
  tfdrift replay --state terraform.tfstate cloudtrail/*.json.gz
  tfdrift replay --config tfdrift.yaml --repo ../infra --format json events.ndjson
  aws s3 cp s3://trail/...json.gz - | tfdrift replay --state prod.tfstate -
  tfdrift replay --config tfdrift.yaml --notify events.json   # try your Slack/Jira set-up`
