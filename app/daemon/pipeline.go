package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tfdrift/tfdrift/app/ingest"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/decode"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/state"
)

// DefaultQueueSize bounds the messages waiting for a worker. At the
// detector's speed it is well under a second of work; past it, inputs are
// told to back off.
const DefaultQueueSize = 16384

// Recorder persists drifts; app/store implements it. When RecordDrift
// returns an error the event is not acknowledged, so inputs that can
// redeliver (SQS) will.
type Recorder interface {
	RecordDrift(ctx context.Context, d *drift.Drift, notices []store.NewNotice) (store.Record, bool, error)
}

// Output receives each drift the daemon reports (wiring's text and JSON
// outputs implement it). Write is called from several workers at once;
// Flush when the queue runs dry and at shutdown.
type Output interface {
	Write(d *drift.Drift) error
	Flush() error
}

// NoticeFunc returns the notices to enqueue with a newly opened drift
// (the notices issue's router); nil means none.
type NoticeFunc func(d *drift.Drift) []store.NewNotice

// PipelineOptions configure a Pipeline.
type PipelineOptions struct {
	// Engine returns the current engine; it changes on config reload.
	Engine func() *detector.Engine
	// Recorder, when set, records every drift before it is emitted.
	Recorder Recorder
	Notices  NoticeFunc
	// Output receives each drift that opened a record (or, without a
	// recorder, each new drift).
	Output    Output
	QueueSize int
	Workers   int
	Metrics   *Metrics
	Logger    *slog.Logger
	// InSync, when set, hears each resource a change left exactly as
	// state holds it (detector.Result.InSync): a drift on it may have
	// been put back in the cloud. It must not block.
	InSync func(res *state.Resource, attrs map[string]any)
}

// Pipeline decodes and processes messages on a fixed pool of workers.
type Pipeline struct {
	o       PipelineOptions
	queue   chan ingest.Message
	wg      sync.WaitGroup
	closed  atomic.Bool
	mu      sync.RWMutex // guards sends against Close
	inQueue atomic.Int64
	// unflushed says drifts were written since the last flush.
	unflushed atomic.Bool
	// unmapped counts the writes no catalog entry maps (unmapped.go);
	// keep is the decoders' pre-filter that lets it see them.
	unmapped *unmappedWatch
	keep     func(change.Provider, string) bool
}

// NewPipeline starts the workers. Call Close to drain and stop them.
func NewPipeline(o PipelineOptions) *Pipeline {
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics()
	}
	p := &Pipeline{o: o, queue: make(chan ingest.Message, o.QueueSize)}
	p.unmapped = newUnmappedWatch(o.Metrics.Registry, o.Logger)
	p.keep = func(pr change.Provider, event string) bool {
		return p.o.Engine().Keep(pr, event) || p.unmapped.decode(pr, event)
	}
	o.Metrics.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "tfdrift_queue_depth", Help: "Messages waiting for a worker.",
	}, func() float64 { return float64(p.inQueue.Load()) }))
	for i := 0; i < o.Workers; i++ {
		p.wg.Add(1)
		go p.worker()
	}
	return p
}

// Handle accepts a message without blocking: ingest.ErrOverloaded when the
// queue is full, an error after Close.
func (p *Pipeline) Handle(_ context.Context, m ingest.Message) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed.Load() {
		p.o.Metrics.Dropped.WithLabelValues("shutting_down").Inc()
		return errShuttingDown
	}
	if m.Received.IsZero() {
		m.Received = time.Now()
	}
	select {
	case p.queue <- m:
		p.inQueue.Add(1)
		p.o.Metrics.EventsIn.WithLabelValues(m.Source).Inc()
		return nil
	default:
		p.o.Metrics.Dropped.WithLabelValues("overloaded").Inc()
		return ingest.ErrOverloaded
	}
}

var errShuttingDown = fmt.Errorf("shutting down: %w", ingest.ErrOverloaded)

