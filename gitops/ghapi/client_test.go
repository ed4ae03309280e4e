package ghapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/githubfake"
)

// github.com and GitHub Enterprise Server (the API below /api/v3): one
// APIURL sets go-github's and ghinstallation's base alike.
func TestAppInstallationsAndReposOnGitHubAndGHES(t *testing.T) {
	for _, prefix := range []string{"", "/api/v3"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			f := newFixture(t, githubfake.Options{PathPrefix: prefix}, ghapi.Options{Pacing: fast()})
			insts, err := f.gh.Client().ListInstallations(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if len(insts) != 1 || insts[0].GetID() != instID {
				t.Fatalf("installations %v", insts)
			}
			repos, err := f.inst.ListRepos(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if len(repos) != 1 || repos[0].GetFullName() != "acme/infra" {
				t.Fatalf("repos %v", repos)
			}
			if f.gh.Installation(instID) != f.inst || f.inst.InstallationID() != instID || f.gh.ID() != 42 {
				t.Fatal("installation clients are not kept per installation")
			}
			for _, r := range f.s.Requests() {
				if r.Status >= 300 {
					t.Errorf("request %+v", r)
				}
			}
			if strings.HasPrefix(f.s.Requests()[0].Path, "/api/v3") {
				t.Fatal("the fake saw the prefix twice")
			}
		})
	}
}

// ghinstallation refreshes an installation token a minute before it
// expires: with 62-second tokens a second one is fetched within seconds,
// and no call ever carries an expired token.
func TestInstallationTokensAreRefreshedBeforeExpiry(t *testing.T) {
	f := newFixture(t, githubfake.Options{TokenLifetime: 62 * time.Second}, ghapi.Options{Pacing: fast()})
	f.s.AwaitTokens(t, instID, 2, 20*time.Second, func() error {
		_, err := f.inst.ResolveRef(ctx(t), "acme", "infra", "main")
		return err
	})
	if fails := f.s.AuthFailures(); len(fails) != 0 {
		t.Fatalf("auth failures %+v", fails)
	}
}

func TestRemovedInstallationIsPermanent(t *testing.T) {
	f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: fast()})
	f.s.RemoveInstallation(instID)
	_, err := f.inst.ReadFile(ctx(t), "acme", "infra", ".tfdrift.yml", "")
	if !ghapi.IsNotFound(err) || !ghapi.IsPermanent(err) {
		t.Fatalf("err = %v", err)
	}
	f.gh.Forget(instID)
	if f.gh.Installation(instID) == f.inst {
		t.Fatal("Forget kept the client")
	}
}

func TestTokenClient(t *testing.T) {
	s := githubfake.New(t, githubfake.Options{})
	s.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "infra", Files: map[string]string{"a.tf": "x"}})
	s.AddToken(githubfake.TokenSpec{Token: "ghs_actions", Actions: true, Repos: []string{"acme/infra"}})
	c, err := ghapi.NewTokenClient("ghs_actions", ghapi.Options{APIURL: s.URL, Pacing: fast()})
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.ReadFile(ctx(t), "acme", "infra", "a.tf", "main")
	if err != nil || string(f.Content) != "x" {
		t.Fatalf("read %v %v", f, err)
	}
	if r := s.Requests()[0]; r.Identity != "token:github-actions[bot]" {
		t.Fatalf("identity %q", r.Identity)
	}
	if _, err := ghapi.NewTokenClient("  ", ghapi.Options{}); err == nil {
		t.Fatal("empty token accepted")
	}
	bad, _ := ghapi.NewTokenClient("ghp_wrong", ghapi.Options{APIURL: s.URL, Pacing: fast()})
	if _, err := bad.ReadFile(ctx(t), "acme", "infra", "a.tf", ""); !ghapi.IsPermanent(err) || strings.Contains(err.Error(), "ghp_wrong") {
		t.Fatalf("bad token: %v", err)
	}
}

func TestParseAPIURL(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"", "https://api.github.com/", ""},
		{"https://api.github.com", "https://api.github.com/", ""},
		{"https://ghe.example.com/api/v3", "https://ghe.example.com/api/v3/", ""},
		{"https://ghe.example.com/api/v3/", "https://ghe.example.com/api/v3/", ""},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080/", ""},
		{"https://github.com/", "", "GitHub's web address"},
		{"ftp://x/", "", "want https://api.github.com/"},
		{"api.github.com", "", "want https://api.github.com/"},
		{"https://x/api/v3/?a=b", "", "want https://api.github.com/"},
		{"https://user:pw@x/", "", "want https://api.github.com/"},
		{"https://%zz/", "", "invalid"},
	}
	for _, tt := range tests {
		u, err := ghapi.ParseAPIURL(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || u.String() != tt.want {
			t.Errorf("%q: %v %v, want %s", tt.in, u, err, tt.want)
		}
	}
}

func TestNewAppRefusesBadInput(t *testing.T) {
	key := []byte("-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END RSA PRIVATE KEY-----\n")
	_, err := ghapi.NewApp(1, key, ghapi.Options{})
	if err == nil || strings.Contains(err.Error(), "c2VjcmV0") {
		t.Fatalf("bad key: %v", err)
	}
	if _, err := ghapi.NewApp(0, key, ghapi.Options{}); err == nil {
		t.Fatal("app_id 0 accepted")
	}
	if _, err := ghapi.NewApp(1, key, ghapi.Options{APIURL: "https://github.com"}); err == nil || !strings.Contains(err.Error(), "api_url") {
		t.Fatalf("web URL: %v", err)
	}
}
