package ghapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/githubfake"
)

const instID = 7

// fixture is the App installed on acme/infra in a fake GitHub, and
// ghapi's clients for it.
type fixture struct {
	s    *githubfake.Server
	app  githubfake.App
	repo *githubfake.Repo
	head string
	gh   *ghapi.App
	inst *ghapi.Client
}

func newFixture(t *testing.T, fo githubfake.Options, opts ghapi.Options) *fixture {
	t.Helper()
	s := githubfake.New(t, fo)
	f := &fixture{s: s}
	f.app = s.AddApp(githubfake.AppSpec{ID: 42})
	f.repo = s.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "infra", Private: true})
	f.head = f.repo.Commit(githubfake.CommitSpec{Message: "init", Files: map[string]string{
		".tfdrift.yml":      "version: 1\nroots:\n  - dir: .\n",
		"main.tf":           "resource \"aws_s3_bucket\" \"b\" {}\n",
		"modules/net/sg.tf": "resource \"aws_security_group\" \"web\" {}\n",
		"scripts/run.sh":    "#!/bin/sh\n",
	}, Executable: []string{"scripts/run.sh"}})
	s.AddInstallation(githubfake.InstallationSpec{ID: instID, Repos: []string{"acme/infra"}})
	if opts.APIURL == "" {
		opts.APIURL = s.URL
	}
	app, err := ghapi.NewApp(f.app.ID, f.app.PrivateKeyPEM(), opts)
	if err != nil {
		t.Fatal(err)
	}
	f.gh = app
	f.inst = app.Installation(instID)
	return f
}

// fast is pacing that never waits, for tests that are not about pacing.
func fast() *ghapi.Pacing { return &ghapi.Pacing{} }

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// requestsSince counts the fake's API requests after the first n.
func requestsSince(s *githubfake.Server, n int) int { return len(s.Requests()) - n }
