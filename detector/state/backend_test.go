package state

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/change"
)

func writeState(t *testing.T, path string, data []byte, mtime time.Time) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	// Explicit times: two writes within the file system's timestamp
	// granularity must still be told apart by size or time.
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func TestLocalBackend(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "terraform.tfstate")
	v1 := readTestdata(t, "aws_network.tfstate")
	t1 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	writeState(t, path, v1, t1)
	ctx := context.Background()

	b := NewLocal(path, Source{Account: acctA})
	if diff := cmp.Diff(Source{Name: path, Workspace: "default", Account: acctA}, b.Source()); diff != "" {
		t.Errorf("Source (-want +got):\n%s", diff)
	}

	data, version, err := b.Fetch(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != string(v1) {
		t.Errorf("Fetch returned %d bytes, want the file's %d", len(data), len(v1))
	}
	wantVersion := "1714564800000000000-" + strconv.Itoa(len(v1))
	if version != wantVersion {
		t.Errorf("version = %q, want %q", version, wantVersion)
	}

	t.Run("unchanged", func(t *testing.T) {
		data, v, err := b.Fetch(ctx, version)
		if !errors.Is(err, ErrNotModified) || data != nil || v != version {
			t.Errorf("Fetch(current version) = %d bytes, %q, %v; want nil, %q, ErrNotModified", len(data), v, err, version)
		}
	})
	t.Run("rewritten", func(t *testing.T) {
		v2 := readTestdata(t, "empty.tfstate")
		writeState(t, path, v2, t1.Add(time.Second))
		data, v, err := b.Fetch(ctx, version)
		if err != nil {
			t.Fatal(err)
		}
		if v == version || string(data) != string(v2) {
			t.Errorf("after a rewrite: version %q (was %q), %d bytes; want a new version and %d bytes", v, version, len(data), len(v2))
		}
		// Same size, new mtime: still a new version.
		writeState(t, path, v2, t1.Add(2*time.Second))
		if _, v3, err := b.Fetch(ctx, v); err != nil || v3 == v {
			t.Errorf("after touching: version %q, err %v; want a version other than %q", v3, err, v)
		}
	})
	t.Run("changed while reading", func(t *testing.T) {
		torn := NewLocal(path, Source{})
		v3 := readTestdata(t, "gcp_firewall.tfstate")
		rewrites := 0
		torn.afterRead = func() {
			if rewrites == 0 {
				writeState(t, path, v3, t1.Add(3*time.Second))
			}
			rewrites++
		}
		data, v, err := torn.Fetch(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if rewrites != 2 || string(data) != string(v3) || v != "1714564803000000000-"+strconv.Itoa(len(v3)) {
			t.Errorf("after a write during the read: %d reads, %d bytes, version %q; want 2 reads and the new file", rewrites, len(data), v)
		}

		n := 0
		torn.afterRead = func() {
			n++
			writeState(t, path, v3, t1.Add(time.Duration(10+n)*time.Second))
		}
		if _, _, err := torn.Fetch(ctx, ""); err == nil || !strings.Contains(err.Error(), "changed while being read, 3 times in a row") {
			t.Errorf("file changing on every read: error = %v", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		_, _, err := NewLocal(filepath.Join(dir, "nope.tfstate"), Source{}).Fetch(ctx, "")
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("error = %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, _, err := b.Fetch(cctx, ""); !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
	})
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "gcp.tfstate")
	writeState(t, good, readTestdata(t, "gcp_firewall.tfstate"), time.Unix(1700000000, 0))
	bad := filepath.Join(dir, "bad.tfstate")
	writeState(t, bad, readTestdata(t, "truncated.tfstate"), time.Unix(1700000000, 0))
	ctx := context.Background()

	snap, version, err := Load(ctx, NewLocal(good, Source{Provider: change.GCP, Workspace: "prod"}))
	if err != nil {
		t.Fatal(err)
	}
	if version == "" {
		t.Error("Load returned no version")
	}
	if diff := cmp.Diff(Source{Name: good, Workspace: "prod", Provider: change.GCP, Serial: snap.Serial}, snap.Source); diff != "" {
		t.Errorf("Source (-want +got):\n%s", diff)
	}
	if len(snap.Resources) != 3 {
		t.Errorf("%d resources, want 3", len(snap.Resources))
	}

	tests := []struct {
		name string
		path string
		want string
	}{
		{"parse error names the file", bad, "state " + bad + ": invalid JSON at byte offset 2500"},
		{"fetch error names the file", filepath.Join(dir, "nope"), "state " + filepath.Join(dir, "nope") + ": open "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Load(ctx, NewLocal(tt.path, Source{}))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want prefix %q", err, tt.want)
			}
		})
	}
}
