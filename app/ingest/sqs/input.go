package sqs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/tfdrift/tfdrift/app/ingest"
)

// Source is the Message.Source of messages received by this input.
const Source = "sqs"

// API is the part of the SQS client the input uses; *sqs.Client from
// aws-sdk-go-v2 satisfies it. The daemon builds the client (region,
// credentials, endpoint); this package never reads the environment.
type API interface {
	ReceiveMessage(context.Context, *awssqs.ReceiveMessageInput, ...func(*awssqs.Options)) (*awssqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(context.Context, *awssqs.DeleteMessageBatchInput, ...func(*awssqs.Options)) (*awssqs.DeleteMessageBatchOutput, error)
	ChangeMessageVisibilityBatch(context.Context, *awssqs.ChangeMessageVisibilityBatchInput, ...func(*awssqs.Options)) (*awssqs.ChangeMessageVisibilityBatchOutput, error)
	SendMessage(context.Context, *awssqs.SendMessageInput, ...func(*awssqs.Options)) (*awssqs.SendMessageOutput, error)
}

// Defaults for Config.
const (
	DefaultPollers           = 1
	DefaultMaxMessages       = 10
	DefaultWaitTime          = 20 * time.Second
	DefaultVisibilityTimeout = 30 * time.Second
	DefaultMaxReceives       = 5
	DefaultDrainTimeout      = 30 * time.Second
	DefaultMinBackoff        = 500 * time.Millisecond
	DefaultMaxBackoff        = 30 * time.Second
	DefaultDeleteBatchDelay  = 10 * time.Millisecond
	DefaultOverloadRetry     = 50 * time.Millisecond
)

// Config configures the input. QueueURL and Client are required.
type Config struct {
	// Name is the input's name in Status (default "sqs").
	Name string
	// QueueURL is the queue EventBridge (or SNS) delivers to.
	QueueURL string
	Client   API
	// Pollers is the number of concurrent ReceiveMessage loops (default 1).
	Pollers int
	// MaxMessages per ReceiveMessage, 1–10 (default 10).
	MaxMessages int
	// WaitTime is the long-poll wait, whole seconds 1–20 (default 20s).
	WaitTime time.Duration
	// VisibilityTimeout is requested with every receive, whole seconds
	// (default 30s). A message still in flight after half of it is
	// extended by the same amount, until it is done.
	VisibilityTimeout time.Duration
	// DLQURL receives messages delivered more than MaxReceives times,
	// with the original body and attributes saying why; they are then
	// deleted from QueueURL. Empty leaves poison messages to the queue's
	// own redrive policy.
	DLQURL string
	// MaxReceives is the ApproximateReceiveCount above which a message
	// goes to DLQURL (default 5).
	MaxReceives int
	// DrainTimeout bounds how long Run waits, once ctx is cancelled, for
	// messages in flight to be done and deleted (default 30s). Messages
	// not done by then are left to reappear after their visibility timeout.
	DrainTimeout time.Duration
	// MinBackoff and MaxBackoff bound the jittered exponential wait after
	// a failed receive (defaults 500ms and 30s).
	MinBackoff, MaxBackoff time.Duration
	// DeleteBatchDelay is how long a deletion waits for others to share a
	// DeleteMessageBatch call (default 10ms).
	DeleteBatchDelay time.Duration
	// OverloadRetry is the wait before offering a message again when the
	// pipeline is full (default 50ms); its lease is extended meanwhile.
	OverloadRetry time.Duration
}

// Stats are the input's counters since it was created.
type Stats struct {
	Received     uint64 // messages received from SQS
	Unwrapped    uint64 // of which SNS notifications, unwrapped
	Delivered    uint64 // taken by the pipeline
	Overloaded   uint64 // offers refused with ErrOverloaded (each retried)
	Rejected     uint64 // refused by the pipeline with another error (left for redelivery)
	Completed    uint64 // Done(nil)
	Failed       uint64 // Done(err): left for redelivery
	Deleted      uint64 // deleted from the queue
	DeleteErrors uint64 // deletions SQS refused for good (the message comes back)
	Extended     uint64 // visibility extensions
	LeasesLost   uint64 // extensions SQS refused (the message may come back)
	DeadLettered uint64 // sent to the DLQ
	DLQErrors    uint64 // DLQ sends that failed (the message comes back)
	ReceiveErrs  uint64 // failed ReceiveMessage calls
}

type counters struct {
	received, unwrapped, delivered, overloaded, rejected atomic.Uint64
	completed, failed, deleted, deleteErrors, extended   atomic.Uint64
	leasesLost, deadLettered, dlqErrors, receiveErrs     atomic.Uint64
}

// Input polls one SQS queue. Create it with New; Run it once.
type Input struct {
	cfg        Config
	visibility time.Duration
	status     ingest.StatusTracker
	tr         *tracker
	errs       *errorLog
	c          counters
}

var _ ingest.Input = (*Input)(nil)

// New validates cfg and fills in defaults.
func New(cfg Config) (*Input, error) {
	if cfg.Name == "" {
		cfg.Name = Source
	}
	fail := func(format string, args ...any) (*Input, error) {
		return nil, fmt.Errorf("sqs input %s: "+format, append([]any{cfg.Name}, args...)...)
	}
	switch {
	case cfg.QueueURL == "":
		return fail("no queue URL")
	case cfg.Client == nil:
		return fail("no SQS client")
	case cfg.DLQURL == cfg.QueueURL:
		return fail("the DLQ is the queue itself")
	}
	setInt(&cfg.Pollers, DefaultPollers)
	setInt(&cfg.MaxMessages, DefaultMaxMessages)
	setInt(&cfg.MaxReceives, DefaultMaxReceives)
	setDur(&cfg.WaitTime, DefaultWaitTime)
	setDur(&cfg.VisibilityTimeout, DefaultVisibilityTimeout)
	setDur(&cfg.DrainTimeout, DefaultDrainTimeout)
	setDur(&cfg.MinBackoff, DefaultMinBackoff)
	setDur(&cfg.MaxBackoff, DefaultMaxBackoff)
	setDur(&cfg.DeleteBatchDelay, DefaultDeleteBatchDelay)
	setDur(&cfg.OverloadRetry, DefaultOverloadRetry)
	switch {
	case cfg.Pollers < 1 || cfg.Pollers > 100:
		return fail("pollers %d: want 1 to 100", cfg.Pollers)
	case cfg.MaxMessages < 1 || cfg.MaxMessages > 10:
		return fail("max messages %d: want 1 to 10", cfg.MaxMessages)
	case cfg.MaxReceives < 1:
		return fail("max receives %d: want at least 1", cfg.MaxReceives)
	case cfg.WaitTime < time.Second || cfg.WaitTime > 20*time.Second || cfg.WaitTime%time.Second != 0:
		return fail("wait time %v: want whole seconds from 1s to 20s", cfg.WaitTime)
	case cfg.VisibilityTimeout < time.Second || cfg.VisibilityTimeout > 12*time.Hour || cfg.VisibilityTimeout%time.Second != 0:
		return fail("visibility timeout %v: want whole seconds from 1s to 12h", cfg.VisibilityTimeout)
	case cfg.MinBackoff < 0 || cfg.MaxBackoff < cfg.MinBackoff:
		return fail("backoff %v–%v: want 0 ≤ min ≤ max", cfg.MinBackoff, cfg.MaxBackoff)
	case cfg.DrainTimeout < 0 || cfg.DeleteBatchDelay < 0 || cfg.OverloadRetry < 0:
		return fail("negative timeout")
	}
	in := &Input{cfg: cfg, visibility: cfg.VisibilityTimeout, tr: newTracker(), errs: newErrorLog(10000)}
	in.status.Init(cfg.Name, ingest.StateDisconnected)
	return in, nil
}

func setInt(p *int, def int) {
	if *p == 0 {
		*p = def
	}
}

func setDur(p *time.Duration, def time.Duration) {
	if *p == 0 {
		*p = def
	}
}

// Status reports whether the last ReceiveMessage worked.
func (in *Input) Status() ingest.Status { return in.status.Get() }

// Stats returns the counters.
func (in *Input) Stats() Stats {
	c := &in.c
	return Stats{
		Received: c.received.Load(), Unwrapped: c.unwrapped.Load(), Delivered: c.delivered.Load(),
		Overloaded: c.overloaded.Load(), Rejected: c.rejected.Load(), Completed: c.completed.Load(),
		Failed: c.failed.Load(), Deleted: c.deleted.Load(), DeleteErrors: c.deleteErrors.Load(),
		Extended: c.extended.Load(), LeasesLost: c.leasesLost.Load(), DeadLettered: c.deadLettered.Load(),
		DLQErrors: c.dlqErrors.Load(), ReceiveErrs: c.receiveErrs.Load(),
	}
}

// Run polls until ctx is cancelled, then stops polling and waits up to
// DrainTimeout for the messages in flight to be done and deleted.
func (in *Input) Run(ctx context.Context, h ingest.Handler) error {
	if h == nil {
		return fmt.Errorf("sqs input %s: nil handler", in.cfg.Name)
	}
	in.status.Set(ingest.StateConnecting, nil)
	// Deletions and extensions must outlive ctx: draining needs them.
	apiCtx, cancelAPI := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelAPI()
	stopWorker, workerDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(workerDone)
		in.worker(apiCtx, stopWorker)
	}()

	var wg sync.WaitGroup
	for range in.cfg.Pollers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.poll(ctx, h)
		}()
	}
	wg.Wait()

	in.drain()
	close(stopWorker)
	<-workerDone
	in.status.Set(ingest.StateDisconnected, nil)
	return nil
}

