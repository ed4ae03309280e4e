package refresh

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/internal/eventually"
)

// Readers look resources up without pause while the refresher swaps new
// versions of two sources in, one version of which is broken. Every lookup
// must find both sources' resource (a swap is never seen half done, and
// the broken version never empties a source), with a coherent value, and
// serials never go backwards. Run under -race.
func TestLookupsWhileRefreshing(t *testing.T) {
	const (
		resources = 50
		versions  = 30
		brokenAt  = 15 // b's version brokenAt is corrupt
	)
	a := newMem("a.tfstate", stateJSON(1, "v1", resources))
	b := newMem("b.tfstate", stateJSON(1, "v1", resources))
	r, ix, alerts := newRunRefresher(t, []state.Backend{a, b}, WithInterval(time.Hour), WithNudgeFollowUps())
	if err := r.LoadAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	runRefresher(t, r)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for reader := range 3 {
		wg.Go(func() {
			var last int64
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				id := "id-" + strconv.Itoa((n+reader)%resources)
				rs := ix.Lookup("", "", "terraform_data", "id", id)
				if len(rs) != 2 {
					t.Errorf("Lookup(%s) found %d resources, want one per source", id, len(rs))
					return
				}
				for _, res := range rs {
					if v := inputOf(t, ix, res.Source.Name, "terraform_data.x0"); !strings.HasPrefix(v, "v") {
						t.Errorf("%s: input %q, want a version", res.Source.Name, v)
						return
					}
				}
				s := serialOf(ix, "a.tfstate", "default")
				if s < last {
					t.Errorf("a's serial went from %d back to %d", last, s)
					return
				}
				last = s
				_ = r.Status()
				_ = r.Ready()
			}
		})
	}

	for v := 2; v <= versions; v++ {
		a.set(stateJSON(v, "v"+strconv.Itoa(v), resources))
		wantB := int64(v)
		if v == brokenAt {
			b.set([]byte(corrupt))
			wantB = brokenAt - 1
		} else {
			b.set(stateJSON(v, "v"+strconv.Itoa(v), resources))
		}
		r.Nudge("")
		waitFor(t, fmt.Sprintf("version %d", v), func() bool {
			return serialOf(ix, "a.tfstate", "default") == int64(v) && serialOf(ix, "b.tfstate", "default") == wantB &&
				(v != brokenAt || len(alerts.get()) == 1)
		})
	}
	close(stop)
	wg.Wait()
	if got := alerts.get(); len(got) != 1 || !strings.HasPrefix(got[0], "b.tfstate[default]: state b.tfstate: parse: ") {
		t.Errorf("alerts = %q, want one for b's broken version", got)
	}
	// Status is recorded just after the index swap that waitFor saw.
	var st []SourceStatus
	healthy := func() bool {
		st = r.Status()
		return st[0].Healthy && st[1].Healthy && st[0].Serial == versions && st[1].Serial == versions
	}
	if !eventually.Poll(eventually.Timeout, healthy) {
		t.Errorf("final Status = %+v, want both healthy at serial %d", st, versions)
	}
}
