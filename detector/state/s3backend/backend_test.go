package s3backend

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/state"
)

func TestFetch(t *testing.T) {
	ctx := context.Background()
	fake := newFakeS3(t)
	v1 := []byte(`{"version":4,"serial":1}`)
	v2 := []byte(`{"version":4,"serial":2}`)
	fake.put(t, "app/terraform.tfstate", v1)
	b := newBackend(t, fake.config("app/terraform.tfstate"))

	data, etag1, err := b.Fetch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != string(v1) || etag1 == "" {
		t.Fatalf("Fetch = %q, version %q; want %q and an ETag", data, etag1, v1)
	}

	data, v, err := b.Fetch(ctx, etag1)
	if !errors.Is(err, state.ErrNotModified) || data != nil || v != etag1 {
		t.Fatalf("Fetch(current ETag) = %q, %q, %v; want nil, %q, ErrNotModified", data, v, err, etag1)
	}

	fake.put(t, "app/terraform.tfstate", v2)
	data, etag2, err := b.Fetch(ctx, etag1)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != string(v2) || etag2 == etag1 {
		t.Errorf("after a write: Fetch = %q, version %q (was %q); want %q and a new ETag", data, etag2, etag1, v2)
	}
}

func TestFetchMissing(t *testing.T) {
	fake := newFakeS3(t)
	b := newBackend(t, fake.config("absent.tfstate"))
	for _, ifVersion := range []string{"", `"0123"`} {
		_, _, err := b.Fetch(context.Background(), ifVersion)
		if err == nil || errors.Is(err, state.ErrNotModified) {
			t.Fatalf("Fetch(%q) of a missing object: err = %v, want a failure", ifVersion, err)
		}
		if !strings.Contains(err.Error(), "s3://tfstate/absent.tfstate") {
			t.Errorf("error %q does not name the object", err)
		}
	}
}

func TestSource(t *testing.T) {
	fake := newFakeS3(t)
	tests := []struct {
		name string
		cfg  func(Config) Config
		ws   string // ForWorkspace argument; "-" means none
		want state.Source
		url  string
	}{
		{
			name: "defaults",
			cfg:  func(c Config) Config { return c },
			ws:   "-",
			want: state.Source{Name: "s3://tfstate/k.tfstate", Workspace: "default"},
			url:  "s3://tfstate/k.tfstate",
		},
		{
			name: "configured workspace and labels",
			cfg: func(c Config) Config {
				c.Workspace = "prod"
				c.Source = state.Source{Name: "prod-state", Account: "123456789012", Provider: "aws"}
				return c
			},
			ws:   "-",
			want: state.Source{Name: "prod-state", Workspace: "prod", Account: "123456789012", Provider: "aws"},
			url:  "s3://tfstate/env:/prod/k.tfstate",
		},
		{
			name: "ForWorkspace with a custom prefix",
			cfg:  func(c Config) Config { c.WorkspaceKeyPrefix = "workspaces"; return c },
			ws:   "staging",
			want: state.Source{Name: "s3://tfstate/k.tfstate", Workspace: "staging"},
			url:  "s3://tfstate/workspaces/staging/k.tfstate",
		},
		{
			name: "ForWorkspace back to default",
			cfg:  func(c Config) Config { c.Workspace = "prod"; return c },
			ws:   "",
			want: state.Source{Name: "s3://tfstate/k.tfstate", Workspace: "default"},
			url:  "s3://tfstate/k.tfstate",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, tt.cfg(fake.config("k.tfstate")))
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
		key     string
		prefix  string
		objects []string
		want    []string
	}{
		{
			name: "default and named",
			key:  "terraform.tfstate",
			objects: []string{
				"terraform.tfstate",
				"env:/prod/terraform.tfstate",
				"env:/dev/terraform.tfstate",
				"env:/dev/other.tfstate",           // another configuration's workspace
				"env:/qa/nested/terraform.tfstate", // not PREFIX/WS/KEY
				"env:/terraform.tfstate",
				"unrelated/terraform.tfstate",
			},
			want: []string{"default", "dev", "prod"},
		},
		{
			name:    "no default object",
			key:     "terraform.tfstate",
			objects: []string{"env:/prod/terraform.tfstate"},
			want:    []string{"prod"},
		},
		{
			name:   "nested key and custom prefix",
			key:    "aws/terraform.tfstate",
			prefix: "workspaces",
			objects: []string{
				"aws/terraform.tfstate",
				"workspaces/eu/aws/terraform.tfstate",
				"workspaces/us/aws/terraform.tfstate",
				"workspaces/us/gcp/terraform.tfstate",
				"env:/ignored/aws/terraform.tfstate",
			},
			want: []string{"default", "eu", "us"},
		},
		{
			name: "nothing stored",
			key:  "terraform.tfstate",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeS3(t)
			for _, k := range tt.objects {
				fake.put(t, k, []byte(k))
			}
			cfg := fake.config(tt.key)
			cfg.WorkspaceKeyPrefix = tt.prefix
			b := newBackend(t, cfg)
			got, err := b.Workspaces(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Workspaces (-want +got):\n%s", diff)
			}
			// Every listed workspace reads its own object.
			for _, ws := range got {
				data, _, err := b.ForWorkspace(ws).Fetch(context.Background(), "")
				if err != nil {
					t.Fatalf("workspace %s: %v", ws, err)
				}
				if want := b.ForWorkspace(ws).workspaceKey(ws); string(data) != want {
					t.Errorf("workspace %s read %q, want the object at %q", ws, data, want)
				}
			}
		})
	}
}

