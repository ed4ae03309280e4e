package spool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tfdrift/tfdrift/app/ingest"
)

// Defaults for the options.
const (
	DefaultSegmentBytes  = 64 << 20
	DefaultMaxDeliveries = 3
)

// ErrClosed is returned by the wrapped handler after Close.
var ErrClosed = errors.New("spool: closed")

// ErrTooLarge is returned by the wrapped handler for a message whose
// entry would exceed MaxRecordBytes.
var ErrTooLarge = errors.New("spool: message too large to journal")

// Option tunes Open.
type Option func(*options)

type options struct {
	segmentBytes  int64
	maxDeliveries int
	onGiveUp      func(GivenUp)
}

// WithSegmentBytes sets the size at which the journal starts a new
// segment file (default 64 MiB). Only settled segments are deleted, so
// smaller segments return disk sooner at the cost of more files.
func WithSegmentBytes(n int64) Option { return func(o *options) { o.segmentBytes = n } }

// WithMaxDeliveries bounds how often one message is delivered to the
// pipeline, counting the first delivery and each redelivery after a crash
// (default 3). A message that kills the daemon is then given up instead of
// crash-looping it.
func WithMaxDeliveries(n int) Option { return func(o *options) { o.maxDeliveries = n } }

// WithOnGiveUp is called, during Recover, for each message given up after
// MaxDeliveries: the daemon logs and counts it.
func WithOnGiveUp(fn func(GivenUp)) Option { return func(o *options) { o.onGiveUp = fn } }

// GivenUp describes a message Recover stopped redelivering.
type GivenUp struct {
	Seq        uint64
	Source, ID string
	Received   time.Time
	Deliveries int
}

// Stats are the spool's counters since Open.
type Stats struct {
	// Appended messages, each durable before the handler passed it on.
	Appended uint64
	// Syncs is how many fsyncs made them durable: Appended/Syncs is the
	// group-commit factor.
	Syncs uint64
	// Settled by the pipeline: Done(nil), refused by next (the client was
	// answered 503), Done(err).
	Done, Refused, Failed uint64
	// Replayed by Recover, and given up by it after MaxDeliveries.
	Replayed, GivenUp uint64
	// Unsettled is how many journaled messages await their verdict now.
	Unsettled int64
	// Segments on disk and their bytes.
	Segments int64
	Bytes    int64
	// TornBytes were cut off the newest segment at Open: a write that a
	// crash interrupted, never acknowledged.
	TornBytes int64
	// Damaged counts the damaged stretches Open skipped (Damaged), and
	// DamagedBytes their size.
	Damaged      uint64
	DamagedBytes int64
	// CleanupErrors counts segment deletions that failed (they cost disk,
	// not messages, and are retried when another segment is freed).
	// LastCleanupError is the latest.
	CleanupErrors    uint64
	LastCleanupError string
}

type counters struct {
	appended, syncs, done, refused, failed, replayed, givenUp, cleanupErrors atomic.Uint64
	unsettled, segments, bytes, tornBytes                                    atomic.Int64
	lastCleanupError                                                         atomic.Pointer[string]
}

// Spool is a durable journal in front of the pipeline. Create it with
// Open; it is safe for concurrent use.
type Spool struct {
	dir   string
	o     options
	stats counters
	lock  *os.File

	mu      sync.Mutex
	buf     []byte // frames waiting for the committer
	spare   []byte // the committer's last buffer, for reuse
	batch   *batch // the batch buf belongs to
	nextSeq uint64
	err     error // sticky: a failed write or fsync stops the spool
	closed  bool

	kick chan struct{}
	stop chan struct{}
	done chan struct{}

	// Owned by the committer goroutine once it runs.
	segs  []*segment
	cur   *segment
	f     *os.File
	dirty bool                // written since the last fsync
	where map[uint64]*segment // unsettled entry → its segment

	recoverMu sync.Mutex
	pending   []*pendingEntry // found at Open, consumed by Recover

	damage []Damage // skipped at Open; read-only after
}

