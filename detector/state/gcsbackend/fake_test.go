package gcsbackend

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"cloud.google.com/go/storage"
	"github.com/fsouza/fake-gcs-server/fakestorage"
)

const testBucket = "tfstate"

// fakeGCS is fake-gcs-server on a free loopback port. Its public host is
// set to that port, which Terraform's gcs backend needs for its reads.
type fakeGCS struct {
	URL      string // http://127.0.0.1:PORT
	Endpoint string // URL + "/storage/v1/", as Terraform and Config take it
	Server   *fakestorage.Server
	writer   *storage.Client // writes objects as the test's "Terraform"

	mu sync.Mutex
	// beforeMedia, when set, runs before the fake serves an object body.
	beforeMedia func()
	reqs        []string // "METHOD PATH?QUERY"
}

func newFakeGCS(t testing.TB) *fakeGCS {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := ln.Addr().String()
	f := &fakeGCS{URL: "http://" + host}
	f.Endpoint = f.URL + "/storage/v1/"
	f.Server, err = fakestorage.NewServerWithOptions(fakestorage.Options{
		NoListener:  true,
		Scheme:      "http",
		Host:        "127.0.0.1",
		PublicHost:  host,
		ExternalURL: f.URL,
		Writer:      io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := f.Server.HTTPHandler()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs = append(f.reqs, r.Method+" "+r.URL.RequestURI())
		hook := f.beforeMedia
		if r.URL.Query().Get("alt") == "media" {
			f.beforeMedia = nil
		} else {
			hook = nil
		}
		f.mu.Unlock()
		if hook != nil {
			hook()
		}
		h.ServeHTTP(w, r)
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	f.Server.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: testBucket})

	f.writer = newClient(t, f.Endpoint)
	return f
}

func newClient(t testing.TB, endpoint string) *storage.Client {
	t.Helper()
	b, err := New(context.Background(), Config{Bucket: testBucket, Endpoint: endpoint, WithoutAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b.client
}

// put writes an object through the client, so it gets a fresh generation
// the way a Terraform write does, and returns that generation.
func (f *fakeGCS) put(t testing.TB, name string, data []byte) int64 {
	t.Helper()
	w := f.writer.Bucket(testBucket).Object(name).NewWriter(context.Background())
	if _, err := w.Write(data); err != nil {
		t.Fatalf("write %s: %v", name, err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("write %s: %v", name, err)
	}
	return w.Attrs().Generation
}

func (f *fakeGCS) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.reqs...)
}

func (f *fakeGCS) onNextMedia(fn func()) {
	f.mu.Lock()
	f.beforeMedia = fn
	f.mu.Unlock()
}

func (f *fakeGCS) config(prefix string) Config {
	return Config{Bucket: testBucket, Prefix: prefix, Endpoint: f.Endpoint, WithoutAuth: true}
}

func newBackend(t testing.TB, cfg Config) *Backend {
	t.Helper()
	b, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}
