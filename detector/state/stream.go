package state

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tfdrift/tfdrift/internal/jsonscan"
)

// StreamBackend is a Backend that can also hand over its state as a
// stream, which LoadStream parses as it arrives instead of holding the
// whole file: a reload of a large state then needs the loaded version,
// the new one and a buffer about one resource long, not the new file's
// bytes as well. The local, S3 and GCS backends implement it.
type StreamBackend interface {
	Backend
	// Open is Fetch returning the body as a stream, with the same
	// version and the same ErrNotModified for an unchanged ifVersion.
	// The caller closes the stream; Close returns ErrChanged when the
	// object changed while it was read, so that what was read may mix
	// two versions and should be read again.
	Open(ctx context.Context, ifVersion string) (body io.ReadCloser, version string, err error)
}

// ErrChanged is returned by the Close of a stream from
// StreamBackend.Open when the object changed while it was being read.
var ErrChanged = errors.New("changed while being read")

// ReadError is a failure to read a state's bytes, as opposed to a failure
// to parse the bytes read: a connection cut short, a file that changed
// while being read.
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return "read: " + e.Err.Error() }

func (e *ReadError) Unwrap() error { return e.Err }

// streamBuffer is the first size of ParseStream's buffer. It grows to
// hold the largest single resource (all its instances), and to hold the
// rest of the input when that has a syntax error or when a value other
// than "resources" is larger.
const streamBuffer = 1 << 20

// streamAttempts bounds how often LoadStream reads an object again that
// changed while being read.
const streamAttempts = 3

// LoadStream opens b's state object, parses it as it streams in (sharing
// unchanged attributes with prev, as ParseFrom does) and returns the
// snapshot, its version and the number of bytes read. An object that
// changed while being read is read again, up to three times.
//
// An unchanged ifVersion returns ErrNotModified with the version, as
// Fetch does. Other errors name the source: those of Open come back with
// no version, a failure to read as a *ReadError with no version, and a
// failure to parse what was read (a truncated object among them) with the
// version that failed.
func LoadStream(ctx context.Context, b StreamBackend, ifVersion string, prev *Previous) (*Snapshot, string, int64, error) {
	src := b.Source()
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, "", 0, fmt.Errorf("state %s: %w", src.Name, err)
		}
		body, version, err := b.Open(ctx, ifVersion)
		if errors.Is(err, ErrNotModified) {
			return nil, version, 0, err
		}
		if err != nil {
			return nil, "", 0, fmt.Errorf("state %s: %w", src.Name, err)
		}
		snap, n, perr := ParseStream(ctxReader{ctx, body}, src, prev)
		cerr := body.Close()
		if errors.Is(cerr, ErrChanged) {
			if attempt < streamAttempts {
				continue
			}
			return nil, "", n, fmt.Errorf("state %s: %w", src.Name,
				&ReadError{fmt.Errorf("%w, %d times in a row", ErrChanged, streamAttempts)})
		}
		if perr == nil && cerr != nil {
			perr = fmt.Errorf("state %s: %w", src.Name, &ReadError{cerr})
		}
		if re := (*ReadError)(nil); errors.As(perr, &re) {
			return nil, "", n, perr
		}
		if perr != nil {
			return nil, version, n, perr
		}
		return snap, version, n, nil
	}
}

// ctxReader ends a read when its context is done: a local file does not
// watch the context itself.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// ParseStream is ParseFrom reading the state from r as it arrives. It
// holds one resource's bytes at a time (more only when the input is
// broken or a value other than "resources" is large), and its result and
// its errors are those ParseFrom gives for the same bytes. It also
// returns how many bytes it read. A failure of r is returned as a
// *ReadError; input that ends early is a *SyntaxError like any other
// truncated state. Errors name the source.
func ParseStream(r io.Reader, src Source, prev *Previous) (*Snapshot, int64, error) {
	return parseStream(r, src, prev, streamBuffer)
}

