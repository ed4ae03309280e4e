package s3backend

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/detector/state"
)

// Open streams the object with Fetch's ETag semantics: the ETag is the
// version, and the current ETag is answered with ErrNotModified.
func TestOpenStreams(t *testing.T) {
	ctx := context.Background()
	fake := newFakeS3(t)
	v1 := []byte(`{"version":4,"serial":1}`)
	v2 := []byte(`{"version":4,"serial":2}`)
	fake.put(t, "app/terraform.tfstate", v1)
	b := newBackend(t, fake.config("app/terraform.tfstate"))

	snap, etag1, n, err := state.LoadStream(ctx, b, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, fetchETag, _ := b.Fetch(ctx, "")
	if snap.Serial != 1 || n != int64(len(v1)) || etag1 == "" || etag1 != fetchETag {
		t.Fatalf("LoadStream = serial %d, %d bytes, version %q; want serial 1, %d bytes, the ETag %q", snap.Serial, n, etag1, len(v1), fetchETag)
	}
	if _, v, _, err := state.LoadStream(ctx, b, etag1, nil); !errors.Is(err, state.ErrNotModified) || v != etag1 {
		t.Fatalf("LoadStream(current ETag) = %q, %v; want %q, ErrNotModified", v, err, etag1)
	}
	fake.put(t, "app/terraform.tfstate", v2)
	snap, etag2, _, err := state.LoadStream(ctx, b, etag1, nil)
	if err != nil || snap.Serial != 2 || etag2 == etag1 {
		t.Fatalf("after a write: serial %v, version %q (was %q), error %v", snap, etag2, etag1, err)
	}

	missing := newBackend(t, fake.config("absent.tfstate"))
	if _, _, err := missing.Open(ctx, ""); err == nil || !strings.Contains(err.Error(), "s3://tfstate/absent.tfstate") {
		t.Errorf("Open of a missing object: %v, want an error naming it", err)
	}
}

// A body cut short of its Content-Length, or running past it, is a read
// error naming the object, not a state that parses.
func TestOpenBodyLength(t *testing.T) {
	full := `{"version":4,"serial":1}`
	for _, tt := range []struct {
		name string
		body string
		size int64
		want string
	}{
		{"short", full[:10], int64(len(full)), "body ended at byte 10 of its Content-Length 24"},
		{"long", full + "  ", int64(len(full)), "body longer than its Content-Length 24"},
		// A complete document cut at a point where it still parses.
		{"short but valid", full, int64(len(full)) + 5, "body ended at byte 24 of its Content-Length 29"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := &sizedBody{body: io.NopCloser(strings.NewReader(tt.body)), size: tt.size, url: "s3://b/k"}
			_, _, err := state.ParseStream(body, state.Source{Name: "s3://b/k"}, nil)
			var re *state.ReadError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), "s3://b/k: "+tt.want) {
				t.Errorf("error = %v, want a read error %q", err, tt.want)
			}
		})
	}
}
