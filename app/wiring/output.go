package wiring

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// Output receives drifts. One implementation per format; sinks that notify
// people live in ticket/.
type Output interface {
	Write(d *drift.Drift) error
	Flush() error
}

// Formats for --format.
const (
	FormatText = "text"
	FormatJSON = "json"
)

// NewOutput returns the writer for a --format value.
func NewOutput(format string, w io.Writer) (Output, error) {
	switch format {
	case "", FormatText:
		return &textOutput{w: bufio.NewWriter(w)}, nil
	case FormatJSON:
		return &jsonOutput{w: bufio.NewWriter(w)}, nil
	}
	return nil, fmt.Errorf("unknown format %q (want text or json)", format)
}

// jsonOutput writes one drift per line (NDJSON), the contract of
// docs/ARCHITECTURE.md.
type jsonOutput struct {
	mu  sync.Mutex
	w   *bufio.Writer
	buf bytes.Buffer
}

func (o *jsonOutput) Write(d *drift.Drift) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Reset()
	if err := d.AppendNDJSON(&o.buf); err != nil {
		return err
	}
	_, err := o.w.Write(o.buf.Bytes())
	return err
}

func (o *jsonOutput) Flush() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.w.Flush()
}

type textOutput struct {
	mu sync.Mutex
	w  *bufio.Writer
}

func (o *textOutput) Write(d *drift.Drift) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return d.WriteText(o.w)
}

func (o *textOutput) Flush() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.w.Flush()
}
