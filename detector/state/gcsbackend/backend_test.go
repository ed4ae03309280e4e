package gcsbackend

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"cloud.google.com/go/storage"
	"github.com/fsouza/fake-gcs-server/fakestorage"
	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/state"
)

func TestFetch(t *testing.T) {
	ctx := context.Background()
	fake := newFakeGCS(t)
	v1 := []byte(`{"version":4,"serial":1}`)
	v2 := []byte(`{"version":4,"serial":2}`)
	gen1 := fake.put(t, "team/default.tfstate", v1)
	b := newBackend(t, fake.config("team"))

	data, version, err := b.Fetch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != string(v1) || version != strconv.FormatInt(gen1, 10) {
		t.Fatalf("Fetch = %q, version %q; want %q, generation %d", data, version, v1, gen1)
	}

	skip := len(fake.requests())
	data, v, err := b.Fetch(ctx, version)
	if !errors.Is(err, state.ErrNotModified) || data != nil || v != version {
		t.Fatalf("Fetch(current generation) = %q, %q, %v; want nil, %q, ErrNotModified", data, v, err, version)
	}
	// An unchanged object costs one metadata request and no body.
	reqs := fake.requests()[skip:]
	if len(reqs) != 1 || strings.Contains(reqs[0], "alt=media") {
		t.Errorf("unchanged Fetch made requests %q; want one metadata GET", reqs)
	}

	gen2 := fake.put(t, "team/default.tfstate", v2)
	data, v, err = b.Fetch(ctx, version)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != string(v2) || v != strconv.FormatInt(gen2, 10) {
		t.Errorf("after a write: Fetch = %q, version %q; want %q, generation %d", data, v, v2, gen2)
	}
	// The body was read pinned to the generation just seen.
	reqs = fake.requests()
	if last := reqs[len(reqs)-1]; !strings.Contains(last, "alt=media") || !strings.Contains(last, "generation="+v) {
		t.Errorf("body read with %q; want a media read of generation %s", last, v)
	}
}

// A write between reading the generation and reading the body deletes the
// generation (no object versioning): Fetch starts over and returns the new
// generation's bytes with the new generation, never a mix.
func TestFetchReplacedWhileReading(t *testing.T) {
	fake := newFakeGCS(t)
	fake.put(t, "default.tfstate", []byte(`{"serial":1}`))
	b := newBackend(t, fake.config(""))
	skip := len(fake.requests())
	v2 := []byte(`{"serial":2}`)
	fake.onNextMedia(func() {
		fake.Server.CreateObject(fakestorage.Object{
			ObjectAttrs: fakestorage.ObjectAttrs{BucketName: testBucket, Name: "default.tfstate"},
			Content:     v2,
		})
	})

	data, version, err := b.Fetch(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	obj, err := fake.Server.GetObject(testBucket, "default.tfstate")
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != string(v2) || version != strconv.FormatInt(obj.Generation, 10) {
		t.Errorf("Fetch = %q, version %q; want %q, generation %d", data, version, v2, obj.Generation)
	}
	media := 0
	for _, r := range fake.requests()[skip:] {
		if strings.Contains(r, "alt=media") {
			media++
		}
	}
	if media != 2 {
		t.Errorf("Fetch read a body %d times; want 2 (the vanished generation, then the new one)", media)
	}
}

func TestFetchMissing(t *testing.T) {
	fake := newFakeGCS(t)
	b := newBackend(t, fake.config("team")).ForWorkspace("prod")
	_, _, err := b.Fetch(context.Background(), "")
	if !errors.Is(err, storage.ErrObjectNotExist) {
		t.Fatalf("Fetch of a missing object: err = %v, want storage.ErrObjectNotExist", err)
	}
	if !strings.Contains(err.Error(), "gs://tfstate/team/prod.tfstate") {
		t.Errorf("error %q does not name the object", err)
	}
}

func TestSource(t *testing.T) {
	fake := newFakeGCS(t)
	tests := []struct {
		name string
		cfg  Config
		ws   string // ForWorkspace argument; "-" means none
		want state.Source
		url  string
	}{
		{
			name: "defaults",
			cfg:  Config{Prefix: "gcp"},
			ws:   "-",
			want: state.Source{Name: "gs://tfstate/gcp", Workspace: "default"},
			url:  "gs://tfstate/gcp/default.tfstate",
		},
		{
			name: "no prefix",
			cfg:  Config{},
			ws:   "-",
			want: state.Source{Name: "gs://tfstate", Workspace: "default"},
			url:  "gs://tfstate/default.tfstate",
		},
		{
			name: "slashes around the prefix",
			cfg:  Config{Prefix: "/gcp/net/"},
			ws:   "prod",
			want: state.Source{Name: "gs://tfstate/gcp/net", Workspace: "prod"},
			url:  "gs://tfstate/gcp/net/prod.tfstate",
		},
		{
			name: "configured workspace and labels",
			cfg: Config{Prefix: "gcp", Workspace: "prod",
				Source: state.Source{Name: "gcp-prod", Provider: "gcp", Account: "my-project-123"}},
			ws:   "-",
			want: state.Source{Name: "gcp-prod", Workspace: "prod", Provider: "gcp", Account: "my-project-123"},
			url:  "gs://tfstate/gcp/prod.tfstate",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Bucket = testBucket
			cfg.Endpoint = fake.Endpoint
			cfg.WithoutAuth = true
			b := newBackend(t, cfg)
			if tt.ws != "-" {
				b = b.ForWorkspace(tt.ws)
			}
			if diff := cmp.Diff(tt.want, b.Source()); diff != "" {
				t.Errorf("Source (-want +got):\n%s", diff)
			}
			if b.URL() != tt.url {
				t.Errorf("URL = %q, want %q", b.URL(), tt.url)
			}
		})
	}
}