// batch is the frames written and synced together, and the callers
// waiting for them.
type batch struct {
	done     chan struct{}
	err      error
	firstSeq uint64
	entries  int
	marks    []markRef
	// sync asks for an fsync even without entries (flush, Close).
	sync bool
}

type markRef struct {
	seq   uint64
	state byte
}

func newBatch() *batch { return &batch{done: make(chan struct{})} }

// Open opens (creating if needed) the spool in dir, reads its segments,
// truncates a torn tail, and starts the committer. The unsettled messages
// it finds wait for Recover. Only one process may hold a spool: a second
// Open of the same directory fails.
func Open(dir string, opts ...Option) (*Spool, error) {
	o := options{segmentBytes: DefaultSegmentBytes, maxDeliveries: DefaultMaxDeliveries}
	for _, opt := range opts {
		opt(&o)
	}
	if o.segmentBytes <= int64(len(segmentMagic)) {
		return nil, fmt.Errorf("spool: segment size %d is too small", o.segmentBytes)
	}
	if o.maxDeliveries < 1 {
		return nil, fmt.Errorf("spool: max deliveries %d, want at least 1", o.maxDeliveries)
	}
	if dir == "" {
		return nil, errors.New("spool: empty directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s := &Spool{dir: dir, o: o, lock: lock, batch: newBatch(), where: make(map[uint64]*segment),
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if err := s.open(); err != nil {
		unlockDir(lock)
		if s.f != nil {
			s.f.Close()
		}
		return nil, err
	}
	go s.commitLoop()
	return s, nil
}

func (s *Spool) open() error {
	l, err := load(s.dir)
	if err != nil {
		return err
	}
	s.segs = l.segs
	s.nextSeq = l.nextSeq
	s.pending = l.pending
	for _, p := range l.pending {
		s.where[p.seq] = p.seg
	}
	s.stats.unsettled.Store(int64(len(l.pending)))
	s.stats.tornBytes.Store(l.tornBytes)
	s.damage = l.damage
	// Always a fresh segment: the old ones are never written again, so a
	// torn tail can only ever be in the newest file.
	g, f, err := createSegment(s.dir, l.nextID)
	if err != nil {
		return err
	}
	s.segs = append(s.segs, g)
	s.cur, s.f = g, f
	s.cleanup()
	s.updateSizeStats()
	return nil
}

// Stats returns the counters.
func (s *Spool) Stats() Stats {
	st := Stats{
		Appended: s.stats.appended.Load(), Syncs: s.stats.syncs.Load(),
		Done: s.stats.done.Load(), Refused: s.stats.refused.Load(), Failed: s.stats.failed.Load(),
		Replayed: s.stats.replayed.Load(), GivenUp: s.stats.givenUp.Load(),
		Unsettled: s.stats.unsettled.Load(), Segments: s.stats.segments.Load(), Bytes: s.stats.bytes.Load(),
		TornBytes: s.stats.tornBytes.Load(), CleanupErrors: s.stats.cleanupErrors.Load(),
		Damaged: uint64(len(s.damage)),
	}
	for _, d := range s.damage {
		st.DamagedBytes += d.Bytes
	}
	if e := s.stats.lastCleanupError.Load(); e != nil {
		st.LastCleanupError = *e
	}
	return st
}

// Damaged lists the damaged stretches of the segments that Open skipped,
// keeping every intact record around them: the daemon logs each and
// counts them. A damaged segment is deleted, like any other, once its
// intact entries are settled; until then each Open reports its damage
// again.
func (s *Spool) Damaged() []Damage { return append([]Damage(nil), s.damage...) }

// Err returns the error that stopped the spool (a failed write or fsync),
// or nil. Once set, every message is refused: readiness should report it.
func (s *Spool) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Wrap returns a Handler that journals each message durably, then passes
// it to next with its Done wrapped so that the verdict is journaled too.
// It returns only once the message is on disk, so an input that answers
// after the handler returns (HTTP 202) answers for a durable message.
//
// If next refuses the message (ErrOverloaded), it is marked refused and
// will not be replayed: the client was told 503 and decides whether to
// retry. If the journal cannot take it (write error, closed, too large),
// next is not called and the error is returned, so the client gets 503
// instead of a promise the spool cannot keep.
func (s *Spool) Wrap(next ingest.Handler) ingest.Handler {
	return func(ctx context.Context, m ingest.Message) error {
		if m.Received.IsZero() {
			// Stamped here so that a replay keeps the original time.
			m.Received = time.Now()
		}
		seq, err := s.append(m)
		if err != nil {
			return err
		}
		if err := s.deliver(ctx, next, seq, m); err != nil {
			s.mark(seq, markRefused)
			s.stats.refused.Add(1)
			return err
		}
		return nil
	}
}

// deliver passes m to next with Done wrapped to journal the verdict.
func (s *Spool) deliver(ctx context.Context, next ingest.Handler, seq uint64, m ingest.Message) error {
	inner := m.Done
	m.Done = func(err error) {
		if err != nil {
			// The pipeline gave its verdict (a record it cannot decode,
			// or a store error it has logged and counted). Replaying it
			// at every restart would not change the verdict, and keeping
			// it would pin its segment on disk.
			s.mark(seq, markFailed)
			s.stats.failed.Add(1)
		} else {
			s.mark(seq, markDone)
			s.stats.done.Add(1)
		}
		if inner != nil {
			inner(err)
		}
	}
	return next(ctx, m)
}

// append journals m and waits until it is durable.
func (s *Spool) append(m ingest.Message) (uint64, error) {
	if entrySize(m.Source, m.ID, m.Body) > MaxRecordBytes {
		return 0, fmt.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, len(m.Body), MaxRecordBytes)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return 0, ErrClosed
	}
	if s.err != nil {
		err := s.err
		s.mu.Unlock()
		return 0, err
	}
	seq := s.nextSeq
	s.nextSeq++
	s.buf = appendEntry(s.buf, seq, m.Source, m.ID, m.Body, m.Received)
	b := s.batch
	if b.entries == 0 {
		b.firstSeq = seq
	}
	b.entries++
	s.mu.Unlock()
	s.wake()
	// Not cancelled by ctx: once in the buffer the entry will be written,
	// and abandoning the wait would leave a durable message undelivered
	// until the next restart. An fsync is bounded; a hung disk hangs
	// everything anyway.
	<-b.done
	if b.err != nil {
		return 0, b.err
	}
	return seq, nil
}

// mark journals a verdict. It does not wait: a mark lost in a crash only
// means the message is replayed (the store de-duplicates by fingerprint).
func (s *Spool) mark(seq uint64, state byte) {
	s.mu.Lock()
	if s.closed || s.err != nil {
		// Unjournaled, the message stays unsettled and is replayed at the
		// next start: a possible duplicate, never a loss.
		s.mu.Unlock()
		return
	}
	s.buf = appendMark(s.buf, seq, state)
	s.batch.marks = append(s.batch.marks, markRef{seq: seq, state: state})
	s.mu.Unlock()
	s.wake()
}

func (s *Spool) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// flush waits until everything journaled so far is durable: the next
// batch, even if empty, syncs the file, which covers any batch of marks
// written unsynced before it.
func (s *Spool) flush() error {
	s.mu.Lock()
	if s.closed || s.err != nil {
		err := s.err
		s.mu.Unlock()
		if err == nil {
			err = ErrClosed
		}
		return err
	}
	b := s.batch
	b.sync = true
	s.mu.Unlock()
	s.wake()
	<-b.done
	return b.err
}

// Close writes the marks still buffered, syncs and closes the journal.
// Call it after the pipeline has drained: a verdict reported after Close
// is not journaled, and its message is replayed at the next start.
func (s *Spool) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	<-s.done
	var errs []error
	if err := s.f.Close(); err != nil {
		errs = append(errs, fmt.Errorf("spool: closing %s: %w", s.cur.path, err))
	}
	unlockDir(s.lock)
	s.mu.Lock()
	err := s.err
	s.mu.Unlock()
	if err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
