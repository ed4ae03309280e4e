package deliver

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/tfdrift/tfdrift/ticket"
)

// Options tune a Deliverer. Zero values take the defaults.
type Options struct {
	// Owner names this worker in leases (host:pid, pod name); required.
	Owner string
	// Concurrency is how many sends run at once; default 4.
	Concurrency int
	// Lease is how long a claimed notice is this worker's; default 2m.
	// It must exceed SendTimeout, or a slow send could be claimed and
	// sent again by another worker.
	Lease time.Duration
	// SendTimeout bounds one Sink.Send; default 30s.
	SendTimeout time.Duration
	// PollInterval is how long an idle worker waits before claiming
	// again (Wake cuts it short); default 1s.
	PollInterval time.Duration
	Backoff      Backoff
	// MaxAttempts dead-letters a notice after that many claims; default
	// 12 (about 3 hours with the default backoff).
	MaxAttempts int
	// MaxRetryAfter caps a sink's Retry-After; default 1h.
	MaxRetryAfter time.Duration
	// Now and Rand make tests deterministic; defaults time.Now and
	// math/rand/v2's Float64.
	Now  func() time.Time
	Rand func() float64
	// OnResult, when set, hears every settled notice (metrics, logs). It
	// runs on the worker's goroutines and must not block.
	OnResult func(Result)
	// OnError hears claim failures; the worker keeps going.
	OnError func(error)
}

// Outcome is how one delivery attempt ended.
type Outcome string

// Outcomes.
const (
	Delivered Outcome = "delivered"
	Retrying  Outcome = "retrying"
	Dead      Outcome = "dead"
)

// Result reports one settled attempt.
type Result struct {
	ID       int64
	Sink     string
	Outcome  Outcome
	Attempts int
	// Err is the sink's error (nil when delivered).
	Err error
	// RetryAt is set when Outcome is Retrying.
	RetryAt  time.Time
	Duration time.Duration
	// SettleErr is the queue's error when recording the outcome failed
	// (ErrLeaseLost: another worker took the notice over).
	SettleErr error
	// Receipt is what the sink returned when Outcome is Delivered.
	Receipt ticket.Receipt
}

// Deliverer runs delivery workers over a Queue.
type Deliverer struct {
	q     Queue
	refs  RefFinder // q, when it keeps receipts
	sinks map[string]ticket.Sink
	o     Options
	wake  chan struct{}

	mu    sync.Mutex
	tails map[string]chan struct{} // per notice key: done of the last dispatched
}

