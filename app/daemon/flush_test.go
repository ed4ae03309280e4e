package daemon

import (
	"bytes"
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/internal/eventually"
)

// flushRecorder is an output that only counts a drift as delivered once a
// Flush follows its Write, as a buffered writer to a pipe would.
type flushRecorder struct {
	mu               sync.Mutex
	pending, flushed int
	flushes          int
}

func (f *flushRecorder) Write(*drift.Drift) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending++
	return nil
}

func (f *flushRecorder) Flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flushed += f.pending
	f.pending = 0
	f.flushes++
	return nil
}

func (f *flushRecorder) counts() (flushed, flushes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.flushed, f.flushes
}

// TestBurstIsFlushed: the pipeline flushes the output only when its queue
// runs dry, never leaving the last drifts of a burst in the buffer.
func TestBurstIsFlushed(t *testing.T) {
	const instances, alerts, clients = 50, 400, 8
	statePath := filepath.Join(t.TempDir(), "instances.tfstate")
	if err := writeMemState(statePath, 0, memStateMix{instances: instances}); err != nil {
		t.Fatal(err)
	}
	out := &flushRecorder{}
	d := startLGDaemon(t, statePath, out)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := c; i < alerts; i += clients {
				resp, err := http.Post(d.url, "application/json", bytes.NewReader(lgAlert(i, instances)))
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					t.Errorf("alert %d: %s", i, resp.Status)
				}
			}
		})
	}
	wg.Wait()
	allFlushed := func() bool { flushed, _ := out.counts(); return flushed == alerts }
	if !eventually.Poll(eventually.Timeout, allFlushed) {
		flushed, _ := out.counts()
		t.Fatalf("%d of %d drifts flushed after the burst", flushed, alerts)
	}
	flushed, flushes := out.counts()
	t.Logf("%d drifts in %d flushes", flushed, flushes)
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
}
