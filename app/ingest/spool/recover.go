package spool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/tfdrift/tfdrift/app/ingest"
)

// Consumers says which handler takes the replayed messages of each
// journaled source (ingest.Message.Source): the drift pipeline takes the
// Falco inputs' alerts, the GitHub App its webhook deliveries. Each
// journaled kind of message goes back to its own consumer, never into
// another's.
type Consumers map[string]ingest.Handler

// Recovery is what Recover did.
type Recovery struct {
	// Replayed messages, each handed to the consumer of its source.
	Replayed int
	// GivenUp messages had been delivered MaxDeliveries times already.
	GivenUp int
	// Unclaimed counts, by source, the messages no consumer takes in
	// this run (the feature that journaled them is not configured now).
	// They stay journaled and undelivered, for a start that has their
	// consumer; their segments stay on disk until then.
	Unclaimed map[string]int
}

// Recover redelivers, in the order they arrived, the messages that Open
// found journaled but never settled: accepted before a crash (or a drain
// that timed out) and never recorded. Each goes to the consumer of its
// source. Call it once, after the consumers run and before the inputs
// start, so that replayed messages go first.
//
// A message that has already been delivered MaxDeliveries times is given
// up (WithOnGiveUp) instead. Each redelivery is journaled before it
// happens, so a message that crashes the daemon is counted even though it
// never gets a verdict. A message whose source has no consumer is left as
// it is: not delivered, not counted as a delivery (Recovery.Unclaimed).
//
// When a consumer is overloaded, Recover waits and tries again: nobody
// else holds these messages. It stops at ctx's end or at another error
// from a consumer, leaving the rest for the next start.
func (s *Spool) Recover(ctx context.Context, consumers Consumers) (Recovery, error) {
	var rec Recovery
	s.recoverMu.Lock()
	defer s.recoverMu.Unlock()
	pending := s.pending
	s.pending = nil
	if len(pending) == 0 {
		return rec, nil
	}

	// Entries are read back one at a time, right before they are needed,
	// so memory stays bounded by what the consumers hold, however many
	// messages a crash left behind.
	files := map[string]*os.File{}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	read := func(p *pendingEntry) (entry, error) {
		f := files[p.seg.path]
		if f == nil {
			var err error
			if f, err = os.Open(p.seg.path); err != nil {
				return entry{}, fmt.Errorf("spool: %w", err)
			}
			files[p.seg.path] = f
		}
		return readEntry(f, p)
	}

	deliver := pending[:0:0]
	for _, p := range pending {
		if p.deliveries < s.o.maxDeliveries {
			if consumers[p.source] == nil {
				if rec.Unclaimed == nil {
					rec.Unclaimed = map[string]int{}
				}
				rec.Unclaimed[p.source]++
				continue
			}
			s.mark(p.seq, markAttempt)
			deliver = append(deliver, p)
			continue
		}
		// Read the entry before its terminal mark: once the mark is
		// committed, the segment may be settled and deleted.
		var gave GivenUp
		if s.o.onGiveUp != nil {
			e, err := read(p)
			if err != nil {
				return rec, err
			}
			gave = GivenUp{Seq: p.seq, Source: e.source, ID: e.id, Received: e.received, Deliveries: p.deliveries}
		}
		s.mark(p.seq, markGaveUp)
		s.stats.givenUp.Add(1)
		rec.GivenUp++
		if s.o.onGiveUp != nil {
			s.o.onGiveUp(gave)
		}
	}
	// The attempt marks must be durable before the deliveries they count.
	if err := s.flush(); err != nil {
		return rec, err
	}

	for _, p := range deliver {
		e, err := read(p)
		if err != nil {
			return rec, err
		}
		next := consumers[p.source]
		m := ingest.Message{Source: e.source, ID: e.id, Body: e.body, Received: e.received}
		for delay := time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
			err = s.deliver(ctx, next, p.seq, m)
			if err == nil {
				break
			}
			if !errors.Is(err, ingest.ErrOverloaded) {
				return rec, fmt.Errorf("spool: redelivering message %d (%s %s): %w", p.seq, e.source, e.id, err)
			}
			select {
			case <-ctx.Done():
				return rec, fmt.Errorf("spool: redelivering: %w (%d of %d messages redelivered)", ctx.Err(), rec.Replayed, len(deliver))
			case <-time.After(delay):
			}
		}
		rec.Replayed++
		s.stats.replayed.Add(1)
	}
	return rec, nil
}
