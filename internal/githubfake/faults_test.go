package githubfake_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/internal/githubfake"
)

func TestFaultsAsGoGitHubSeesThem(t *testing.T) {
	reset := time.Now().Add(10 * time.Minute).Truncate(time.Second)
	tests := []struct {
		fault      githubfake.Fault
		status     int
		retryAfter string
		check      func(t *testing.T, err error)
	}{
		{githubfake.Fault{Kind: githubfake.BadGateway}, 502, "", func(t *testing.T, err error) {
			var er *github.ErrorResponse
			if !errors.As(err, &er) {
				t.Fatalf("%T", err)
			}
		}},
		{githubfake.Fault{Kind: githubfake.SecondaryRetryAfter, RetryAfter: 30 * time.Second}, 403, "30", func(t *testing.T, err error) {
			var ab *github.AbuseRateLimitError
			if !errors.As(err, &ab) || ab.RetryAfter == nil || *ab.RetryAfter != 30*time.Second {
				t.Fatalf("%T %v", err, err)
			}
		}},
		{githubfake.Fault{Kind: githubfake.SecondaryRetryAfter429, RetryAfter: 2 * time.Second}, 429, "2", nil},
		{githubfake.Fault{Kind: githubfake.SecondaryNoRetryAfter}, 403, "", func(t *testing.T, err error) {
			// go-github falls back to X-RateLimit-Reset for the wait.
			var ab *github.AbuseRateLimitError
			if !errors.As(err, &ab) {
				t.Fatalf("%T %v", err, err)
			}
		}},
		{githubfake.Fault{Kind: githubfake.PrimaryLimit, Reset: reset}, 403, "", func(t *testing.T, err error) {
			var rl *github.RateLimitError
			if !errors.As(err, &rl) || !rl.Rate.Reset.Time.Equal(reset) || rl.Rate.Remaining != 0 {
				t.Fatalf("%T %v", err, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fault.Kind.String(), func(t *testing.T) {
			f := newFixture(t, githubfake.Options{})
			if _, _, err := f.gh.Repositories.Get(ctx(t), "acme", "infra"); err != nil {
				t.Fatal(err) // the token first, or the fault hits its request
			}
			f.s.Fail(tt.fault)
			_, resp, err := f.gh.Repositories.Get(ctx(t), "acme", "infra")
			if status(err) != tt.status {
				t.Fatalf("err = %v, want status %d", err, tt.status)
			}
			if got := resp.Header.Get("Retry-After"); got != tt.retryAfter {
				t.Fatalf("Retry-After = %q, want %q", got, tt.retryAfter)
			}
			if resp.Header.Get("X-RateLimit-Limit") == "" {
				t.Fatal("no rate limit headers")
			}
			if tt.check != nil {
				tt.check(t, err)
			}
			if f.s.PendingFaults() != 0 || f.s.Stats().Faults != 1 {
				t.Fatalf("pending %d, stats %+v", f.s.PendingFaults(), f.s.Stats())
			}
			// One response only. (go-github itself would hold back after a
			// rate limit, so ask below it.)
			req, _ := f.gh.NewRequest("GET", "repos/acme/infra", nil)
			after, err := f.gh.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			after.Body.Close()
			if after.StatusCode != 200 {
				t.Fatalf("after the fault: %d", after.StatusCode)
			}
		})
	}
}

func TestFaultsMatchMethodPathAndCount(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	f.s.Fail(githubfake.Fault{Kind: githubfake.BadGateway, Method: "POST", Path: "/repos/*/*/issues", Times: 2})
	if _, _, err := f.gh.Issues.ListByRepo(ctx(t), "acme", "infra", nil); err != nil {
		t.Fatalf("a GET does not match: %v", err)
	}
	req := &github.IssueRequest{Title: github.String("t")}
	for i := range 2 {
		if _, _, err := f.gh.Issues.Create(ctx(t), "acme", "infra", req); status(err) != 502 {
			t.Fatalf("create %d: %v", i, err)
		}
	}
	if _, _, err := f.gh.Issues.Create(ctx(t), "acme", "infra", req); err != nil {
		t.Fatalf("third create: %v", err)
	}
	if n := len(f.repo.Issues()); n != 1 {
		t.Fatalf("%d issues", n)
	}
}

func TestExhaustedRateLimitUntilReset(t *testing.T) {
	f := newFixture(t, githubfake.Options{RateLimit: 3})
	// 1 token request (the App's own bucket) + 3 calls spend the
	// installation's budget; the 4th is refused.
	for i := range 3 {
		_, resp, err := f.gh.Repositories.Get(ctx(t), "acme", "infra")
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if got, want := resp.Rate.Remaining, 2-i; got != want {
			t.Fatalf("call %d: remaining %d, want %d", i, got, want)
		}
	}
	req, _ := f.gh.NewRequest("GET", "repos/acme/infra", nil)
	resp, err := f.gh.Client().Do(req) // past go-github's own pre-check
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || resp.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("4th call: %d remaining %q", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
	}
	if reset, _ := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); time.Until(time.Unix(reset, 0)) < 59*time.Minute {
		t.Fatalf("reset %d is not an hour ahead", reset)
	}

	g := newFixture(t, githubfake.Options{})
	if _, _, err := g.gh.Repositories.Get(ctx(t), "acme", "infra"); err != nil {
		t.Fatal(err)
	}
	spent := g.s.Stats().Spent
	g.s.ExhaustRateLimit(g.s.Now().Add(time.Minute))
	_, _, err = g.gh.Repositories.Get(ctx(t), "acme", "infra")
	var rl *github.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("exhausted: %v", err)
	}
	if g.s.Stats().Spent != spent {
		t.Fatalf("refusals spent the budget: %+v", g.s.Stats())
	}
	g.s.Advance(61 * time.Second)
	req, _ = g.gh.NewRequest("GET", "repos/acme/infra", nil)
	req.Header.Set("Authorization", "token "+rawToken(t, g, g.app.Key))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("after the reset: %d", resp.StatusCode)
	}
}
