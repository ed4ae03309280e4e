package githubapp

import (
	"context"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/eventually"
	"github.com/tfdrift/tfdrift/internal/githubfake"
)

const (
	instID    = 7
	prodState = "prod"
	// tfdriftYML claims the scenario's state (named prod) for the
	// repository's top root.
	tfdriftYML = "version: 1\nroots:\n  - dir: .\n    state: prod\n    labels: [team:platform]\n    assignees: [alice]\n    min_severity: medium\n"
)

// fixture is the App installed on acme/infra (the demo scenario's code
// and a .tfdrift.yml) in a fake GitHub, over a SQLite store.
type fixture struct {
	t     *testing.T
	gh    *githubfake.Server
	ghApp githubfake.App
	repo  *githubfake.Repo
	head  string
	st    store.Store
	reg   *prometheus.Registry
	a     *App
	recon *fakeReconciler
	srv   *httptest.Server
	hook  *githubfake.Hook
	files map[string]string
}

type fixtureOptions struct {
	// yml is .tfdrift.yml ("" leaves the repository without one).
	yml      string
	states   []StateSource
	noRun    bool
	readOnly bool
	journal  func(o *Options)
	dsn      string
}

// scenarioFiles reads the demo scenario's repository.
func scenarioFiles(t testing.TB) map[string]string {
	t.Helper()
	sc, err := scenario.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	err = filepath.WalkDir(sc.Repo, func(p string, d fs.DirEntry, err error) error {
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
	return files
}

func newFixture(t *testing.T, fo fixtureOptions) *fixture {
	t.Helper()
	f := &fixture{t: t, gh: githubfake.New(t, githubfake.Options{}), recon: &fakeReconciler{}}
	f.ghApp = f.gh.AddApp(githubfake.AppSpec{ID: 42, Slug: "tfdrift"})
	f.repo = f.gh.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "infra"})
	f.gh.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "website"})
	f.files = scenarioFiles(t)
	if fo.yml != "" {
		f.files[".tfdrift.yml"] = fo.yml
	}
	f.head = f.repo.Commit(githubfake.CommitSpec{Message: "init", Files: f.files})
	f.gh.Repo("acme/website").Commit(githubfake.CommitSpec{Message: "init", Files: map[string]string{"index.html": "<p>hi</p>\n"}})
	f.gh.AddInstallation(githubfake.InstallationSpec{ID: instID, Repos: []string{"acme/infra", "acme/website"}})
	f.repo.SetPermission("alice", "write")
	f.repo.SetPermission("mallory", "read")
	f.repo.SetPermission("bob", "maintain")

	dsn := fo.dsn
	if dsn == "" {
		dsn = "sqlite://" + filepath.Join(t.TempDir(), "tfdrift.db")
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
	f.a = f.newApp(fo)
	f.srv = httptest.NewServer(f.a.Handler())
	t.Cleanup(f.srv.Close)
	f.hook = f.gh.Hook(f.srv.URL, f.ghApp.WebhookSecret)
	if !fo.noRun {
		f.run(f.a)
	}
	return f
}

// newApp makes an App over the fixture's fake GitHub and store.
func (f *fixture) newApp(fo fixtureOptions) *App {
	f.t.Helper()
	gh, err := ghapi.NewApp(f.ghApp.ID, f.ghApp.PrivateKeyPEM(), ghapi.Options{APIURL: f.gh.URL, Pacing: &ghapi.Pacing{}})
	if err != nil {
		f.t.Fatal(err)
	}
	snaps, err := ghapi.NewSnapshotCache(ghapi.SnapshotOptions{Dir: f.t.TempDir()})
	if err != nil {
		f.t.Fatal(err)
	}
	states := fo.states
	if states == nil {
		states = []StateSource{{Name: prodState, Aliases: []string{"/srv/prod.tfstate"}}, {Name: "staging"}}
	}
	f.reg = prometheus.NewRegistry()
	o := Options{GitHub: gh, WebhookSecret: f.ghApp.WebhookSecret, States: states, Snapshots: snaps, Store: f.st,
		Reconciler: f.recon, Registerer: f.reg, ReadOnly: fo.readOnly,
		Attributes: map[string][]string{"aws_instance": {"instance_type", "tags", "ami"}}}
	if fo.journal != nil {
		fo.journal(&o)
	}
	a, err := New(o)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// run starts a until the test ends and waits for its first discovery.
func (f *fixture) run(a *App) {
	f.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	f.t.Cleanup(func() { cancel(); <-done })
	select {
	case <-a.Discovered():
	case <-time.After(30 * time.Second):
		f.t.Fatal("discovery did not finish")
	}
}

// send delivers a webhook and returns the status.
func (f *fixture) send(event string, payload any) *githubfake.Delivery {
	f.t.Helper()
	d, err := f.hook.Send(context.Background(), event, payload)
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

// counter reads one counter's (or gauge's) value.
func (f *fixture) counter(c prometheus.Collector) float64 {
	f.t.Helper()
	ch := make(chan prometheus.Metric, 1)
	c.Collect(ch)
	var m dto.Metric
	if err := (<-ch).Write(&m); err != nil {
		f.t.Fatal(err)
	}
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}

// waitUntil waits for cond with a deadline (internal/eventually).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	eventually.True(t, what, cond)
}

// fakeReconciler records the commands it is given and answers as told.
type fakeReconciler struct {
	mu      sync.Mutex
	cmds    []Command
	pulls   []PullRequestEvent
	fail    error
	replyFn func(Command) string
}

func (r *fakeReconciler) do(c Command) (Reply, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmds = append(r.cmds, c)
	if r.fail != nil {
		return Reply{}, r.fail
	}
	body := "done: " + string(c.Verb)
	if r.replyFn != nil {
		body = r.replyFn(c)
	}
	return Reply{Body: body}, nil
}

func (r *fakeReconciler) Accept(_ context.Context, c Command) (Reply, error)  { return r.do(c) }
func (r *fakeReconciler) Revert(_ context.Context, c Command) (Reply, error)  { return r.do(c) }
func (r *fakeReconciler) Ignore(_ context.Context, c Command) (Reply, error)  { return r.do(c) }
func (r *fakeReconciler) Recheck(_ context.Context, c Command) (Reply, error) { return r.do(c) }
func (r *fakeReconciler) PullRequestClosed(_ context.Context, e PullRequestEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pulls = append(r.pulls, e)
	return r.fail
}

func (r *fakeReconciler) commands() []Command {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Command(nil), r.cmds...)
}

func (r *fakeReconciler) pullEvents() []PullRequestEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]PullRequestEvent(nil), r.pulls...)
}

// newServer serves a's webhook until the test ends and returns its URL.
func newServer(t *testing.T, a *App) string {
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}
