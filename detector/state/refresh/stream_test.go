package refresh

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/detector/state"
)

// A stream that fails part way is a fetch error, not a parse error: the
// version is not taken as seen, so the next check reads it again and
// loads it once the connection holds.
func TestStreamReadErrorIsFetchError(t *testing.T) {
	ctx := context.Background()
	b := newMem("app.tfstate", stateJSON(1, "v1", 1))
	r, ix, alerts := newTestRefresher(t, []state.Backend{memStream{b}})
	if err := r.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	next := stateJSON(2, "v2", 3)
	b.set(next)
	b.mu.Lock()
	b.readErr, b.cutAt = errors.New("connection reset by peer"), len(next)/2
	b.mu.Unlock()

	err := r.LoadAll(ctx)
	var se *SourceError
	if !errors.As(err, &se) || se.Op != "fetch" ||
		err.Error() != "state app.tfstate: fetch: read: connection reset by peer" {
		t.Fatalf("LoadAll = %v, want a fetch error for the cut stream", err)
	}
	if got := inputOf(t, ix, "app.tfstate", "terraform_data.x0"); got != "v1" || serialOf(ix, "app.tfstate", state.DefaultWorkspace) != 1 {
		t.Errorf("after a cut stream the index holds %q, serial %d; want the last good version", got, serialOf(ix, "app.tfstate", state.DefaultWorkspace))
	}
	if got := alerts.get(); len(got) != 1 || !strings.Contains(got[0], "fetch: ") {
		t.Errorf("OnError calls %q, want one fetch error", got)
	}

	b.mu.Lock()
	b.readErr = nil
	b.mu.Unlock()
	before := b.fetchCount()
	if err := r.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	if b.fetchCount() != before+1 || serialOf(ix, "app.tfstate", state.DefaultWorkspace) != 2 || ix.Len() != 3 {
		t.Errorf("after the connection holds: %d fetches, serial %d, %d resources; want the new version read again",
			b.fetchCount()-before, serialOf(ix, "app.tfstate", state.DefaultWorkspace), ix.Len())
	}
}
