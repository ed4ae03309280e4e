package falcogrpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/falcosecurity/client-go/pkg/api/outputs"
	"github.com/falcosecurity/client-go/pkg/client"

	"github.com/tfdrift/tfdrift/app/ingest"
)

// Source is the Message.Source of alerts received by this input.
const Source = "falco-grpc"

// Defaults for Config.
const (
	DefaultPollInterval  = 100 * time.Millisecond
	DefaultMinBackoff    = 500 * time.Millisecond
	DefaultMaxBackoff    = 30 * time.Second
	DefaultOverloadRetry = 50 * time.Millisecond
)

// Config says how to reach Falco's gRPC server: a unix socket, or TCP with
// mutual TLS (client-go always uses mTLS over TCP).
type Config struct {
	// Name is the input's name in Status (default "falco-grpc").
	Name string
	// UnixSocket is the path of Falco's socket, as in falco.yaml's
	// grpc.bind_address "unix:///run/falco/falco.sock"; the unix://
	// prefix is optional.
	UnixSocket string
	// Hostname and Port reach Falco over TCP; CertFile and KeyFile are
	// this client's certificate, CARootFile the CA that signed Falco's.
	Hostname   string
	Port       uint16
	CertFile   string
	KeyFile    string
	CARootFile string
	// PollInterval is how often the input asks Falco for new events on
	// the Sub stream: Falco sends what is queued in answer to each
	// request (default 100ms).
	PollInterval time.Duration
	// MinBackoff and MaxBackoff bound the jittered exponential wait
	// between reconnection attempts (defaults 500ms and 30s).
	MinBackoff, MaxBackoff time.Duration
	// OverloadRetry is the wait before offering an alert again when the
	// pipeline is full (default 50ms). Meanwhile the stream is not read,
	// so Falco queues: backpressure instead of loss.
	OverloadRetry time.Duration
}

// Stats are the input's counters since it was created.
type Stats struct {
	Received    uint64 // events read from Falco
	Delivered   uint64 // events the pipeline took
	Overloaded  uint64 // offers refused with ErrOverloaded (each retried)
	Rejected    uint64 // events the pipeline refused for good (lost: Falco cannot resend)
	Invalid     uint64 // events that could not be rendered as JSON
	Completed   uint64 // Done(nil)
	Failed      uint64 // Done(err)
	Connections uint64 // streams opened; more than one means reconnects
}

// Input reads Falco's gRPC outputs stream. Create it with New.
type Input struct {
	cfg    Config
	client client.Config
	status ingest.StatusTracker

	received, delivered, overloaded, rejected, invalid atomic.Uint64
	completed, failed, connections                     atomic.Uint64
	done                                               func(error)
}

var _ ingest.Input = (*Input)(nil)

// New validates cfg.
func New(cfg Config) (*Input, error) {
	if cfg.Name == "" {
		cfg.Name = Source
	}
	cfg.PollInterval = orDefault(cfg.PollInterval, DefaultPollInterval)
	cfg.MinBackoff = orDefault(cfg.MinBackoff, DefaultMinBackoff)
	cfg.MaxBackoff = orDefault(cfg.MaxBackoff, DefaultMaxBackoff)
	cfg.OverloadRetry = orDefault(cfg.OverloadRetry, DefaultOverloadRetry)
	switch {
	case cfg.PollInterval < 0 || cfg.MinBackoff < 0 || cfg.MaxBackoff < 0 || cfg.OverloadRetry < 0:
		return nil, fmt.Errorf("falcogrpc %s: negative interval", cfg.Name)
	case cfg.MinBackoff > cfg.MaxBackoff:
		return nil, fmt.Errorf("falcogrpc %s: min backoff %v above max backoff %v", cfg.Name, cfg.MinBackoff, cfg.MaxBackoff)
	}
	in := &Input{cfg: cfg}
	switch {
	case cfg.UnixSocket != "" && cfg.Hostname != "":
		return nil, fmt.Errorf("falcogrpc %s: both a unix socket and a hostname; choose one", cfg.Name)
	case cfg.UnixSocket != "":
		path := strings.TrimPrefix(cfg.UnixSocket, "unix://")
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, fmt.Errorf("falcogrpc %s: socket %s: %w", cfg.Name, path, err)
		}
		in.client = client.Config{UnixSocketPath: "unix://" + abs}
	case cfg.Hostname != "":
		if cfg.Port == 0 {
			return nil, fmt.Errorf("falcogrpc %s: hostname %s without a port", cfg.Name, cfg.Hostname)
		}
		if cfg.CertFile == "" || cfg.KeyFile == "" || cfg.CARootFile == "" {
			return nil, fmt.Errorf("falcogrpc %s: TCP to %s needs mTLS: set the client certificate, key and CA root files", cfg.Name, cfg.Hostname)
		}
		in.client = client.Config{
			Hostname: cfg.Hostname, Port: cfg.Port,
			CertFile: cfg.CertFile, KeyFile: cfg.KeyFile, CARootFile: cfg.CARootFile,
		}
	default:
		return nil, fmt.Errorf("falcogrpc %s: no unix socket and no hostname", cfg.Name)
	}
	in.status.Init(cfg.Name, ingest.StateDisconnected)
	in.done = in.onDone
	return in, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Status reports the connection state.
