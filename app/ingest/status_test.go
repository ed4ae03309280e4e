package ingest

import (
	"errors"
	"testing"
	"time"
)

func TestStatusTracker(t *testing.T) {
	var tr StatusTracker
	tr.Set(StateConnecting, nil)
	tr.Set(StateDisconnected, errors.New("dial: refused"))
	since := tr.Get().Since
	tr.Set(StateDisconnected, nil) // same state: Since and the error stay
	if st := tr.Get(); st.State != StateDisconnected || st.LastError != "dial: refused" || !st.Since.Equal(since) {
		t.Errorf("status %+v", st)
	}
	tr.NoteError(errors.New("delete failed"))
	if st := tr.Get(); st.State != StateDisconnected || st.LastError != "delete failed" {
		t.Errorf("status %+v", st)
	}
}

func TestBackoff(t *testing.T) {
	b := Backoff{Min: 100 * time.Millisecond, Max: time.Second}
	for i, max := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		d := b.Next()
		hi := max * time.Millisecond
		if d < hi/2 || d > hi {
			t.Errorf("wait %d = %v, want within [%v, %v]", i, d, hi/2, hi)
		}
	}
	b.Reset()
	if d := b.Next(); d > 100*time.Millisecond {
		t.Errorf("after Reset: %v", d)
	}
}
