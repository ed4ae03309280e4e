// Package notices is the job behind `tfdrift notices list|retry`: it shows
// the durable outbox of notices (Slack, webhooks, PagerDuty, Jira, email)
// that serve's workers deliver, and puts failed or dead ones back in the
// queue.
//
// Exit status (Run's error, see job.Status): 0 done; 1 an error (an
// unknown notice ID, the store unreachable); 2 usage: an unknown verb
// (ErrUsage).
//
// It imports app/job and app/store, never another job package.
package notices
