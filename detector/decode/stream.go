package decode

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"github.com/tfdrift/tfdrift/internal/jsonscan"
)

// Stream decodes everything in r and calls fn once per record in order
// (skipped records are not passed to fn). It returns fn's first error, or an
// error only if the input as a whole is unreadable (bad gzip, I/O error);
// a bad record becomes a Record with Err set and decoding continues with
// the next record where the framing allows (NDJSON: next line).
//
// Framing is found from the data, not the file name: gzip by its magic
// bytes; then, value by value, a CloudTrail log file ({"Records":[...]},
// read one element at a time, so its size is not bounded), a JSON array
// of records, NDJSON (when the first line is complete JSON) or a stream of
// concatenated, possibly pretty-printed, JSON values. When the framing of
// an array or document is lost (truncated or malformed JSON), the record
// is reported failed with its line and byte offset, and decoding resumes
// at the next line that starts with '{' or '['.
func Stream(r io.Reader, opts Options, fn func(Record) error) (Stats, error) {
	d := newDecoder(opts, fn)
	in, err := openInput(r)
	if err != nil {
		return d.stats, fmt.Errorf("%s: %w", d.name, err)
	}
	s := &streamer{d: d, in: in}
	err = s.run()
	if err == errStop {
		err = d.stop
	}
	return d.stats, err
}

// readChunk is the size of one read; the buffer grows past it only for
// records that do not fit.
const readChunk = 256 << 10

var errTooLarge = fmt.Errorf("record larger than %d MiB", MaxRecordSize>>20)

// openInput detects gzip by its magic bytes (1f 8b).
func openInput(r io.Reader) (*input, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var src io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		src = zr
	}
	return &input{r: src, buf: make([]byte, readChunk)}, nil
}

// input is a read buffer whose pending bytes buf[pos:end] can be handed
// out as records without copying. Slices it returns are valid until the
// next call that reads.
type input struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
	err      error // sticky read error other than io.EOF
	line     int   // newlines consumed so far
	base     int64 // input offset of buf[0]
}

// offset is the input offset of the read position (of the decompressed
// stream for gzip).
func (in *input) offset() int64 { return in.base + int64(in.pos) }

func (in *input) pending() []byte { return in.buf[in.pos:in.end] }

// more reads until at least want bytes are pending (at least one more
// byte when want is smaller) or the input ends. It compacts and grows the
// buffer as needed and reports whether it read anything.
func (in *input) more(want int) bool {
	if in.eof || in.err != nil {
		return false
	}
	if in.pos > 0 {
		in.base += int64(in.pos)
		in.end = copy(in.buf, in.buf[in.pos:in.end])
		in.pos = 0
	}
	want = max(want, in.end+1)
	if want > len(in.buf) {
		grown := make([]byte, max(2*len(in.buf), want))
		copy(grown, in.buf[:in.end])
		in.buf = grown
	}
	start := in.end
	for empty := 0; in.end < want; {
		n, err := in.r.Read(in.buf[in.end:])
		in.end += n
		if err == io.EOF {
			in.eof = true
			break
		}
		if err != nil {
			in.err = err
			break
		}
		if n == 0 {
			if empty++; empty == 100 {
				in.err = io.ErrNoProgress
				break
			}
		}
	}
	return in.end > start
}

// skipBOM drops a UTF-8 byte order mark at the start of the input.
func (in *input) skipBOM() {
	for len(in.pending()) < len(utf8BOM) && in.more(len(utf8BOM)) {
	}
	if bytes.HasPrefix(in.pending(), utf8BOM) {
		in.pos += len(utf8BOM)
	}
}

// peekNonSpace skips whitespace and returns the next byte without
// consuming it, or io.EOF.
func (in *input) peekNonSpace() (byte, error) {
	for {
		for in.pos < in.end {
			c := in.buf[in.pos]
			if !jsonscan.IsSpace(c) {
				return c, nil
			}
			if c == '\n' {
				in.line++
			}
			in.pos++
		}
		if !in.more(0) {
			if in.err != nil {
				return 0, in.err
			}
			return 0, io.EOF
		}
	}
}

