package spool

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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
