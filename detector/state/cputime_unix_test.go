//go:build unix

package state

import (
	"syscall"
	"time"
)

// processCPUTime is the user plus system CPU time the test process has
// used. Benchmarks report it next to wall time because the machines they
// run on are shared: CPU time shows the work done, wall time also shows
// waiting for a core.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
