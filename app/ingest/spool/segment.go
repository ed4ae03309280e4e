package spool

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// segment is one journal file and what is known about its entries.
type segment struct {
	id   uint64
	path string
	size int64
	// pending counts the entries in this segment not yet settled.
	pending int
	// refs are the older segments holding entries that marks in this
	// segment settle. Deleting this segment first would make those
	// entries look unsettled again after a restart, so it waits for them.
	refs    map[*segment]struct{}
	deleted bool
}

const segmentSuffix = ".seg"

func segmentName(id uint64) string { return fmt.Sprintf("%016x%s", id, segmentSuffix) }

func parseSegmentName(name string) (uint64, bool) {
	hex, ok := strings.CutSuffix(name, segmentSuffix)
	if !ok || len(hex) != 16 {
		return 0, false
	}
	id, err := strconv.ParseUint(hex, 16, 64)
	return id, err == nil
}

// deletable reports whether the segment's file may go: nothing in it is
// unsettled and every segment whose entries it settles is gone.
func (g *segment) deletable() bool {
	if g.pending > 0 {
		return false
	}
	for r := range g.refs {
		if !r.deleted {
			return false
		}
	}
	return true
}

func (g *segment) ref(older *segment) {
	if older == g {
		return
	}
	if g.refs == nil {
		g.refs = make(map[*segment]struct{})
	}
	g.refs[older] = struct{}{}
}

// pendingEntry is an entry found unsettled at Open.
type pendingEntry struct {
	seq        uint64
	source     string // Message.Source: which consumer replays it
	seg        *segment
	off        int64 // of its frame
	size       int64 // of its frame, header included
	deliveries int
}

// loaded is what Open learns from the segments on disk.
type loaded struct {
	segs      []*segment
	pending   []*pendingEntry // by sequence number
	nextSeq   uint64
	nextID    uint64
	tornBytes int64
	// damage is what was skipped as damaged, in every segment.
	damage []Damage
}

// load reads every segment of dir, oldest first, truncates a torn tail of
// the newest, and returns the unsettled entries.
func load(dir string) (*loaded, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	var ids []uint64
	for _, de := range des {
		if id, ok := parseSegmentName(de.Name()); ok && de.Type().IsRegular() {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })

	l := &loaded{nextSeq: 1, nextID: 1}
	bySeq := make(map[uint64]*pendingEntry)
	for i, id := range ids {
		g := &segment{id: id, path: filepath.Join(dir, segmentName(id))}
		kept, torn, err := scanSegment(g, i == len(ids)-1, bySeq, &l.nextSeq, &l.damage)
		if err != nil {
			return nil, err
		}
		l.tornBytes += torn
		l.nextID = id + 1
		if kept {
			l.segs = append(l.segs, g)
		}
	}
	for _, p := range bySeq {
		l.pending = append(l.pending, p)
	}
	sort.Slice(l.pending, func(i, j int) bool { return l.pending[i].seq < l.pending[j].seq })
	return l, nil
}

