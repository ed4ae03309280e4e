package gcsbackend

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"cloud.google.com/go/storage"
	"github.com/fsouza/fake-gcs-server/fakestorage"

	"github.com/tfdrift/tfdrift/detector/state"
)

// Open streams the generation it saw, with Fetch's version semantics.
func TestOpenStreams(t *testing.T) {
	ctx := context.Background()
	fake := newFakeGCS(t)
	v1 := []byte(`{"version":4,"serial":1}`)
	v2 := []byte(`{"version":4,"serial":2}`)
	gen1 := fake.put(t, "team/default.tfstate", v1)
	b := newBackend(t, fake.config("team"))

	snap, version, n, err := state.LoadStream(ctx, b, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Serial != 1 || n != int64(len(v1)) || version != strconv.FormatInt(gen1, 10) {
		t.Fatalf("LoadStream = serial %d, %d bytes, version %q; want serial 1, generation %d", snap.Serial, n, version, gen1)
	}
	skip := len(fake.requests())
	if _, v, _, err := state.LoadStream(ctx, b, version, nil); !errors.Is(err, state.ErrNotModified) || v != version {
		t.Fatalf("LoadStream(current generation) = %q, %v; want ErrNotModified", v, err)
	}
	if reqs := fake.requests()[skip:]; len(reqs) != 1 || strings.Contains(reqs[0], "alt=media") {
		t.Errorf("unchanged LoadStream made requests %q; want one metadata GET", reqs)
	}
	gen2 := fake.put(t, "team/default.tfstate", v2)
	snap, v, _, err := state.LoadStream(ctx, b, version, nil)
	if err != nil || snap.Serial != 2 || v != strconv.FormatInt(gen2, 10) {
		t.Fatalf("after a write: %v, version %q, error %v; want serial 2, generation %d", snap, v, err, gen2)
	}
	reqs := fake.requests()
	if last := reqs[len(reqs)-1]; !strings.Contains(last, "alt=media") || !strings.Contains(last, "generation="+v) {
		t.Errorf("body read with %q; want a media read of generation %s", last, v)
	}

	_, _, err = newBackend(t, fake.config("team")).ForWorkspace("prod").Open(ctx, "")
	if !errors.Is(err, storage.ErrObjectNotExist) || !strings.Contains(err.Error(), "gs://tfstate/team/prod.tfstate") {
		t.Errorf("Open of a missing object: %v", err)
	}
}

// A generation replaced between its metadata and its body is looked up
// again, as Fetch does.
func TestOpenReplacedWhileReading(t *testing.T) {
	fake := newFakeGCS(t)
	fake.put(t, "default.tfstate", []byte(`{"version":4,"serial":1}`))
	b := newBackend(t, fake.config(""))
	fake.onNextMedia(func() {
		fake.Server.CreateObject(fakestorage.Object{
			ObjectAttrs: fakestorage.ObjectAttrs{BucketName: testBucket, Name: "default.tfstate"},
			Content:     []byte(`{"version":4,"serial":2}`),
		})
	})
	snap, version, _, err := state.LoadStream(context.Background(), b, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := fake.Server.GetObject(testBucket, "default.tfstate")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Serial != 2 || version != strconv.FormatInt(obj.Generation, 10) {
		t.Errorf("LoadStream = serial %d, version %q; want serial 2, generation %d", snap.Serial, version, obj.Generation)
	}
}
