// Package pagerduty is the native PagerDuty sink: Events API v2, one
// event per notice, with dedup_key set to the notice's fingerprint so that
// redeliveries from the at-least-once outbox fold into one incident and a
// resolved drift resolves it.
//
// Render builds the event (pure, golden-tested); Sink sends it to
// BaseURL/v2/enqueue. The other PagerDuty route, a webhook with a
// payload_template, is the webhook package's job.
//
// It imports ticket, ticket/cost and the standard library; never app.
package pagerduty