// parseStream is ParseStream starting with a buffer of bufSize bytes:
// tests make it tiny, so that every step meets the buffer's end.
func parseStream(r io.Reader, src Source, prev *Previous, bufSize int) (*Snapshot, int64, error) {
	if src.Workspace == "" {
		src.Workspace = DefaultWorkspace
	}
	sp := &streamParser{
		p: parser{
			snap:   &Snapshot{Source: src},
			intern: make(map[string]string),
		},
		r:      r,
		buf:    make([]byte, max(bufSize, 1)),
		lastNL: -1,
	}
	if prev != nil {
		sp.p.prev = prev.byAddr
	}
	err := sp.root()
	n := sp.base + int64(sp.end)
	if err != nil {
		return nil, n, fmt.Errorf("state %s: %w", src.Name, err)
	}
	return sp.p.snap, n, nil
}

// streamParser feeds the byte parser one piece of the input at a time:
// each step (a member's key, a top-level value, one resource) is parsed
// from the buffer with the same code Parse uses, and done again with more
// input when the buffer ended before the step did.
type streamParser struct {
	p   parser
	r   io.Reader
	buf []byte
	// buf[pos:end] is read and not yet parsed.
	pos, end int
	base     int64 // offset in the input of buf[0]
	eof      bool
	// lines counts the newlines before buf[0], and lastNL is the offset
	// of the last of them (-1 if none), for errors' line and column.
	lines  int
	lastNL int64
}

// fill drops the parsed bytes and reads more, growing the buffer when
// the unparsed bytes fill it.
func (sp *streamParser) fill() error {
	if sp.pos > 0 {
		done := sp.buf[:sp.pos]
		if n := bytes.Count(done, []byte{'\n'}); n > 0 {
			sp.lines += n
			sp.lastNL = sp.base + int64(bytes.LastIndexByte(done, '\n'))
		}
		sp.end = copy(sp.buf, sp.buf[sp.pos:sp.end])
		sp.base += int64(sp.pos)
		sp.pos = 0
	}
	if sp.end == len(sp.buf) {
		nb := make([]byte, 2*len(sp.buf))
		copy(nb, sp.buf[:sp.end])
		sp.buf = nb
	}
	n, err := io.ReadFull(sp.r, sp.buf[sp.end:])
	sp.end += n
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		sp.eof = true
	case err != nil:
		return &ReadError{err}
	}
	return nil
}

// step runs fn on the unparsed input and, once it succeeds, consumes what
// it read. When fn failed at the end of the buffer, or reached its end
// (a number there may go on), the input may simply not have arrived yet:
// step reads more and runs fn again from the same place. fn must
// therefore be repeatable.
//
// depth is how deep in the document the step starts, for the nesting
// limit, which counts from the top as it does in Parse.
func (sp *streamParser) step(depth int, fn func() error) error {
	kept := len(sp.p.snap.Resources)
	for {
		sp.p.snap.Resources = sp.p.snap.Resources[:kept]
		sp.p.s = scanner{jsonscan.NewScannerAt(sp.buf[sp.pos:sp.end], depth)}
		sp.p.base = sp.base + int64(sp.pos)
		err := fn()
		s := &sp.p.s
		// Whatever the outcome, a step that reached the end of the
		// buffer may have read a number cut short.
		short := s.Pos >= len(s.Data)
		if se, ok := err.(*jsonscan.SyntaxError); ok {
			short = short || se.Off >= len(s.Data)
		}
		if short && !sp.eof {
			if err := sp.fill(); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return sp.located(err)
		}
		sp.pos += s.Pos
		return nil
	}
}

