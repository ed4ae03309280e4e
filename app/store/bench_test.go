package store_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/store/storetest"
	"github.com/tfdrift/tfdrift/detector/drift"
)

// BenchmarkRecordDrift: one drift per op with two notices, on each engine.
// "new" opens a record per op (the transaction writes the drift, its
// history row and two notices); "seen-again" re-records one fingerprint
// (the dedup path: one upsert); "new-batch64" is new through RecordDrifts,
// 64 per transaction (one op is still one drift); "new-parallel" is new
// from about 8 goroutines.
func BenchmarkRecordDrift(b *testing.B) {
	for _, e := range benchEngines {
		b.Run(e.name, func(b *testing.B) {
			b.Run("new", func(b *testing.B) {
				st := open(b, e.dsn(b), nil)
				ds := drifts(b.N)
				b.ResetTimer()
				for i := range b.N {
					if _, _, err := st.RecordDrift(context.Background(), ds[i], noticesFor(ds[i], "slack", "jira")); err != nil {
						b.Fatal(err)
					}
				}
				reportRate(b, "drifts/s")
			})
			b.Run("seen-again", func(b *testing.B) {
				st := open(b, e.dsn(b), nil)
				d := sampleDrift("again", "v")
				ns := noticesFor(d, "slack", "jira")
				b.ResetTimer()
				for range b.N {
					if _, _, err := st.RecordDrift(context.Background(), d, ns); err != nil {
						b.Fatal(err)
					}
				}
				reportRate(b, "drifts/s")
			})
			b.Run("new-batch64", func(b *testing.B) {
				st := open(b, e.dsn(b), nil)
				ds := drifts(b.N)
				b.ResetTimer()
				for start := 0; start < b.N; start += 64 {
					batch := make([]store.DriftWrite, 0, 64)
					for _, d := range ds[start:min(start+64, b.N)] {
						batch = append(batch, store.DriftWrite{Drift: d, Notices: noticesFor(d, "slack", "jira")})
					}
					if _, err := st.RecordDrifts(context.Background(), batch); err != nil {
						b.Fatal(err)
					}
				}
				reportRate(b, "drifts/s")
			})
			b.Run("new-parallel", func(b *testing.B) {
				st := open(b, e.dsn(b), nil)
				ds := drifts(b.N)
				var next atomic.Int64
				b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0))) // about 8 goroutines
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						d := ds[next.Add(1)-1]
						if _, _, err := st.RecordDrift(context.Background(), d, noticesFor(d, "slack", "jira")); err != nil {
							b.Error(err)
							return
						}
					}
				})
				reportRate(b, "drifts/s")
			})
		})
	}
}

// BenchmarkClaimDeliver: notices through ClaimNotices (batches of 32) and
// MarkDelivered, by 1 and by 4 concurrent workers. One op is one notice.
func BenchmarkClaimDeliver(b *testing.B) {
	for _, e := range benchEngines {
		for _, workers := range []int{1, 4} {
			b.Run(fmt.Sprintf("%s/workers=%d", e.name, workers), func(b *testing.B) {
				st := open(b, e.dsn(b), nil)
				for start := 0; start < b.N; start += 500 {
					ns := make([]store.NewNotice, min(500, b.N-start))
					for i := range ns {
						ns[i] = store.NewNotice{Sink: "webhook", Key: fmt.Sprintf("bench/%d", start+i), Payload: []byte(`{"text":"drift"}`)}
					}
					if _, err := st.EnqueueNotices(context.Background(), "", ns); err != nil {
						b.Fatal(err)
					}
				}
				var delivered atomic.Int64
				var wg sync.WaitGroup
				b.ResetTimer()
				for w := range workers {
					owner := fmt.Sprintf("w%d", w)
					wg.Go(func() {
						for {
							ns, err := st.ClaimNotices(context.Background(), owner, 32, time.Minute)
							if err != nil {
								b.Error(err)
								return
							}
							if len(ns) == 0 {
								return
							}
							for _, n := range ns {
								if err := st.MarkDelivered(context.Background(), n.ID, owner); err != nil {
									b.Error(err)
									return
								}
								delivered.Add(1)
							}
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				if got := delivered.Load(); got != int64(b.N) {
					b.Fatalf("delivered %d of %d", got, b.N)
				}
				reportRate(b, "notices/s")
			})
		}
	}
}

// benchEngines adds SQLite with synchronous=normal, which fsyncs at WAL
// checkpoints rather than at every commit, to show what the default's
// per-commit fsync costs.
var benchEngines = append(engines[:len(engines):len(engines)], engine{
	name: "sqlite-sync-normal",
	dsn:  func(tb testing.TB) string { return storetest.SQLite(tb) + "?synchronous=normal" },
})

func drifts(n int) []*drift.Drift {
	ds := make([]*drift.Drift, n)
	for i := range ds {
		ds[i] = sampleDrift(fmt.Sprintf("bench-%d", i), "v")
	}
	return ds
}

func reportRate(b *testing.B, unit string) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, unit)
	}
}