func TestWorkspaces(t *testing.T) {
	tests := []struct {
		name    string
		prefix  string
		objects []string
		want    []string
	}{
		{
			name:   "default and named",
			prefix: "gcp",
			objects: []string{
				"gcp/staging.tfstate",
				"gcp/default.tfstate",
				"gcp/prod.tfstate",
				"gcp/prod.tflock",         // Terraform's lock, not a state
				"gcp/net/default.tfstate", // another configuration's prefix
				"gcp/.tfstate",            // no workspace name
				"gcpx/other.tfstate",      // prefix is a directory, not a string prefix
				"other/default.tfstate",
			},
			want: []string{"default", "prod", "staging"},
		},
		{
			name:    "no default object",
			prefix:  "gcp/",
			objects: []string{"gcp/prod.tfstate"},
			want:    []string{"prod"},
		},
		{
			name:    "bucket top level",
			objects: []string{"default.tfstate", "eu.tfstate", "gcp/prod.tfstate", "notes.txt"},
			want:    []string{"default", "eu"},
		},
		{
			name:   "nothing stored",
			prefix: "gcp",
			want:   nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeGCS(t)
			for _, name := range tt.objects {
				fake.put(t, name, []byte(name))
			}
			b := newBackend(t, fake.config(tt.prefix))
			got, err := b.Workspaces(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Workspaces (-want +got):\n%s", diff)
			}
			// Every listed workspace reads its own object.
			for _, ws := range got {
				wb := b.ForWorkspace(ws)
				data, _, err := wb.Fetch(context.Background(), "")
				if err != nil {
					t.Fatalf("workspace %s: %v", ws, err)
				}
				if want := wb.object; string(data) != want {
					t.Errorf("workspace %s read %q, want the object %q", ws, data, want)
				}
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no bucket", Config{WithoutAuth: true}, "gcs state: bucket is required"},
		{"bad workspace", Config{Bucket: "b", Prefix: "p", Workspace: "a/b", WithoutAuth: true}, `gcs state gs://b/p: invalid workspace name "a/b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), tt.cfg)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("New: err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSharedClient(t *testing.T) {
	fake := newFakeGCS(t)
	fake.put(t, "default.tfstate", []byte(`{}`))
	client := newClient(t, fake.Endpoint)
	b := newBackend(t, Config{Bucket: testBucket, Client: client})
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	// Close left the caller's client open.
	if _, _, err := b.Fetch(context.Background(), ""); err != nil {
		t.Fatalf("Fetch after Close of a backend with a shared client: %v", err)
	}
}

func FuzzWorkspaceOf(f *testing.F) {
	for _, name := range []string{"gcp/prod.tfstate", "gcp/a/b.tfstate", "gcp/.tfstate", "gcp/x.tflock", "prod.tfstate"} {
		f.Add("gcp", name)
	}
	f.Add("", "default.tfstate")
	f.Fuzz(func(t *testing.T, prefix, name string) {
		b := &Backend{prefix: normalizePrefix(prefix)}
		ws, ok := b.workspaceOf(name)
		if !ok {
			return
		}
		// What Workspaces finds, Fetch must read back from the same object.
		if validWorkspace(ws) != nil {
			t.Fatalf("workspaceOf(%q) = %q, not a usable workspace name", name, ws)
		}
		if got := b.ForWorkspace(ws).object; got != name {
			t.Fatalf("workspaceOf(%q) = %q, whose object is %q", name, ws, got)
		}
	})
}

func BenchmarkFetchNotModified(b *testing.B) {
	fake := newFakeGCS(b)
	fake.put(b, "default.tfstate", []byte(`{"version":4}`))
	be := newBackend(b, fake.config(""))
	ctx := context.Background()
	_, version, err := be.Fetch(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := be.Fetch(ctx, version); !errors.Is(err, state.ErrNotModified) {
			b.Fatal(err)
		}
	}
}
