package spool

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"
)

// On-disk format. A segment file is a header followed by frames:
//
//	header  "TFDSPL1\n"
//	frame   length uint32 LE | crc uint32 LE | payload (length bytes)
//
// crc is CRC-32C over the four length bytes and the payload, so a flipped
// length is caught as surely as a flipped body byte. The payload's first
// byte is its kind:
//
//	entry  kindEntry | seq uvarint | received unix ns varint (0 = unknown)
//	       | len(source) uvarint | source | len(id) uvarint | id | body
//	mark   kindMark | seq uvarint | state byte
const (
	segmentMagic = "TFDSPL1\n"
	frameHeader  = 8

	kindEntry byte = 1
	kindMark  byte = 2
)

// MaxRecordBytes bounds one frame's payload: an entry's body plus a few
// dozen bytes of fields. It is above falcohttp's default body limit (1 MiB)
// with room to spare, and it stops a corrupt length field from making the
// reader allocate gigabytes.
const MaxRecordBytes = 4 << 20

// Mark states. done, refused, failed and gaveUp settle an entry (it is never
// delivered again); attempt records that a restart is redelivering it, so a
// record that crashes the daemon is given up after a bounded number of
// tries instead of crash-looping it forever.
const (
	markDone    byte = 1 // the pipeline called Done(nil)
	markRefused byte = 2 // the pipeline refused it (the client got 503)
	markFailed  byte = 3 // the pipeline called Done(err)
	markAttempt byte = 4 // Recover is redelivering it
	markGaveUp  byte = 5 // Recover gave up after MaxDeliveries
)

func terminal(state byte) bool { return state != markAttempt }

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// entry is a decoded entry frame.
type entry struct {
	seq      uint64
	received time.Time
	source   string
	id       string
	body     []byte
}

// appendEntry appends one entry frame to b.
func appendEntry(b []byte, seq uint64, source, id string, body []byte, received time.Time) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
	b = append(b, kindEntry)
	b = binary.AppendUvarint(b, seq)
	var ns int64
	if !received.IsZero() {
		ns = received.UnixNano()
	}
	b = binary.AppendVarint(b, ns)
	b = binary.AppendUvarint(b, uint64(len(source)))
	b = append(b, source...)
	b = binary.AppendUvarint(b, uint64(len(id)))
	b = append(b, id...)
	b = append(b, body...)
	return finishFrame(b, start)
}

// entrySize is an upper bound of an entry's payload length, to refuse an
// oversized message before it reaches the buffer.
func entrySize(source, id string, body []byte) int {
	return 1 + 3*binary.MaxVarintLen64 + len(source) + binary.MaxVarintLen64 + len(id) + len(body)
}

// appendMark appends one mark frame to b.
func appendMark(b []byte, seq uint64, state byte) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
	b = append(b, kindMark)
	b = binary.AppendUvarint(b, seq)
	b = append(b, state)
	return finishFrame(b, start)
}

func finishFrame(b []byte, start int) []byte {
	binary.LittleEndian.PutUint32(b[start:], uint32(len(b)-start-frameHeader))
	crc := crc32.Update(crc32.Checksum(b[start:start+4], castagnoli), castagnoli, b[start+frameHeader:])
	binary.LittleEndian.PutUint32(b[start+4:], crc)
	return b
}

// frameCRC checks a frame: hdr is its 8 header bytes.
func frameCRC(hdr, payload []byte) bool {
	crc := crc32.Update(crc32.Checksum(hdr[:4], castagnoli), castagnoli, payload)
	return crc == binary.LittleEndian.Uint32(hdr[4:])
}

// decodeEntry parses an entry payload (kind byte included). body aliases
// p.
func decodeEntry(p []byte) (entry, error) {
	var e entry
	if len(p) == 0 || p[0] != kindEntry {
		return e, errors.New("not an entry")
	}
	i := 1
	seq, n := binary.Uvarint(p[i:])
	if n <= 0 {
		return e, errors.New("entry: bad sequence number")
	}
	i += n
	ns, n := binary.Varint(p[i:])
	if n <= 0 {
		return e, errors.New("entry: bad received time")
	}
	i += n
	var str [2]string
	for k, what := range [2]string{"source", "id"} {
		l, n := binary.Uvarint(p[i:])
		if n <= 0 || l > uint64(len(p)-i-n) {
			return e, fmt.Errorf("entry: bad %s length", what)
		}
		i += n
		str[k] = string(p[i : i+int(l)])
		i += int(l)
	}
	e.seq, e.source, e.id, e.body = seq, str[0], str[1], p[i:]
	if ns != 0 {
		e.received = time.Unix(0, ns)
	}
	return e, nil
}

