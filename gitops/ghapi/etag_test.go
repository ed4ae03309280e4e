package ghapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/githubfake"
)

func TestUnchangedReadsDoNotSpendTheRateLimit(t *testing.T) {
	cache := ghapi.NewETagCache(1 << 20)
	f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: fast(), Cache: cache})
	read := func() string {
		t.Helper()
		file, err := f.inst.ReadFile(ctx(t), "acme", "infra", ".tfdrift.yml", "main")
		if err != nil {
			t.Fatal(err)
		}
		return string(file.Content)
	}
	first := read()
	before := f.s.Stats()
	for range 5 {
		if got := read(); got != first {
			t.Fatalf("cached read %q, want %q", got, first)
		}
	}
	after := f.s.Stats()
	if after.NotModified-before.NotModified != 5 || after.Spent != before.Spent {
		t.Fatalf("stats %+v → %+v: want 5 304s and no budget spent", before, after)
	}
	if st := cache.Stats(); st.Revalidated != 5 || st.Entries == 0 {
		t.Fatalf("cache %+v", st)
	}
	// A push makes the cached answer stale: the next read is a fresh 200.
	files, _ := f.repo.Files("main")
	files[".tfdrift.yml"] = "version: 1\nroots: []\n"
	f.repo.Commit(githubfake.CommitSpec{Files: files})
	if got := read(); got != "version: 1\nroots: []\n" {
		t.Fatalf("after a push: %q", got)
	}
	if f.s.Stats().Spent != after.Spent+1 {
		t.Fatalf("a changed file should cost one request: %+v", f.s.Stats())
	}
}

// One installation's cache entries are not another's: their tokens see
// different repositories.
func TestCacheEntriesArePerClient(t *testing.T) {
	cache := ghapi.NewETagCache(1 << 20)
	f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: fast(), Cache: cache})
	f.s.AddInstallation(githubfake.InstallationSpec{ID: 8, AppID: 42, Repos: []string{"acme/infra"}})
	if _, err := f.inst.ReadFile(ctx(t), "acme", "infra", "main.tf", ""); err != nil {
		t.Fatal(err)
	}
	n := len(f.s.Requests())
	if _, err := f.gh.Installation(8).ReadFile(ctx(t), "acme", "infra", "main.tf", ""); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.s.Requests()[n:] {
		if r.Conditional {
			t.Fatalf("installation 8 used installation 7's ETag: %+v", r)
		}
	}
}

func TestCacheIsBounded(t *testing.T) {
	cache := ghapi.NewETagCache(64 << 10) // entries up to 8 KiB
	f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: fast(), Cache: cache})
	files := map[string]string{"big.tf": strings.Repeat("#", 20<<10)}
	for i := range 40 {
		files[fmt.Sprintf("f%02d.tf", i)] = strings.Repeat("x", 2000)
	}
	f.repo.Commit(githubfake.CommitSpec{Files: files})
	for i := range 40 {
		if _, err := f.inst.ReadFile(ctx(t), "acme", "infra", fmt.Sprintf("f%02d.tf", i), "main"); err != nil {
			t.Fatal(err)
		}
	}
	st := cache.Stats()
	if st.Bytes > 64<<10 || st.Entries >= 40 || st.Stored != 40 {
		t.Fatalf("cache %+v: want at most 64 KiB, older entries evicted", st)
	}
	// A body over the entry cap is read whole and not kept.
	big, err := f.inst.ReadFile(ctx(t), "acme", "infra", "big.tf", "main")
	if err != nil || len(big.Content) != 20<<10 {
		t.Fatalf("big file: %d bytes, %v", len(big.Content), err)
	}
	if cache.Stats().Stored != 40 {
		t.Fatalf("the big body was cached: %+v", cache.Stats())
	}
}
