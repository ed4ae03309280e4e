// Package sqs is the EventBridge → SQS input: it long-polls an SQS queue
// and hands each message body (an EventBridge envelope, or any record the
// detector decodes) to the daemon's pipeline. SNS notification envelopes
// ({"Type":"Notification","Message":"…"}) are unwrapped.
//
// Delivery is at least once and loses nothing:
//   - a message is deleted (DeleteMessageBatch) only when the pipeline calls
//     Done(nil), that is once its drifts are durably recorded; Done(err)
//     leaves it, and SQS redelivers it after the visibility timeout;
//   - while a message is offered, processed or waiting for its deletion, its
//     visibility timeout is extended (ChangeMessageVisibilityBatch) every
//     time half of it has passed, so no other consumer gets it meanwhile;
//   - a message received more than MaxReceives times goes to the DLQ with
//     its body and attributes and the reason, then is deleted;
//   - a full pipeline (ErrOverloaded) is waited for, with the lease kept;
//   - failed receives back off with jitter and show in Status; failed
//     deletions are retried;
//   - on cancellation Run stops polling and waits, up to DrainTimeout, for
//     the messages in flight to be done and deleted.
//
// A redelivered message makes no second drift: the store de-duplicates by
// fingerprint.
//
// Tests run against sqsfake, an in-process server that speaks the AWS JSON
// protocol the SDK sends and checks SigV4.
//
// This package imports only app/ingest, the standard library and
// aws-sdk-go-v2: never the detector, the store or the app. The caller
// builds the SQS client (region, credentials, role); nothing here reads the
// environment.
package sqs
