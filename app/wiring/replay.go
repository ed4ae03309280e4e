package wiring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/decode"
	"github.com/tfdrift/tfdrift/detector/drift"
)

// ReplayOptions configure a replay.
type ReplayOptions struct {
	// Inputs are file paths; "-" is Stdin.
	Inputs []string
	Stdin  io.Reader
	Engine *detector.Engine
	Output Output
	// Notify, when set, receives every new drift (the --notify path).
	Notify func(ctx context.Context, d *drift.Drift) error
	// Diag receives one line per bad record and the closing summary.
	Diag io.Writer
	// Progress, when positive, prints a progress line to Diag this often.
	Progress time.Duration
}

// ReplayStats summarise a replay.
type ReplayStats struct {
	Inputs int
	// BadInputs could not be opened or stopped being readable (an I/O or
	// gzip error); what was read before still counts.
	BadInputs int
	Records   int
	// Skipped were refused before decoding (reads, unmapped calls).
	Skipped int
	// Unsupported are well-formed records of a kind that describes no
	// cloud API call (an EC2 state-change notice, a Falco syscall alert),
	// by reason. They are skipped, not bad.
	Unsupported map[string]int
	// Failed records could not be read (bad JSON, missing fields).
	Failed   int
	Drifts   int
	Repeats  int
	Outcomes map[detector.Outcome]int
	Elapsed  time.Duration
}

// UnsupportedTotal is the number of unsupported records.
func (st ReplayStats) UnsupportedTotal() int {
	n := 0
	for _, c := range st.Unsupported {
		n += c
	}
	return n
}

// UnsupportedSummary lists the unsupported kinds seen, most frequent
// first: `3 × unsupported Falco source "syscall" …`.
func (st ReplayStats) UnsupportedSummary() string {
	reasons := make([]string, 0, len(st.Unsupported))
	for r := range st.Unsupported {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		a, b := reasons[i], reasons[j]
		if st.Unsupported[a] != st.Unsupported[b] {
			return st.Unsupported[a] > st.Unsupported[b]
		}
		return a < b
	})
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%d × %s", st.Unsupported[r], r)
	}
	return strings.Join(parts, "; ")
}

// ErrBadRecords is returned (wrapped) when some records or inputs could
// not be read; everything else was still processed.
var ErrBadRecords = errors.New("each was reported above and skipped")

// plural is "1 record", "2 records".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// ErrNotify is wrapped by Replay's error when a --notify delivery failed
// (each failure was reported on Diag).
var ErrNotify = errors.New("notify")

// Replay runs every record of every input through the engine, writing
// drifts to the output as they are found. A bad record is reported on Diag
// with its input, record number and position and skipped; an input that
// cannot be opened or read is reported and the next one is read. Replay
// then returns an error wrapping ErrBadRecords after finishing everything
// else. Records of unsupported kinds are counted in Unsupported, each kind
// reported once. The output is flushed whatever happens, so drifts found
// (and perhaps already notified) before a fatal error are shown. ctx
// stops the replay, even while an input blocks (a FIFO, a terminal).
func Replay(ctx context.Context, o ReplayOptions) (ReplayStats, error) {
	st := ReplayStats{Outcomes: map[detector.Outcome]int{}, Unsupported: map[string]int{}}
	start := time.Now()
	diag := o.Diag
	if diag == nil {
		diag = io.Discard
	}
	err := replayInputs(ctx, o, &st, diag)
	st.Elapsed = time.Since(start)
	if ferr := o.Output.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("writing drifts: %w", ferr)
	}
	return st, err
}

