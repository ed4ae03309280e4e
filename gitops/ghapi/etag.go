package ghapi

import (
	"bytes"
	"container/list"
	"io"
	"net/http"
	"sync"
)

// DefaultCacheBytes bounds an ETag cache NewApp or NewTokenClient makes.
const DefaultCacheBytes = 16 << 20

// CacheHeader marks a response the ETag cache answered after a 304.
const CacheHeader = "X-Tfdrift-Etag-Cache"

// ETagCache keeps the latest body and ETag of GET responses, least
// recently used out first, within a byte budget. It may be shared by
// several clients: entries are keyed by client (App, installation or
// token), Accept header and URL, so one installation never sees another's
// answers.
type ETagCache struct {
	maxBytes int64
	maxEntry int64

	mu          sync.Mutex
	size        int64
	lru         *list.List // of *cacheEntry, most recent first
	items       map[string]*list.Element
	revalidated uint64
	stored      uint64
}

type cacheEntry struct {
	key    string
	etag   string
	header http.Header
	body   []byte
	size   int64
}

// NewETagCache makes a cache of at most maxBytes (bodies, headers and
// keys); a body over an eighth of it is not cached.
func NewETagCache(maxBytes int64) *ETagCache {
	if maxBytes <= 0 {
		maxBytes = DefaultCacheBytes
	}
	return &ETagCache{maxBytes: maxBytes, maxEntry: maxBytes / 8, lru: list.New(), items: map[string]*list.Element{}}
}

// CacheStats describes a cache.
type CacheStats struct {
	Entries     int
	Bytes       int64
	Revalidated uint64 // 304s answered from the cache
	Stored      uint64 // 200s stored
}

// Stats returns the cache's size and counters.
func (c *ETagCache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: c.lru.Len(), Bytes: c.size, Revalidated: c.revalidated, Stored: c.stored}
}

func (c *ETagCache) get(key string) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*cacheEntry)
}

func (c *ETagCache) put(e *cacheEntry) {
	e.size = int64(len(e.key) + len(e.etag) + len(e.body))
	for k, vs := range e.header {
		e.size += int64(len(k))
		for _, v := range vs {
			e.size += int64(len(v))
		}
	}
	if e.size > c.maxEntry {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removeLocked(e.key)
	c.items[e.key] = c.lru.PushFront(e)
	c.size += e.size
	c.stored++
	for c.size > c.maxBytes {
		c.removeLocked(c.lru.Back().Value.(*cacheEntry).key)
	}
}

func (c *ETagCache) remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removeLocked(key)
}

func (c *ETagCache) removeLocked(key string) {
	if el, ok := c.items[key]; ok {
		c.size -= el.Value.(*cacheEntry).size
		c.lru.Remove(el)
		delete(c.items, key)
	}
}

// etagTransport makes GETs conditional on the cached ETag and answers a
// 304 from the cache.
type etagTransport struct {
	next  http.RoundTripper
	cache *ETagCache
	scope string // whose answers: "app:42", "installation:7", "token:<hash>"
}

// fresh304Headers are the headers a 304 carries that are newer than the
// cached 200's.
var fresh304Headers = []string{"Date", "X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset",
	"X-Ratelimit-Used", "X-Ratelimit-Resource", "X-Github-Request-Id", "Etag"}

func (t *etagTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// A caller's own If-None-Match (go-github's GetCommitSHA1) or a range
	// is left alone: the answer is theirs to read.
	if req.Method != http.MethodGet || req.Header.Get("If-None-Match") != "" || req.Header.Get("Range") != "" {
		return t.next.RoundTrip(req)
	}
	key := t.scope + "\x00" + req.Header.Get("Accept") + "\x00" + req.URL.String()
	e := t.cache.get(key)
	out := req
	if e != nil {
		// A shallow copy with its own header map: the caller's request is
		// not modified, and nothing else needs copying.
		cp := *req
		cp.Header = make(http.Header, len(req.Header)+1)
		for k, v := range req.Header {
			cp.Header[k] = v
		}
		cp.Header["If-None-Match"] = []string{e.etag}
		out = &cp
	}
	resp, err := t.next.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusNotModified && e != nil:
		drain(resp)
		// The stored header's slices are capped (Header.Clone), so sharing
		// them is safe: an append by the caller copies.
		h := make(http.Header, len(e.header)+1)
		for k, v := range e.header {
			h[k] = v
		}
		hit := &http.Response{
			Status: "200 OK", StatusCode: http.StatusOK, Proto: resp.Proto, ProtoMajor: resp.ProtoMajor, ProtoMinor: resp.ProtoMinor,
			Header: h, Body: io.NopCloser(bytes.NewReader(e.body)), ContentLength: int64(len(e.body)), Request: req,
		}
		for _, k := range fresh304Headers {
			if v := resp.Header.Values(k); len(v) > 0 {
				hit.Header[k] = v
			}
		}
		hit.Header.Set(CacheHeader, "revalidated")
		t.cache.mu.Lock()
		t.cache.revalidated++
		t.cache.mu.Unlock()
		return hit, nil
	case resp.StatusCode == http.StatusOK && resp.Header.Get("ETag") != "":
		body, err := io.ReadAll(io.LimitReader(resp.Body, t.cache.maxEntry+1))
		if err != nil {
			resp.Body.Close()
			return nil, err
		}
		if int64(len(body)) > t.cache.maxEntry {
			// Too big to keep: hand it on whole, uncached.
			resp.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
			t.cache.remove(key)
			return resp, nil
		}
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		t.cache.put(&cacheEntry{key: key, etag: resp.Header.Get("ETag"), header: resp.Header.Clone(), body: body})
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		t.cache.remove(key)
	}
	return resp, nil
}
