package deliver

import "time"

// Backoff computes retry delays: Base doubled per attempt, capped at Max,
// with "equal jitter": half the delay is fixed and half random, so retries
// from many notices spread out but none comes back sooner than half the
// nominal delay.
type Backoff struct {
	Base time.Duration
	Max  time.Duration
}

// DefaultBackoff retries after about 5s, 10s, 20s … up to 15 minutes.
var DefaultBackoff = Backoff{Base: 5 * time.Second, Max: 15 * time.Minute}

// Delay is the wait after the given failed attempt (1 for the first),
// with r in [0, 1) as the random part.
func (b Backoff) Delay(attempt int, r float64) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := b.Base
	for i := 1; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	if d > b.Max || d <= 0 {
		d = b.Max
	}
	half := d / 2
	return half + time.Duration(r*float64(d-half))
}
