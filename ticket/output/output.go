package output

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/tfdrift/tfdrift/ticket"
)

// DefaultName is the sink's default name.
const DefaultName = "output"

// EventTypeResolved marks a resolution line.
const EventTypeResolved = "terraform_drift_resolved"

// Sink writes NDJSON lines to a writer.
type Sink struct {
	name   string
	mu     sync.Mutex
	w      io.Writer
	closer io.Closer
	buf    bytes.Buffer
}

// New writes to w (os.Stdout, say); the caller keeps ownership of w.
func New(name string, w io.Writer) *Sink {
	if name == "" {
		name = DefaultName
	}
	return &Sink{name: name, w: w}
}

// Open appends to the file at path, creating it (0644) when missing.
// Close closes it.
func Open(name, path string) (*Sink, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", name, err)
	}
	s := New(name, f)
	s.closer = f
	return s, nil
}

// Name is the sink's name.
func (s *Sink) Name() string { return s.name }

// Close closes a file opened by Open; it is a no-op for New's writer.
func (s *Sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closer == nil {
		return nil
	}
	err := s.closer.Close()
	s.closer = nil
	return err
}

// Send writes n's drifts, one line each, in a single write. A line in a
// file has no identity to refer to later: the receipt is empty.
func (s *Sink) Send(_ context.Context, n *ticket.Notice) (ticket.Receipt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Reset()
	if err := Append(&s.buf, n); err != nil {
		return ticket.Receipt{}, ticket.Permanent("output "+s.name, err)
	}
	if _, err := s.w.Write(s.buf.Bytes()); err != nil {
		// A full disk or a closed pipe may recover; the outbox retries.
		return ticket.Receipt{}, fmt.Errorf("output %s: %w", s.name, err)
	}
	return ticket.Receipt{}, nil
}

// Append renders n's lines: drift.AppendNDJSON for a drift and each
// drift of a group; the record with event_type terraform_drift_resolved
// for a resolution.
func Append(buf *bytes.Buffer, n *ticket.Notice) error {
	switch {
	case n.Kind == ticket.KindResolved && n.Drift != nil:
		r := n.Drift.ToRecord()
		r.EventType = EventTypeResolved
		b, err := ticket.MarshalJSON(r)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
		return nil
	case len(n.Drifts()) > 0:
		for _, d := range n.Drifts() {
			if err := d.AppendNDJSON(buf); err != nil {
				return fmt.Errorf("drift %s: %w", d.EventID, err)
			}
		}
		return nil
	}
	return fmt.Errorf("%s notice without a drift", n.Kind)
}

var _ ticket.Sink = (*Sink)(nil)