// New returns a Deliverer for q and sinks (by Sink.Name()).
func New(q Queue, sinks []ticket.Sink, o Options) (*Deliverer, error) {
	if o.Owner == "" {
		return nil, errors.New("deliver: Owner is required")
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 30 * time.Second
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.Lease <= o.SendTimeout {
		return nil, fmt.Errorf("deliver: lease %v must exceed the send timeout %v", o.Lease, o.SendTimeout)
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.Backoff.Base <= 0 || o.Backoff.Max < o.Backoff.Base {
		o.Backoff = DefaultBackoff
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 12
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	m := make(map[string]ticket.Sink, len(sinks))
	for _, s := range sinks {
		if _, dup := m[s.Name()]; dup {
			return nil, fmt.Errorf("deliver: two sinks are named %q", s.Name())
		}
		m[s.Name()] = s
	}
	refs, _ := q.(RefFinder)
	return &Deliverer{q: q, refs: refs, sinks: m, o: o, wake: make(chan struct{}, 1), tails: map[string]chan struct{}{}}, nil
}

// Wake makes an idle Run claim now, after new notices were enqueued.
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is done, then stops claiming, lets the sends in
// flight finish (each bounded by SendTimeout) and settles them, and
// returns nil. Notices claimed but not finished when the process dies are
// claimed again after their lease.
func (d *Deliverer) Run(ctx context.Context) error {
	slots := make(chan struct{}, d.o.Concurrency)
	freed := make(chan struct{}, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	for ctx.Err() == nil {
		free := d.o.Concurrency - len(slots)
		if free == 0 {
			select {
			case <-freed:
			case <-ctx.Done():
			}
			continue
		}
		items, err := d.q.Claim(ctx, d.o.Owner, free, d.o.Lease)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			d.report(fmt.Errorf("deliver: claim: %w", err))
			d.sleep(ctx)
			continue
		}
		if len(items) == 0 {
			d.sleep(ctx)
			continue
		}
		for _, it := range items {
			slots <- struct{}{}
			wg.Add(1)
			d.dispatch(context.WithoutCancel(ctx), it, func() {
				<-slots
				select {
				case freed <- struct{}{}:
				default:
				}
				wg.Done()
			})
		}
	}
	return nil
}

// RunOnce claims one batch (up to Concurrency notices), delivers it and
// returns how many it settled. Tests and "tfdrift replay --notify" use it.
func (d *Deliverer) RunOnce(ctx context.Context) (int, error) {
	items, err := d.q.Claim(ctx, d.o.Owner, d.o.Concurrency, d.o.Lease)
	if err != nil {
		return 0, fmt.Errorf("deliver: claim: %w", err)
	}
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		d.dispatch(context.WithoutCancel(ctx), it, wg.Done)
	}
	wg.Wait()
	return len(items), nil
}

func (d *Deliverer) sleep(ctx context.Context) {
	t := time.NewTimer(d.o.PollInterval)
	defer t.Stop()
	select {
	case <-t.C:
	case <-d.wake:
	case <-ctx.Done():
	}
}

func (d *Deliverer) report(err error) {
	if d.o.OnError != nil {
		d.o.OnError(err)
	}
}

// dispatch starts the delivery of it on a goroutine, after the previous
// notice with the same key has finished, and calls done at the end.
func (d *Deliverer) dispatch(ctx context.Context, it Queued, done func()) {
	n, decErr := ticket.DecodeNotice(it.Payload)
	key := fmt.Sprintf("undecodable\x00%d", it.ID)
	if decErr == nil {
		key = n.Key()
	}
	mine := make(chan struct{})
	d.mu.Lock()
	prev := d.tails[key]
	d.tails[key] = mine
	d.mu.Unlock()
	go func() {
		defer done()
		defer func() {
			close(mine)
			d.mu.Lock()
			if d.tails[key] == mine {
				delete(d.tails, key)
			}
			d.mu.Unlock()
		}()
		if prev != nil {
			<-prev
		}
		r := d.deliver(ctx, it, n, decErr)
		if d.o.OnResult != nil {
			d.o.OnResult(r)
		}
	}()
}

// settleTimeout bounds recording an outcome; the send already happened.
const settleTimeout = 10 * time.Second

func (d *Deliverer) deliver(ctx context.Context, it Queued, n *ticket.Notice, decErr error) Result {
	start := d.o.Now()
	r := Result{ID: it.ID, Sink: it.Sink, Attempts: it.Attempts}
	var sendErr error
	switch {
	case decErr != nil:
		sendErr = ticket.Permanent("undecodable notice", decErr)
	case d.sinks[n.Sink] == nil:
		r.Sink = n.Sink
		sendErr = ticket.Permanentf("no sink named %q is configured", n.Sink)
	default:
		r.Sink = n.Sink
		sctx, cancel := context.WithTimeout(ctx, d.o.SendTimeout)
		if sendErr = d.attachRefs(sctx, n); sendErr == nil {
			r.Receipt, sendErr = safeSend(sctx, d.sinks[n.Sink], n)
		}
		cancel()
	}
	now := d.o.Now()
	r.Duration, r.Err = now.Sub(start), sendErr
	mctx, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	switch {
	case sendErr == nil:
		r.Outcome = Delivered
		r.SettleErr = d.q.Delivered(mctx, it.ID, d.o.Owner, RefsOf(n, r.Receipt))
	case ticket.IsPermanent(sendErr):
		r.Outcome = Dead
		r.SettleErr = d.q.Dead(mctx, it.ID, d.o.Owner, sendErr.Error())
	case it.Attempts >= d.o.MaxAttempts:
		r.Outcome = Dead
		r.SettleErr = d.q.Dead(mctx, it.ID, d.o.Owner, fmt.Sprintf("gave up after %d attempts: %v", it.Attempts, sendErr))
	default:
		wait := d.o.Backoff.Delay(it.Attempts, d.o.Rand())
		if after, ok := ticket.RetryAfter(sendErr); ok {
			// The destination said when: honour it exactly, within reason.
			wait = min(after, d.o.MaxRetryAfter)
		}
		r.Outcome, r.RetryAt = Retrying, now.Add(wait)
		r.SettleErr = d.q.Failed(mctx, it.ID, d.o.Owner, sendErr.Error(), r.RetryAt)
	}
	return r
}

// safeSend turns a panicking sink into a dead-lettered notice rather than
// a crashed worker that would claim the same notice forever.
func safeSend(ctx context.Context, s ticket.Sink, n *ticket.Notice) (rc ticket.Receipt, err error) {
	defer func() {
		if p := recover(); p != nil {
			rc, err = ticket.Receipt{}, ticket.Permanentf("sink %s panicked: %v", s.Name(), p)
		}
	}()
	return s.Send(ctx, n)
}

// maxRefResources bounds the resources whose receipts one notice looks
// up: a storm group lists at most a few dozen drifts in any sink.
const maxRefResources = 100

// attachRefs fills n.Refs with what earlier deliveries left about its
// resources. It runs just before the send, after the previous notice of
// the same key finished, so a resolve sees the receipt of the drift
// notice delivered a moment earlier. A failed look-up is transient: the
// notice is retried rather than sent without, say, its Jira key.
func (d *Deliverer) attachRefs(ctx context.Context, n *ticket.Notice) error {
	if d.refs == nil {
		return nil
	}
	var keys []string
	seen := map[string]bool{}
	for _, dr := range n.Drifts() {
		if k := ticket.ResourceKey(dr); !seen[k] && len(keys) < maxRefResources {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	refs, err := d.refs.Refs(ctx, keys)
	if err != nil {
		return fmt.Errorf("deliver: look up receipts: %w", err)
	}
	n.Refs = refs
	return nil
}

// RefsOf ties a sink's receipt to what n is about, for Queue.Delivered:
// one Ref for the notice (its drift's fingerprint and resource, or a
// group's key), plus one per drift of Receipt.PerDrift.
func RefsOf(n *ticket.Notice, rc ticket.Receipt) []ticket.Ref {
	var out []ticket.Ref
	if rc.ExternalID != "" || rc.URL != "" {
		ref := ticket.Ref{Sink: n.Sink, Target: n.Target, Fingerprint: n.Fingerprint, Receipt: rc}
		ref.PerDrift = nil
		if n.Kind != ticket.KindGroup && n.Drift != nil {
			ref.ResourceKey = ticket.ResourceKey(n.Drift)
			if ref.Fingerprint == "" {
				ref.Fingerprint = n.Drift.Fingerprint
			}
		}
		// Without a fingerprint there is nothing to key it by; a queue
		// would refuse it and the notice could never settle.
		if ref.Fingerprint != "" {
			out = append(out, ref)
		}
	}
	if len(rc.PerDrift) > 0 {
		for _, dr := range n.Drifts() {
			each, ok := rc.PerDrift[dr.Fingerprint]
			if !ok || dr.Fingerprint == "" || each.ExternalID == "" && each.URL == "" {
				continue
			}
			each.PerDrift = nil
			if each.System == "" {
				each.System = rc.System
			}
			out = append(out, ticket.Ref{Sink: n.Sink, Target: n.Target, Fingerprint: dr.Fingerprint, ResourceKey: ticket.ResourceKey(dr), Receipt: each})
		}
	}
	return out
}
