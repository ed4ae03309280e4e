package githubfake_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/internal/githubfake"
)

// fixture is one App installed on acme/infra, with clients through the
// real ghinstallation transports.
type fixture struct {
	s    *githubfake.Server
	app  githubfake.App
	inst githubfake.Installation
	repo *githubfake.Repo
	head string
	gh   *github.Client // as the installation
	itr  *ghinstallation.Transport
}

const instID = 7

func newFixture(t *testing.T, opts githubfake.Options) *fixture {
	t.Helper()
	s := githubfake.New(t, opts)
	f := &fixture{s: s}
	f.app = s.AddApp(githubfake.AppSpec{ID: 42, Slug: "tfdrift"})
	f.repo = s.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "infra", Private: true})
	f.head = f.repo.Commit(githubfake.CommitSpec{Message: "init", Files: map[string]string{
		".tfdrift.yml":      "version: 1\n",
		"main.tf":           "resource \"aws_s3_bucket\" \"b\" {}\n",
		"modules/net/sg.tf": "resource \"aws_security_group\" \"web\" {}\n",
	}})
	f.inst = s.AddInstallation(githubfake.InstallationSpec{ID: instID, Repos: []string{"acme/infra"}})
	f.gh, f.itr = installationClient(t, s, f.app, instID)
	return f
}

func baseURL(t *testing.T, s *githubfake.Server) *url.URL {
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func installationClient(t *testing.T, s *githubfake.Server, app githubfake.App, id int64) (*github.Client, *ghinstallation.Transport) {
	t.Helper()
	itr, err := ghinstallation.New(http.DefaultTransport, app.ID, id, app.PrivateKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	itr.BaseURL = strings.TrimSuffix(s.URL, "/")
	gh := github.NewClient(&http.Client{Transport: itr})
	gh.BaseURL = baseURL(t, s)
	return gh, itr
}

func appClient(t *testing.T, s *githubfake.Server, app githubfake.App) *github.Client {
	t.Helper()
	atr, err := ghinstallation.NewAppsTransport(http.DefaultTransport, app.ID, app.PrivateKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	gh := github.NewClient(&http.Client{Transport: atr})
	gh.BaseURL = baseURL(t, s)
	return gh
}

func tokenClient(t *testing.T, s *githubfake.Server, token string) *github.Client {
	t.Helper()
	gh := github.NewClient(nil).WithAuthToken(token)
	gh.BaseURL = baseURL(t, s)
	return gh
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// status is the HTTP status of a go-github error (0 when there is none).
func status(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) {
		return er.Response.StatusCode
	}
	var rl *github.RateLimitError
	if errors.As(err, &rl) {
		return rl.Response.StatusCode
	}
	var ab *github.AbuseRateLimitError
	if errors.As(err, &ab) {
		return ab.Response.StatusCode
	}
	return 0
}

// validation returns the errors of a 422, failing the test otherwise.
func validation(t *testing.T, err error) *github.ErrorResponse {
	t.Helper()
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("want a 422, got %v", err)
	}
	return er
}

func must[T any](t *testing.T) func(v T, _ *github.Response, err error) T {
	return func(v T, _ *github.Response, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
