package daemon

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/tfdrift/tfdrift/app/ingest"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/state/refresh"
	"github.com/tfdrift/tfdrift/internal/cputime"
)

// BenchmarkPipelineFalcoAlert is the daemon's work per alert without the
// HTTP round trip: decode the load test's Falco alert, detect against the
// 10,000-instance state, write the drift as NDJSON. Its CPU per op is the
// part of BenchmarkFalcoHTTPEndToEnd's cpu-µs/alert that is tfdrift's own.
func BenchmarkPipelineFalcoAlert(b *testing.B) {
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
	ref, err := refresh.New(ix, backends)
	if err != nil {
		b.Fatal(err)
	}
	if err := ref.LoadAll(ctx); err != nil {
		b.Fatal(err)
	}
	det, err := wiring.NewDetector(ctx, wiring.DetectorOptions{Index: ix, Backends: backends, Catalog: cat})
	if err != nil {
		b.Fatal(err)
	}
	out, err := wiring.NewOutput(wiring.FormatJSON, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	n := max(b.N, 1)
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = lgAlert(i, lgInstances)
	}
	p := &Pipeline{o: PipelineOptions{Engine: func() *detector.Engine { return det.Engine }, Output: out, Metrics: NewMetrics(), Logger: slog.New(slog.DiscardHandler)}}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Process()
	for i := range b.N {
		if err := p.process(ingest.Message{Source: "falco-http", Body: bodies[i], ValidJSON: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// CPU per alert: on a shared machine the steady number (ns/op also
	// counts waiting for the core).
	if cpu0 >= 0 {
		b.ReportMetric(float64((cputime.Process()-cpu0).Nanoseconds())/1e3/float64(b.N), "cpu-µs/op")
	}
}
