package githubfake_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/internal/githubfake"
)

func TestInstallationsAndTheirRepositories(t *testing.T) {
	s := githubfake.New(t, githubfake.Options{})
	app := s.AddApp(githubfake.AppSpec{ID: 42})
	other := s.AddApp(githubfake.AppSpec{ID: 43, Slug: "other"})
	var names []string
	for i := range 120 {
		n := fmt.Sprintf("repo%03d", i)
		s.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: n})
		names = append(names, "acme/"+n)
	}
	s.AddRepo(githubfake.RepoSpec{Owner: "octo", Name: "solo"})
	for i := range 35 {
		s.AddInstallation(githubfake.InstallationSpec{ID: int64(100 + i), AppID: 42, Repos: names[i : i+1]})
	}
	s.AddInstallation(githubfake.InstallationSpec{ID: 500, AppID: 42, Account: "acme", All: true})
	s.AddInstallation(githubfake.InstallationSpec{ID: 600, AppID: 43, Repos: []string{"octo/solo"}})

	gh := appClient(t, s, app)
	a := must[*github.App](t)(gh.Apps.Get(ctx(t), ""))
	if a.GetID() != 42 || a.GetSlug() != "tfdrift" {
		t.Fatalf("app %+v", a)
	}
	var all []*github.Installation
	opt := &github.ListOptions{PerPage: 10}
	for {
		page, resp, err := gh.Apps.ListInstallations(ctx(t), opt)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if len(all) != 36 || all[0].GetID() != 100 || all[35].GetRepositorySelection() != "all" || all[0].GetAccount().GetLogin() != "acme" {
		t.Fatalf("%d installations, first %+v", len(all), all[0])
	}
	// The "all" installation reaches every acme repository.
	inst, _ := installationClient(t, s, app, 500)
	var repos []*github.Repository
	ropt := &github.ListOptions{PerPage: 100}
	for {
		list, resp, err := inst.Apps.ListRepos(ctx(t), ropt)
		if err != nil {
			t.Fatal(err)
		}
		if list.GetTotalCount() != 120 {
			t.Fatalf("total_count %d", list.GetTotalCount())
		}
		repos = append(repos, list.Repositories...)
		if resp.NextPage == 0 {
			break
		}
		ropt.Page = resp.NextPage
	}
	if len(repos) != 120 || repos[119].GetFullName() != "acme/repo119" {
		t.Fatalf("%d repos", len(repos))
	}
	// Another App's installation is not this App's to use.
	if _, _, err := gh.Apps.CreateInstallationToken(ctx(t), 600, nil); status(err) != 404 {
		t.Fatalf("token for another App's installation: %v", err)
	}
	if _, _, err := appClient(t, s, other).Apps.CreateInstallationToken(ctx(t), 600, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.Apps.ListRepos(ctx(t), nil); status(err) != 403 {
		t.Fatalf("listing installation repositories with the App JWT: %v", err)
	}
}

// The manifest flow as `tfdrift app setup` runs it: post the manifest to
// the settings page, follow the redirect's code, exchange it once.
func TestManifestFlow(t *testing.T) {
	for _, org := range []string{"", "acme"} {
		t.Run("org="+org, func(t *testing.T) {
			s := githubfake.New(t, githubfake.Options{PathPrefix: "/api/v3"})
			codes := make(chan url.Values, 1)
			cb := http.NewServeMux()
			cb.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
				codes <- r.URL.Query()
				_, _ = io.WriteString(w, "ok")
			})
			srv := newLocalServer(t, cb)
			manifest := map[string]any{
				"name": "tfdrift acme", "url": "https://tfdrift.example",
				"hook_attributes":     map[string]any{"url": "https://tfdrift.example/webhooks/github"},
				"redirect_url":        srv + "/callback",
				"default_permissions": map[string]string{"contents": "write", "issues": "write", "pull_requests": "write", "checks": "write", "metadata": "read"},
				"default_events":      []string{"installation", "installation_repositories", "push", "issues", "issue_comment", "pull_request"},
			}
			body, _ := json.Marshal(manifest)
			page := s.WebURL + "settings/apps/new?state=xyz"
			if org != "" {
				page = s.WebURL + "organizations/" + org + "/settings/apps/new?state=xyz"
			}
			resp, err := http.PostForm(page, url.Values{"manifest": {string(body)}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			q := <-codes
			if q.Get("state") != "xyz" || q.Get("code") == "" {
				t.Fatalf("redirect query %v", q)
			}
			gh := github.NewClient(nil) // no credentials: the code is the credential
			gh.BaseURL = baseURL(t, s)
			cfg := must[*github.AppConfig](t)(gh.Apps.CompleteAppManifest(ctx(t), q.Get("code")))
			if cfg.GetSlug() != "tfdrift-acme" || cfg.GetWebhookSecret() == "" || cfg.GetClientSecret() == "" || !strings.Contains(cfg.GetPEM(), "RSA PRIVATE KEY") {
				t.Fatalf("conversion %+v", cfg)
			}
			if org != "" && cfg.GetOwner().GetLogin() != org {
				t.Fatalf("owner %q", cfg.GetOwner().GetLogin())
			}
			if _, _, err := gh.Apps.CompleteAppManifest(ctx(t), q.Get("code")); status(err) != 404 {
				t.Fatalf("second exchange: %v", err)
			}
			subs := s.Manifests()
			if len(subs) != 1 || subs[0].Org != org || subs[0].AppID != cfg.GetID() {
				t.Fatalf("submissions %+v", subs)
			}
			// The App made from the manifest works like any other.
			app, ok := s.App(cfg.GetID())
			if !ok || app.WebhookURL != "https://tfdrift.example/webhooks/github" || app.Permissions["checks"] != "write" {
				t.Fatalf("app %+v", app)
			}
			atr, err := ghinstallation.NewAppsTransport(http.DefaultTransport, cfg.GetID(), []byte(cfg.GetPEM()))
			if err != nil {
				t.Fatal(err)
			}
			ac := github.NewClient(&http.Client{Transport: atr})
			ac.BaseURL = baseURL(t, s)
			if a := must[*github.App](t)(ac.Apps.Get(ctx(t), "")); a.GetID() != cfg.GetID() {
				t.Fatalf("app %v", a)
			}
		})
	}
}

func TestManifestValidation(t *testing.T) {
	s := githubfake.New(t, githubfake.Options{})
	tests := []struct {
		name     string
		manifest string
		want     string
	}{
		{"not JSON", "{", "not JSON"},
		{"no name", `{"url":"https://x","redirect_url":"https://x/cb"}`, "name can't be blank"},
		{"no redirect", `{"name":"n","url":"https://x"}`, "redirect_url"},
		{"unknown permission", `{"name":"n","url":"https://x","redirect_url":"https://x/cb","default_permissions":{"spaceships":"write"}}`, "unknown permission"},
		{"bad level", `{"name":"n","url":"https://x","redirect_url":"https://x/cb","default_permissions":{"issues":"all"}}`, "not read, write or admin"},
		{"event without its permission", `{"name":"n","url":"https://x","redirect_url":"https://x/cb","hook_attributes":{"url":"https://x/h"},"default_events":["push"]}`, "needs the contents permission"},
		{"events without a hook", `{"name":"n","url":"https://x","redirect_url":"https://x/cb","default_permissions":{"issues":"write"},"default_events":["issues"]}`, "hook_attributes.url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.PostForm(s.WebURL+"settings/apps/new", url.Values{"manifest": {tt.manifest}})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 422 || !strings.Contains(string(b), tt.want) {
				t.Fatalf("%d %s, want 422 with %q", resp.StatusCode, b, tt.want)
			}
		})
	}
	if len(s.Manifests()) != 0 {
		t.Fatal("a refused manifest was recorded")
	}
	code := "abc123"
	app := s.RegisterManifestCode(code, githubfake.AppSpec{Slug: "pre"})
	gh := github.NewClient(nil)
	gh.BaseURL = baseURL(t, s)
	if cfg := must[*github.AppConfig](t)(gh.Apps.CompleteAppManifest(ctx(t), code)); cfg.GetID() != app.ID {
		t.Fatalf("registered code gave %+v", cfg)
	}
}
