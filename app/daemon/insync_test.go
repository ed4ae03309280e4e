package daemon

import (
	"bytes"
	"sync"
	"testing"

	"github.com/tfdrift/tfdrift/detector/state"
)

// TestInSyncReachesItsHook: a change that leaves a resource exactly as
// state holds it (the console puts termination protection back off) is
// no drift, and the pipeline hands the resource and the values it set to
// Options.InSync, so the lifecycle can resolve the drift it put back.
func TestInSyncReachesItsHook(t *testing.T) {
	var mu sync.Mutex
	var got []string
	var attrs map[string]any
	h := start(t, func(o *Options) {
		o.InSync = func(res *state.Resource, a map[string]any) {
			mu.Lock()
			defer mu.Unlock()
			got, attrs = append(got, res.Address), a
		}
	})
	back := bytes.Replace(distinctAlert(t, h.sc, 1), []byte(`\"disableApiTermination\": {\"value\": true}`), []byte(`\"disableApiTermination\": {\"value\": false}`), 1)
	if bytes.Equal(back, distinctAlert(t, h.sc, 1)) {
		t.Fatal("the alert's request did not change")
	}
	if resp := h.post(t, back); resp.StatusCode != 202 {
		t.Fatalf("POST /falco: %d", resp.StatusCode)
	}
	waitFor(t, "the hook", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 1 })
	mu.Lock()
	defer mu.Unlock()
	if got[0] != "aws_instance.workers[1]" || attrs["disable_api_termination"] != false {
		t.Errorf("in sync: %v %v", got, attrs)
	}
	if out := h.out.String(); out != "" {
		t.Errorf("a write in sync printed a drift: %s", out)
	}
}
