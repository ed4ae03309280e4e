package cputime

import (
	"runtime"
	"testing"
	"time"
)

// TestProcessCountsWork: spinning for a while shows up as CPU time.
func TestProcessCountsWork(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		if Process() != -1 {
			t.Fatal("Process should be -1 where it cannot be read")
		}
		return
	}
	t0 := Process()
	if t0 < 0 {
		t.Fatalf("Process() = %v", t0)
	}
	x := 0
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		x++
	}
	deadline := time.Now().Add(10 * time.Second)
	for Process()-t0 < 10*time.Millisecond {
		if time.Now().After(deadline) {
			t.Fatalf("50 ms of spinning (%d loops) added %v of CPU time", x, Process()-t0)
		}
		for i := 0; i < 1e6; i++ {
			x++
		}
	}
}
