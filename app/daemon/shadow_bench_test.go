package daemon

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/tfdrift/tfdrift/app/ingest"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/store/storetest"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/state/refresh"
	"github.com/tfdrift/tfdrift/internal/cputime"
)

// BenchmarkPipelineShadow is BenchmarkPipelineFalcoAlert with the shadow
// in memory and in the store, side by side: every alert changes one of
// the 10,000 managed instances, so each costs a shadow read and a write.
// "engine" runs without a recorder, as BenchmarkPipelineFalcoAlert does;
// "recorded" records each drift in the same store first, as serve with
// --database does, which is the cost that matters in production.
func BenchmarkPipelineShadow(b *testing.B) {
	for _, db := range storetest.Engines() { // Postgres with -tags e2e (make bench)
		for _, recorded := range []bool{false, true} {
			mode := map[bool]string{false: "engine", true: "recorded"}[recorded]
			for _, where := range []string{"memory", "store"} {
				b.Run(db.Name+"/"+mode+"/"+where, func(b *testing.B) {
					st, err := store.Open(context.Background(), db.DSN(b))
					if err != nil {
						b.Fatal(err)
					}
					defer st.Close()
					var sh detector.Shadow = detector.NewMemoryShadow(0)
					if where == "store" {
						sh = st.Shadow()
					}
					var rec Recorder
					if recorded {
						rec = st
					}
					benchPipeline(b, sh, rec)
				})
			}
		}
	}
}

// benchPipeline feeds b.N load-test alerts through one pipeline worker's
// process, with shadow sh and recorder rec (nil: none).
func benchPipeline(b *testing.B, sh detector.Shadow, rec Recorder) {
	statePath := filepath.Join(b.TempDir(), "instances.tfstate")
	if err := writeMemState(statePath, 0, memStateMix{instances: lgInstances}); err != nil {
		b.Fatal(err)
	}
	cat := catalog.Default()
	ix := wiring.NewIndex(cat)
	backends, err := wiring.LocalBackends(nil, []string{statePath})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ref, err := refresh.New(ix, backends, refresh.WithShadow(sh))
	if err != nil {
		b.Fatal(err)
	}
	if err := ref.LoadAll(ctx); err != nil {
		b.Fatal(err)
	}
	det, err := wiring.NewDetector(ctx, wiring.DetectorOptions{Index: ix, Backends: backends, Catalog: cat, Shadow: sh})
	if err != nil {
		b.Fatal(err)
	}
	out, err := wiring.NewOutput(wiring.FormatJSON, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	bodies := make([][]byte, max(b.N, 1))
	for i := range bodies {
		bodies[i] = lgAlert(i, lgInstances)
	}
	p := &Pipeline{o: PipelineOptions{Engine: func() *detector.Engine { return det.Engine }, Recorder: rec, Output: out,
		Metrics: NewMetrics(), Logger: slog.New(slog.DiscardHandler)}}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Process()
	for i := range b.N {
		if err := p.process(ingest.Message{Source: "falco-http", Body: bodies[i], ValidJSON: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if cpu0 >= 0 {
		b.ReportMetric(float64((cputime.Process()-cpu0).Nanoseconds())/1e3/float64(b.N), "cpu-µs/op")
	}
	if n := det.Engine.Stats.ShadowErrors.Load(); n != 0 {
		b.Fatalf("%d shadow errors", n)
	}
}
