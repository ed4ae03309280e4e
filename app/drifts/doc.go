// Package drifts is the job behind `tfdrift drifts list|ack|resolve|ignore`:
// it lists the drift records serve keeps in the store and moves them
// through their lifecycle (open → acknowledged → resolved | ignored). A
// resolve with a config queues the resolve notices (PagerDuty resolves,
// Jira transitions, Slack posts in green) in the same transaction.
//
// Exit status (Run's error, see job.Status): 0 done; 1 an error, or some
// fingerprints could not be moved (*FailedError, each reported on stderr);
// 2 usage: an unknown verb (ErrUsage).
//
// It imports app/job, app/wiring and app/store, never another job
// package.
package drifts
