package refresh

import (
	"context"
	"strconv"
	"testing"

	"github.com/tfdrift/tfdrift/detector/state"
)

// BenchmarkCheckUnchanged is the common poll: the backend answers "not
// modified" and nothing is parsed or swapped.
func BenchmarkCheckUnchanged(b *testing.B) {
	m := newMem("app.tfstate", stateJSON(1, "v1", 10))
	r, _, _ := newTestRefresher(b, []state.Backend{m})
	ctx := context.Background()
	if err := r.LoadAll(ctx); err != nil {
		b.Fatal(err)
	}
	s := r.sources[0]
	b.ReportAllocs()
	for b.Loop() {
		if err := r.check(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckNewVersion loads a new version of a 1000-resource state
// into an index holding the previous one: parse, key extraction and swap.
func BenchmarkCheckNewVersion(b *testing.B) {
	const resources = 1000
	versions := [2][]byte{stateJSON(1, "a", resources), stateJSON(2, "b", resources)}
	m := newMem("app.tfstate", versions[0])
	r, _, _ := newTestRefresher(b, []state.Backend{m})
	ctx := context.Background()
	if err := r.LoadAll(ctx); err != nil {
		b.Fatal(err)
	}
	s := r.sources[0]
	b.SetBytes(int64(len(versions[0])))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		m.set(versions[i%2])
		if err := r.check(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	if st := r.Status()[0]; st.Loads != uint64(i+1) {
		b.Fatalf("%d loads after %d checks of new versions; want %s", st.Loads, i, strconv.Itoa(i+1))
	}
}
