package githubapp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/ingest/spool"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/githubfake"
)

// nopStore is a Store the webhook path never reaches.
type nopStore struct{}

func (nopStore) Get(context.Context, string) (store.Record, error) {
	return store.Record{}, store.ErrNotFound
}
func (nopStore) Transition(context.Context, string, store.Status, string, string, ...store.NewNotice) (store.Record, error) {
	return store.Record{}, store.ErrNotFound
}
func (nopStore) ReceiptsByExternalID(context.Context, string, string) ([]store.Receipt, error) {
	return nil, nil
}
func (nopStore) RecordEvent(context.Context, string, string) (bool, error) { return true, nil }

// newBareApp is an App whose GitHub is never called: for the webhook
// intake alone.
func newBareApp(tb testing.TB, opts ...func(*Options)) *App {
	tb.Helper()
	s := githubfake.New(tb, githubfake.Options{})
	key := s.AddApp(githubfake.AppSpec{ID: 42}).PrivateKeyPEM()
	gh, err := ghapi.NewApp(42, key, ghapi.Options{APIURL: s.URL})
	if err != nil {
		tb.Fatal(err)
	}
	snaps, err := ghapi.NewSnapshotCache(ghapi.SnapshotOptions{Dir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	o := Options{GitHub: gh, WebhookSecret: "bench-secret-0123456789", Snapshots: snaps, Store: nopStore{}, QueueSize: 1 << 16}
	for _, fn := range opts {
		fn(&o)
	}
	a, err := New(o)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// commentPayload is an issue_comment delivery of a command on the App's
// issue, as GitHub sends it (trimmed to the fields a real one has most
// of its bytes in).
var commentPayload = []byte(`{"action":"created","installation":{"id":7,"node_id":"MDIz_7"},` +
	`"repository":{"id":1,"name":"infra","full_name":"acme/infra","private":true,"owner":{"login":"acme","id":2,"type":"Organization"},` +
	`"html_url":"https://github.com/acme/infra","default_branch":"main"},` +
	`"issue":{"id":3,"number":12,"title":"Drift: aws_instance.app_server modified by alice","state":"open",` +
	`"body":"summary\n\n| attribute | expected | actual |\n|---|---|---|\n| instance_type | t3.micro | m5.8xlarge |\n\n<!-- tfdrift:resource=prod/aws_instance.app_server -->",` +
	`"user":{"login":"tfdrift[bot]","id":4,"type":"Bot"},"labels":[{"name":"tfdrift"},{"name":"severity:high"}],"html_url":"https://github.com/acme/infra/issues/12"},` +
	`"comment":{"id":5,"body":"Intended.\n/tfdrift accept --dry-run","user":{"login":"alice","id":6,"type":"User"},"html_url":"https://github.com/acme/infra/issues/12#issuecomment-5"},` +
	`"sender":{"login":"alice","id":6,"type":"User"}}`)

// BenchmarkWebhook measures POST /webhooks/github from request to
// answer: signature, payload, task and queue (in memory, and journaled
// in the spool with its fsync), against a handler that only reads the
// body, in the same run. It reports the p99 latency of each and the
// ratio.
func BenchmarkWebhook(b *testing.B) {
	sig := githubfake.Sign("bench-secret-0123456789", commentPayload)
	nothing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	})
	drain := func(a *App) func() {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case it := <-a.workQ:
					if it.done != nil {
						it.done(nil)
					}
				}
			}
		}()
		return cancel
	}
	p99 := func(b *testing.B, h http.Handler, want int) time.Duration {
		lat := make([]time.Duration, 0, b.N)
		for i := 0; b.Loop(); i++ {
			req := httptest.NewRequest(http.MethodPost, "/webhooks/github", bytes.NewReader(commentPayload))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-GitHub-Event", "issue_comment")
			req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("bench-%d", i))
			req.Header.Set("X-Hub-Signature-256", sig)
			w := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(w, req)
			lat = append(lat, time.Since(start))
			if w.Code != want {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
		slices.Sort(lat)
		return lat[len(lat)*99/100]
	}
	var base time.Duration
	b.Run("baseline", func(b *testing.B) {
		base = p99(b, nothing, http.StatusAccepted)
		b.ReportMetric(float64(base.Nanoseconds()), "p99-ns")
	})
	b.Run("memory", func(b *testing.B) {
		a := newBareApp(b)
		defer drain(a)()
		got := p99(b, a.Handler(), http.StatusAccepted)
		b.ReportMetric(float64(got.Nanoseconds()), "p99-ns")
		if base > 0 {
			b.ReportMetric(float64(got)/float64(base), "x-baseline")
		}
	})
	b.Run("journaled", func(b *testing.B) {
		sp, err := spool.Open(filepath.Join(b.TempDir(), "spool"))
		if err != nil {
			b.Fatal(err)
		}
		defer sp.Close()
		a := newBareApp(b, func(o *Options) { o.Journal = sp.Wrap })
		defer drain(a)()
		got := p99(b, a.Handler(), http.StatusAccepted)
		b.ReportMetric(float64(got.Nanoseconds()), "p99-ns")
		if base > 0 {
			b.ReportMetric(float64(got)/float64(base), "x-baseline")
		}
	})
}
