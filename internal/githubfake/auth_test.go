package githubfake_test

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	jwt "github.com/golang-jwt/jwt/v4"
	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/internal/githubfake"
)

func TestInstallationClientGetsTokenAndCallsAsInstallation(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	r := must[*github.Repository](t)(f.gh.Repositories.Get(ctx(t), "acme", "infra"))
	if r.GetFullName() != "acme/infra" || !r.GetPrivate() || r.GetDefaultBranch() != "main" {
		t.Fatalf("repo = %v", r)
	}
	inst, _ := f.s.Installation(instID)
	if inst.TokensIssued != 1 {
		t.Fatalf("tokens issued = %d, want 1", inst.TokensIssued)
	}
	reqs := f.s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("requests = %+v", reqs)
	}
	if reqs[0].Method != "POST" || reqs[0].Path != "/app/installations/7/access_tokens" || reqs[0].Identity != "app:42" || reqs[0].Status != 201 {
		t.Errorf("first request = %+v", reqs[0])
	}
	if reqs[1].Identity != "installation:7" || reqs[1].Status != 200 {
		t.Errorf("second request = %+v", reqs[1])
	}
}

// signJWT signs claims as an App would, with any key and method.
func signJWT(t *testing.T, key any, method jwt.SigningMethod, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAppJWTIsVerifiedAsGitHubDoes(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	other := f.s.AddApp(githubfake.AppSpec{ID: 43, Slug: "other"})
	now := time.Now().Unix()
	key := f.app.Key
	good := jwt.MapClaims{"iss": "42", "iat": now - 30, "exp": now + 90}
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for kk, vv := range good {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name   string
		header string
		status int
		reason string
	}{
		{"valid", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, good), 201, ""},
		{"iss as a number", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, with("iss", 42)), 201, ""},
		{"iss as the client ID", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, with("iss", f.app.ClientID)), 201, ""},
		{"no credentials", "", 401, "no credentials"},
		{"signed by another App's key", "Bearer " + signJWT(t, other.Key, jwt.SigningMethodRS256, good), 401, "could not be decoded"},
		{"HS256", "Bearer " + signJWT(t, []byte("secret"), jwt.SigningMethodHS256, good), 401, "could not be decoded"},
		{"unknown App", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, with("iss", "99")), 401, "integration 99 not found"},
		{"expired", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, with("exp", now-60)), 401, "'Expiration time'"},
		{"exp too far ahead", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, with("exp", now+11*60)), 401, "too far in the future"},
		{"lifetime over 10 minutes", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, jwt.MapClaims{"iss": "42", "iat": now - 300, "exp": now + 400}), 401, "too far in the future"},
		{"iat in the future", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, with("iat", now+120)), 401, "'Issued at'"},
		{"fractional iat", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, with("iat", float64(now)-0.5)), 401, "must be an Integer"},
		{"no exp", "Bearer " + signJWT(t, key, jwt.SigningMethodRS256, with("exp", nil)), 401, "\"exp\" is missing"},
		{"installation token on an App endpoint", "token ghs_notatoken", 401, "unknown installation token"},
		{"basic auth", "Basic Zm9vOmJhcg==", 401, "unsupported Authorization scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.s.AuthFailures())
			req, _ := http.NewRequest("POST", f.s.URL+"app/installations/7/access_tokens", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d (%s), want %d", resp.StatusCode, body, tt.status)
			}
			if resp.Header.Get("X-RateLimit-Limit") == "" {
				t.Error("no rate limit headers")
			}
			fails := f.s.AuthFailures()
			if tt.reason == "" {
				if len(fails) != before {
					t.Fatalf("unexpected auth failure %+v", fails[len(fails)-1])
				}
				var tok struct {
					Token     string    `json:"token"`
					ExpiresAt time.Time `json:"expires_at"`
				}
				if err := json.Unmarshal(body, &tok); err != nil || !strings.HasPrefix(tok.Token, "ghs_") || time.Until(tok.ExpiresAt) < 59*time.Minute {
					t.Fatalf("token response %s (%v)", body, err)
				}
				return
			}
			if len(fails) != before+1 || !strings.Contains(fails[len(fails)-1].Reason, tt.reason) {
				t.Fatalf("auth failures = %+v, want a new one with %q", fails[before:], tt.reason)
			}
		})
	}
}