func TestWorkspacesPaginates(t *testing.T) {
	fake := newFakeS3(t)
	// gofakes3 pages listings at 1000 keys.
	const n = 1005
	var want []string
	for i := range n {
		ws := fmt.Sprintf("ws%04d", i)
		want = append(want, ws)
		fake.put(t, "env:/"+ws+"/k", []byte("{}"))
	}
	before := len(fake.requests())
	got, err := newBackend(t, fake.config("k")).Workspaces(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Workspaces (-want +got):\n%s", diff)
	}
	lists := 0
	for _, r := range fake.requests()[before:] {
		if strings.Contains(r.query, "list-type=2") {
			lists++
		}
	}
	if lists < 2 {
		t.Errorf("Workspaces made %d ListObjectsV2 requests for %d keys; want at least 2 pages", lists, n)
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no bucket", Config{Key: "k", Region: testRegion}, "bucket is required"},
		{"no key", Config{Bucket: "b", Region: testRegion}, "key is required"},
		{"leading slash", Config{Bucket: "b", Key: "/k", Region: testRegion}, `key "/k" must not start or end with /`},
		{"trailing slash", Config{Bucket: "b", Key: "k/", Region: testRegion}, `key "k/" must not start or end with /`},
		{"prefix slash", Config{Bucket: "b", Key: "k", Region: testRegion, WorkspaceKeyPrefix: "env:/"}, `workspace_key_prefix "env:/" must not start or end with /`},
		{"bad workspace", Config{Bucket: "b", Key: "k", Region: testRegion, Workspace: "a/b"}, `invalid workspace name "a/b"`},
		{"no region", Config{Bucket: "b", Key: "k", AWSConfig: &aws.Config{}}, "region is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: err = %v, want one containing %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "s3 state s3://") {
				t.Errorf("error %q does not name the state", err)
			}
		})
	}
}

func TestForWorkspaceInvalidName(t *testing.T) {
	fake := newFakeS3(t)
	b := newBackend(t, fake.config("k")).ForWorkspace("a/b")
	_, _, err := b.Fetch(context.Background(), "")
	if err == nil || !strings.Contains(err.Error(), `invalid workspace name "a/b"`) {
		t.Fatalf("Fetch: err = %v, want an invalid workspace error", err)
	}
}

func FuzzWorkspaceOf(f *testing.F) {
	for _, k := range []string{"env:/prod/k", "env:/a/b/k", "env://k", "env:/default/k", "k", "env:/x/k/"} {
		f.Add("k", "env:", k)
	}
	f.Add("aws/terraform.tfstate", "workspaces", "workspaces/eu/aws/terraform.tfstate")
	f.Fuzz(func(t *testing.T, key, prefix, objectKey string) {
		b := &Backend{key: key, prefix: prefix}
		ws, ok := b.workspaceOf(objectKey)
		if !ok {
			return
		}
		// What Workspaces finds, Fetch must read back from the same object.
		if validWorkspace(ws) != nil || ws == state.DefaultWorkspace {
			t.Fatalf("workspaceOf(%q) = %q, not a usable workspace name", objectKey, ws)
		}
		if got := b.workspaceKey(ws); got != objectKey {
			t.Fatalf("workspaceOf(%q) = %q, whose key is %q", objectKey, ws, got)
		}
	})
}

func BenchmarkFetchNotModified(b *testing.B) {
	fake := newFakeS3(b)
	fake.put(b, "k", []byte(`{"version":4}`))
	be := newBackend(b, fake.config("k"))
	ctx := context.Background()
	_, etag, err := be.Fetch(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := be.Fetch(ctx, etag); !errors.Is(err, state.ErrNotModified) {
			b.Fatal(err)
		}
	}
}
