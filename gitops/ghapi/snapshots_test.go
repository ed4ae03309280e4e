package ghapi_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/githubfake"
)

// readTree lists a directory: file → content, symlink → "-> target".
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == dir || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.Type()&os.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			out[filepath.ToSlash(rel)] = "-> " + target
			return err
		}
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSnapshotsAreDownloadedOnceAndExtracted(t *testing.T) {
	for _, prefix := range []string{"", "/api/v3"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			f := newFixture(t, githubfake.Options{PathPrefix: prefix}, ghapi.Options{Pacing: fast()})
			sha := f.repo.Commit(githubfake.CommitSpec{Files: map[string]string{"main.tf": "x\n", "modules/a/b.tf": "y\n"},
				Symlinks: map[string]string{"modules/link.tf": "a/b.tf", "escape.tf": "../../etc/passwd"}})
			cache, err := ghapi.NewSnapshotCache(ghapi.SnapshotOptions{Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			snaps := make([]*ghapi.Snapshot, 8)
			for i := range snaps {
				wg.Go(func() {
					s, err := cache.Get(ctx(t), f.inst, "acme", "infra", sha)
					if err != nil {
						t.Error(err)
						return
					}
					snaps[i] = s
				})
			}
			wg.Wait()
			if t.Failed() {
				return
			}
			if d := f.s.Stats().Downloads; d != 1 {
				t.Fatalf("%d downloads for one SHA", d)
			}
			want := map[string]string{"main.tf": "x\n", "modules/a/b.tf": "y\n", "modules/link.tf": "-> a/b.tf"}
			if diff := cmp.Diff(want, readTree(t, snaps[0].Dir)); diff != "" {
				t.Fatalf("tree (-want +got):\n%s", diff)
			}
			if st := snaps[0].Stats; st.Files != 2 || st.Symlinks != 1 || st.SkippedLinks != 1 || st.Bytes != 4 {
				t.Fatalf("stats %+v", st)
			}
			for _, s := range snaps {
				if s.Dir != snaps[0].Dir || s.SHA != sha {
					t.Fatal("one SHA, several directories")
				}
				s.Release()
			}
		})
	}
}

