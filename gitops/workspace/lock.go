package workspace

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Key is what two jobs must not work on at the same time: one root module
// of one repository, in one Terraform workspace.
type Key struct {
	// Repo identifies the repository: Spec.RepoID, or the checkout's
	// absolute path.
	Repo string
	// Dir is the root module's directory relative to the repository,
	// slash-separated and cleaned; "." is the top.
	Dir string
	// Workspace is the Terraform workspace, "default" when unset.
	Workspace string
}

func (k Key) String() string {
	return fmt.Sprintf("%s:%s (workspace %s)", k.Repo, k.Dir, k.Workspace)
}

// LockedError means another job holds the lock for Key.
type LockedError struct {
	Key    Key
	Holder string
	Since  time.Time
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("%s is locked by %s since %s", e.Key, e.Holder, e.Since.UTC().Format(time.RFC3339))
}

// LockInfo describes a held lock.
type LockInfo struct {
	Key    Key
	Holder string
	Since  time.Time
	// Waiting counts the Lock calls blocked on it.
	Waiting int
}

// Locker is an in-process lock manager keyed by Key. The zero value is not
// usable; call NewLocker. It is safe for concurrent use.
type Locker struct {
	now func() time.Time

	mu   sync.Mutex
	held map[Key]*holding
}

type holding struct {
	holder   string
	since    time.Time
	waiting  int
	released chan struct{} // closed by Unlock
}

// NewLocker returns an empty Locker.
func NewLocker() *Locker {
	return &Locker{now: time.Now, held: map[Key]*holding{}}
}

// Lock is a held lock. Unlock releases it; further calls do nothing.
type Lock struct {
	l    *Locker
	key  Key
	h    *holding
	once sync.Once
}

// Key is what the lock holds.
func (lk *Lock) Key() Key { return lk.key }

// Unlock releases the lock and wakes its waiters.
func (lk *Lock) Unlock() {
	lk.once.Do(func() {
		lk.l.mu.Lock()
		defer lk.l.mu.Unlock()
		if lk.l.held[lk.key] == lk.h {
			delete(lk.l.held, lk.key)
		}
		close(lk.h.released)
	})
}

// TryLock takes the lock for k for holder (a job name shown to whoever
// finds it locked), or fails at once with *LockedError naming the current
// holder.
func (l *Locker) TryLock(k Key, holder string) (*Lock, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if h := l.held[k]; h != nil {
		return nil, &LockedError{Key: k, Holder: h.holder, Since: h.since}
	}
	return l.take(k, holder), nil
}

// Lock takes the lock for k, waiting while another job holds it. When ctx
// ends first, the error wraps both the *LockedError for the holder it was
// waiting on and ctx's error. Waiters are not served in a promised order.
func (l *Locker) Lock(ctx context.Context, k Key, holder string) (*Lock, error) {
	for {
		l.mu.Lock()
		h := l.held[k]
		if h == nil {
			lk := l.take(k, holder)
			l.mu.Unlock()
			return lk, nil
		}
		h.waiting++
		l.mu.Unlock()
		select {
		case <-h.released:
			l.mu.Lock()
			h.waiting--
			l.mu.Unlock()
		case <-ctx.Done():
			l.mu.Lock()
			h.waiting--
			l.mu.Unlock()
			return nil, fmt.Errorf("wait for lock: %w: %w", &LockedError{Key: k, Holder: h.holder, Since: h.since}, ctx.Err())
		}
	}
}

// take must be called with l.mu held and k free.
func (l *Locker) take(k Key, holder string) *Lock {
	h := &holding{holder: holder, since: l.now(), released: make(chan struct{})}
	l.held[k] = h
	return &Lock{l: l, key: k, h: h}
}

// List returns the held locks, sorted by key.
func (l *Locker) List() []LockInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]LockInfo, 0, len(l.held))
	for k, h := range l.held {
		out = append(out, LockInfo{Key: k, Holder: h.holder, Since: h.since, Waiting: h.waiting})
	}
	slices.SortFunc(out, func(a, b LockInfo) int {
		return strings.Compare(a.Key.Repo+"\x00"+a.Key.Dir+"\x00"+a.Key.Workspace, b.Key.Repo+"\x00"+b.Key.Dir+"\x00"+b.Key.Workspace)
	})
	return out
}
