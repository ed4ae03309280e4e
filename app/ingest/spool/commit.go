package spool

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

// commitLoop is the committer: it takes everything buffered since its last
// write, writes it with one write and one fsync, and releases the callers
// waiting for it. While it syncs, new frames gather in the next batch, so
// the number of fsyncs adapts to the load: one caller pays one fsync,
// a hundred concurrent callers share one.
func (s *Spool) commitLoop() {
	defer close(s.done)
	for {
		select {
		case <-s.kick:
		case <-s.stop:
			// Close: write and sync what is left (late marks), then stop.
			s.mu.Lock()
			s.batch.sync = true
			s.mu.Unlock()
			s.commitOnce()
			return
		}
		s.commitOnce()
	}
}

func (s *Spool) commitOnce() {
	// The callers released by the previous fsync are about to append
	// again; letting them run first puts them in this batch rather than
	// the next, which nearly halves the fsyncs under contention.
	runtime.Gosched()
	s.mu.Lock()
	if len(s.buf) == 0 && !s.batch.sync {
		s.mu.Unlock()
		return
	}
	buf, b := s.buf, s.batch
	s.buf, s.spare = s.spare[:0], nil
	s.batch = newBatch()
	err := s.err
	s.mu.Unlock()

	if err == nil {
		err = s.write(buf, b)
	}

	s.mu.Lock()
	if err != nil && s.err == nil {
		// A failed write or fsync cannot be retried safely (the kernel may
		// have dropped the dirty pages and cleared the error), and more
		// frames after a partial write would look like damage in the
		// middle of the segment. Stop taking messages.
		s.err = err
	}
	s.spare = buf
	s.mu.Unlock()
	b.err = err
	close(b.done)
}

// write appends buf to the current segment, rotating first if it is full,
// syncs it, and updates the bookkeeping of the batch's entries and marks.
func (s *Spool) write(buf []byte, b *batch) error {
	if s.cur.size >= s.o.segmentBytes {
		if err := s.rotate(); err != nil {
			return err
		}
	}
	if len(buf) > 0 {
		if _, err := s.f.Write(buf); err != nil {
			return fmt.Errorf("spool: writing %s: %w", s.cur.path, err)
		}
		s.cur.size += int64(len(buf))
		s.stats.bytes.Add(int64(len(buf)))
		s.dirty = true
	}
	// A batch of marks alone is not synced: nobody waits for it, and a
	// mark lost in a power cut only causes a duplicate replay. The next
	// entry's fsync (or the rotation, or Close) covers it. This keeps a
	// lone mark from holding up the entries that arrive during its fsync.
	if b.entries > 0 || b.sync {
		if err := s.sync(); err != nil {
			return err
		}
	}

	for seq := b.firstSeq; seq < b.firstSeq+uint64(b.entries); seq++ {
		s.where[seq] = s.cur
	}
	s.cur.pending += b.entries
	s.stats.appended.Add(uint64(b.entries))
	s.stats.unsettled.Add(int64(b.entries))
	freed := false
	for _, m := range b.marks {
		g := s.where[m.seq]
		if g == nil {
			continue // settled twice; cannot happen through Wrap
		}
		s.cur.ref(g)
		if terminal(m.state) {
			delete(s.where, m.seq)
			g.pending--
			s.stats.unsettled.Add(-1)
			freed = freed || g.pending == 0
		}
	}
	if freed {
		s.cleanup()
	}
	return nil
}

// rotate seals the current segment (it was synced by its last batch) and
// starts the next.
func (s *Spool) rotate() error {
	// A sealed segment is complete on disk: damage in it is never a
	// torn write.
	if err := s.sync(); err != nil {
		return err
	}
	g, f, err := createSegment(s.dir, s.cur.id+1)
	if err != nil {
		return err
	}
	if err := s.f.Close(); err != nil {
		f.Close()
		return fmt.Errorf("spool: closing %s: %w", s.cur.path, err)
	}
	s.segs = append(s.segs, g)
	s.cur, s.f = g, f
	s.cleanup()
	s.updateSizeStats()
	return nil
}

// sync fsyncs the current segment if anything was written since the last.
func (s *Spool) sync() error {
	if !s.dirty {
		return nil
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("spool: syncing %s: %w", s.cur.path, err)
	}
	s.dirty = false
	s.stats.syncs.Add(1)
	return nil
}

// cleanup deletes the settled segments whose deletion cannot resurrect a
// settled entry. A failure only costs disk: it is counted (Stats) and the
// segment is tried again after the next settling batch.
func (s *Spool) cleanup() {
	if err := s.deleteSettled(); err != nil {
		s.stats.cleanupErrors.Add(1)
		msg := err.Error()
		s.stats.lastCleanupError.Store(&msg)
	}
}

// deleteSettled goes oldest first, so that one pass frees a whole chain.
func (s *Spool) deleteSettled() error {
	var errs []error
	kept := s.segs[:0]
	removed := false
	for _, g := range s.segs {
		if g == s.cur || !g.deletable() {
			kept = append(kept, g)
			continue
		}
		if err := os.Remove(g.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("spool: deleting settled segment: %w", err))
			kept = append(kept, g)
			continue
		}
		g.deleted = true
		g.refs = nil
		removed = true
	}
	for i := len(kept); i < len(s.segs); i++ {
		s.segs[i] = nil
	}
	s.segs = kept
	if removed {
		// Not needed for safety (a resurrected settled segment is
		// replayed as duplicates at worst) but keeps the disk honest.
		if err := syncDir(s.dir); err != nil {
			errs = append(errs, err)
		}
		s.updateSizeStats()
	}
	return errors.Join(errs...)
}

func (s *Spool) updateSizeStats() {
	var n int64
	for _, g := range s.segs {
		n += g.size
	}
	s.stats.segments.Store(int64(len(s.segs)))
	s.stats.bytes.Store(n)
}
