// Package sqsfake is an in-process Amazon SQS server for tests: an
// http.Handler that speaks the AWS JSON 1.0 protocol that current
// aws-sdk-go-v2 sends (POST /, X-Amz-Target: AmazonSQS.<Action>,
// Content-Type: application/x-amz-json-1.0) and checks each request's
// SigV4 Authorization header.
//
// It exists because the Go emulator github.com/Admiral-Piett/goaws v0.4.5
// routes on the query protocol's form field Action and answers in XML, so
// the SDK's JSON requests get "400 Bad Request" from it.
//
// Implemented, with SQS's semantics for standard queues: CreateQueue,
// GetQueueUrl, GetQueueAttributes, SendMessage, ReceiveMessage (long
// polling up to WaitTimeSeconds, visibility timeout, receive count and the
// system attributes ApproximateReceiveCount, ApproximateFirstReceiveTimestamp,
// SentTimestamp, SenderId, message attributes with their MD5),
// DeleteMessage, DeleteMessageBatch, ChangeMessageVisibility and
// ChangeMessageVisibilityBatch. Anything else is refused with the JSON
// error shape SQS uses ({"__type": "...#UnknownOperationException"}).
// FIFO queues, redrive policies, permissions and tags are outside what
// tfdrift uses (its config refuses a FIFO dead-letter queue) and are
// refused the same way, so a test cannot pass against behaviour the fake
// does not have.
//
// Time is real: visibility timeouts are whole seconds as in SQS, so tests
// that wait for a redelivery take a second or more.
//
// Only tests import this package. It imports the standard library only.
package sqsfake
