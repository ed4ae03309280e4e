package main

import "github.com/tfdrift/tfdrift/app/demo"

func init() {
	register("demo", command{summary: "run the detector end to end on an embedded example (no cloud needed)",
		run: jobCommand("demo", "demo [--format text|json] [--keep] [--replay-only]", demoHelp, nil, demo.Run)})
}

const demoHelp = `
Runs the whole detector on an embedded scenario: an example infra repo with
modules, its Terraform state, typical drift rules, and a morning of audit
events in three formats (a CloudTrail log file, a Falco alert and a GCP audit
entry). Console edits become drifts with expected/actual values, severity,
tags, who did it from where, and the file and line in the repo. Reads, failed
calls, Terraform's own apply, ignored attributes and a redelivered event are
filtered out. After the replay it prints the Markdown GitHub would show: the
drift issue the GitHub App opens, the pull request /tfdrift accept opens, the
comment commands, and tfdrift check's job summary.

Then the live half: tfdrift serve starts on a loopback port, the same
CloudTrail writes arrive as Falco alerts on POST /falco, and the drifts
stream out as they are detected, each with its detection latency.

Nothing leaves the machine. The scenario is written to a temporary
directory; --keep leaves it there so you can re-run the printed command.

Exit status: 0 the demo ran; 1 it could not.`
