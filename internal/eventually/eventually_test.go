package eventually

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// recorder is a TB that records a failure instead of stopping the test.
type recorder struct{ failed string }

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	if r.failed == "" {
		r.failed = fmt.Sprintf(format, args...)
	}
}

// TestTrueWaitsForAsyncWork: a counter a goroutine bumps later is seen,
// where one read right after starting it would not be.
func TestTrueWaitsForAsyncWork(t *testing.T) {
	var n atomic.Int64
	release := make(chan struct{})
	go func() {
		<-release
		for range 3 {
			n.Add(1)
		}
	}()
	if n.Load() == 3 {
		t.Fatal("the counter is already 3 before the work ran")
	}
	close(release)
	var r recorder
	True(&r, "three", func() bool { return n.Load() == 3 })
	if r.failed != "" {
		t.Fatal(r.failed)
	}
}

func TestWithinGivesUpSayingWhat(t *testing.T) {
	var r recorder
	start := time.Now()
	Within(&r, 30*time.Millisecond, "the impossible", func() bool { return false })
	if !strings.Contains(r.failed, "the impossible") {
		t.Errorf("failure %q does not say what it waited for", r.failed)
	}
	if time.Since(start) < 30*time.Millisecond {
		t.Errorf("gave up before the deadline")
	}
}

func TestEqualWaitsAndReportsTheLastDifference(t *testing.T) {
	type stats struct{ Received, Delivered int }
	var delivered atomic.Int64
	go func() {
		for range 3 {
			delivered.Add(1)
		}
	}()
	got := func() stats { return stats{3, int(delivered.Load())} }
	var r recorder
	Equal(&r, "three delivered", stats{3, 3}, got)
	if r.failed != "" {
		t.Fatal(r.failed)
	}
	r = recorder{}
	EqualWithin(&r, 20*time.Millisecond, "four delivered", stats{3, 4}, got)
	if !strings.Contains(r.failed, "four delivered") || !strings.Contains(r.failed, "Delivered: 4") || !strings.Contains(r.failed, "Delivered: 3") {
		t.Errorf("failure %q lacks what and the last difference", r.failed)
	}
}
