package docs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/serve"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/eventually"
	"github.com/tfdrift/tfdrift/internal/githubfake"
	"github.com/tfdrift/tfdrift/ticket/deliver"
)

// githubWorld is the fake GitHub the github: rows talk to: the App (ID
// 42) installed on acme/infra, which holds the scenario's code and a
// .tfdrift.yml whose root claims the scenario's state; and a second
// GitHub where the App is not.
type githubWorld struct {
	gh, empty      *githubfake.Server
	app            githubfake.App
	repo           *githubfake.Repo
	key, otherKey  string
	secret         string
	alerts         [][]byte
	installationID int64
}

// githubEnvKey holds the App's key as PEM text, for github.private_key.
const githubEnvKey = "TFDRIFT_DOCS_GITHUB_KEY"

func newGitHubWorld(t *testing.T, sc *scenario.Scenario, dir string) *githubWorld {
	t.Helper()
	g := &githubWorld{gh: githubfake.New(t, githubfake.Options{}), empty: githubfake.New(t, githubfake.Options{}), installationID: 7}
	g.app = g.gh.AddApp(githubfake.AppSpec{ID: 42, Slug: "tfdrift"})
	// Each fake's first App signs with the same key (its pool is the
	// process's): the other key is a second App's.
	g.empty.AddApp(githubfake.AppSpec{ID: 41, Slug: "first"})
	other := g.empty.AddApp(githubfake.AppSpec{ID: 43, Slug: "other"})
	g.secret = g.app.WebhookSecret
	g.repo = g.gh.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "infra"})
	files := map[string]string{".tfdrift.yml": "roots:\n  - dir: .\n    state: " + sc.State + "\n"}
	err := filepath.WalkDir(sc.Repo, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(sc.Repo, p)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	g.repo.Commit(githubfake.CommitSpec{Message: "init", Files: files})
	g.gh.AddInstallation(githubfake.InstallationSpec{ID: g.installationID, Repos: []string{"acme/infra"}})
	g.key, g.otherKey = filepath.Join(dir, "github-app.pem"), filepath.Join(dir, "other-app.pem")
	for p, pem := range map[string][]byte{g.key: g.app.PrivateKeyPEM(), g.otherKey: other.PrivateKeyPEM()} {
		if err := os.WriteFile(p, pem, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(githubEnvKey, string(g.app.PrivateKeyPEM()))
	// Two drifts on two resources: the demo's alert, and the same edit
	// of the app server.
	alert, err := os.ReadFile(filepath.Join(sc.Dir, "events", "falco-alerts.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	alert = bytes.TrimSpace(alert)
	second := bytes.ReplaceAll(alert, []byte("i-0aaaaaaaaaaaaaaa1"), []byte("i-0123456789abcdef0"))
	second = bytes.ReplaceAll(second, []byte("7d3b9a1c-2e4f-4a6b-8c0d-1e2f3a4b5c6d"), []byte("7d3b9a1c-2e4f-4a6b-8c0d-000000000002"))
	second = bytes.ReplaceAll(second, []byte("a8c4e2f0-3b1d-4c5e-9f7a-1b2c3d4e5f60"), []byte("a8c4e2f0-3b1d-4c5e-9f7a-000000000002"))
	g.alerts = [][]byte{alert, second}
	return g
}

// placeholders are what rows write for the GitHub world in their YAML.
func (g *githubWorld) placeholders() []string {
	return []string{"${GITHUB_API}", g.gh.URL, "${GITHUB_EMPTY_API}", g.empty.URL, "${GITHUB_KEY}", g.key,
		"${GITHUB_OTHER_KEY}", g.otherKey, "${GITHUB_SECRET}", g.secret}
}

// githubBlock is a working github: block, and the rows' starting point.
const githubBlock = "github:\n  app_id: 42\n  private_key_file: ${GITHUB_KEY}\n  webhook_secret: ${GITHUB_SECRET}\n  api_url: ${GITHUB_API}\n"

// githubIssues runs serve with the config, posts two drifts on two
// resources, and reports the open issues of acme/infra and the answer to
// a ping signed with the App's webhook secret. Issues left open by an
// earlier row are closed first (as the App's own resolutions would).
func githubIssues(w *world, cfg string) string {
	g := w.github
	for _, is := range g.repo.Issues() {
		if is.State == "open" {
			g.repo.SetIssueStateAs(g.app.BotLogin(), is.Number, "closed", "completed")
		}
	}
	started := make(chan string, 1)
	done := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	db := "sqlite://" + filepath.Join(w.t.TempDir(), "tfdrift.db")
	go func() {
		err := serve.Run(ctx, job.Env{Stdout: &out, Stderr: &errb, LookupEnv: os.LookupEnv}, serve.Args{
			ConfigFile: cfg, States: []string{w.sc.State}, Listen: "127.0.0.1:0", Format: "json", QueueSize: 64, Database: db,
			Deliver:      deliver.Options{Backoff: deliver.Backoff{Base: 20 * time.Millisecond, Max: 100 * time.Millisecond}, PollInterval: 20 * time.Millisecond},
			GitHubPacing: &ghapi.Pacing{}, Started: func(a string) { started <- a },
		})
		_, msg := job.Status(err)
		done <- msg
	}()
	var addr string
	select {
	case addr = <-started:
	case msg := <-done:
		return "did not start: " + msg
	case <-time.After(20 * time.Second):
		w.t.Fatal("serve did not start in 20s")
	}
	for _, a := range g.alerts {
		resp, err := http.Post("http://"+addr+"/falco", "application/json", bytes.NewReader(a))
		if err != nil {
			w.t.Fatal(err)
		}
		resp.Body.Close()
	}
	ping, _ := json.Marshal(map[string]any{"zen": "hi", "hook_id": 1})
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/webhooks/github", bytes.NewReader(ping))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "ping")
	req.Header.Set("X-GitHub-Delivery", "docs-ping")
	req.Header.Set("X-Hub-Signature-256", githubfake.Sign(g.secret, ping))
	pingStatus := -1
	if resp, err := http.DefaultClient.Do(req); err == nil {
		pingStatus = resp.StatusCode
		resp.Body.Close()
	}
	open := func() []string {
		var titles []string
		for _, is := range g.repo.Issues() {
			if is.State == "open" {
				titles = append(titles, fmt.Sprintf("%s [%s] assignees=%v", is.Title, strings.Join(is.Labels, ","), is.Assignees))
			}
		}
		sort.Strings(titles)
		return titles
	}
	eventually.Poll(w.wait(15*time.Second), func() bool { return len(open()) >= 2 })
	cancel()
	<-done
	return fmt.Sprintf("ping=%d\nissues:\n%s\nstderr:\n%s", pingStatus, strings.Join(open(), "\n"), errb.String())
}