func TestSnapshotEvictionKeepsWhatIsInUse(t *testing.T) {
	f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: fast()})
	dir := t.TempDir()
	stale := filepath.Join(dir, "snap-left-by-a-crash")
	if err := os.MkdirAll(stale, 0o700); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "not-ours")
	if err := os.WriteFile(mine, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	cache, err := ghapi.NewSnapshotCache(ghapi.SnapshotOptions{Dir: dir, MaxEntries: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatal("a stale snapshot survived")
	}
	if _, err := os.Stat(mine); err != nil {
		t.Fatal("a file the cache did not write was removed")
	}
	var shas []string
	for i := range 3 {
		shas = append(shas, f.repo.Commit(githubfake.CommitSpec{Files: map[string]string{"n.tf": strings.Repeat("x", i+1)}}))
	}
	held, err := cache.Get(ctx(t), f.inst, "acme", "infra", shas[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, sha := range shas[1:] {
		s, err := cache.Get(ctx(t), f.inst, "acme", "infra", sha)
		if err != nil {
			t.Fatal(err)
		}
		s.Release()
	}
	if cache.Len() != 2 {
		t.Fatalf("%d snapshots kept, want 2", cache.Len())
	}
	// shas[0] was evicted while held: still on disk until released.
	if b, err := os.ReadFile(filepath.Join(held.Dir, "n.tf")); err != nil || string(b) != "x" {
		t.Fatalf("held snapshot: %q %v", b, err)
	}
	held.Release()
	held.Release() // twice is harmless
	if _, err := os.Stat(held.Dir); !os.IsNotExist(err) {
		t.Fatal("the evicted snapshot stayed after its release")
	}
	// Asking again downloads again.
	before := f.s.Stats().Downloads
	s, err := cache.Get(ctx(t), f.inst, "acme", "infra", shas[0])
	if err != nil {
		t.Fatal(err)
	}
	s.Release()
	if f.s.Stats().Downloads != before+1 {
		t.Fatal("an evicted snapshot was not downloaded again")
	}
}

func TestSnapshotLimitsAndBadInput(t *testing.T) {
	f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: fast()})
	sha := f.repo.Commit(githubfake.CommitSpec{Files: map[string]string{"a.tf": strings.Repeat("a", 100), "b.tf": "b"}})
	dir := t.TempDir()
	cache, err := ghapi.NewSnapshotCache(ghapi.SnapshotOptions{Dir: dir, Limits: ghapi.ExtractLimits{MaxFileBytes: 50}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cache.Get(ctx(t), f.inst, "acme", "infra", sha)
	var le *ghapi.LimitError
	if !errors.As(err, &le) || !ghapi.IsPermanent(err) {
		t.Fatalf("over the file cap: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a failed snapshot left %v", entries)
	}
	for _, bad := range []string{"main", sha[:7], strings.ToUpper(sha)} {
		if _, err := cache.Get(ctx(t), f.inst, "acme", "infra", bad); err == nil {
			t.Errorf("ref %q accepted", bad)
		}
	}
	if _, err := cache.Get(ctx(t), f.inst, "acme", "../infra", sha); err == nil {
		t.Error("repository name with a slash accepted")
	}
	if _, err := cache.Get(ctx(t), f.inst, "acme", "infra", "0123456789012345678901234567890123456789"); !ghapi.IsNotFound(err) {
		t.Errorf("unknown commit: %v", err)
	}
	small, _ := ghapi.NewSnapshotCache(ghapi.SnapshotOptions{Dir: t.TempDir(), Limits: ghapi.ExtractLimits{MaxDownloadBytes: 10}})
	if _, err := small.Get(ctx(t), f.inst, "acme", "infra", sha); !errors.As(err, &le) {
		t.Errorf("over the download cap: %v", err)
	}
	if _, err := ghapi.NewSnapshotCache(ghapi.SnapshotOptions{}); err == nil {
		t.Error("no directory accepted")
	}
}

// A loader whose context ends does not fail the others waiting for the
// same snapshot.
func TestSnapshotLoaderCancelledOthersRetry(t *testing.T) {
	f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: fast()})
	cache, err := ghapi.NewSnapshotCache(ghapi.SnapshotOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := cache.Get(cancelled, f.inst, "acme", "infra", f.head); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Get: %v", err)
	}
	s, err := cache.Get(ctx(t), f.inst, "acme", "infra", f.head)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	if entries, _ := os.ReadDir(filepath.Dir(s.Dir)); len(entries) != 1 {
		t.Fatalf("the cancelled load left %d directories", len(entries))
	}
}

// gateTransport holds the first archive download until its request's
// context ends.
type gateTransport struct {
	next    http.RoundTripper
	first   atomic.Bool
	started chan struct{}
}

func (g *gateTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.Contains(req.URL.Path, "/_codeload/") && g.first.CompareAndSwap(false, true) {
		close(g.started)
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	return g.next.RoundTrip(req)
}

func TestSnapshotWaiterOutlivesACancelledLoader(t *testing.T) {
	gate := &gateTransport{next: http.DefaultTransport, started: make(chan struct{})}
	f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: fast(), Transport: gate})
	cache, err := ghapi.NewSnapshotCache(ghapi.SnapshotOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	loaderCtx, cancel := context.WithCancel(ctx(t))
	loaderErr := make(chan error, 1)
	go func() {
		_, err := cache.Get(loaderCtx, f.inst, "acme", "infra", f.head)
		loaderErr <- err
	}()
	<-gate.started
	waiter := make(chan error, 1)
	go func() {
		s, err := cache.Get(ctx(t), f.inst, "acme", "infra", f.head)
		if err == nil {
			s.Release()
		}
		waiter <- err
	}()
	time.Sleep(50 * time.Millisecond) // let the waiter queue behind the loader
	cancel()
	if err := <-loaderErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("loader: %v", err)
	}
	if err := <-waiter; err != nil {
		t.Fatalf("waiter: %v", err)
	}
}
