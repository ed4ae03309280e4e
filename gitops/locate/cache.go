package locate

import (
	"container/list"
	"errors"
	"sync"
)

// Cache keeps recently loaded repos by key, normally a commit SHA (use
// "SHA:DIR" when one commit has several roots). It is bounded: the least
// recently used entry goes first. A commit's content never changes, so
// entries never go stale. Safe for concurrent use.
type Cache struct {
	mu       sync.Mutex
	max      int
	ll       *list.List // front = most recent; values are *cacheEntry
	items    map[string]*list.Element
	inflight map[string]*loadCall
}

type cacheEntry struct {
	key  string
	repo *Repo
}

type loadCall struct {
	done chan struct{}
	repo *Repo
	err  error
}

// NewCache returns a cache holding at most size repos (at least 1).
func NewCache(size int) *Cache {
	if size < 1 {
		size = 1
	}
	return &Cache{max: size, ll: list.New(), items: map[string]*list.Element{}, inflight: map[string]*loadCall{}}
}

// Get returns the repo cached for key.
func (c *Cache) Get(key string) (*Repo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.ll.MoveToFront(el)
		return el.Value.(*cacheEntry).repo, true
	}
	return nil, false
}

// Add caches repo under key, evicting the least recently used entry when
// full.
func (c *Cache) Add(key string, repo *Repo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addLocked(key, repo)
}

func (c *Cache) addLocked(key string, repo *Repo) {
	if el, ok := c.items[key]; ok {
		el.Value.(*cacheEntry).repo = repo
		c.ll.MoveToFront(el)
		return
	}
	c.items[key] = c.ll.PushFront(&cacheEntry{key: key, repo: repo})
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.items, old.Value.(*cacheEntry).key)
	}
}

// GetOrLoad returns the cached repo for key, or calls load and caches its
// result. Concurrent callers for the same key share one load (a webhook
// burst for one commit parses the repo once). Errors are returned to every
// waiter and not cached, so a later call retries.
func (c *Cache) GetOrLoad(key string, load func() (*Repo, error)) (*Repo, error) {
	c.mu.Lock()
	if el, ok := c.items[key]; ok {
		c.ll.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*cacheEntry).repo, nil
	}
	if call, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		<-call.done
		return call.repo, call.err
	}
	call := &loadCall{done: make(chan struct{})}
	c.inflight[key] = call
	c.mu.Unlock()

	// If load panics, the deferred cleanup still releases the waiters,
	// with this error, and caches nothing.
	call.err = errors.New("locate: repository load did not complete")
	defer func() {
		c.mu.Lock()
		delete(c.inflight, key)
		if call.err == nil {
			c.addLocked(key, call.repo)
		}
		c.mu.Unlock()
		close(call.done)
	}()
	call.repo, call.err = load()
	return call.repo, call.err
}

// Len returns the number of cached repos.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
