package ghappcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/app/githubapp"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/githubfake"
	"github.com/tfdrift/tfdrift/internal/golden"
)

// TestManifest: the manifest asks for exactly the App's permissions and
// events, with the webhook at BASE/webhooks/github.
func TestManifest(t *testing.T) {
	var out bytes.Buffer
	if err := Manifest(context.Background(), job.Env{Stdout: &out}, ManifestArgs{URL: "https://tfdrift.example.com/", Name: "acme-tfdrift"}); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/manifest.json", out.Bytes())
	var m struct {
		HookAttributes struct {
			URL string `json:"url"`
		} `json:"hook_attributes"`
		DefaultPermissions map[string]string `json:"default_permissions"`
		DefaultEvents      []string          `json:"default_events"`
	}
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	wantPerms := map[string]string{"contents": "write", "issues": "write", "pull_requests": "write", "checks": "write", "metadata": "read"}
	wantEvents := []string{"installation", "installation_repositories", "push", "issues", "issue_comment", "pull_request"}
	if m.HookAttributes.URL != "https://tfdrift.example.com/webhooks/github" || fmt.Sprint(m.DefaultPermissions) != fmt.Sprint(wantPerms) || !slices.Equal(m.DefaultEvents, wantEvents) {
		t.Errorf("manifest: %+v", m)
	}
	for _, bad := range []ManifestArgs{{URL: ""}, {URL: "tfdrift.example.com", Name: "x"}, {URL: "ftp://x", Name: "x"}} {
		err := Manifest(context.Background(), job.Env{}, bad)
		if code, _ := job.Status(err); code == 0 {
			t.Errorf("%+v: accepted", bad)
		}
	}
}

// TestSetupEndToEnd runs the manifest flow against the fake GitHub, as a
// browser would: the local page's form goes to GitHub's "new App" page,
// which redirects back with a code; setup exchanges it, writes the key
// and the secret (0600), and prints the github: block without them.
func TestSetupEndToEnd(t *testing.T) {
	for _, org := range []string{"", "acme"} {
		t.Run("org="+org, func(t *testing.T) {
			gh := githubfake.New(t, githubfake.Options{})
			dir := t.TempDir()
			key, secret := filepath.Join(dir, "app.pem"), filepath.Join(dir, "webhook-secret")
			addr := make(chan string, 1)
			var out, errb bytes.Buffer
			done := make(chan error, 1)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			go func() {
				done <- Setup(ctx, job.Env{Stdout: &out, Stderr: &errb}, SetupArgs{Listen: "127.0.0.1:0", Org: org,
					GitHubURL: strings.TrimSuffix(gh.WebURL, "/"), APIURL: gh.URL, URL: "https://tfdrift.example.com", Name: "acme tfdrift",
					KeyFile: key, SecretFile: secret, Started: func(a string) { addr <- a }})
			}()
			var page string
			select {
			case a := <-addr:
				page = "http://" + a + "/"
			case err := <-done:
				t.Fatalf("setup ended: %v", err)
			}
			// The browser: the page, then its form.
			resp, err := http.Get(page)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(string(body), "<script") {
				t.Errorf("the page runs scripts or has no CSP: %q", csp)
			}
			action := regexp.MustCompile(`action="([^"]+)"`).FindSubmatch(body)
			manifest := regexp.MustCompile(`name="manifest" value="([^"]+)"`).FindSubmatch(body)
			if action == nil || manifest == nil {
				t.Fatalf("no form on the page:\n%s", body)
			}
			wantAction := gh.WebURL + "settings/apps/new?state="
			if org != "" {
				wantAction = gh.WebURL + "organizations/acme/settings/apps/new?state="
			}
			if a := html.UnescapeString(string(action[1])); !strings.HasPrefix(a, wantAction) {
				t.Errorf("form action %s, want %s…", a, wantAction)
			}
			resp, err = http.PostForm(html.UnescapeString(string(action[1])), url.Values{"manifest": {html.UnescapeString(string(manifest[1]))}})
			if err != nil {
				t.Fatal(err)
			}
			final, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(final), "is created") {
				t.Fatalf("after GitHub: %d %s", resp.StatusCode, final)
			}
			if err := <-done; err != nil {
				t.Fatalf("setup: %v\n%s", err, errb.String())
			}

			subs := gh.Manifests()
			if len(subs) != 1 || subs[0].Org != org {
				t.Fatalf("manifests submitted: %+v", subs)
			}
			app, ok := gh.App(subs[0].AppID)
			if !ok || app.WebhookURL != "https://tfdrift.example.com/webhooks/github" || !slices.Equal(app.Events, githubapp.Events) {
				t.Fatalf("the App GitHub made: %+v", app)
			}
			for path, want := range map[string]string{key: string(app.PrivateKeyPEM()), secret: app.WebhookSecret} {
				b, err := os.ReadFile(path)
				fi, _ := os.Stat(path)
				if err != nil || string(b) != want || fi.Mode().Perm() != 0o600 {
					t.Errorf("%s: %v, mode %v, content as GitHub sent: %v", path, err, fi.Mode().Perm(), string(b) == want)
				}
			}
			printed := out.String() + errb.String()
			if strings.Contains(printed, "PRIVATE KEY") || strings.Contains(printed, app.WebhookSecret) {
				t.Errorf("the key or the secret was printed:\n%s", printed)
			}
			// What it printed is a github: block the config accepts.
			i := strings.Index(out.String(), "github:\n")
			j := strings.Index(out.String()[i:], "\n\n")
			block := out.String()[i : i+j+1]
			cfg, err := config.Parse("c.yaml", []byte(block), config.WithEnv(func(n string) (string, bool) {
				return app.WebhookSecret, n == "GITHUB_WEBHOOK_SECRET"
			}))
			if err != nil {
				t.Fatalf("the printed block does not load: %v\n%s", err, block)
			}
			if cfg.GitHub.AppID != app.ID || cfg.GitHub.PrivateKeyFile != key || cfg.GitHub.APIURL != gh.URL {
				t.Errorf("block: %+v", cfg.GitHub)
			}
			// The key works: the App's client authenticates with it.
			client, err := githubapp.NewClient(cfg.GitHub, ghapiOptions())
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := client.Client().GitHub().Apps.Get(ctx, ""); err != nil {
				t.Errorf("GET /app with the written key: %v", err)
			}
			// Files already there are never overwritten.
			err = Setup(ctx, job.Env{}, SetupArgs{Listen: "127.0.0.1:0", GitHubURL: "https://github.com", URL: "https://x.example", Name: "x", KeyFile: key, SecretFile: secret + "2"})
			if err == nil || !strings.Contains(err.Error(), "already exists") {
				t.Errorf("a second setup over the key: %v", err)
			}
		})
	}
}