// Close stops accepting messages, processes everything already queued and
// waits for the workers, or gives up when ctx ends.
func (p *Pipeline) Close(ctx context.Context) error {
	p.mu.Lock()
	if !p.closed.Swap(true) {
		close(p.queue)
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return p.o.Output.Flush()
	case <-ctx.Done():
		return fmt.Errorf("draining the pipeline: %w (%d messages left)", ctx.Err(), p.inQueue.Load())
	}
}

func (p *Pipeline) worker() {
	defer p.wg.Done()
	for m := range p.queue {
		p.inQueue.Add(-1)
		err := p.process(m)
		if m.Done != nil {
			m.Done(err)
		}
		p.flushIfIdle()
	}
}

// flushIfIdle flushes the output once no message is waiting. A daemon's
// output is read live (a pipe into a log shipper), so drifts must not sit
// in a buffer; but under load one write per buffer-full instead of one per
// drift saves a system call per alert. Every worker checks after every
// message, so the last drift before the queue runs dry is flushed by
// whichever worker finishes last.
func (p *Pipeline) flushIfIdle() {
	if len(p.queue) == 0 && p.unflushed.Swap(false) {
		if err := p.o.Output.Flush(); err != nil {
			p.o.Logger.Error("flushing output", "err", err)
		}
	}
}

// process runs one message. Its error says whether the message may be
// acknowledged: nil once every drift it produced is durably recorded.
func (p *Pipeline) process(m ingest.Message) error {
	eng := p.o.Engine()
	keep := eng.Keep
	if p.keep != nil {
		keep = p.keep
	}
	changes, derr := decode.Decode(m.Body, decode.Options{Keep: keep, Name: m.Source, Owned: true, Valid: m.ValidJSON})
	if derr != nil {
		p.o.Metrics.Dropped.WithLabelValues("decode_error").Inc()
		p.o.Logger.Warn("bad record", "source", m.Source, "id", m.ID, "err", derr)
	}
	ctx := context.Background()
	for _, c := range changes {
		res := eng.Process(c)
		p.o.Metrics.Outcomes.WithLabelValues(string(res.Outcome)).Inc()
		if p.unmapped != nil && (res.Outcome == detector.OutcomeUnmapped || res.Outcome == detector.OutcomeReadOnly || res.Outcome == detector.OutcomeFailed) {
			p.unmapped.observe(c, res.Outcome, eng.Keep(c.Provider, c.EventName))
		}
		if res.InSync != nil && p.o.InSync != nil {
			p.o.InSync(res.InSync, res.InSyncAttrs)
		}
		if err := p.emit(ctx, m, res); err != nil {
			// Forget the event so its redelivery is processed again.
			eng.Forget(c)
			p.o.Metrics.RecordErrors.Inc()
			p.o.Logger.Error("recording drift failed; event left for redelivery", "source", m.Source, "event", c.EventID, "err", err)
			return err
		}
	}
	if derr != nil && len(changes) == 0 {
		return derr
	}
	return nil
}

func (p *Pipeline) emit(ctx context.Context, m ingest.Message, res detector.Result) error {
	all := res.Drifts
	if p.o.Recorder != nil {
		// Repeats go to the store too: it decides whether a record opens
		// (another replica may not have seen the first one).
		all = append(append([]*drift.Drift{}, res.Drifts...), res.Repeats...)
	}
	for _, d := range all {
		opened := true
		if p.o.Recorder != nil {
			var notices []store.NewNotice
			if p.o.Notices != nil {
				notices = p.o.Notices(d)
			}
			var err error
			if _, opened, err = p.o.Recorder.RecordDrift(ctx, d, notices); err != nil {
				return err
			}
		}
		if !opened {
			continue
		}
		if err := p.o.Output.Write(d); err != nil {
			return fmt.Errorf("output: %w", err)
		}
		p.unflushed.Store(true)
		p.o.Metrics.Drifts.WithLabelValues(string(d.Severity), string(d.ChangeType)).Inc()
		p.o.Metrics.Latency.Observe(time.Since(m.Received).Seconds())
	}
	return nil
}

// IsShuttingDown reports the error Handle returns after Close.
func IsShuttingDown(err error) bool { return errors.Is(err, errShuttingDown) }