// rawToken gets an installation token without ghinstallation, so a test
// can keep using it after it expires.
func rawToken(t *testing.T, f *fixture, key *rsa.PrivateKey) string {
	t.Helper()
	now := time.Now().Unix()
	req, _ := http.NewRequest("POST", f.s.URL+"app/installations/7/access_tokens", nil)
	req.Header.Set("Authorization", "Bearer "+signJWT(t, key, jwt.SigningMethodRS256, jwt.MapClaims{"iss": "42", "iat": now - 30, "exp": now + 90}))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 201 {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return tok.Token
}

func getStatus(t *testing.T, url, auth string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestInstallationTokensExpire(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	tok := rawToken(t, f, f.app.Key)
	if got := getStatus(t, f.s.URL+"repos/acme/infra", "token "+tok); got != 200 {
		t.Fatalf("fresh token: %d", got)
	}
	f.s.Advance(61 * time.Minute)
	if got := getStatus(t, f.s.URL+"repos/acme/infra", "token "+tok); got != 401 {
		t.Fatalf("token an hour old: %d, want 401", got)
	}
	if fails := f.s.AuthFailures(); len(fails) != 1 || !strings.Contains(fails[0].Reason, "expired") {
		t.Fatalf("auth failures = %+v", fails)
	}
}

func TestExpireTokensAndRemovedInstallation(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	tok := rawToken(t, f, f.app.Key)
	f.s.ExpireTokens()
	if got := getStatus(t, f.s.URL+"repos/acme/infra", "token "+tok); got != 401 {
		t.Fatalf("expired token: %d", got)
	}
	tok = rawToken(t, f, f.app.Key)
	f.s.RemoveInstallation(instID)
	if got := getStatus(t, f.s.URL+"repos/acme/infra", "token "+tok); got != 401 {
		t.Fatalf("token of a removed installation: %d", got)
	}
}

// ghinstallation refreshes a token a minute before it expires; with a
// lifetime just over a minute the second token comes within seconds,
// and no request ever carries an expired one.
func TestGhinstallationRefreshesExpiringTokens(t *testing.T) {
	f := newFixture(t, githubfake.Options{TokenLifetime: 62 * time.Second})
	f.s.AwaitTokens(t, instID, 2, 20*time.Second, func() error {
		_, _, err := f.gh.Repositories.Get(ctx(t), "acme", "infra")
		return err
	})
	if fails := f.s.AuthFailures(); len(fails) != 0 {
		t.Fatalf("auth failures: %+v", fails)
	}
}

func TestTokensReachOnlyTheirRepositories(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	f.s.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "other", Files: map[string]string{"a": "b"}})
	if _, _, err := f.gh.Repositories.Get(ctx(t), "acme", "other"); status(err) != 404 {
		t.Fatalf("repository outside the installation: %v", err)
	}
	if _, _, err := f.gh.Repositories.Get(ctx(t), "acme", "missing"); status(err) != 404 {
		t.Fatalf("unknown repository: %v", err)
	}
	app := appClient(t, f.s, f.app)
	if _, _, err := app.Apps.CreateInstallationToken(ctx(t), instID, &github.InstallationTokenOptions{Repositories: []string{"other"}}); status(err) != 422 {
		t.Fatalf("token for a repository the installation lacks: %v", err)
	}
	tok := must[*github.InstallationToken](t)(app.Apps.CreateInstallationToken(ctx(t), instID, &github.InstallationTokenOptions{Repositories: []string{"infra"}}))
	if len(tok.Repositories) != 1 || tok.Repositories[0].GetFullName() != "acme/infra" {
		t.Fatalf("restricted token repositories = %v", tok.Repositories)
	}
	f.s.SetInstallationRepos(instID, []string{"acme/infra", "acme/other"})
	if _, _, err := f.gh.Repositories.Get(ctx(t), "acme", "other"); err != nil {
		t.Fatalf("after adding the repository: %v", err)
	}
	if got := getStatus(t, f.s.URL+"repos/acme/other", "token "+tok.GetToken()); got != 404 {
		t.Fatalf("restricted token on another repository: %d", got)
	}
	if _, _, err := app.Repositories.Get(ctx(t), "acme", "infra"); status(err) != 403 {
		t.Fatalf("App JWT on a repository endpoint: %v", err)
	}
}

