package refresh

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/detector/state"
)

// A state that is missing or broken at start is retried with backoff, not
// only at the interval: it loads soon after it is fixed, and Loaded
// closes then, once every source has loaded.
func TestRetryBackoff(t *testing.T) {
	for _, tt := range []struct {
		name   string
		break_ func(m *memBackend)
	}{
		{"missing", func(m *memBackend) { m.fail(errors.New("open a.tfstate: no such file or directory")) }},
		{"truncated", func(m *memBackend) { m.set([]byte(corrupt)) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			good := newMem("good.tfstate", stateJSON(1, "g", 1))
			bad := newMem("a.tfstate", nil)
			tt.break_(bad)
			// An hour's interval: only the backoff can bring the fix in.
			r, ix, _ := newRunRefresher(t, []state.Backend{good, bad}, WithInterval(time.Hour), WithRetryBackoff(time.Millisecond, time.Millisecond))
			if err := r.LoadAll(context.Background()); err == nil {
				t.Fatal("LoadAll succeeded with a broken source")
			}
			select {
			case <-r.Loaded():
				t.Fatal("Loaded closed before every source loaded")
			default:
			}
			runRefresher(t, r)
			// Several retries happen while it stays broken.
			waitFor(t, "retries", func() bool { return bad.fetchCount() >= 4 })
			if r.Ready() {
				t.Fatal("ready with a source never loaded")
			}
			bad.fail(nil)
			bad.set(stateJSON(2, "a", 1))
			select {
			case <-r.Loaded():
			case <-time.After(20 * time.Second):
				t.Fatal("the fixed state was not loaded by a retry")
			}
			if !r.Ready() || serialOf(ix, "a.tfstate", state.DefaultWorkspace) != 2 {
				t.Errorf("ready %v, serial %d after the fix", r.Ready(), serialOf(ix, "a.tfstate", state.DefaultWorkspace))
			}
		})
	}
}

// The backoff doubles with each failure in a row and stops at its
// maximum, or at the interval if that is shorter.
func TestRetryAt(t *testing.T) {
	for _, tt := range []struct {
		interval, most time.Duration
		want           []time.Duration
	}{
		{time.Minute, DefaultRetryMax, []time.Duration{1, 2, 4, 8, 10, 10, 10}},
		{time.Minute, time.Hour, []time.Duration{1, 2, 4, 8, 16, 32, 60}},
		{3 * time.Second, DefaultRetryMax, []time.Duration{1, 2, 3, 3, 3, 3, 3}},
	} {
		r, _, _ := newTestRefresher(t, []state.Backend{newMem("a", stateJSON(1, "a", 1))}, WithInterval(tt.interval), WithRetryBackoff(time.Second, tt.most))
		s := r.sources[0]
		var got []time.Duration
		for i := 1; i <= len(tt.want); i++ {
			s.failedInARow = i
			got = append(got, r.retryAt(s, clock).Sub(clock)/time.Second)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("interval %v, most %v: delays %v, want %v seconds", tt.interval, tt.most, got, tt.want)
		}
	}
}

// With no sources, Loaded is closed at once.
func TestLoadedNoSources(t *testing.T) {
	r, _, _ := newTestRefresher(t, nil)
	select {
	case <-r.Loaded():
	default:
		t.Fatal("Loaded not closed without sources")
	}
}
