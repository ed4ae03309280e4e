package spool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/tfdrift/tfdrift/app/ingest"
)

// Recover redelivers, in the order they arrived, the messages that Open
// found journaled but never settled: accepted before a crash (or a drain
// that timed out) and never recorded. Call it once, after the pipeline
// runs and before the inputs start, so that replayed messages go first.
//
// A message that has already been delivered MaxDeliveries times is given
// up (WithOnGiveUp) instead. Each redelivery is journaled before it
// happens, so a message that crashes the daemon is counted even though it
// never gets a verdict.
//
// When next is overloaded, Recover waits and tries again: nobody else
// holds these messages. It returns how many it redelivered, and stops at
// ctx's end or at another error from next, leaving the rest for the next
// start.
func (s *Spool) Recover(ctx context.Context, next ingest.Handler) (replayed int, err error) {
	s.recoverMu.Lock()
	defer s.recoverMu.Unlock()
	pending := s.pending
	s.pending = nil
	if len(pending) == 0 {
		return 0, nil
	}

	// Entries are read back one at a time, right before they are needed,
	// so memory stays bounded by what the pipeline holds, however many
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
				return 0, err
			}
			gave = GivenUp{Seq: p.seq, Source: e.source, ID: e.id, Received: e.received, Deliveries: p.deliveries}
		}
		s.mark(p.seq, markGaveUp)
		s.stats.givenUp.Add(1)
		if s.o.onGiveUp != nil {
			s.o.onGiveUp(gave)
		}
	}
	// The attempt marks must be durable before the deliveries they count.
	if err := s.flush(); err != nil {
		return 0, err
	}

	for _, p := range deliver {
		e, err := read(p)
		if err != nil {
			return replayed, err
		}
		m := ingest.Message{Source: e.source, ID: e.id, Body: e.body, Received: e.received}
		for delay := time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
			err = s.deliver(ctx, next, p.seq, m)
			if err == nil {
				break
			}
			if !errors.Is(err, ingest.ErrOverloaded) {
				return replayed, fmt.Errorf("spool: redelivering message %d (%s %s): %w", p.seq, e.source, e.id, err)
			}
			select {
			case <-ctx.Done():
				return replayed, fmt.Errorf("spool: redelivering: %w (%d of %d messages redelivered)", ctx.Err(), replayed, len(deliver))
			case <-time.After(delay):
			}
		}
		replayed++
		s.stats.replayed.Add(1)
	}
	return replayed, nil
}
