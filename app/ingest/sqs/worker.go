package sqs

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/tfdrift/tfdrift/app/ingest"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// batchMax is SQS's limit on entries per batch call.
const batchMax = 10

// finalFlushTimeout bounds the last deletion attempt when Run stops.
const finalFlushTimeout = 5 * time.Second

// worker deletes finished messages in batches and extends the leases of
// messages still in flight. One goroutine does both, so that no two calls
// race on one receipt handle.
func (in *Input) worker(ctx context.Context, stop <-chan struct{}) {
	// Ticking at a quarter of the timeout extends each lease between half
	// and three quarters of the way through it.
	tick := time.NewTicker(in.visibility / 4)
	defer tick.Stop()
	// A failed deletion is retried with backoff, sooner than the tick:
	// until it succeeds the lease has to be kept alive.
	bo := ingest.Backoff{Min: in.cfg.MinBackoff, Max: in.cfg.MaxBackoff}
	var retry <-chan time.Time
	flush := func(ctx context.Context) {
		if in.flushDeletes(ctx) {
			bo.Reset()
			retry = nil
			return
		}
		retry = time.After(bo.Next())
	}
	for {
		select {
		case <-stop:
			fctx, cancel := context.WithTimeout(ctx, finalFlushTimeout)
			in.flushDeletes(fctx)
			cancel()
			return
		case <-in.tr.wake:
			sleep(stop, in.cfg.DeleteBatchDelay) // let others join the batch
			flush(ctx)
		case <-retry:
			flush(ctx)
		case <-tick.C:
			in.extendLeases(ctx)
		}
	}
}

// flushDeletes deletes every message waiting for it and reports whether
// all calls went through. A failed call leaves the messages for a retry;
// their leases are still extended meanwhile.
func (in *Input) flushDeletes(ctx context.Context) bool {
	fs := in.tr.toDelete()
	for len(fs) > 0 {
		n := min(len(fs), batchMax)
		batch := fs[:n]
		fs = fs[n:]
		entries := make([]types.DeleteMessageBatchRequestEntry, len(batch))
		for i, f := range batch {
			entries[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(f.receipt)}
		}
		out, err := in.cfg.Client.DeleteMessageBatch(ctx, &awssqs.DeleteMessageBatchInput{QueueUrl: aws.String(in.cfg.QueueURL), Entries: entries})
		if err != nil {
			in.status.NoteError(fmt.Errorf("sqs %s: delete: %w", in.cfg.QueueURL, err))
			return false
		}
		for _, ok := range out.Successful {
			if i, err := strconv.Atoi(aws.ToString(ok.Id)); err == nil && i < len(batch) {
				in.c.deleted.Add(1)
				in.tr.drop(batch[i])
			}
		}
		for _, bad := range out.Failed {
			i, err := strconv.Atoi(aws.ToString(bad.Id))
			if err != nil || i >= len(batch) {
				continue
			}
			// A sender fault (the handle is no longer valid) will not
			// get better; the message comes back and the store's
			// fingerprint absorbs it. Anything else is retried.
			if bad.SenderFault {
				in.c.deleteErrors.Add(1)
				in.tr.drop(batch[i])
			}
		}
	}
	return true
}

// extendLeases restarts the visibility timeout of every message in flight
// for half of it or more.
func (in *Input) extendLeases(ctx context.Context) {
	now := time.Now()
	fs := in.tr.toExtend(now, in.visibility)
	secs := int32(in.visibility / time.Second)
	for len(fs) > 0 {
		n := min(len(fs), batchMax)
		batch := fs[:n]
		fs = fs[n:]
		entries := make([]types.ChangeMessageVisibilityBatchRequestEntry, len(batch))
		for i, f := range batch {
			entries[i] = types.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(f.receipt), VisibilityTimeout: secs}
		}
		out, err := in.cfg.Client.ChangeMessageVisibilityBatch(ctx, &awssqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(in.cfg.QueueURL), Entries: entries})
		if err != nil {
			in.status.NoteError(fmt.Errorf("sqs %s: extend visibility: %w", in.cfg.QueueURL, err))
			return
		}
		for _, ok := range out.Successful {
			if i, err := strconv.Atoi(aws.ToString(ok.Id)); err == nil && i < len(batch) {
				in.c.extended.Add(1)
				in.tr.extended(batch[i], now)
			}
		}
		for _, bad := range out.Failed {
			if i, err := strconv.Atoi(aws.ToString(bad.Id)); err == nil && i < len(batch) && bad.SenderFault {
				in.c.leasesLost.Add(1)
				in.tr.lost(batch[i])
			}
		}
	}
}

// Attributes added to a message sent to the DLQ.
const (
	AttrError        = "tfdrift.error"
	AttrReceiveCount = "tfdrift.receive-count"
	AttrSourceQueue  = "tfdrift.source-queue"
	AttrMessageID    = "tfdrift.message-id"
)

// maxErrorAttr bounds the error text carried to the DLQ.
const maxErrorAttr = 4096

// deadLetter sends a message that kept failing to the DLQ with its
// original body and attributes plus why, then deletes it. If the send
// fails, the message stays where it is and comes back.
func (in *Input) deadLetter(ctx context.Context, m types.Message, receives int, f *flight) {
	reason := in.errs.get(f.id)
	if reason == "" {
		reason = fmt.Sprintf("received %d times, more than the %d allowed, without being processed", receives, in.cfg.MaxReceives)
	}
	attrs := keepAttributes(m.MessageAttributes, 4)
	attrs[AttrError] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(sqsSafe(reason, maxErrorAttr))}
	attrs[AttrReceiveCount] = types.MessageAttributeValue{DataType: aws.String("Number"), StringValue: aws.String(strconv.Itoa(receives))}
	attrs[AttrSourceQueue] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(in.cfg.QueueURL)}
	attrs[AttrMessageID] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(f.id)}
	_, err := in.cfg.Client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(in.cfg.DLQURL), MessageBody: m.Body, MessageAttributes: attrs})
	if err != nil {
		in.c.dlqErrors.Add(1)
		in.status.NoteError(fmt.Errorf("sqs %s: sending message %s to the DLQ %s: %w", in.cfg.QueueURL, f.id, in.cfg.DLQURL, err))
		in.tr.drop(f)
		return
	}
	in.c.deadLettered.Add(1)
	in.tr.markDelete(f)
}

// keepAttributes copies the original message attributes that fit beside
// ours (SQS allows 10), in name order so the choice is stable. List values
// were never implemented by SQS and are skipped.
func keepAttributes(orig map[string]types.MessageAttributeValue, reserve int) map[string]types.MessageAttributeValue {
	out := make(map[string]types.MessageAttributeValue, batchMax)
	names := make([]string, 0, len(orig))
	for n := range orig {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if len(out) == batchMax-reserve {
			break
		}
		a := orig[n]
		if a.DataType == nil || (a.StringValue == nil && a.BinaryValue == nil) {
			continue
		}
		out[n] = types.MessageAttributeValue{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
	}
	return out
}

// sqsSafe makes s a valid SQS string value of at most max bytes: SQS
// refuses control characters other than tab, CR and LF.
func sqsSafe(s string, max int) string {
	b := make([]rune, 0, len(s))
	n := 0
	for _, r := range s {
		if !(r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000) {
			r = '?'
		}
		if n += utf8.RuneLen(r); n > max {
			break
		}
		b = append(b, r)
	}
	return string(b)
}