func replayInputs(ctx context.Context, o ReplayOptions, st *ReplayStats, diag io.Writer) error {
	var lastProgress time.Time
	var notifyErr error
	for _, in := range o.Inputs {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, closeFn, err := openInput(ctx, in, o.Stdin)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			st.BadInputs++
			fmt.Fprintf(diag, "tfdrift: %v (input skipped)\n", PrefixOnce(in, err))
			continue
		}
		st.Inputs++
		var fatal error // from the callback: stops the whole replay
		stats, err := decode.Stream(r, decode.Options{Name: in, Keep: o.Engine.Keep}, func(rec decode.Record) error {
			if rec.Err != nil {
				var u *decode.UnsupportedError
				if errors.As(rec.Err, &u) {
					if st.Unsupported[u.Reason]++; st.Unsupported[u.Reason] == 1 {
						fmt.Fprintf(diag, "tfdrift: %v (skipped; records of this kind are only counted from now on)\n", rec.Err)
					}
					return ctx.Err()
				}
				st.Failed++
				fmt.Fprintf(diag, "tfdrift: %v (skipped)\n", rec.Err)
				return ctx.Err()
			}
			res := o.Engine.Process(rec.Change)
			st.Outcomes[res.Outcome]++
			st.Repeats += len(res.Repeats)
			for _, d := range res.Drifts {
				st.Drifts++
				if err := o.Output.Write(d); err != nil {
					fatal = fmt.Errorf("writing drift: %w", err)
					return fatal
				}
				if o.Notify != nil {
					if err := o.Notify(ctx, d); err != nil {
						fmt.Fprintf(diag, "tfdrift: notify %s: %v\n", d.Title(), err)
						if notifyErr == nil {
							notifyErr = fmt.Errorf("%w: %w", ErrNotify, err)
						}
					}
				}
			}
			if o.Progress > 0 {
				if now := time.Now(); now.Sub(lastProgress) >= o.Progress {
					lastProgress = now
					fmt.Fprintf(diag, "tfdrift: %s: %d records, %d drifts\n", in, st.Records+rec.Index, st.Drifts)
				}
			}
			return ctx.Err()
		})
		closeFn()
		st.Records += stats.Records
		st.Skipped += stats.Skipped
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case fatal != nil:
			return fatal
		case err != nil:
			st.BadInputs++
			fmt.Fprintf(diag, "tfdrift: %v (the rest of this input was not read)\n", PrefixOnce(in, err))
		}
	}
	if st.Failed > 0 || st.BadInputs > 0 {
		var parts []string
		if st.Failed > 0 {
			parts = append(parts, fmt.Sprintf("%d of %s could not be decoded", st.Failed, plural(st.Records, "record")))
		}
		if st.BadInputs > 0 {
			parts = append(parts, fmt.Sprintf("%d of %s could not be read", st.BadInputs, plural(len(o.Inputs), "input")))
		}
		return fmt.Errorf("%s: %w", strings.Join(parts, ", "), ErrBadRecords)
	}
	return notifyErr
}

// openInput opens an event file ("-" is stdin). Opening a FIFO blocks
// until a writer comes, and reading a pipe or terminal blocks until data
// comes, so both wait for ctx too; regular files are only checked between
// reads.
func openInput(ctx context.Context, name string, stdin io.Reader) (io.Reader, func(), error) {
	if name == "-" {
		if stdin == nil {
			stdin = os.Stdin
		}
		return &blockingReader{ctx: ctx, r: stdin}, func() {}, nil
	}
	fi, err := os.Stat(name)
	if err != nil {
		return nil, nil, err
	}
	if fi.IsDir() {
		return nil, nil, fmt.Errorf("is a directory, not an event file (pass the files in it, such as %s)", filepath.Join(name, "*.json"))
	}
	if fi.Mode().IsRegular() {
		f, err := os.Open(name)
		if err != nil {
			return nil, nil, err
		}
		return &ctxReader{ctx: ctx, r: f}, func() { f.Close() }, nil
	}
	type opened struct {
		f   *os.File
		err error
	}
	done := make(chan opened, 1)
	go func() {
		f, err := os.Open(name)
		done <- opened{f, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			return nil, nil, o.err
		}
		return &blockingReader{ctx: ctx, r: o.f}, func() { o.f.Close() }, nil
	case <-ctx.Done():
		go func() { // close the file should the open ever finish
			if o := <-done; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, nil, ctx.Err()
	}
}

// ctxReader fails its reads once ctx is done: a reader of endless input
// (/dev/zero, junk without a line break) stops at the next read.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// blockingReader reads in a goroutine so that a read that blocks (a pipe
// with no data, a terminal) gives way to ctx. The goroutine of a read cut
// short stays blocked until its read returns; the process is ending.
type blockingReader struct {
	ctx     context.Context
	r       io.Reader
	buf     []byte
	results chan readResult
}

type readResult struct {
	n   int
	err error
}

func (b *blockingReader) Read(p []byte) (int, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	if b.results == nil {
		b.results = make(chan readResult, 1)
	}
	if cap(b.buf) < len(p) {
		b.buf = make([]byte, len(p))
	}
	buf := b.buf[:len(p)]
	go func() {
		n, err := b.r.Read(buf)
		b.results <- readResult{n, err}
	}()
	select {
	case r := <-b.results:
		return copy(p, buf[:r.n]), r.err
	case <-b.ctx.Done():
		b.buf = nil // the goroutine may still write to it
		return 0, b.ctx.Err()
	}
}
