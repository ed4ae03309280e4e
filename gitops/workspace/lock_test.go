package workspace

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	keyProd    = Key{Repo: "acme/infra", Dir: "envs/prod", Workspace: "default"}
	keyStaging = Key{Repo: "acme/infra", Dir: "envs/prod", Workspace: "staging"}
)

// fixedLocker has a clock that does not move, so lock times compare.
func fixedLocker() *Locker {
	l := NewLocker()
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return at }
	return l
}

func TestTryLock(t *testing.T) {
	l := fixedLocker()
	lk, err := l.TryLock(keyProd, "revert #1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.TryLock(keyProd, "revert #2")
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second TryLock: err = %v, want *LockedError", err)
	}
	want := &LockedError{Key: keyProd, Holder: "revert #1", Since: l.now()}
	if diff := cmp.Diff(want, le); diff != "" {
		t.Errorf("LockedError (-want +got):\n%s", diff)
	}
	if got := le.Error(); got != "acme/infra:envs/prod (workspace default) is locked by revert #1 since 2024-05-01T12:00:00Z" {
		t.Errorf("message = %q", got)
	}

	// Another workspace of the same root module is another lock.
	other, err := l.TryLock(keyStaging, "plan #3")
	if err != nil {
		t.Fatalf("TryLock on another workspace: %v", err)
	}
	if diff := cmp.Diff([]LockInfo{
		{Key: keyProd, Holder: "revert #1", Since: l.now()},
		{Key: keyStaging, Holder: "plan #3", Since: l.now()},
	}, l.List()); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}

	lk.Unlock()
	lk.Unlock() // a second Unlock does nothing
	again, err := l.TryLock(keyProd, "revert #2")
	if err != nil {
		t.Fatalf("TryLock after Unlock: %v", err)
	}
	// The first lock's handle must not release the new holder's lock.
	lk.Unlock()
	if _, err := l.TryLock(keyProd, "revert #3"); !errors.As(err, &le) || le.Holder != "revert #2" {
		t.Errorf("TryLock after a stale Unlock: err = %v, want held by revert #2", err)
	}
	again.Unlock()
	other.Unlock()
	if n := len(l.List()); n != 0 {
		t.Errorf("List after unlocking all has %d entries", n)
	}
}

func TestLockWaits(t *testing.T) {
	l := NewLocker()
	first, err := l.TryLock(keyProd, "job-1")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *Lock)
	go func() {
		lk, err := l.Lock(context.Background(), keyProd, "job-2")
		if err != nil {
			t.Error(err)
		}
		got <- lk
	}()
	waitForWaiters(t, l, keyProd, 1)
	first.Unlock()
	second := <-got
	if info := l.List(); len(info) != 1 || info[0].Holder != "job-2" || info[0].Waiting != 0 {
		t.Errorf("after hand-over: List = %+v, want job-2 holding", info)
	}
	second.Unlock()
}

func TestLockCancelled(t *testing.T) {
	l := NewLocker()
	held, err := l.TryLock(keyProd, "job-1")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() {
		_, err := l.Lock(ctx, keyProd, "job-2")
		errc <- err
	}()
	waitForWaiters(t, l, keyProd, 1)
	cancel()
	err = <-errc
	var le *LockedError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &le) || le.Holder != "job-1" {
		t.Errorf("err = %v, want cancellation naming job-1", err)
	}
	if info := l.List(); info[0].Waiting != 0 {
		t.Errorf("waiting = %d after the waiter gave up", info[0].Waiting)
	}
}

// waitForWaiters yields until n goroutines wait on k. It asserts nothing
// about time: it only orders the test's steps.
func waitForWaiters(t *testing.T, l *Locker, k Key, n int) {
	t.Helper()
	for {
		for _, info := range l.List() {
			if info.Key == k && info.Waiting == n {
				return
			}
		}
		runtime.Gosched()
	}
}

func BenchmarkTryLockUnlock(b *testing.B) {
	l := NewLocker()
	for b.Loop() {
		lk, err := l.TryLock(keyProd, "bench")
		if err != nil {
			b.Fatal(err)
		}
		lk.Unlock()
	}
}
