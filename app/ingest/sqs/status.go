package sqs

import (
	"time"
)

// sleep waits for d or until done is closed, and reports whether it slept
// the whole time.
func sleep(done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return false
	case <-t.C:
		return true
	}
}