// TestStatus: status lists each installation's repositories, their
// roots and states, a .tfdrift.yml that does not load, and the states no
// repository claims; with --database, the open drifts no one claims.
// Anything to fix exits 3.
func TestStatus(t *testing.T) {
	gh := githubfake.New(t, githubfake.Options{})
	ghApp := gh.AddApp(githubfake.AppSpec{ID: 42})
	infra := gh.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "infra"})
	infraSHA := infra.Commit(githubfake.CommitSpec{Files: map[string]string{
		".tfdrift.yml":      "roots:\n  - dir: envs/prod\n    state: s3://acme-tf/prod.tfstate\n    min_severity: high\n  - dir: envs/dev\n    state: dev\n    issues: false\n",
		"envs/prod/main.tf": "resource \"aws_instance\" \"a\" {}\n", "envs/dev/main.tf": "resource \"aws_instance\" \"b\" {}\n"}})
	broken := gh.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "broken"})
	brokenSHA := broken.Commit(githubfake.CommitSpec{Files: map[string]string{".tfdrift.yml": "roots:\n  - dir: .\n    state: staging\n    labels: [\"\"]\n", "main.tf": ""}})
	site := gh.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "website"})
	siteSHA := site.Commit(githubfake.CommitSpec{Files: map[string]string{"index.html": "hi"}})
	gh.AddInstallation(githubfake.InstallationSpec{ID: 7, Repos: []string{"acme/infra", "acme/broken", "acme/website"}})

	dir := t.TempDir()
	keyFile := filepath.Join(dir, "app.pem")
	os.WriteFile(keyFile, ghApp.PrivateKeyPEM(), 0o600)
	cfgFile := filepath.Join(dir, "tfdrift.yaml")
	os.WriteFile(cfgFile, []byte(fmt.Sprintf(`providers:
  aws:
    states:
      - {name: prod, s3_bucket: acme-tf, s3_key: prod.tfstate}
      - {name: staging, s3_bucket: acme-tf, s3_key: staging.tfstate}
github:
  app_id: 42
  private_key_file: %s
  webhook_secret: s
  api_url: %s
`, keyFile, gh.URL)), 0o644)

	db := "sqlite://" + filepath.Join(dir, "tfdrift.db")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range []string{"prod", "staging"} {
		d := &drift.Drift{ChangeType: drift.Modified, ResourceType: "aws_instance", ResourceID: "i-" + s, ResourceAddress: "aws_instance.a",
			Changes: map[string]drift.AttrChange{"instance_type": {Expected: "a", Actual: "b"}}, Severity: drift.High,
			Event: &change.Change{Provider: change.AWS, EventID: fmt.Sprint("e", i)}, Terraform: drift.Location{State: s, Workspace: "default"}}
		d.ComputeFingerprint()
		d.ComputeEventID()
		if _, _, err := st.RecordDrift(context.Background(), d, nil); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	var out, errb bytes.Buffer
	err = Status(context.Background(), job.Env{Stdout: &out, Stderr: &errb}, StatusArgs{ConfigFile: cfgFile, Database: db})
	var pe *ProblemsError
	if code, _ := job.Status(err); code != ExitProblems || !errors.As(err, &pe) {
		t.Fatalf("status: %v (exit %d)\n%s%s", err, code, out.String(), errb.String())
	}
	got := out.String()
	for sha, name := range map[string]string{infraSHA: "INFRA", brokenSHA: "BROKEN", siteSHA: "SITE"} {
		got = strings.ReplaceAll(got, sha[:12], name)
	}
	got = regexp.MustCompile(`[0-9a-f]{16,}  aws_instance`).ReplaceAllString(got, "FINGERPRINT  aws_instance")
	got = strings.ReplaceAll(got, gh.URL, "API/")
	golden.CheckString(t, "testdata/status.txt", got)
	for _, w := range gh.Writes() {
		if !strings.HasSuffix(w.Path, "/access_tokens") {
			t.Errorf("status wrote to GitHub: %+v", w)
		}
	}
}

func ghapiOptions() ghapi.Options { return ghapi.Options{} }