// decodeMark parses a mark payload (kind byte included).
func decodeMark(p []byte) (seq uint64, state byte, err error) {
	if len(p) == 0 || p[0] != kindMark {
		return 0, 0, errors.New("not a mark")
	}
	seq, n := binary.Uvarint(p[1:])
	if n <= 0 || 1+n != len(p)-1 {
		return 0, 0, errors.New("mark: bad sequence number or length")
	}
	state = p[len(p)-1]
	if state < markDone || state > markGaveUp {
		return 0, 0, fmt.Errorf("mark: unknown state %d", state)
	}
	return seq, state, nil
}

// CorruptError reports damage in a segment at Offset: a frame with a bad
// checksum, length or content that is not a torn write at the tail (see
// the package doc). Open skips such damage (Damage, Spool.Damaged); a
// frame that fails its checksum when Recover reads it back is reported
// with one.
type CorruptError struct {
	Segment string
	Offset  int64
	Reason  string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("spool: segment %s is corrupt at offset %d: %s", e.Segment, e.Offset, e.Reason)
}

// Damage is a damaged stretch of a segment that Open skipped: from
// Offset, Bytes bytes that hold no frame it could verify. What it held (an
// alert, or a verdict mark) is gone: a lost entry is not replayed, a lost
// mark makes its entry replayed again (a duplicate the store absorbs).
type Damage struct {
	CorruptError
	// Bytes were skipped, up to the next verifiable frame or the end.
	Bytes int64
}

// frame is one frame read from a segment.
type frame struct {
	off     int64 // of the frame header
	kind    byte
	payload []byte // valid until the next call to next
}

// segmentReader reads the frames of one segment in order.
type segmentReader struct {
	name string
	r    *bufio.Reader
	// at reads at any offset, to look for the next good frame after
	// damage (resync); nil: damage cannot be skipped.
	at   io.ReaderAt
	size int64 // the file's size
	off  int64 // of the next frame
	// tail: this is the newest segment, the only one a crash can leave
	// with a torn write.
	tail bool
	buf  []byte
	hdr  [frameHeader]byte
}

// errTorn is returned by next when the rest of the segment, from off on,
// is a torn write to be truncated.
type tornError struct{ off int64 }

func (e *tornError) Error() string { return fmt.Sprintf("torn write at offset %d", e.off) }

func newSegmentReader(name string, r io.Reader, size int64, tail bool) *segmentReader {
	rd := &segmentReader{name: name, r: bufio.NewReaderSize(r, 256<<10), size: size, tail: tail}
	rd.at, _ = r.(io.ReaderAt)
	return rd
}

// resync finds the first verifiable frame after damage found at off and
// moves the reader there. It reports that offset; s.size when no good
// frame follows. Every offset after off is tried in turn (not the end of
// the length the damaged header claims: that length may be the damage).
// Frames are checked by length, kind, checksum and content, so a stretch
// of damage is never taken for one; the journaled bodies are JSON, which
// cannot hold the control bytes a frame header needs, so a body is not
// taken for one either. The rest of the segment is read into memory once;
// segments are bounded (WithSegmentBytes).
func (s *segmentReader) resync(off int64) (int64, error) {
	next, err := s.findNext(off)
	if err != nil {
		return 0, err
	}
	s.off = next
	s.r.Reset(io.NewSectionReader(s.at, s.off, s.size-s.off))
	return s.off, nil
}

// findNext is resync's search, without moving the reader: the offset of
// the first verifiable frame after off, or s.size.
func (s *segmentReader) findNext(off int64) (int64, error) {
	rest := make([]byte, s.size-off)
	if _, err := s.at.ReadAt(rest, off); err != nil && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("spool: reading segment %s at offset %d: %w", s.name, off, err)
	}
	good := func(i int64) bool {
		if i+frameHeader > int64(len(rest)) {
			return false
		}
		l := int64(binary.LittleEndian.Uint32(rest[i:]))
		if l == 0 || l > MaxRecordBytes || i+frameHeader+l > int64(len(rest)) {
			return false
		}
		p := rest[i+frameHeader : i+frameHeader+l]
		if (p[0] != kindEntry && p[0] != kindMark) || !frameCRC(rest[i:i+frameHeader], p) {
			return false
		}
		if p[0] == kindEntry {
			_, err := decodeEntry(p)
			return err == nil
		}
		_, _, err := decodeMark(p)
		return err == nil
	}
	for i := int64(1); i < int64(len(rest)); i++ {
		if good(i) {
			return off + i, nil
		}
	}
	return s.size, nil
}