func TestAppPermissionsAreEnforced(t *testing.T) {
	s := githubfake.New(t, githubfake.Options{})
	app := s.AddApp(githubfake.AppSpec{ID: 5, Permissions: map[string]string{"issues": "read", "metadata": "read"}})
	s.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "infra", Files: map[string]string{"a": "b"}})
	s.AddInstallation(githubfake.InstallationSpec{ID: 9, Repos: []string{"acme/infra"}})
	gh, _ := installationClient(t, s, app, 9)
	if _, _, err := gh.Issues.ListByRepo(ctx(t), "acme", "infra", nil); err != nil {
		t.Fatalf("issues read: %v", err)
	}
	if _, _, err := gh.Issues.Create(ctx(t), "acme", "infra", &github.IssueRequest{Title: github.String("x")}); status(err) != 403 {
		t.Fatalf("issues write without the permission: %v", err)
	}
	if _, _, _, err := gh.Repositories.GetContents(ctx(t), "acme", "infra", "a", nil); status(err) != 403 {
		t.Fatalf("contents without the permission: %v", err)
	}
	if len(s.Writes()) != 1 { // the access token only
		t.Fatalf("writes = %+v", s.Writes())
	}
}

func TestPlainTokens(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	f.s.AddToken(githubfake.TokenSpec{Token: "ghp_pat", Login: "alice", Repos: []string{"acme/infra"}})
	f.s.AddToken(githubfake.TokenSpec{Token: "ghp_ro", ReadOnly: true})
	for _, auth := range []string{"token ghp_pat", "Bearer ghp_pat"} {
		if got := getStatus(t, f.s.URL+"repos/acme/infra", auth); got != 200 {
			t.Errorf("%s: %d", auth, got)
		}
	}
	pat := tokenClient(t, f.s, "ghp_pat")
	is := must[*github.Issue](t)(pat.Issues.Create(ctx(t), "acme", "infra", &github.IssueRequest{Title: github.String("from a PAT")}))
	if is.GetUser().GetLogin() != "alice" {
		t.Fatalf("issue author = %q", is.GetUser().GetLogin())
	}
	ro := tokenClient(t, f.s, "ghp_ro")
	if _, _, err := ro.Issues.Create(ctx(t), "acme", "infra", &github.IssueRequest{Title: github.String("x")}); status(err) != 403 {
		t.Fatalf("read-only token writing: %v", err)
	}
	if _, _, err := tokenClient(t, f.s, "ghp_unknown").Repositories.Get(ctx(t), "acme", "infra"); status(err) != 401 {
		t.Fatalf("unknown token: %v", err)
	}
	reqs := f.s.Requests()
	if id := reqs[len(reqs)-2].Identity; id != "token:octocat" {
		t.Fatalf("identity of the read-only token = %q", id)
	}
}

// GitHub Enterprise Server serves the API below /api/v3; ghinstallation
// then needs the same base for its token requests.
func TestEnterprisePathPrefix(t *testing.T) {
	f := newFixture(t, githubfake.Options{PathPrefix: "/api/v3"})
	if !strings.HasSuffix(f.s.URL, "/api/v3/") {
		t.Fatalf("URL = %s", f.s.URL)
	}
	r := must[*github.Repository](t)(f.gh.Repositories.Get(ctx(t), "acme", "infra"))
	if want := f.s.URL + "repos/acme/infra"; r.GetURL() != want {
		t.Fatalf("url = %s, want %s", r.GetURL(), want)
	}
	if got := getStatus(t, f.s.WebURL+"repos/acme/infra", ""); got != 404 {
		t.Fatalf("API path outside the prefix: %d", got)
	}
	if got := fmt.Sprint(f.s.Requests()[0].Path); got != "/app/installations/7/access_tokens" {
		t.Fatalf("token request path = %s", got)
	}
}
