// Package replay is the replay job: recorded audit events (CloudTrail log
// files, NDJSON, EventBridge envelopes, Falco alerts, GCP audit entries)
// run through the detector, and the drifts found are printed and, with
// Notify, delivered through the configured sinks.
//
// Exit status (Run's error, see job.Status):
//
//	0  ok; with DetailedExitcode, no drift
//	1  an error, or some records or inputs could not be read
//	   (*BadRecordsError; the rest were still processed). Records of a
//	   kind that describes no cloud API call are skipped and counted,
//	   not bad.
//	2  drift found, with DetailedExitcode only (*DriftFoundError)
//
// It imports app/job and app/wiring, never another job package or
// app/daemon.
package replay