// readLine returns the next line without its newline. A line longer than
// limit is dropped and reported as errTooLarge, so that NDJSON decoding can
// go on with the next line.
func (in *input) readLine(limit int) ([]byte, error) {
	searched := 0
	for {
		p := in.pending()
		if k := bytes.IndexByte(p[searched:], '\n'); k >= 0 {
			n := searched + k
			in.pos += n + 1
			in.line++
			if n > limit {
				return nil, errTooLarge
			}
			return p[:n], nil
		}
		searched = len(p)
		if len(p) > limit {
			return nil, in.discardLine()
		}
		if !in.more(0) {
			if in.err != nil {
				return nil, in.err
			}
			p = in.pending()
			if len(p) == 0 {
				return nil, io.EOF
			}
			in.pos = in.end
			in.line++
			return p, nil
		}
	}
}

// discardLine drops input up to and including the next newline and
// returns errTooLarge (or a read error).
func (in *input) discardLine() error {
	for {
		p := in.pending()
		if k := bytes.IndexByte(p, '\n'); k >= 0 {
			in.pos += k + 1
			in.line++
			return errTooLarge
		}
		in.pos = in.end
		if !in.more(0) {
			if in.err != nil {
				return in.err
			}
			in.line++
			return errTooLarge
		}
	}
}

// valueAhead returns the length of the complete JSON value at the read
// position without consuming it, reading more input as needed.
func (in *input) valueAhead(limit int) (int, error) {
	for {
		p := in.pending()
		end, err := jsonscan.ScanValue(p, 0, in.eof || in.err != nil)
		if err == nil && end > limit {
			return 0, errTooLarge
		}
		if err != jsonscan.ErrUnexpectedEnd {
			return end, err
		}
		if len(p) > limit {
			return 0, errTooLarge
		}
		// Rescan cost stays linear: small values retry after each read,
		// large ones only once the pending data has doubled.
		want := len(p) + 1
		if len(p) >= 64<<10 {
			want = 2 * len(p)
		}
		if !in.more(want) {
			if in.err != nil {
				return 0, in.err
			}
			return 0, jsonscan.ErrUnexpectedEnd
		}
	}
}

// readValue consumes and returns the complete JSON value at the read
// position.
func (in *input) readValue(limit int) ([]byte, error) {
	n, err := in.valueAhead(limit)
	if err != nil {
		return nil, err
	}
	v := in.buf[in.pos : in.pos+n]
	in.pos += n
	in.line += bytes.Count(v, []byte{'\n'})
	return v, nil
}

// streamer frames the input into records for the decoder.
type streamer struct {
	d  *decoder
	in *input
	// modeKnown and ndjson record how plain values are framed, decided
	// once from the first one.
	modeKnown, ndjson bool
	// listStart is the offset of the '[' of a Records array found by
	// recordsAhead.
	listStart int
}

func (s *streamer) run() error {
	s.in.skipBOM()
	for {
		c, err := s.in.peekNonSpace()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return s.readErr(err)
		}
		s.d.line = 0
		switch {
		case c == '[':
			err = s.list(false)
		case c == '{' && s.recordsAhead():
			err = s.list(true)
		default:
			if !s.modeKnown {
				s.ndjson, s.modeKnown = s.detectNDJSON(), true
			}
			if s.ndjson {
				err = s.line()
			} else {
				err = s.document()
			}
		}
		var lost *lostFraming
		if errors.As(err, &lost) {
			err = s.resync(lost)
		}
		if err != nil {
			return err
		}
	}
}

// lostFraming says the input could not be split into records at line
// (1-based) and byte offset.
type lostFraming struct {
	line   int
	offset int64
	err    error
}

func (e *lostFraming) Error() string { return e.err.Error() }