// drain waits for the flights to end, at most DrainTimeout.
func (in *Input) drain() {
	deadline := time.NewTimer(in.cfg.DrainTimeout)
	defer deadline.Stop()
	for in.tr.len() > 0 {
		select {
		case <-in.tr.ended:
		case <-deadline.C:
			return
		}
	}
}

func (in *Input) poll(ctx context.Context, h ingest.Handler) {
	bo := ingest.Backoff{Min: in.cfg.MinBackoff, Max: in.cfg.MaxBackoff}
	for ctx.Err() == nil {
		out, err := in.cfg.Client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(in.cfg.QueueURL),
			MaxNumberOfMessages:         int32(in.cfg.MaxMessages),
			WaitTimeSeconds:             int32(in.cfg.WaitTime / time.Second),
			VisibilityTimeout:           int32(in.visibility / time.Second),
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount, types.MessageSystemAttributeNameSentTimestamp},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			in.c.receiveErrs.Add(1)
			in.status.Set(ingest.StateDisconnected, fmt.Errorf("sqs %s: receive: %w", in.cfg.QueueURL, err))
			if !sleep(ctx.Done(), bo.Next()) {
				return
			}
			continue
		}
		bo.Reset()
		in.status.Set(ingest.StateConnected, nil)
		// The lease started when SQS answered; track every message before
		// offering the first, so that all of them are extended.
		now := time.Now()
		flights := make([]*flight, len(out.Messages))
		for i, m := range out.Messages {
			flights[i] = in.tr.add(aws.ToString(m.MessageId), aws.ToString(m.ReceiptHandle), now)
		}
		in.c.received.Add(uint64(len(out.Messages)))
		for i, m := range out.Messages {
			if ctx.Err() != nil {
				// Stopping: leave the rest to their visibility timeout.
				in.tr.drop(flights[i])
				continue
			}
			in.handle(ctx, h, m, flights[i], now)
		}
	}
}

