// Package eventually lets a test wait for what something asynchronous (a
// goroutine, a server, a delivery) will make true: it polls a condition
// until it holds or a deadline passes, then fails the test saying what it
// waited for (and, for Equal, the last difference seen).
//
// It replaces sleep-then-read: a test that sleeps and then reads a counter
// once fails on a loaded machine, where the work is merely late. The
// deadline only keeps a broken test from hanging; nothing asserts on how
// long the wait took, so speed targets stay in benchmarks.
//
// This is test infrastructure: only _test.go files import it.
package eventually

import (
	"time"

	"github.com/google/go-cmp/cmp"
)

// Timeout is the deadline of True and Equal: long, because a deadline
// reached on a loaded 2-core machine is a flake, not a finding.
const Timeout = 30 * time.Second

// TB is the part of testing.TB the package uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// True waits until cond returns true and fails t with what when it has not
// within Timeout.
func True(t TB, what string, cond func() bool) {
	t.Helper()
	Within(t, Timeout, what, cond)
}

// Within is True with the deadline d.
func Within(t TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	if !poll(d, cond) {
		t.Fatalf("eventually: gave up after %v waiting for %s", d, what)
	}
}

// Equal waits until got() equals want (cmp.Equal with opts) and fails t
// with what and the last difference when it has not within Timeout.
func Equal[T any](t TB, what string, want T, got func() T, opts ...cmp.Option) {
	t.Helper()
	EqualWithin(t, Timeout, what, want, got, opts...)
}

// EqualWithin is Equal with the deadline d.
func EqualWithin[T any](t TB, d time.Duration, what string, want T, got func() T, opts ...cmp.Option) {
	t.Helper()
	var last T
	if !poll(d, func() bool { last = got(); return cmp.Equal(want, last, opts...) }) {
		t.Fatalf("eventually: gave up after %v waiting for %s (-want +got):\n%s", d, what, cmp.Diff(want, last, opts...))
	}
}

// Poll calls cond until it is true or d has passed, and says whether it
// became true. It is for a test that reports a failure its own way (with
// what cond last saw); True, Within and Equal fail the test themselves.
func Poll(d time.Duration, cond func() bool) bool { return poll(d, cond) }

// poll calls cond until it is true or d has passed, pausing between calls
// from 1 ms up to 50 ms. cond is called once more at the deadline.
func poll(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	pause := time.Millisecond
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return cond()
		}
		time.Sleep(pause)
		pause = min(2*pause, 50*time.Millisecond)
	}
}
