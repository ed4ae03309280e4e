package ghapi_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/githubfake"
)

func rateLimit(t *testing.T, err error) *ghapi.RateLimitError {
	t.Helper()
	var rl *ghapi.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("want a *RateLimitError, got %v", err)
	}
	if ghapi.IsPermanent(err) {
		t.Fatal("a rate limit is not permanent")
	}
	if w, ok := ghapi.RetryAfter(err); !ok || w != rl.Wait {
		t.Fatalf("RetryAfter = %v %v", w, ok)
	}
	return rl
}

// By default the transport does not sleep: a limit comes back as a
// *RateLimitError with the wait, and later calls are held (not sent)
// until it passes.
func TestRateLimitsAreReturnedAndHeld(t *testing.T) {
	tests := []struct {
		fault githubfake.Fault
		kind  ghapi.RateLimitKind
		wait  time.Duration
	}{
		{githubfake.Fault{Kind: githubfake.SecondaryRetryAfter, RetryAfter: 30 * time.Second}, ghapi.SecondaryRateLimit, 30 * time.Second},
		{githubfake.Fault{Kind: githubfake.SecondaryRetryAfter429, RetryAfter: 45 * time.Second}, ghapi.SecondaryRateLimit, 45 * time.Second},
		{githubfake.Fault{Kind: githubfake.SecondaryNoRetryAfter}, ghapi.SecondaryRateLimit, time.Minute},
		{githubfake.Fault{Kind: githubfake.PrimaryLimit}, ghapi.PrimaryRateLimit, 0}, // until the reset
	}
	for _, tt := range tests {
		t.Run(tt.fault.Kind.String(), func(t *testing.T) {
			clock := ghapi.NewVirtualClock(time.Now())
			f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: fast(), Clock: clock})
			if _, err := f.inst.ResolveRef(ctx(t), "acme", "infra", "main"); err != nil {
				t.Fatal(err)
			}
			reset := clock.Now().Add(10 * time.Minute).Truncate(time.Second)
			tt.fault.Reset = reset
			f.s.Fail(tt.fault)
			_, err := f.inst.ReadFile(ctx(t), "acme", "infra", "main.tf", "")
			rl := rateLimit(t, err)
			want := tt.wait
			if tt.kind == ghapi.PrimaryRateLimit {
				want = reset.Sub(clock.Now())
			}
			if rl.Kind != tt.kind || rl.Wait != want {
				t.Fatalf("limit %+v, want %v %v", rl, tt.kind, want)
			}
			n := len(f.s.Requests())
			_, err = f.inst.ReadFile(ctx(t), "acme", "infra", "main.tf", "")
			rateLimit(t, err)
			if requestsSince(f.s, n) != 0 {
				t.Fatal("a held request was sent")
			}
			clock.Advance(want + time.Second)
			if _, err := f.inst.ReadFile(ctx(t), "acme", "infra", "main.tf", ""); err != nil {
				t.Fatalf("after the wait: %v", err)
			}
		})
	}
}

// With MaxRateLimitWait the transport sleeps a short limit out and
// retries, a write included (its body replayed), so the issue is created
// exactly once.
func TestShortLimitsAreSleptOutWhenAllowed(t *testing.T) {
	clock := ghapi.NewVirtualClock(time.Now())
	f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: fast(), Clock: clock, MaxRateLimitWait: time.Minute})
	f.s.Fail(githubfake.Fault{Kind: githubfake.SecondaryRetryAfter, Method: "POST", Path: "/repos/*/*/issues", RetryAfter: 20 * time.Second})
	is, _, err := f.inst.GitHub().Issues.Create(ctx(t), "acme", "infra", &github.IssueRequest{Title: github.String("Drift: x")})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.repo.Issues(); len(got) != 1 || got[0].Number != is.GetNumber() || got[0].Title != "Drift: x" {
		t.Fatalf("issues %+v", got)
	}
	if clock.Slept() != 20*time.Second {
		t.Fatalf("slept %v, want 20s", clock.Slept())
	}
	// A wait over the allowance is returned, not slept.
	f.s.Fail(githubfake.Fault{Kind: githubfake.SecondaryRetryAfter, RetryAfter: 5 * time.Minute})
	_, err = f.inst.ReadFile(ctx(t), "acme", "infra", "main.tf", "")
	if rl := rateLimit(t, err); rl.Wait != 5*time.Minute || clock.Slept() != 20*time.Second {
		t.Fatalf("limit %+v after sleeping %v", rl, clock.Slept())
	}
}

// Secondary limits without Retry-After in a row wait longer each time.
func TestRepeatedSecondaryLimitsBackOff(t *testing.T) {
	clock := ghapi.NewVirtualClock(time.Now())
	f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: fast(), Clock: clock})
	if _, err := f.inst.ResolveRef(ctx(t), "acme", "infra", "main"); err != nil {
		t.Fatal(err)
	}
	for i, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
		f.s.Fail(githubfake.Fault{Kind: githubfake.SecondaryNoRetryAfter})
		_, err := f.inst.ResolveRef(ctx(t), "acme", "infra", "main")
		if rl := rateLimit(t, err); rl.Wait != want {
			t.Fatalf("limit %d waits %v, want %v", i, rl.Wait, want)
		}
		clock.Advance(want)
	}
	if _, err := f.inst.ResolveRef(ctx(t), "acme", "infra", "main"); err != nil {
		t.Fatal(err)
	}
}

// The request that spends the last of the budget succeeds; the next one
// is held instead of being refused by GitHub.
func TestSpentBudgetHoldsTheNextRequest(t *testing.T) {
	clock := ghapi.NewVirtualClock(time.Now())
	f := newFixture(t, githubfake.Options{RateLimit: 2}, ghapi.Options{Pacing: fast(), Clock: clock})
	if _, err := f.inst.ResolveRef(ctx(t), "acme", "infra", "main"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.inst.ReadFile(ctx(t), "acme", "infra", "main.tf", ""); err != nil {
		t.Fatal(err) // the last of the budget
	}
	n := len(f.s.Requests())
	_, err := f.inst.ReadFile(ctx(t), "acme", "infra", ".tfdrift.yml", "")
	if rl := rateLimit(t, err); rl.Kind != ghapi.PrimaryRateLimit || rl.Wait < 59*time.Minute {
		t.Fatalf("limit %+v", rl)
	}
	if requestsSince(f.s, n) != 0 {
		t.Fatal("the request was sent")
	}
}

func TestPermissionRefusalIsPermanent(t *testing.T) {
	s := githubfake.New(t, githubfake.Options{})
	app := s.AddApp(githubfake.AppSpec{ID: 5, Permissions: map[string]string{"issues": "read", "contents": "read"}})
	s.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "infra", Files: map[string]string{"a": "b"}})
	s.AddInstallation(githubfake.InstallationSpec{ID: 9, Repos: []string{"acme/infra"}})
	gh, err := ghapi.NewApp(app.ID, app.PrivateKeyPEM(), ghapi.Options{APIURL: s.URL, Pacing: fast()})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = gh.Installation(9).GitHub().Issues.Create(ctx(t), "acme", "infra", &github.IssueRequest{Title: github.String("x")})
	err = ghapi.Wrap("create issue", err)
	var se *ghapi.StatusError
	if !errors.As(err, &se) || se.Status != 403 || !ghapi.IsPermanent(err) {
		t.Fatalf("err = %v", err)
	}
}