// scanSegment reads one segment into bySeq. It reports whether the file
// still exists (a newest segment torn inside its header is removed) and
// how many torn bytes it cut off. Damage (anything a crash cannot leave)
// is skipped up to the next frame that verifies, and added to damage:
// one bad byte costs the frame it is in, never the intact ones around it.
func scanSegment(g *segment, tail bool, bySeq map[uint64]*pendingEntry, nextSeq *uint64, damage *[]Damage) (kept bool, tornBytes int64, err error) {
	f, err := os.Open(g.path)
	if err != nil {
		return false, 0, fmt.Errorf("spool: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, 0, fmt.Errorf("spool: %w", err)
	}
	g.size = fi.Size()
	rd := newSegmentReader(g.path, f, g.size, tail)
	err = rd.header()
	var ce *CorruptError
	if errors.As(err, &ce) {
		// The frames after a damaged header may be intact.
		skip := min(int64(len(segmentMagic)), g.size)
		*damage = append(*damage, Damage{CorruptError: *ce, Bytes: skip})
		if skip == g.size {
			err = io.EOF
		} else {
			err = nil
			rd.off = skip
		}
	}
	for err == nil {
		var fr frame
		fr, err = rd.next()
		if errors.As(err, &ce) && rd.at != nil {
			var to int64
			if to, err = rd.resync(ce.Offset); err != nil {
				return false, 0, err
			}
			*damage = append(*damage, Damage{CorruptError: *ce, Bytes: to - ce.Offset})
			continue
		}
		if err != nil {
			break
		}
		switch fr.kind {
		case kindEntry:
			e, _ := decodeEntry(fr.payload) // next has validated it
			if prev, dup := bySeq[e.seq]; dup {
				*damage = append(*damage, Damage{Bytes: frameHeader + int64(len(fr.payload)), CorruptError: CorruptError{Segment: g.path, Offset: fr.off,
					Reason: fmt.Sprintf("sequence number %d appears twice (first in %s at offset %d); the second is skipped", e.seq, prev.seg.path, prev.off)}})
				continue
			}
			bySeq[e.seq] = &pendingEntry{seq: e.seq, source: e.source, seg: g, off: fr.off, size: frameHeader + int64(len(fr.payload)), deliveries: 1}
			g.pending++
			if e.seq >= *nextSeq {
				*nextSeq = e.seq + 1
			}
		case kindMark:
			seq, state, _ := decodeMark(fr.payload)
			p := bySeq[seq]
			if p == nil {
				// Its entry's segment was deleted: the entry was settled.
				continue
			}
			g.ref(p.seg)
			if terminal(state) {
				delete(bySeq, seq)
				p.seg.pending--
			} else {
				p.deliveries++
			}
		}
	}
	var torn *tornError
	switch {
	case errors.Is(err, io.EOF):
		return true, 0, nil
	case !errors.As(err, &torn):
		return false, 0, err
	}
	// A crash interrupted the last write. Those bytes were never synced, so
	// no caller was told they were durable: cut them off.
	cut := g.size - torn.off
	if torn.off == 0 {
		if err := os.Remove(g.path); err != nil {
			return false, 0, fmt.Errorf("spool: removing torn segment: %w", err)
		}
		return false, cut, nil
	}
	w, err := os.OpenFile(g.path, os.O_WRONLY, 0)
	if err != nil {
		return false, 0, fmt.Errorf("spool: truncating torn tail: %w", err)
	}
	defer w.Close()
	if err := w.Truncate(torn.off); err != nil {
		return false, 0, fmt.Errorf("spool: truncating torn tail of %s at offset %d: %w", g.path, torn.off, err)
	}
	if err := w.Sync(); err != nil {
		return false, 0, fmt.Errorf("spool: truncating torn tail of %s: %w", g.path, err)
	}
	g.size = torn.off
	return true, cut, nil
}

// createSegment creates an empty segment file, its header synced and its
// directory entry too, so the segment survives a power cut before the
// first batch lands in it.
func createSegment(dir string, id uint64) (*segment, *os.File, error) {
	g := &segment{id: id, path: filepath.Join(dir, segmentName(id))}
	f, err := os.OpenFile(g.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("spool: creating segment: %w", err)
	}
	if _, err := f.WriteString(segmentMagic); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("spool: writing segment header of %s: %w", g.path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("spool: syncing segment %s: %w", g.path, err)
	}
	if err := syncDir(dir); err != nil {
		f.Close()
		return nil, nil, err
	}
	g.size = int64(len(segmentMagic))
	return g, f, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("spool: syncing directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("spool: syncing directory %s: %w", dir, err)
	}
	return nil
}

// readEntry reads one entry frame back for redelivery.
func readEntry(f *os.File, p *pendingEntry) (entry, error) {
	buf := make([]byte, p.size)
	if _, err := f.ReadAt(buf, p.off); err != nil {
		return entry{}, fmt.Errorf("spool: reading entry %d from %s at offset %d: %w", p.seq, p.seg.path, p.off, err)
	}
	payload := buf[frameHeader:]
	if !frameCRC(buf[:frameHeader], payload) {
		return entry{}, &CorruptError{Segment: p.seg.path, Offset: p.off, Reason: "checksum mismatch on re-read"}
	}
	e, err := decodeEntry(payload)
	if err != nil {
		return entry{}, &CorruptError{Segment: p.seg.path, Offset: p.off, Reason: err.Error()}
	}
	return e, nil
}
