package refresh

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tfdrift/tfdrift/detector/state"
)

// Defaults for the options.
const (
	DefaultInterval     = time.Minute
	DefaultConcurrency  = 4
	DefaultCheckTimeout = 5 * time.Minute
	// DefaultRetryBackoff is the first retry's delay after a failed
	// check; each further failure in a row doubles it, up to
	// DefaultRetryMax (and never past the interval).
	DefaultRetryBackoff = time.Second
	DefaultRetryMax     = 10 * time.Second
)

// DefaultFollowUps are the checks that follow a Nudge. An apply's state
// object is written after its last resource, and on a long apply several
// times along the way, so one check at the moment of the nudge would often
// still see the old version.
var DefaultFollowUps = []time.Duration{10 * time.Second, 30 * time.Second}

// Option configures a Refresher.
type Option func(*options)

type options struct {
	interval     time.Duration
	concurrency  int
	checkTimeout time.Duration
	retryBackoff time.Duration
	retryMax     time.Duration
	followUps    []time.Duration
	log          *slog.Logger
	onError      func(state.Source, error)
	shadow       Forgetter
	now          func() time.Time
}

// WithInterval sets how often each source is checked when nothing asks
// sooner: Terraform's config calls it state_refresh_interval. Default 1m.
func WithInterval(d time.Duration) Option { return func(o *options) { o.interval = d } }

// WithConcurrency bounds how many sources are checked at once. Default 4.
func WithConcurrency(n int) Option { return func(o *options) { o.concurrency = n } }

// WithCheckTimeout bounds one check, download and parse included, so that
// a hung connection cannot stall a source forever. Default 5m: large
// states are hundreds of megabytes.
func WithCheckTimeout(d time.Duration) Option { return func(o *options) { o.checkTimeout = d } }

// WithRetryBackoff sets the delay before a failed source is checked
// again: first after the first failure, doubling with each failure in a
// row up to most, and never more than the interval. A state that is
// missing or broken at start is therefore loaded seconds after it is
// fixed, not an interval later. Default DefaultRetryBackoff and
// DefaultRetryMax.
func WithRetryBackoff(first, most time.Duration) Option {
	return func(o *options) { o.retryBackoff, o.retryMax = first, most }
}

// WithNudgeFollowUps sets the delays, after a Nudge, of the extra checks
// that follow the immediate one. None disables them. Default
// DefaultFollowUps.
func WithNudgeFollowUps(delays ...time.Duration) Option {
	return func(o *options) { o.followUps = slices.Clone(delays) }
}

// WithLogger sets the logger; the default discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithOnError sets the function told about each failed check: the alert
// for a state that cannot be read. It runs on the checking goroutine,
// possibly concurrently for different sources, so it must be safe for
// concurrent use and return quickly. A version that failed to parse is
// reported once, not again at each poll that finds it unchanged.
func WithOnError(fn func(src state.Source, err error)) Option {
	return func(o *options) { o.onError = fn }
}

// Forgetter is what a newly loaded state makes stale: the detector's
// shadow (detector.Shadow) implements it. Drop forgets what was learnt
// about the state's resources at a serial below before.
type Forgetter interface {
	Drop(ctx context.Context, source, workspace string, before int64) error
}

// WithShadow makes every load of a new state version call f.Drop with the
// version's serial, after the index holds it: apply and refresh read
// every resource back, so the state accounts for what the detector
// learnt from the cloud before it. A failed Drop is logged and costs
// nothing else (the detector never uses values older than the state).
func WithShadow(f Forgetter) Option { return func(o *options) { o.shadow = f } }

// Refresher keeps an Index loaded with the current snapshot of each of its
// backends. Its methods are safe for concurrent use.
type Refresher struct {
	ix      *state.Index
	opt     options
	sources []*source // sorted by name and workspace
	wake    chan struct{}
	running atomic.Bool
	// allLoaded is closed once every source has loaded once (Loaded).
	allLoaded  chan struct{}
	loadedOnce sync.Once

	mu sync.Mutex // guards every source's mutable fields
}

