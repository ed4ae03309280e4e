package deliver_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/deliver"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
)

// fill enqueues n notices for n distinct resources.
func fill(b *testing.B, q *deliver.MemQueue, sink string, n int) {
	b.Helper()
	for i := range n {
		d := sample.SecurityGroup()
		d.ResourceAddress = fmt.Sprintf("aws_security_group.sg%d", i)
		d.ComputeFingerprint()
		if _, err := q.Enqueue(noticeFor(sink, d)); err != nil {
			b.Fatal(err)
		}
	}
}

// runUntil runs a Deliverer until want notices are delivered and reports
// the throughput.
func runUntil(b *testing.B, q *deliver.MemQueue, sinks []ticket.Sink, want int, concurrency int) {
	b.Helper()
	var delivered atomic.Int64
	all := make(chan struct{})
	d, err := deliver.New(q, sinks, deliver.Options{
		Owner: "bench", Concurrency: concurrency, PollInterval: time.Millisecond,
		OnResult: func(r deliver.Result) {
			if r.Outcome != deliver.Delivered {
				b.Errorf("notice %d: %s: %v", r.ID, r.Outcome, r.Err)
			}
			if delivered.Add(1) == int64(want) {
				close(all)
			}
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	b.ResetTimer()
	start := time.Now()
	go func() { done <- d.Run(ctx) }()
	<-all
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(want)/elapsed.Seconds(), "notices/s")
}

// BenchmarkDeliver is the outbox workers' own throughput: claim, decode,
// send to a sink that does nothing, settle. The queue is in memory, so
// this is the ceiling the store's claim/settle cost comes on top of.
func BenchmarkDeliver(b *testing.B) {
	var sent atomic.Int64
	sink := &funcSink{name: "fake", send: func(*ticket.Notice) error { sent.Add(1); return nil }}
	q := deliver.NewMemQueue(nil)
	fill(b, q, "fake", b.N)
	runUntil(b, q, []ticket.Sink{sink}, b.N, 8)
	if sent.Load() != int64(b.N) {
		b.Fatalf("sent %d of %d", sent.Load(), b.N)
	}
}

// BenchmarkDeliverWebhook delivers through the webhook sink to a local
// HTTP receiver: the whole path a notice takes, minus the store.
func BenchmarkDeliverWebhook(b *testing.B) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	q := deliver.NewMemQueue(nil)
	fill(b, q, "webhook", b.N)
	runUntil(b, q, []ticket.Sink{webhookSink(b, srv.URL)}, b.N, 8)
	if got.Load() != int64(b.N) {
		b.Fatalf("received %d of %d", got.Load(), b.N)
	}
}
