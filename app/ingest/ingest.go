// Package ingest defines what every live input (Falco HTTP, Falco gRPC,
// SQS) hands to the daemon's pipeline: raw records, undecoded, with a
// completion callback so that an input can acknowledge upstream only once
// the work is durably done.
//
// Subpackages implement one input each. They import only this package,
// the standard library and their own client libraries: never the detector,
// the store or the app.
package ingest

import (
	"context"
	"errors"
	"time"
)

// Message is one record received from an input.
type Message struct {
	// Source names the input: "falco-http", "falco-grpc", "sqs".
	Source string
	// Body is one JSON value in any format detector/decode accepts (a
	// Falco alert, an EventBridge envelope, a CloudTrail record or log
	// file, a GCP LogEntry, a Pub/Sub push message). It belongs to the
	// message: the input never modifies it after handing it over, so the
	// pipeline decodes it without a copy.
	Body []byte
	// ValidJSON says the input has checked that Body is exactly one valid
	// JSON value (the Falco HTTP handler does, to answer 400 at once), so
	// the pipeline need not check again.
	ValidJSON bool
	// ID is the input's own message ID (falcosidekick uuid, SQS MessageId),
	// for logs and de-duplication; may be empty.
	ID       string
	Received time.Time
	// Done must be called exactly once: with nil when the message's drifts
	// (if any) are durably recorded, or with the error that stopped it.
	// SQS deletes the message on nil and leaves it for redelivery
	// otherwise; HTTP inputs have already answered and only count.
	Done func(err error)
}

// Handler accepts a message into the pipeline. It must not block for long:
// when the pipeline is full it returns ErrOverloaded at once, and an HTTP
// input answers 503 with Retry-After.
type Handler func(ctx context.Context, m Message) error

// ErrOverloaded means the pipeline's queue is full; try again shortly.
var ErrOverloaded = errors.New("pipeline overloaded")

// State is an input's connection state, for /readyz and metrics.
type State string

// Connection states.
const (
	StateConnecting   State = "connecting"
	StateConnected    State = "connected"
	StateDisconnected State = "disconnected"
)

// Status reports an input's health.
type Status struct {
	Name      string
	State     State
	LastError string
	Since     time.Time
}

// Input is a long-running source of messages.
type Input interface {
	// Run delivers messages to h until ctx is cancelled. It returns nil
	// on cancellation and an error only when the input cannot run at all
	// (bad configuration).
	Run(ctx context.Context, h Handler) error
	Status() Status
}

// Journaled is an Input whose upstream never redelivers (Falco's gRPC
// outputs, like its http_output): a message it acknowledged and then lost
// in a crash would be gone. The daemon therefore journals each of its
// messages in the spool before the pipeline takes it, and at the next
// start replays the unsettled ones to the consumer of JournalSource.
//
// An input that can redeliver (SQS: a message is deleted only after its
// drift is recorded) does not implement it; its messages skip the spool.
type Journaled interface {
	Input
	// JournalSource is the Message.Source its messages carry, by which
	// the spool's replay finds their consumer.
	JournalSource() string
}

// Journal marks in as Journaled, its messages carrying source. It is for
// inputs that do not implement Journaled themselves.
func Journal(in Input, source string) Journaled { return journaled{in, source} }

type journaled struct {
	Input
	source string
}

func (j journaled) JournalSource() string { return j.source }