func (in *Input) Status() ingest.Status { return in.status.Get() }

// Stats returns the counters.
func (in *Input) Stats() Stats {
	return Stats{
		Received: in.received.Load(), Delivered: in.delivered.Load(),
		Overloaded: in.overloaded.Load(), Rejected: in.rejected.Load(), Invalid: in.invalid.Load(),
		Completed: in.completed.Load(), Failed: in.failed.Load(), Connections: in.connections.Load(),
	}
}

func (in *Input) onDone(err error) {
	if err != nil {
		in.failed.Add(1)
		return
	}
	in.completed.Add(1)
}

// Run subscribes to Falco's outputs and delivers each event to h until ctx
// is cancelled, reconnecting with backoff whenever the stream breaks.
func (in *Input) Run(ctx context.Context, h ingest.Handler) error {
	if h == nil {
		return fmt.Errorf("falcogrpc %s: nil handler", in.cfg.Name)
	}
	bo := ingest.Backoff{Min: in.cfg.MinBackoff, Max: in.cfg.MaxBackoff}
	for {
		in.status.Set(ingest.StateConnecting, nil)
		healthy, err := in.session(ctx, h)
		if ctx.Err() != nil {
			in.status.Set(ingest.StateDisconnected, nil)
			return nil
		}
		in.status.Set(ingest.StateDisconnected, err)
		// A stream that worked earns a quick retry; one that failed at
		// once (wrong socket, refused certificate) backs off.
		if healthy {
			bo.Reset()
		}
		t := time.NewTimer(bo.Next())
		select {
		case <-ctx.Done():
			t.Stop()
			in.status.Set(ingest.StateDisconnected, nil)
			return nil
		case <-t.C:
		}
	}
}

// session runs one connection: it opens the Sub stream, polls it and
// delivers events until the stream breaks. healthy reports whether the
// stream was established and lived past one poll, or delivered something.
func (in *Input) session(ctx context.Context, h ingest.Handler) (healthy bool, err error) {
	cfg := in.client // NewForConfig appends to DialOptions: give it a copy
	c, err := client.NewForConfig(ctx, &cfg)
	if err != nil {
		return false, fmt.Errorf("falco gRPC %s: %w", in.target(), err)
	}
	defer c.Close()
	oc, err := c.Outputs()
	if err != nil {
		return false, fmt.Errorf("falco gRPC %s: %w", in.target(), err)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := oc.Sub(sctx)
	if err != nil {
		return false, fmt.Errorf("falco gRPC %s: subscribing to outputs: %w", in.target(), err)
	}
	if err := stream.Send(&outputs.Request{}); err != nil {
		return false, fmt.Errorf("falco gRPC %s: first poll: %w", in.target(), sendErr(stream, err))
	}
	in.connections.Add(1)
	in.status.Set(ingest.StateConnected, nil)
	started := time.Now()

	// Falco answers each request with what is queued, so keep asking.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(in.cfg.PollInterval)
		defer t.Stop()
		for {
			select {
			case <-sctx.Done():
				return
			case <-t.C:
				if stream.Send(&outputs.Request{}) != nil {
					return // Recv reports the cause
				}
			}
		}
	}()
	defer wg.Wait()
	defer cancel()

	got := false
	for {
		res, err := stream.Recv()
		if err != nil {
			healthy = got || time.Since(started) > in.cfg.PollInterval
			if errors.Is(err, io.EOF) {
				return healthy, fmt.Errorf("falco gRPC %s: server closed the outputs stream", in.target())
			}
			return healthy, fmt.Errorf("falco gRPC %s: %w", in.target(), err)
		}
		got = true
		in.received.Add(1)
		if !in.deliver(ctx, h, res) {
			return true, ctx.Err()
		}
	}
}

// sendErr returns the stream's real error when Send failed: gRPC reports
// io.EOF from Send and the status from Recv.
func sendErr(stream outputs.Service_SubClient, err error) error {
	if errors.Is(err, io.EOF) {
		if _, rerr := stream.Recv(); rerr != nil {
			return rerr
		}
	}
	return err
}

// deliver hands one event to the pipeline, waiting while it is overloaded.
// It returns false only when ctx ends first; the event is then lost with
// the process, as it would be with Falco's own queue.
func (in *Input) deliver(ctx context.Context, h ingest.Handler, res *outputs.Response) bool {
	body, err := toJSON(res)
	if err != nil {
		in.invalid.Add(1)
		return true
	}
	m := ingest.Message{Source: Source, Body: body, Received: time.Now(), Done: in.done}
	for {
		err := h(ctx, m)
		switch {
		case err == nil:
			in.delivered.Add(1)
			return true
		case errors.Is(err, ingest.ErrOverloaded):
			in.overloaded.Add(1)
			t := time.NewTimer(in.cfg.OverloadRetry)
			select {
			case <-ctx.Done():
				t.Stop()
				return false
			case <-t.C:
			}
		default:
			if ctx.Err() != nil {
				return false
			}
			in.rejected.Add(1)
			return true
		}
	}
}

func (in *Input) target() string {
	if in.client.UnixSocketPath != "" {
		return in.client.UnixSocketPath
	}
	return fmt.Sprintf("%s:%d", in.client.Hostname, in.client.Port)
}
