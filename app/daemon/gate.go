package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tfdrift/tfdrift/app/ingest"
	"github.com/tfdrift/tfdrift/detector/state/refresh"
)

// ErrNotLoaded is what an input is told before every configured state has
// loaded once, when the daemon has no spool to journal the message in:
// nothing is decided against a state that is not there (an alert about a
// managed resource would be dropped as not in state, and any other would
// be reported as an unmanaged creation). /falco answers it 503 with
// Retry-After.
var ErrNotLoaded = errors.New("state not loaded yet: nothing is decided until every configured state has loaded once; retry later")

// maxHeldBytes bounds the bodies the gate holds in memory before the
// state loads; past it (or past the queue size in messages) alerts are
// refused with 503 like a full queue.
const maxHeldBytes = 64 << 20

// notLoadedLogEvery is how often the daemon names, at error level, each
// state that has not loaded yet.
var notLoadedLogEvery = 10 * time.Second

// gate holds back every decision until every state source has loaded once.
// Before that, a message from an input that journals (through the spool)
// is kept, in arrival order, and handed to the pipeline once the gate
// opens; without a spool it is refused with ErrNotLoaded. The inputs that
// pull (SQS, Falco gRPC) are not started until the gate opens.
type gate struct {
	isOpen atomic.Bool
	opened chan struct{}

	mu        sync.Mutex
	held      []ingest.Message
	heldBytes int
	limit     int
}

func newGate(limit int) *gate { return &gate{opened: make(chan struct{}), limit: max(limit, 1)} }

// handler gates next: once open, messages go straight to it; before,
// they are held (hold) or refused.
func (g *gate) handler(next ingest.Handler, hold bool) ingest.Handler {
	return func(ctx context.Context, m ingest.Message) error {
		if g.isOpen.Load() {
			return next(ctx, m)
		}
		if !hold {
			return ErrNotLoaded
		}
		g.mu.Lock()
		if g.isOpen.Load() {
			g.mu.Unlock()
			return next(ctx, m)
		}
		if len(g.held) >= g.limit || g.heldBytes+len(m.Body) > maxHeldBytes {
			n, b := len(g.held), g.heldBytes
			g.mu.Unlock()
			return fmt.Errorf("%d alerts (%d bytes) already wait for the state to load: %w", n, b, ingest.ErrOverloaded)
		}
		g.held = append(g.held, m)
		g.heldBytes += len(m.Body)
		g.mu.Unlock()
		return nil
	}
}

func (g *gate) heldCount() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.held)
}

// open hands the held messages to next, in order, then lets messages
// through. Messages that arrive meanwhile are held behind the others, so
// the order stays the order of arrival. It returns early, leaving the
// rest unsettled in the spool for the next start, when ctx ends or the
// pipeline shuts down.
func (g *gate) open(ctx context.Context, next ingest.Handler) {
	for {
		g.mu.Lock()
		batch := g.held
		g.held, g.heldBytes = nil, 0
		if len(batch) == 0 {
			g.isOpen.Store(true)
			close(g.opened)
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		for _, m := range batch {
			if !deliverWaiting(ctx, next, m) {
				return
			}
		}
	}
}

// deliverWaiting hands m to next, waiting while the pipeline is full. It
// reports false when ctx ends or the pipeline shuts down first.
func deliverWaiting(ctx context.Context, next ingest.Handler, m ingest.Message) bool {
	for delay := time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		err := next(ctx, m)
		switch {
		case err == nil:
			return true
		case IsShuttingDown(err) || !errors.Is(err, ingest.ErrOverloaded):
			if m.Done != nil && !IsShuttingDown(err) {
				m.Done(err)
			}
			return !IsShuttingDown(err)
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(delay):
		}
	}
}

// waitForState runs until every state has loaded once (then recovers the
// spool, if recoverFirst is set, and opens the gate) or ctx ends. While it
// waits it names, every notLoadedLogEvery, each state not loaded and its
// error: a daemon that decides nothing must say so loudly.
func (g *gate) waitForState(ctx context.Context, ref *refresh.Refresher, log *slog.Logger, recoverFirst func(), next ingest.Handler) {
	t := time.NewTicker(notLoadedLogEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ref.Loaded():
			log.Info("every state loaded: deciding alerts", "held", g.heldCount())
			if recoverFirst != nil {
				recoverFirst()
			}
			g.open(ctx, next)
			return
		case <-t.C:
			logNotLoaded(ref, log, g.heldCount())
		}
	}
}

// logNotLoaded names each state that has never loaded, with its error.
func logNotLoaded(ref *refresh.Refresher, log *slog.Logger, held int) {
	for _, s := range ref.Status() {
		if s.LoadedAt.IsZero() {
			log.Error("state not loaded: not ready, and no alert is decided until it loads (alerts are journaled and held, or refused with 503 without a spool)",
				"source", s.Name, "workspace", s.Workspace, "err", s.LastError, "held", held)
		}
	}
}
