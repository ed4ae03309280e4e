package refresh

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/state"
)

// The detector's shadow is what WithShadow is for.
var _ Forgetter = detector.Shadow(nil)

// failingShadow records Drop calls and fails them when err is set.
type failingShadow struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *failingShadow) Drop(_ context.Context, source, workspace string, before int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf("%s/%s@%d", source, workspace, before))
	return f.err
}

// TestReloadDropsWhatTheStateAccountsFor: each new version of a state
// makes the shadow forget that state's values learnt at an older serial;
// an unchanged state, and other states, keep theirs.
func TestReloadDropsWhatTheStateAccountsFor(t *testing.T) {
	ctx := context.Background()
	prod := newMem("prod.tfstate", stateJSON(4, "a", 1))
	other := newMem("other.tfstate", stateJSON(2, "a", 1))
	sh := detector.NewMemoryShadow(0)
	r, _, _ := newTestRefresher(t, []state.Backend{prod, other}, WithShadow(sh))
	if err := r.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	x0 := detector.ShadowRef{Source: "prod.tfstate", Workspace: state.DefaultWorkspace, Address: "terraform_data.x0"}
	o0 := detector.ShadowRef{Source: "other.tfstate", Workspace: state.DefaultWorkspace, Address: "terraform_data.x0"}
	for _, ref := range []detector.ShadowRef{x0, o0} {
		if err := sh.Put(ctx, ref, 4, map[string]json.RawMessage{"input": json.RawMessage(`"cloud"`)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.LoadAll(ctx); err != nil { // nothing changed
		t.Fatal(err)
	}
	if sh.Len() != 2 {
		t.Fatalf("an unchanged state dropped values: %d resources left", sh.Len())
	}
	prod.set(stateJSON(5, "b", 1)) // terraform apply
	if err := r.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := sh.Get(ctx, x0, 0); len(got) != 0 {
		t.Errorf("prod's value learnt at serial 4 survived serial 5: %s", got)
	}
	if got, _ := sh.Get(ctx, o0, 0); len(got) != 1 {
		t.Errorf("another state's value was dropped: %s", got)
	}
}

// TestFailedDropKeepsTheLoad: a shadow that cannot forget is logged; the
// state still loads.
func TestFailedDropKeepsTheLoad(t *testing.T) {
	var logs bytes.Buffer
	sh := &failingShadow{err: errors.New("database is locked")}
	b := newMem("prod.tfstate", stateJSON(7, "a", 1))
	r, ix, _ := newTestRefresher(t, []state.Backend{b}, WithShadow(sh),
		WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err := r.LoadAll(context.Background()); err != nil {
		t.Fatalf("LoadAll: %v", err)
	}
	if serialOf(ix, "prod.tfstate", state.DefaultWorkspace) != 7 || !r.Ready() {
		t.Errorf("state not loaded: %+v", r.Status())
	}
	if len(sh.calls) != 1 || sh.calls[0] != "prod.tfstate/default@7" {
		t.Errorf("Drop calls %q", sh.calls)
	}
	if !strings.Contains(logs.String(), "database is locked") || !strings.Contains(logs.String(), "serial=7") {
		t.Errorf("the failure is not logged:\n%s", logs.String())
	}
}