// handle offers one message to the pipeline, or sends it to the DLQ.
func (in *Input) handle(ctx context.Context, h ingest.Handler, m types.Message, f *flight, received time.Time) {
	if in.cfg.DLQURL != "" {
		if n, _ := strconv.Atoi(m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)]); n > in.cfg.MaxReceives {
			in.deadLetter(ctx, m, n, f)
			return
		}
	}
	body, wrapped := unwrapSNS([]byte(aws.ToString(m.Body)))
	if wrapped {
		in.c.unwrapped.Add(1)
	}
	msg := ingest.Message{Source: Source, Body: body, ID: f.id, Received: received, Done: in.doneFunc(f)}
	for {
		err := h(ctx, msg)
		switch {
		case err == nil:
			in.c.delivered.Add(1)
			return
		case errors.Is(err, ingest.ErrOverloaded):
			in.c.overloaded.Add(1)
			if !sleep(ctx.Done(), in.cfg.OverloadRetry) {
				in.tr.drop(f)
				return
			}
		default:
			in.c.rejected.Add(1)
			in.errs.note(f.id, err.Error())
			in.tr.drop(f)
			return
		}
	}
}

// doneFunc is the message's Done: nil deletes it, an error leaves it for
// redelivery. Calls after the first are ignored.
func (in *Input) doneFunc(f *flight) func(error) {
	var called atomic.Bool
	return func(err error) {
		if !called.CompareAndSwap(false, true) {
			return
		}
		if err != nil {
			in.c.failed.Add(1)
			in.errs.note(f.id, err.Error())
			in.tr.drop(f)
			return
		}
		in.c.completed.Add(1)
		in.tr.markDelete(f)
	}
}
