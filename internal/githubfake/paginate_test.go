package githubfake_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/internal/githubfake"
)

func TestPaginationFollowsLinkHeaders(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	for i := range 205 {
		f.repo.CreateIssueAs("alice", fmt.Sprintf("issue %d", i+1), "")
	}
	tests := []struct {
		perPage   int
		wantPages int
		wantFirst int
	}{
		{0, 7, 30},     // GitHub's default of 30
		{100, 3, 100},  // the most GitHub serves
		{500, 3, 100},  // asking for more gets 100
		{50, 5, 50},    // anything between
		{-1, 7, 30},    // nonsense is the default
		{205, 3, 100},  // still capped
		{1000, 3, 100}, // …
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.perPage), func(t *testing.T) {
			opt := &github.IssueListByRepoOptions{ListOptions: github.ListOptions{PerPage: tt.perPage}}
			var all []*github.Issue
			pages := 0
			for {
				page, resp, err := f.gh.Issues.ListByRepo(ctx(t), "acme", "infra", opt)
				if err != nil {
					t.Fatal(err)
				}
				if pages == 0 && len(page) != tt.wantFirst {
					t.Fatalf("first page has %d, want %d", len(page), tt.wantFirst)
				}
				if pages == 0 && resp.LastPage != tt.wantPages {
					t.Fatalf("last page = %d, want %d", resp.LastPage, tt.wantPages)
				}
				pages++
				all = append(all, page...)
				if resp.NextPage == 0 {
					break
				}
				wantFirst := 0
				if pages > 1 {
					wantFirst = 1
				}
				if resp.FirstPage != wantFirst || resp.PrevPage != pages-1 {
					t.Fatalf("page %d links: first %d prev %d", pages, resp.FirstPage, resp.PrevPage)
				}
				opt.Page = resp.NextPage
			}
			if pages != tt.wantPages || len(all) != 205 {
				t.Fatalf("%d pages, %d issues", pages, len(all))
			}
			// Newest first, each once.
			for i, is := range all {
				if is.GetNumber() != 205-i {
					t.Fatalf("issue %d is #%d", i, is.GetNumber())
				}
			}
		})
	}
}

func TestLinkHeaderKeepsFiltersAndPrefix(t *testing.T) {
	f := newFixture(t, githubfake.Options{PathPrefix: "/api/v3"})
	for range 3 {
		f.repo.CreateIssueAs("alice", "x", "", "tfdrift")
	}
	_, resp, err := f.gh.Issues.ListByRepo(ctx(t), "acme", "infra", &github.IssueListByRepoOptions{
		Labels: []string{"tfdrift"}, ListOptions: github.ListOptions{PerPage: 1}})
	if err != nil {
		t.Fatal(err)
	}
	link := resp.Header.Get("Link")
	for _, want := range []string{f.s.URL + "repos/acme/infra/issues?", "labels=tfdrift", "per_page=1", "page=2", `rel="next"`, "page=3", `rel="last"`} {
		if !strings.Contains(link, want) {
			t.Errorf("Link %q lacks %q", link, want)
		}
	}
}

func TestETagsAnswer304WithoutSpendingTheRateLimit(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	get := func(inm string) *http.Response {
		t.Helper()
		req, _ := f.gh.NewRequest("GET", "repos/acme/infra/contents/.tfdrift.yml", nil)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		resp, err := f.gh.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	first := get("")
	etag := first.Header.Get("ETag")
	if first.StatusCode != 200 || !strings.HasPrefix(etag, `W/"`) {
		t.Fatalf("first: %d etag %q", first.StatusCode, etag)
	}
	before := f.s.Stats()
	second := get(etag)
	if second.StatusCode != http.StatusNotModified || second.Header.Get("ETag") != etag {
		t.Fatalf("conditional: %d etag %q", second.StatusCode, second.Header.Get("ETag"))
	}
	if second.Header.Get("X-RateLimit-Remaining") != first.Header.Get("X-RateLimit-Remaining") {
		t.Fatalf("304 spent the rate limit: %s → %s", first.Header.Get("X-RateLimit-Remaining"), second.Header.Get("X-RateLimit-Remaining"))
	}
	strong := get(strings.TrimPrefix(etag, "W/")) // weak comparison
	after := f.s.Stats()
	if strong.StatusCode != 304 || after.NotModified != before.NotModified+2 || after.Spent != before.Spent {
		t.Fatalf("stats %+v → %+v", before, after)
	}
	// A change makes the same ETag stale.
	files, _ := f.repo.Files("main")
	files[".tfdrift.yml"] = "version: 1\nroots: []\n"
	f.repo.Commit(githubfake.CommitSpec{Files: files})
	if third := get(etag); third.StatusCode != 200 || third.Header.Get("ETag") == etag {
		t.Fatalf("after a change: %d etag %q", third.StatusCode, third.Header.Get("ETag"))
	}
	if reqs := f.s.Requests(); !reqs[len(reqs)-1].Conditional {
		t.Fatal("the request log does not mark conditional requests")
	}
}