// located gives a syntax error in buf[pos:end] its offset, line and
// column in the whole input, as withLine does for Parse.
func (sp *streamParser) located(err error) error {
	se, ok := err.(*jsonscan.SyntaxError)
	if !ok {
		return err
	}
	at := sp.pos + min(se.Off, sp.end-sp.pos)
	before := sp.buf[:at]
	off := sp.base + int64(at)
	line := 1 + sp.lines + bytes.Count(before, []byte{'\n'})
	lastNL := sp.lastNL
	if nl := bytes.LastIndexByte(before, '\n'); nl >= 0 {
		lastNL = sp.base + int64(nl)
	}
	return &SyntaxError{Offset: off, Line: line, Column: int(off - lastNL), Msg: se.Msg}
}

// root is parser.root, one step at a time.
func (sp *streamParser) root() error {
	p := &sp.p
	// Parse calls a file of white space empty: find its first other byte.
	for {
		sp.pos += len(sp.buf[sp.pos:sp.end]) - len(bytes.TrimLeft(sp.buf[sp.pos:sp.end], " \t\n\r"))
		if sp.pos < sp.end {
			break
		}
		if sp.eof {
			return errors.New("empty file, not a Terraform state")
		}
		if err := sp.fill(); err != nil {
			return err
		}
	}
	if err := sp.step(0, func() error { return p.s.BeginObject("'{' starting the state object") }); err != nil {
		return err
	}
	sawVersion := false
	var deferred []byte // "resources" met before "version"
	var deferredAt streamParser
	for first := true; ; first = false {
		var name string
		var ok bool
		err := sp.step(1, func() error {
			key, esc, k, err := p.s.NextMember(first)
			name, ok = string(memberName(key, esc)), k
			return err
		})
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch {
		case name != "resources":
			if err := sp.step(1, func() error { return p.field([]byte(name)) }); err != nil {
				return err
			}
			sawVersion = sawVersion || p.snap.Version != 0
		case !sawVersion:
			// Terraform writes "version" first; a state that does not
			// has its resources kept whole until the version is known.
			err = sp.step(1, func() error {
				start := p.s.Pos
				if err := p.s.SkipValue(); err != nil {
					return err
				}
				deferred = append(deferred[:0], p.s.Data[start:p.s.Pos]...)
				deferredAt = streamParser{base: p.base + int64(start), lines: sp.lines, lastNL: sp.lastNL}
				deferredAt.lines += bytes.Count(sp.buf[:sp.pos+start], []byte{'\n'})
				if nl := bytes.LastIndexByte(sp.buf[:sp.pos+start], '\n'); nl >= 0 {
					deferredAt.lastNL = sp.base + int64(nl)
				}
				return nil
			})
			if err != nil {
				return err
			}
		default:
			p.snap.Resources = p.snap.Resources[:0]
			if err := sp.resources(); err != nil {
				return err
			}
		}
	}
	if err := sp.step(0, func() error {
		if p.s.Peek() != 0 {
			return p.s.Unexpected("end of input after the state object")
		}
		return nil
	}); err != nil {
		return err
	}
	if !sawVersion {
		return errors.New(`no "version" field: not a Terraform state file`)
	}
	if deferred != nil {
		p.snap.Resources = p.snap.Resources[:0]
		d := &deferredAt
		d.buf, d.end, d.eof = deferred, len(deferred), true
		// Parse reads them again once the state object has closed.
		p.s = scanner{jsonscan.NewScanner(deferred)}
		p.base = d.base
		if err := p.resources(); err != nil {
			return d.located(err)
		}
	}
	return nil
}

// resources is parser.resources, one resource at a time.
func (sp *streamParser) resources() error {
	p := &sp.p
	null := false
	err := sp.step(1, func() error {
		if null = p.s.Peek() == 'n'; null {
			return p.s.Literal("null")
		}
		return p.s.BeginArray(`array for "resources"`)
	})
	if err != nil || null {
		return err
	}
	first, more := true, false
	element := func() error { // one closure for every element
		ok, err := p.s.NextElement(first)
		if more = ok; err != nil || !ok {
			return err
		}
		return p.resource()
	}
	for ; ; first = false {
		if err := sp.step(2, element); err != nil || !more {
			return err
		}
	}
}