// header checks the segment header. A newest segment shorter than the
// header, holding a prefix of it, was torn while being created: it is
// reported torn at offset 0.
func (s *segmentReader) header() error {
	var h [len(segmentMagic)]byte
	n, err := io.ReadFull(s.r, h[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("spool: reading segment %s: %w", s.name, err)
	}
	if n < len(h) {
		if s.tail && string(h[:n]) == segmentMagic[:n] {
			return &tornError{off: 0}
		}
		return &CorruptError{Segment: s.name, Offset: 0, Reason: "shorter than the segment header"}
	}
	if string(h[:]) != segmentMagic {
		return &CorruptError{Segment: s.name, Offset: 0, Reason: fmt.Sprintf("bad header %q: not a tfdrift spool segment", h[:])}
	}
	s.off = int64(len(h))
	return nil
}

// next returns the next frame, io.EOF at a clean end, a *tornError when
// the tail is a torn write, or a *CorruptError.
func (s *segmentReader) next() (frame, error) {
	off := s.off
	rest := s.size - off
	if rest == 0 {
		return frame{}, io.EOF
	}
	corrupt := func(reason string) (frame, error) {
		return frame{}, &CorruptError{Segment: s.name, Offset: off, Reason: reason}
	}
	torn := func() (frame, error) { return frame{}, &tornError{off: off} }
	if rest < frameHeader {
		if s.tail {
			return torn()
		}
		return corrupt(fmt.Sprintf("%d stray bytes at the end", rest))
	}
	if _, err := io.ReadFull(s.r, s.hdr[:]); err != nil {
		return frame{}, fmt.Errorf("spool: reading segment %s at offset %d: %w", s.name, off, err)
	}
	n := int64(binary.LittleEndian.Uint32(s.hdr[:4]))
	if n == 0 || n > MaxRecordBytes {
		// A crash cannot write a bad length; it can leave zeros where a
		// power cut lost the tail's data blocks.
		if s.tail && s.hdr == [frameHeader]byte{} {
			zero, err := s.restIsZero()
			if err != nil {
				return frame{}, err
			}
			if zero {
				return torn()
			}
		}
		return corrupt(fmt.Sprintf("frame length %d outside 1..%d", n, MaxRecordBytes))
	}
	if n > rest-frameHeader {
		// A short write: the process died in the middle of the batch;
		// unless a good frame follows, and this is damage to a length.
		if s.tail {
			if s.at == nil {
				return torn()
			}
			if next, err := s.findNext(off); err != nil {
				return frame{}, err
			} else if next == s.size {
				return torn()
			}
		}
		return corrupt(fmt.Sprintf("frame of %d bytes runs past the end of the segment (%d bytes)", n, s.size))
	}
	if int64(cap(s.buf)) < n {
		s.buf = make([]byte, n)
	}
	p := s.buf[:n]
	if _, err := io.ReadFull(s.r, p); err != nil {
		return frame{}, fmt.Errorf("spool: reading segment %s at offset %d: %w", s.name, off, err)
	}
	end := off + frameHeader + n
	if !frameCRC(s.hdr[:], p) {
		// Only the last frame of the newest segment can be a write the
		// crash interrupted; a bad frame with more after it is damage.
		if s.tail && end == s.size {
			return torn()
		}
		return corrupt("checksum mismatch")
	}
	switch p[0] {
	case kindEntry:
		if _, err := decodeEntry(p); err != nil {
			return corrupt(err.Error())
		}
	case kindMark:
		if _, _, err := decodeMark(p); err != nil {
			return corrupt(err.Error())
		}
	default:
		return corrupt(fmt.Sprintf("unknown frame kind %d", p[0]))
	}
	s.off = end
	return frame{off: off, kind: p[0], payload: p}, nil
}

// restIsZero reports whether every byte left in the reader is zero.
func (s *segmentReader) restIsZero() (bool, error) {
	var buf [32 << 10]byte
	for {
		n, err := s.r.Read(buf[:])
		for _, c := range buf[:n] {
			if c != 0 {
				return false, nil
			}
		}
		if errors.Is(err, io.EOF) {
			return true, nil
		}
		if err != nil {
			return false, fmt.Errorf("spool: reading segment %s: %w", s.name, err)
		}
	}
}
