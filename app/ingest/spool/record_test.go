package spool

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/ingest"
)

// TestFrameRoundTrip: what appendEntry and appendMark write, the segment
// reader reads back, field for field.
func TestFrameRoundTrip(t *testing.T) {
	entries := []entry{
		{seq: 1, received: time.Unix(0, 1737381135123456789), source: "falco-http", id: "6c4d7b1a", body: []byte(`{"rule":"r"}`)},
		{seq: 1 << 40, source: "falco-grpc", body: []byte{}},
		{seq: 7, received: time.Unix(0, 42), source: "", id: "", body: bytes.Repeat([]byte{0}, 1000)},
	}
	marks := []markRef{{1, markDone}, {1 << 40, markRefused}, {7, markFailed}, {7, markAttempt}, {9, markGaveUp}}
	data := []byte(segmentMagic)
	for i, e := range entries {
		data = appendEntry(data, e.seq, e.source, e.id, e.body, e.received)
		data = appendMark(data, marks[i].seq, marks[i].state)
	}
	for _, m := range marks[len(entries):] {
		data = appendMark(data, m.seq, m.state)
	}
	rd := newSegmentReader("seg", bytes.NewReader(data), int64(len(data)), false)
	if err := rd.header(); err != nil {
		t.Fatal(err)
	}
	var gotEntries []entry
	var gotMarks []markRef
	for {
		fr, err := rd.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch fr.kind {
		case kindEntry:
			e, err := decodeEntry(fr.payload)
			if err != nil {
				t.Fatal(err)
			}
			e.body = bytes.Clone(e.body)
			gotEntries = append(gotEntries, e)
		case kindMark:
			seq, st, err := decodeMark(fr.payload)
			if err != nil {
				t.Fatal(err)
			}
			gotMarks = append(gotMarks, markRef{seq, st})
		}
	}
	opt := cmp.AllowUnexported(entry{}, markRef{})
	if diff := cmp.Diff(entries, gotEntries, opt); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(marks, gotMarks, opt); diff != "" {
		t.Errorf("marks (-want +got):\n%s", diff)
	}
}

// FuzzSegment feeds arbitrary bytes to the segment reader as an older and
// as the newest segment: it must never panic, never read past the data,
// and end in exactly one of: clean end, torn tail, corruption.
func FuzzSegment(f *testing.F) {
	valid := []byte(segmentMagic)
	valid = appendEntry(valid, 1, "falco-http", "u1", []byte(`{"rule":"r","output_fields":{"ct.id":"x"}}`), time.Unix(1, 2))
	valid = appendMark(valid, 1, markDone)
	valid = appendEntry(valid, 2, "falco-grpc", "", []byte(`{}`), time.Time{})
	f.Add(valid, true)
	f.Add(valid, false)
	f.Add(valid[:len(valid)-3], true)
	f.Add(append(bytes.Clone(valid), make([]byte, 64)...), true)
	f.Add([]byte(segmentMagic[:4]), true)
	f.Add([]byte("garbage"), false)
	flipped := bytes.Clone(valid)
	flipped[len(segmentMagic)+10] ^= 0x40
	f.Add(flipped, true)
	f.Fuzz(func(t *testing.T, data []byte, tail bool) {
		rd := newSegmentReader("fuzz", bytes.NewReader(data), int64(len(data)), tail)
		err := rd.header()
		prev := int64(-1)
		for err == nil {
			var fr frame
			fr, err = rd.next()
			if err != nil {
				break
			}
			if fr.off <= prev || fr.off+frameHeader+int64(len(fr.payload)) > int64(len(data)) {
				t.Fatalf("frame at %d (%d bytes) after %d in %d bytes", fr.off, len(fr.payload), prev, len(data))
			}
			prev = fr.off
			switch fr.kind {
			case kindEntry:
				if _, err := decodeEntry(fr.payload); err != nil {
					t.Fatalf("reader passed an undecodable entry: %v", err)
				}
			case kindMark:
				if _, _, err := decodeMark(fr.payload); err != nil {
					t.Fatalf("reader passed an undecodable mark: %v", err)
				}
			default:
				t.Fatalf("reader passed kind %d", fr.kind)
			}
		}
		var torn *tornError
		var corrupt *CorruptError
		switch {
		case errors.Is(err, io.EOF):
		case errors.As(err, &torn):
			if !tail || torn.off > int64(len(data)) {
				t.Fatalf("torn at %d of %d, tail %v", torn.off, len(data), tail)
			}
		case errors.As(err, &corrupt):
			if corrupt.Offset > int64(len(data)) || corrupt.Segment != "fuzz" {
				t.Fatalf("corrupt %+v in %d bytes", corrupt, len(data))
			}
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}

// FuzzOneDamagedByte: whatever byte of a segment is changed, and to
// whatever, Open succeeds and replays every entry except, at most, the
// one whose frame holds that byte; the damage is reported unless it is
// the newest segment's torn-looking last frame.
func FuzzOneDamagedByte(f *testing.F) {
	f.Add(uint16(20), byte(0x01), false)
	f.Add(uint16(11), byte(0x7f), true) // a length byte
	f.Add(uint16(3), byte(0x20), false) // the header
	f.Add(uint16(400), byte(0xff), true)
	f.Fuzz(func(t *testing.T, pos uint16, x byte, older bool) {
		if x == 0 {
			return
		}
		const n = 5
		dir := t.TempDir()
		s, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		h := s.Wrap(func(context.Context, ingest.Message) error { return nil })
		for i := range n {
			if err := h(context.Background(), msg(i)); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		segs := segmentFiles(t, dir)
		if older { // a second, empty, run makes it an older segment
			s, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
		}
		data, err := os.ReadFile(segs[0])
		if err != nil {
			t.Fatal(err)
		}
		p := int(pos) % len(data)
		data[p] ^= x
		if err := os.WriteFile(segs[0], data, 0o600); err != nil {
			t.Fatal(err)
		}
		fs := (len(data) - len(segmentMagic)) / n
		hit := -1
		if p >= len(segmentMagic) {
			hit = (p - len(segmentMagic)) / fs
		}
		s, err = Open(dir)
		if err != nil {
			t.Fatalf("byte %d ^ %#x: Open: %v", p, x, err)
		}
		defer s.Close()
		pl := &pipeline{}
		if _, err := s.Recover(context.Background(), Consumers{"falco-http": pl.handle}); err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, m := range pl.taken() {
			got[m.ID] = true
		}
		for i := range n {
			if i != hit && !got[msg(i).ID] {
				t.Errorf("byte %d ^ %#x (frame %d): intact entry %d not replayed; damage %+v", p, x, hit, i, s.Damaged())
			}
		}
		if len(got) > n {
			t.Errorf("replayed %d entries of %d", len(got), n)
		}
	})
}