// resync reports the record whose framing was lost as failed, with its
// line and byte offset, and skips to the next line that begins (in its
// first column) with '{' or '[': the start of the next top-level value in
// NDJSON and in pretty-printed documents. Decoding goes on from there.
func (s *streamer) resync(lost *lostFraming) error {
	in := s.in
	if !in.skipLine() {
		if in.err != nil {
			return s.readErr(in.err)
		}
	}
	for !in.eof || in.pos < in.end {
		if in.pos == in.end && !in.more(0) {
			break
		}
		if c := in.buf[in.pos]; c == '{' || c == '[' {
			break
		}
		if !in.skipLine() {
			break
		}
	}
	if in.err != nil {
		return s.readErr(in.err)
	}
	where := "nothing after it was decoded"
	if in.pos < in.end {
		where = fmt.Sprintf("decoding resumed at line %d", in.line+1)
	}
	s.d.index++
	s.d.stats.Records++
	s.d.line = 0
	return s.d.fail("", fmt.Errorf("line %d, byte offset %d: %w; %s", lost.line, lost.offset, lost.err, where))
}

// skipLine drops input up to and including the next newline, reporting
// false when the input ended (or failed) first.
func (in *input) skipLine() bool {
	for {
		p := in.pending()
		if k := bytes.IndexByte(p, '\n'); k >= 0 {
			in.pos += k + 1
			in.line++
			return true
		}
		in.pos = in.end
		if !in.more(0) {
			return false
		}
	}
}

// recordsAhead reports whether the object at the read position begins
// with a "Records" array, as CloudTrail log files do, so that it can be
// read one record at a time.
func (s *streamer) recordsAhead() bool {
	for {
		p := s.in.pending()
		// Only the first recordsPeek bytes count, so that the answer does
		// not depend on how much a read returned.
		p = p[:min(len(p), recordsPeek)]
		off, ok, decided := recordsPrefix(p)
		if decided {
			s.listStart = off
			return ok
		}
		if len(p) == recordsPeek || !s.in.more(0) {
			return false
		}
	}
}

// recordsPeek bounds the look-ahead for `{ "Records" : [`, whitespace
// included.
const recordsPeek = 4096

// recordsPrefix matches `{ "Records" : [` at the start of p. decided is
// false when p ends before the match can be settled.
func recordsPrefix(p []byte) (off int, ok, decided bool) {
	const key = `"Records"`
	i := jsonscan.SkipSpace(p, 1)
	if len(p)-i < len(key) {
		return 0, false, !bytes.HasPrefix([]byte(key), p[i:])
	}
	if !bytes.HasPrefix(p[i:], []byte(key)) {
		return 0, false, true
	}
	if i = jsonscan.SkipSpace(p, i+len(key)); i == len(p) {
		return 0, false, false
	}
	if p[i] != ':' {
		return 0, false, true
	}
	if i = jsonscan.SkipSpace(p, i+1); i == len(p) {
		return 0, false, false
	}
	// A Records value that is not an array is left to the record path,
	// which reports it.
	return i, p[i] == '[', true
}

// list reads an array of records, or the Records array of a CloudTrail
// log file, one element at a time.
func (s *streamer) list(records bool) error {
	in := s.in
	if records {
		in.pos += s.listStart
	}
	in.pos++ // '['
	for first := true; ; first = false {
		c, err := in.peekNonSpace()
		if err != nil {
			return s.broken(err)
		}
		if c == ']' {
			in.pos++
			break
		}
		if !first {
			if c != ',' {
				return s.broken(fmt.Errorf("invalid JSON: expected ',' or ']' after record, found %q", c))
			}
			in.pos++
			if _, err := in.peekNonSpace(); err != nil {
				return s.broken(err)
			}
		}
		v, err := in.readValue(MaxRecordSize)
		if err != nil {
			return s.broken(err)
		}
		s.d.line = 0
		if err := s.d.record(v); err != nil {
			return err
		}
	}
	if records {
		return s.objectRest()
	}
	return nil
}

