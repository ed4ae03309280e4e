package falcohttp

import (
	"io"
	"slices"
	"sync"
	"sync/atomic"
)

// DefaultMaxInflightBytes bounds the bytes of request bodies all requests
// hold at once while they are read and checked (64 MiB): 64 bodies of the
// largest size, or tens of thousands of ordinary alerts.
const DefaultMaxInflightBytes = 64 << 20

// budget is a weighted semaphore that never waits: a request that would
// take it past max is answered 503 with Retry-After at once, since a
// request that waits holds its connection and its buffer all the same.
type budget struct {
	max  int64
	used atomic.Int64
	peak atomic.Int64
}

func (b *budget) acquire(n int64) bool {
	for {
		cur := b.used.Load()
		if cur+n > b.max {
			return false
		}
		if b.used.CompareAndSwap(cur, cur+n) {
			for p := b.peak.Load(); cur+n > p && !b.peak.CompareAndSwap(p, cur+n); p = b.peak.Load() {
			}
			return true
		}
	}
}

func (b *budget) release(n int64) {
	if n != 0 {
		b.used.Add(-n)
	}
}

// InflightBytes is the body bytes requests hold now; PeakInflightBytes the
// most they held at once since the handler was created. Neither exceeds
// Config.MaxInflightBytes.
func (h *Handler) InflightBytes() int64 { return h.budget.used.Load() }

// PeakInflightBytes: see InflightBytes.
func (h *Handler) PeakInflightBytes() int64 { return h.budget.peak.Load() }

// MaxInflightBytes is the bound on InflightBytes.
func (h *Handler) MaxInflightBytes() int64 { return h.budget.max }

// bodyBuf is one request's body buffer and the bytes of the budget it
// holds. Buffers up to maxPooledBuf go back to a pool; larger ones are left
// to the garbage collector, so one large body does not pin its size.
type bodyBuf struct {
	b    []byte
	held int64
}

const (
	// readChunk is how much budget a body of unknown length (chunked, or
	// gzip once inflated) takes at a time as it is read.
	readChunk    = 32 << 10
	maxPooledBuf = 256 << 10
)

var bodyPool = sync.Pool{New: func() any { return new(bodyBuf) }}

func (h *Handler) getBuf() *bodyBuf { return bodyPool.Get().(*bodyBuf) }

func (h *Handler) putBuf(bb *bodyBuf) {
	h.budget.release(bb.held)
	bb.held = 0
	if cap(bb.b) > maxPooledBuf {
		bb.b = nil
	}
	bb.b = bb.b[:0]
	bodyPool.Put(bb)
}

// readKnown reads a body of a known length n into bb, taking n bytes of
// the budget before allocating or reading anything.
func (h *Handler) readKnown(bb *bodyBuf, src io.Reader, n int64) (ok bool, err error) {
	if !h.budget.acquire(n) {
		return false, nil
	}
	bb.held = n
	if int64(cap(bb.b)) < n {
		bb.b = make([]byte, n)
	}
	bb.b = bb.b[:n]
	_, err = io.ReadFull(src, bb.b)
	return true, err
}

// readChunked reads src to the end into bb, taking the budget one chunk
// at a time ahead of each read and failing past max bytes.
func (h *Handler) readChunked(bb *bodyBuf, src io.Reader, limit int64) (ok bool, err error) {
	b := bb.b[:0]
	defer func() { bb.b = b }()
	for {
		if len(b) == cap(b) {
			b = slices.Grow(b, max(cap(b), 4096))
		}
		end := min(cap(b), len(b)+readChunk)
		if need := int64(end) - bb.held; need > 0 {
			if !h.budget.acquire(need) {
				return false, nil
			}
			bb.held += need
		}
		n, rerr := src.Read(b[len(b):end])
		b = b[:len(b)+n]
		if int64(len(b)) > limit {
			return true, errInflatedTooLarge
		}
		switch {
		case rerr == io.EOF:
			return true, nil
		case rerr != nil:
			return true, rerr
		}
	}
}
