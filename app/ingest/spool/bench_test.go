package spool

import (
	"context"
	"runtime"
	"testing"

	"github.com/tfdrift/tfdrift/app/ingest"
)

// BenchmarkAppendParallel measures journaled messages per second from 8
// concurrent callers, with real fsyncs on the test's temporary directory
// and a pipeline that settles each message at once (so marks are written
// too). syncs/op shows the group commit: well below 1 under contention.
func BenchmarkAppendParallel(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h := s.Wrap(func(_ context.Context, m ingest.Message) error {
		m.Done(nil)
		return nil
	})
	// A typical Falco CloudTrail alert is 1.5–3 KB.
	body := make([]byte, 2048)
	for i := range body {
		body[i] = 'a' + byte(i%26)
	}
	const callers = 8
	b.SetParallelism((callers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		m := ingest.Message{Source: "falco-http", ID: "6c4d7b1a-3f0e-4a7e-9d61-2b8f5e0c9a11", Body: body}
		for pb.Next() {
			if err := h(context.Background(), m); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	st := s.Stats()
	b.ReportMetric(float64(st.Appended)/b.Elapsed().Seconds(), "appends/s")
	b.ReportMetric(float64(st.Syncs)/float64(st.Appended), "syncs/op")
}
