package wiring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
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
	Inputs   int
	Records  int
	Skipped  int
	Failed   int
	Drifts   int
	Repeats  int
	Outcomes map[detector.Outcome]int
	Elapsed  time.Duration
}

// ErrBadRecords is returned (wrapped) when some records could not be
// decoded; the others were still processed.
var ErrBadRecords = errors.New("some records could not be decoded")

// Replay runs every record of every input through the engine, writing
// drifts to the output as they are found. A bad record is reported on Diag
// with its input and record number and skipped; Replay then returns an
// error wrapping ErrBadRecords after finishing everything else.
func Replay(ctx context.Context, o ReplayOptions) (ReplayStats, error) {
	st := ReplayStats{Outcomes: map[detector.Outcome]int{}}
	start := time.Now()
	diag := o.Diag
	if diag == nil {
		diag = io.Discard
	}
	var lastProgress time.Time
	var firstErr error
	for _, in := range o.Inputs {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		r, closeFn, err := openInput(in, o.Stdin)
		if err != nil {
			return st, err
		}
		st.Inputs++
		stats, err := decode.Stream(r, decode.Options{Name: in, Keep: o.Engine.Keep}, func(rec decode.Record) error {
			if rec.Err != nil {
				fmt.Fprintf(diag, "tfdrift: %v (skipped)\n", rec.Err)
				return nil
			}
			res := o.Engine.Process(rec.Change)
			st.Outcomes[res.Outcome]++
			st.Repeats += len(res.Repeats)
			for _, d := range res.Drifts {
				st.Drifts++
				if err := o.Output.Write(d); err != nil {
					return fmt.Errorf("writing drift: %w", err)
				}
				if o.Notify != nil {
					if err := o.Notify(ctx, d); err != nil {
						fmt.Fprintf(diag, "tfdrift: notify %s: %v\n", d.Title(), err)
						if firstErr == nil {
							firstErr = fmt.Errorf("notify: %w", err)
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
		st.Failed += stats.Failed
		if err != nil {
			return st, fmt.Errorf("%s: %w", in, err)
		}
	}
	st.Elapsed = time.Since(start)
	if err := o.Output.Flush(); err != nil {
		return st, err
	}
	if st.Failed > 0 {
		return st, fmt.Errorf("%d of %d records: %w", st.Failed, st.Records, ErrBadRecords)
	}
	return st, firstErr
}

func openInput(name string, stdin io.Reader) (io.Reader, func(), error) {
	if name == "-" {
		if stdin == nil {
			stdin = os.Stdin
		}
		return stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}
