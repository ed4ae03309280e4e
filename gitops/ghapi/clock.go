package ghapi

import (
	"context"
	"sync"
	"time"
)

// Clock is the time source of the pacer and the rate-limit layer; tests
// inject a VirtualClock.
type Clock interface {
	Now() time.Time
	// Sleep waits d, or returns ctx's error if it ends first.
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock.
func RealClock() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// VirtualClock is a clock whose Sleep moves time on at once: a test (or a
// simulation of an hour of writes) runs without waiting, and the times
// the pacer chose are exact.
type VirtualClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

// NewVirtualClock starts a virtual clock at start.
func NewVirtualClock(start time.Time) *VirtualClock { return &VirtualClock{now: start} }

// Now is the virtual time.
func (c *VirtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep advances the virtual time by d.
func (c *VirtualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	c.mu.Lock()
	c.slept += max(d, 0)
	c.mu.Unlock()
	return nil
}

// Advance moves the virtual time on by d.
func (c *VirtualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
}

// Slept is the total time Sleep was asked to wait.
func (c *VirtualClock) Slept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}