// objectRest skips the members of a log file object after Records.
func (s *streamer) objectRest() error {
	in := s.in
	for {
		c, err := in.peekNonSpace()
		if err != nil {
			return s.broken(err)
		}
		if c == '}' {
			in.pos++
			return nil
		}
		if c != ',' {
			return s.broken(fmt.Errorf("invalid JSON: expected ',' or '}' after Records, found %q", c))
		}
		in.pos++
		if c, err = in.peekNonSpace(); err != nil {
			return s.broken(err)
		}
		if c != '"' {
			return s.broken(fmt.Errorf("invalid JSON: expected an object key, found %q", c))
		}
		if _, err := in.readValue(MaxRecordSize); err != nil {
			return s.broken(err)
		}
		if c, err = in.peekNonSpace(); err != nil {
			return s.broken(err)
		}
		if c != ':' {
			return s.broken(fmt.Errorf("invalid JSON: expected ':' after object key, found %q", c))
		}
		in.pos++
		if _, err := in.peekNonSpace(); err != nil {
			return s.broken(err)
		}
		if _, err := in.readValue(MaxRecordSize); err != nil {
			return s.broken(err)
		}
	}
}

// detectNDJSON decides how plain values are framed: as NDJSON (a broken
// line costs one record) unless the first value is complete only across
// several lines, as in pretty-printed documents.
func (s *streamer) detectNDJSON() bool {
	in := s.in
	searched := 0
	for {
		p := in.pending()
		if k := bytes.IndexByte(p[searched:], '\n'); k >= 0 {
			if completeValues(p[:searched+k]) {
				return true
			}
			_, err := in.valueAhead(MaxRecordSize)
			return err != nil
		}
		searched = len(p)
		if len(p) > MaxRecordSize || !in.more(0) {
			return true
		}
	}
}

// completeValues reports whether b is one or more complete JSON values.
func completeValues(b []byte) bool {
	for i := jsonscan.SkipSpace(b, 0); i < len(b); i = jsonscan.SkipSpace(b, i) {
		end, err := jsonscan.ValueEnd(b, i)
		if err != nil {
			return false
		}
		i = end
	}
	return true
}

// line decodes the values on the next NDJSON line.
func (s *streamer) line() error {
	l, err := s.in.readLine(MaxRecordSize)
	s.d.line = s.in.line
	switch {
	case err == errTooLarge:
		s.d.index++
		s.d.stats.Records++
		return s.d.fail("", fmt.Errorf("%w; skipped", errTooLarge))
	case err == io.EOF:
		return nil
	case err != nil:
		return s.readErr(err)
	}
	return s.d.values(l)
}

// document decodes the next JSON value when values are not line-framed.
func (s *streamer) document() error {
	first := s.in.line + 1
	v, err := s.in.readValue(MaxRecordSize)
	if err != nil {
		return s.broken(err)
	}
	s.d.line = first
	return s.d.value(v)
}

// values decodes one or more JSON values on one line.
func (d *decoder) values(b []byte) error {
	for i := jsonscan.SkipSpace(b, 0); i < len(b); i = jsonscan.SkipSpace(b, i) {
		if b[i] == '{' {
			// The usual case: one pass both frames and classifies.
			c, n, err := classifyObject(b[i:])
			if err != nil {
				d.index++
				d.stats.Records++
				return d.fail("", invalidJSON(err))
			}
			if err := d.classified(b[i:i+n], c); err != nil {
				return err
			}
			i += n
			continue
		}
		end, err := jsonscan.ValueEnd(b, i)
		if err != nil {
			d.index++
			d.stats.Records++
			return d.fail("", invalidJSON(err))
		}
		if err := d.value(b[i:end]); err != nil {
			return err
		}
		i = end
	}
	return nil
}

// readErr wraps an error of the underlying reader (or gzip stream).
func (s *streamer) readErr(err error) error {
	return fmt.Errorf("%s: read: %w", s.d.name, err)
}

// broken reports lost framing: the rest of the input cannot be split into
// records.
func (s *streamer) broken(err error) error {
	if s.in.err != nil && err == s.in.err {
		return s.readErr(err)
	}
	if err == io.EOF || err == jsonscan.ErrUnexpectedEnd {
		err = errors.New("invalid JSON: unexpected end of input")
	}
	if err == errTooLarge {
		err = fmt.Errorf("%w without a line break", errTooLarge)
	}
	return &lostFraming{line: s.in.line + 1, offset: s.in.offset(), err: err}
}