// source is one backend and what the Refresher knows of it.
type source struct {
	b   state.Backend
	src state.Source

	// checking serialises checks of this source, so that snapshots reach
	// the index in the order they were fetched.
	checking sync.Mutex

	// Guarded by Refresher.mu.
	status    SourceStatus
	seen      string       // version last fetched, loaded or not: the next ifVersion
	seenErr   *SourceError // why seen failed to parse; nil if it loaded
	lastErr   error        // the latest check's error
	nextPoll  time.Time
	followUps []time.Time // ascending
	nudged    bool
	inFlight  bool // Run has a check of it under way
	// failedInARow counts the failed checks since the last good one: the
	// retry backoff's exponent.
	failedInARow int
}

// New returns a Refresher that loads backends into ix. Each backend's
// Source (name and workspace) must be distinct: they are the index's key.
// Nothing is loaded until LoadAll or Run.
func New(ix *state.Index, backends []state.Backend, opts ...Option) (*Refresher, error) {
	o := options{
		interval:     DefaultInterval,
		concurrency:  DefaultConcurrency,
		checkTimeout: DefaultCheckTimeout,
		retryBackoff: DefaultRetryBackoff,
		retryMax:     DefaultRetryMax,
		followUps:    DefaultFollowUps,
		now:          time.Now,
	}
	for _, fn := range opts {
		fn(&o)
	}
	var errs []error
	if ix == nil {
		errs = append(errs, errors.New("index is nil"))
	}
	if o.interval <= 0 {
		errs = append(errs, fmt.Errorf("interval %v must be positive", o.interval))
	}
	if o.concurrency <= 0 {
		errs = append(errs, fmt.Errorf("concurrency %d must be positive", o.concurrency))
	}
	if o.checkTimeout <= 0 {
		errs = append(errs, fmt.Errorf("check timeout %v must be positive", o.checkTimeout))
	}
	if o.retryBackoff <= 0 || o.retryMax < o.retryBackoff {
		errs = append(errs, fmt.Errorf("retry backoff %v up to %v: want 0 < first <= most", o.retryBackoff, o.retryMax))
	}
	for _, d := range o.followUps {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("nudge follow-up %v must be positive", d))
		}
	}
	slices.Sort(o.followUps)
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}

	r := &Refresher{ix: ix, opt: o, wake: make(chan struct{}, 1), allLoaded: make(chan struct{})}
	seen := make(map[[2]string]bool, len(backends))
	for i, b := range backends {
		if b == nil {
			errs = append(errs, fmt.Errorf("backend %d is nil", i))
			continue
		}
		src := b.Source()
		if src.Workspace == "" {
			src.Workspace = state.DefaultWorkspace
		}
		id := [2]string{src.Name, src.Workspace}
		if seen[id] {
			errs = append(errs, fmt.Errorf("state %s: two backends for the same source", label(src)))
			continue
		}
		seen[id] = true
		s := &source{b: b, src: src}
		s.status.Name, s.status.Workspace = src.Name, src.Workspace
		r.sources = append(r.sources, s)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("state refresher: %w", err)
	}
	slices.SortFunc(r.sources, func(a, b *source) int {
		return cmp.Or(cmp.Compare(a.src.Name, b.src.Name), cmp.Compare(a.src.Workspace, b.src.Workspace))
	})
	if len(r.sources) == 0 {
		r.markLoaded()
	}
	return r, nil
}

// label names a source in messages: its name, and its workspace unless
// that is "default".
func label(src state.Source) string {
	if src.Workspace == "" || src.Workspace == state.DefaultWorkspace {
		return src.Name
	}
	return src.Name + " (workspace " + src.Workspace + ")"
}

// Loaded returns a channel closed once every source has loaded once: from
// then on, Ready is true for good. The daemon decides nothing before.
func (r *Refresher) Loaded() <-chan struct{} { return r.allLoaded }

func (r *Refresher) markLoaded() { r.loadedOnce.Do(func() { close(r.allLoaded) }) }

// retryAt is when a source that has just failed its check (failedInARow
// counted) is checked again: the backoff, doubled per failure in a row,
// at most retryMax and the interval. Called with r.mu held.
func (r *Refresher) retryAt(s *source, start time.Time) time.Time {
	most := min(r.opt.retryMax, r.opt.interval)
	d := r.opt.retryBackoff
	for i := 1; i < s.failedInARow && d < most; i++ {
		d *= 2
	}
	return start.Add(min(d, most))
}
