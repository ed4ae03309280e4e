package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/drifts"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/githubfake"
	"github.com/tfdrift/tfdrift/ticket/deliver"
)

// ghWorld is serve with the GitHub App of a fake GitHub: the demo's
// repository (with a .tfdrift.yml) on acme/infra, the App installed on
// it, and serve's config naming the demo's state "prod".
type ghWorld struct {
	t         testing.TB
	gh        *githubfake.Server
	app       githubfake.App
	repo      *githubfake.Repo
	head      string
	files     map[string]string
	statePath string
	cfgPath   string
	db        string
	dir       string
	addr      string
	out, err  *lockedBuffer
	stop      func() int
}

type ghWorldOptions struct {
	// yml is the repository's .tfdrift.yml.
	yml string
	// config is added to serve's config.
	config string
	// apiURL replaces the fake's (a proxy in front of it).
	apiURL string
	// states are more state sources: copies of the demo's state.
	states []string
	// repoFiles replace the repository's files and state the state.
	repoFiles map[string]string
	state     []byte
}

const ghYML = "version: 1\nroots:\n  - dir: .\n    state: prod\n    labels: [team:platform]\n    assignees: [alice]\n"

func newGHWorld(t testing.TB, o ghWorldOptions) *ghWorld {
	t.Helper()
	sc, err := scenario.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := &ghWorld{t: t, gh: githubfake.New(t, githubfake.Options{}), dir: t.TempDir(), statePath: sc.State}
	w.app = w.gh.AddApp(githubfake.AppSpec{ID: 42, Slug: "tfdrift"})
	w.repo = w.gh.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "infra"})
	w.files = map[string]string{}
	filepath.WalkDir(sc.Repo, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(sc.Repo, p)
		w.files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if o.repoFiles != nil {
		w.files = o.repoFiles
	}
	if o.state != nil {
		if err := os.WriteFile(sc.State, o.state, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if o.yml == "" {
		o.yml = ghYML
	}
	w.files[".tfdrift.yml"] = o.yml
	w.head = w.repo.Commit(githubfake.CommitSpec{Message: "init", Files: w.files})
	w.gh.AddInstallation(githubfake.InstallationSpec{ID: 7, Repos: []string{"acme/infra"}})
	w.repo.SetPermission("alice", "write")
	key := filepath.Join(w.dir, "app.pem")
	if err := os.WriteFile(key, w.app.PrivateKeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	api := w.gh.URL
	if o.apiURL != "" {
		api = o.apiURL
	}
	w.cfgPath = filepath.Join(w.dir, "tfdrift.yaml")
	states := fmt.Sprintf("      - {name: prod, path: %q}\n", sc.State)
	for _, name := range o.states {
		p := filepath.Join(w.dir, name+".tfstate")
		b, _ := os.ReadFile(sc.State)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		states += fmt.Sprintf("      - {name: %s, path: %q}\n", name, p)
	}
	cfg := fmt.Sprintf("state_refresh_interval: 1s\nproviders:\n  aws:\n    states:\n%s%s"+
		"github:\n  app_id: 42\n  private_key_file: %q\n  webhook_secret: ${GITHUB_WEBHOOK_SECRET}\n  api_url: %q\n",
		states, o.config, key, api)
	if err := os.WriteFile(w.cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	w.db = "sqlite://" + filepath.Join(w.dir, "tfdrift.db")
	return w
}

func (w *ghWorld) env() job.Env {
	return job.Env{Stdout: w.out, Stderr: w.err, LookupEnv: func(n string) (string, bool) {
		if n == "GITHUB_WEBHOOK_SECRET" {
			return w.app.WebhookSecret, true
		}
		return "", false
	}}
}

// fastOutbox makes the outbox and the App's pacing quick, for tests.
func fastOutbox(a *Args) {
	a.Deliver = deliver.Options{Backoff: deliver.Backoff{Base: 20 * time.Millisecond, Max: 200 * time.Millisecond}, PollInterval: 20 * time.Millisecond}
	a.GitHubPacing = &ghapi.Pacing{}
}

// start runs serve in-process until the test ends (or stop).
func (w *ghWorld) start(hook func(*Args)) {
	w.t.Helper()
	w.out, w.err = &lockedBuffer{}, &lockedBuffer{}
	started := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- runArgs(ctx, w.env(), []string{"--config", w.cfgPath, "--listen", "127.0.0.1:0", "--database", w.db, "--format", "json"}, func(a *Args) {
			a.Started = func(addr string) { started <- addr }
			fastOutbox(a)
			if hook != nil {
				hook(a)
			}
		})
	}()
	select {
	case w.addr = <-started:
	case code := <-done:
		w.t.Fatalf("serve exited %d: %s", code, w.err.String())
	case <-time.After(30 * time.Second):
		w.t.Fatal("serve did not start")
	}
	stopped := false
	w.stop = func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		return <-done
	}
	w.t.Cleanup(func() { w.stop() })
}

// instanceAlert is the demo's Falco alert (ModifyInstanceAttribute) on
// instance id with its own event ID and request.
func (w *ghWorld) instanceAlert(id, eventID, request string) []byte {
	w.t.Helper()
	sc, err := scenario.Extract(w.t.TempDir())
	if err != nil {
		w.t.Fatal(err)
	}
	base, err := os.ReadFile(filepath.Join(sc.Dir, "events", "falco-alerts.ndjson"))
	if err != nil {
		w.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(base), &m); err != nil {
		w.t.Fatal(err)
	}
	f := m["output_fields"].(map[string]any)
	f["ct.id"], f["ct.request"] = eventID, fmt.Sprintf(`{"instanceId": %q, %s}`, id, request)
	m["uuid"] = "uuid-" + eventID
	b, err := json.Marshal(m)
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

func (w *ghWorld) post(path string, body []byte, hdr map[string]string) (int, string) {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+w.addr+path, bytes.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (w *ghWorld) falco(body []byte) {
	w.t.Helper()
	if code, msg := w.post("/falco", body, nil); code != http.StatusAccepted {
		w.t.Fatalf("POST /falco: %d %s", code, msg)
	}
}

func (w *ghWorld) get(path string) (int, string) {
	w.t.Helper()
	resp, err := http.Get("http://" + w.addr + path)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// driftIssues are the repository's issues for drifted resources (not the
// overflow issue).
func (w *ghWorld) driftIssues() []githubfake.Issue {
	var out []githubfake.Issue
	for _, is := range w.repo.Issues() {
		if strings.Contains(is.Body, "<!-- tfdrift:resource=") {
			out = append(out, is)
		}
	}
	return out
}

func (w *ghWorld) fingerprints() []string {
	var out []string
	for _, m := range regexp.MustCompile(`"fingerprint":"([0-9a-f]+)"`).FindAllStringSubmatch(w.out.String(), -1) {
		out = append(out, m[1])
	}
	return out
}

func (w *ghWorld) record(fp string) store.Record {
	w.t.Helper()
	st, err := store.Open(context.Background(), w.db, store.MustExist())
	if err != nil {
		w.t.Fatal(err)
	}
	defer st.Close()
	rec, err := st.Get(context.Background(), fp)
	if err != nil {
		w.t.Fatal(err)
	}
	return rec
}

// outboxSettled says whether the store's outbox holds no notice still to
// send (pending or in flight): after it, nothing more reaches GitHub.
func (w *ghWorld) outboxSettled() bool {
	w.t.Helper()
	st, err := store.Open(context.Background(), w.db, store.MustExist())
	if err != nil {
		w.t.Fatal(err)
	}
	defer st.Close()
	counts, err := st.CountNotices(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	for _, c := range counts {
		if (c.Status == store.NoticePending || c.Status == store.NoticeInflight) && c.Count > 0 {
			return false
		}
	}
	return true
}

// lineOf is the 1-based line of s in content.
func lineOf(t *testing.T, content, s string) int {
	for i, l := range strings.Split(content, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%q not found", s)
	return 0
}

// TestGitHubAppEndToEnd: through serve, a Falco alert opens the
// resource's issue on the repository whose .tfdrift.yml claims the
// state, with a permalink to the resource's lines; a second drift on the
// resource is a comment, not a second issue; `drifts resolve` closes the
// issue saying who; and a state reload that holds the drift's values
// closes another as accepted. The webhook is on serve's listener with
// its own auth, and the status page at / links the issue.
func TestGitHubAppEndToEnd(t *testing.T) {
	w := newGHWorld(t, ghWorldOptions{})
	w.start(nil)

	w.falco(w.instanceAlert("i-0aaaaaaaaaaaaaaa1", "evt-1", `"disableApiTermination": {"value": true}`))
	defer func() {
		if t.Failed() {
			t.Logf("stdout:\n%s\nstderr:\n%s", w.out.String(), w.err.String())
		}
	}()
	waitUntil(t, "the issue", func() bool { return len(w.driftIssues()) == 1 })
	is := w.driftIssues()[0]
	start := lineOf(t, w.files["main.tf"], `resource "aws_instance" "workers"`)
	permalink := fmt.Sprintf("%s/blob/%s/main.tf#L%d-L", w.repo.HTMLURL(), w.head, start)
	if !strings.HasPrefix(is.Title, "Drift: aws_instance.workers[1] modified by ") || !strings.Contains(is.Body, permalink) ||
		!strings.Contains(is.Body, "<!-- tfdrift:resource=prod/aws_instance.workers[1] -->") || is.User != w.app.BotLogin() {
		t.Errorf("issue #%d %q by %s:\n%s\nwant the permalink %s…", is.Number, is.Title, is.User, is.Body, permalink)
	}
	for _, l := range []string{"tfdrift", "team:platform"} {
		if !strings.Contains(strings.Join(is.Labels, ","), l) {
			t.Errorf("labels %v lack %s", is.Labels, l)
		}
	}
	if len(is.Assignees) != 1 || is.Assignees[0] != "alice" {
		t.Errorf("assignees %v, want the root's alice", is.Assignees)
	}

	// Another drift on the same resource: a comment.
	w.falco(w.instanceAlert("i-0aaaaaaaaaaaaaaa1", "evt-2", `"instanceType": {"value": "m5.large"}`))
	waitUntil(t, "the comment", func() bool { return len(w.repo.Comments(is.Number)) >= 1 })
	if n := len(w.driftIssues()); n != 1 {
		t.Errorf("%d issues for one resource", n)
	}
	fps := w.fingerprints()
	if len(fps) != 2 {
		t.Fatalf("drifts printed: %v", fps)
	}

	// drifts resolve closes it, saying who.
	r := runJob(t, func(env job.Env) error {
		env.LookupEnv = w.env().LookupEnv
		return drifts.Run(context.Background(), env, drifts.Args{Verb: "resolve", Database: w.db, ConfigFile: w.cfgPath, Actor: "alice",
			Note: "fixed by hand", Fingerprints: fps})
	})
	if r.code != 0 {
		t.Fatalf("drifts resolve: %+v", r)
	}
	waitUntil(t, "the issue to close", func() bool { got, _ := w.repo.Issue(is.Number); return got.State == "closed" })
	if cs := w.repo.Comments(is.Number); !strings.Contains(cs[len(cs)-1].Body, "resolved by alice: fixed by hand") {
		t.Errorf("closing comment: %q", cs[len(cs)-1].Body)
	}

	// A drift the code then takes: the state reload closes its issue.
	w.falco(w.instanceAlert("i-0123456789abcdef0", "evt-3", `"instanceType": {"value": "t3.large"}`))
	waitUntil(t, "the app server's issue", func() bool { return len(w.driftIssues()) == 2 })
	var app githubfake.Issue
	for _, x := range w.driftIssues() {
		if strings.Contains(x.Title, "aws_instance.app_server") {
			app = x
		}
	}
	st, err := os.ReadFile(w.statePath)
	if err != nil {
		t.Fatal(err)
	}
	applied := strings.Replace(string(st), `"instance_type": "t3.micro"`, `"instance_type": "t3.large"`, 1)
	applied = strings.Replace(applied, `"serial": 42`, `"serial": 43`, 1)
	if applied == string(st) {
		t.Fatal("the state did not change")
	}
	if err := os.WriteFile(w.statePath, []byte(applied), 0o644); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the accepted issue to close", func() bool { got, _ := w.repo.Issue(app.Number); return got.State == "closed" })
	if cs := w.repo.Comments(app.Number); len(cs) == 0 || !strings.Contains(cs[len(cs)-1].Body, "accepted") {
		t.Errorf("closing comment: %+v", cs)
	}
	third := w.fingerprints()[2]
	if rec := w.record(third); rec.Status != store.StatusResolved || rec.StatusActor != "tfdrift" || !strings.HasPrefix(rec.StatusNote, "accepted") {
		t.Errorf("record: %s by %s (%q)", rec.Status, rec.StatusActor, rec.StatusNote)
	}

	// A drift put back in the cloud by hand: its issue closes as reverted.
	w.falco(w.instanceAlert("i-0aaaaaaaaaaaaaaa0", "evt-4", `"disableApiTermination": {"value": true}`))
	waitUntil(t, "the third issue", func() bool { return len(w.driftIssues()) == 3 })
	var worker githubfake.Issue
	for _, x := range w.driftIssues() {
		if strings.Contains(x.Title, "aws_instance.workers[0]") {
			worker = x
		}
	}
	w.falco(w.instanceAlert("i-0aaaaaaaaaaaaaaa0", "evt-5", `"disableApiTermination": {"value": false}`))
	waitUntil(t, "the reverted issue to close", func() bool { got, _ := w.repo.Issue(worker.Number); return got.State == "closed" })
	if cs := w.repo.Comments(worker.Number); len(cs) == 0 || !strings.Contains(cs[len(cs)-1].Body, "reverted in the cloud") {
		t.Errorf("closing comment: %+v", cs)
	}

	// The webhook is on the listener, with its own auth; the status page
	// links the issues.
	ping := []byte(`{"zen":"hi","hook_id":1}`)
	if code, _ := w.post("/webhooks/github", ping, map[string]string{"X-GitHub-Event": "ping", "X-GitHub-Delivery": "d1",
		"X-Hub-Signature-256": githubfake.Sign(w.app.WebhookSecret, ping)}); code != http.StatusOK {
		t.Errorf("ping: %d", code)
	}
	if code, _ := w.post("/webhooks/github", ping, map[string]string{"X-GitHub-Event": "ping", "X-GitHub-Delivery": "d2",
		"X-Hub-Signature-256": githubfake.Sign("forged", ping)}); code != http.StatusUnauthorized {
		t.Errorf("forged ping: %d", code)
	}
	if code, page := w.get("/?status=all"); code != 200 || !strings.Contains(page, fmt.Sprintf(`href="%s/issues/%d"`, w.repo.HTMLURL(), is.Number)) {
		t.Errorf("status page: %d\n%.3000s", code, page)
	}
	if _, metrics := w.get("/metrics"); !strings.Contains(metrics, `tfdrift_github_webhooks_total{event="ping",outcome="bad_signature"} 1`) {
		t.Errorf("metrics lack the refused ping")
	}
	if code := w.stop(); code != 0 {
		t.Errorf("serve exited %d: %s", code, w.err.String())
	}
}

// metric reads one sample of /metrics ("" when absent).
func (w *ghWorld) metric(sample string) string {
	_, m := w.get("/metrics")
	for _, l := range strings.Split(m, "\n") {
		if v, ok := strings.CutPrefix(l, sample+" "); ok {
			return v
		}
	}
	return ""
}

// TestGitHubUnclaimedStateOpensNothing: the same change seen in two
// states, only one of which a repository claims: the claimed drift opens
// its issue, the other opens none and is counted.
func TestGitHubUnclaimedStateOpensNothing(t *testing.T) {
	w := newGHWorld(t, ghWorldOptions{states: []string{"staging"}})
	w.start(nil)
	w.falco(w.instanceAlert("i-0aaaaaaaaaaaaaaa1", "evt-1", `"disableApiTermination": {"value": true}`))
	waitUntil(t, "both drifts", func() bool { return len(w.fingerprints()) == 2 })
	waitUntil(t, "the claimed drift's issue", func() bool { return len(w.driftIssues()) == 1 })
	waitUntil(t, "the unrouted count", func() bool { return w.metric("tfdrift_github_unrouted_total") == "1" })
	if is := w.driftIssues()[0]; !strings.Contains(is.Body, "tfdrift:resource=prod/") {
		t.Errorf("the issue is not the claimed state's: %s", is.Body)
	}
	waitUntil(t, "the outbox to have nothing more to send", w.outboxSettled)
	if n := len(w.repo.Issues()); n != 1 {
		t.Errorf("%d issues, want 1", n)
	}
}

// TestGitHubDownThenUp: GitHub answers 502 for a while; every drift's
// issue is created once when it is back.
func TestGitHubDownThenUp(t *testing.T) {
	w := newGHWorld(t, ghWorldOptions{})
	w.start(nil)
	w.gh.Fail(githubfake.Fault{Kind: githubfake.BadGateway, Path: "/repos/acme/infra/*", Times: 15})
	for i, id := range []string{"i-0aaaaaaaaaaaaaaa0", "i-0aaaaaaaaaaaaaaa1", "i-0123456789abcdef0"} {
		w.falco(w.instanceAlert(id, fmt.Sprint("evt-", i), `"disableApiTermination": {"value": true}`))
	}
	waitUntil(t, "the three issues", func() bool { return len(w.driftIssues()) == 3 && w.gh.PendingFaults() == 0 })
	waitUntil(t, "the outbox to have nothing more to send", w.outboxSettled)
	seen := map[string]int{}
	for _, is := range w.repo.Issues() {
		seen[is.Title]++
	}
	for title, n := range seen {
		if n != 1 {
			t.Errorf("%q opened %d times", title, n)
		}
	}
	if len(seen) != 3 {
		t.Errorf("issues: %v", seen)
	}
}

// TestGitHub300Drifts: 300 drifts in a few seconds, on 300 resources of
// one repository capped at 10 open issues: 10 issues and the overflow
// issue, never two writes at once nor closer than the pacing's gap.
func TestGitHub300Drifts(t *testing.T) {
	const n = 300
	w := instancesWorld(t, n, "  max_open_issues: 10\n")
	const gap = 10 * time.Millisecond
	w.start(func(a *Args) { a.GitHubPacing = &ghapi.Pacing{MinGap: gap, PerMinute: 6000} })
	begin := time.Now()
	for i := range n {
		w.falco(w.instanceAlert(fmt.Sprintf("i-%017x", i+1), fmt.Sprint("evt-", i), `"disableApiTermination": {"value": true}`))
	}
	t.Logf("300 alerts posted in %s", time.Since(begin).Round(time.Millisecond))
	overflow := func() (githubfake.Issue, bool) {
		for _, is := range w.repo.Issues() {
			if is.Title == "tfdrift: drifts over the limit" {
				return is, true
			}
		}
		return githubfake.Issue{}, false
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		is, ok := overflow()
		if ok && strings.Count(is.Body, "aws_instance.w[") >= n-10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the overflow issue does not list the rest: %v\n%.2000s", ok, is.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := len(w.driftIssues()); got != 10 {
		t.Errorf("%d drift issues, want max_open_issues = 10", got)
	}
	// The pacer spaces the writes as it sends them; the fake sees them
	// with the network's jitter, so any ten in a row span at least nine
	// gaps, less a few milliseconds.
	var at []time.Time
	for _, wr := range w.gh.Writes() {
		if strings.HasPrefix(wr.Path, "/repos/") {
			at = append(at, wr.Time)
		}
	}
	for i := 0; i+10 < len(at); i++ {
		if span := at[i+10].Sub(at[i]); span < 10*gap-5*time.Millisecond {
			t.Errorf("writes %d to %d span %s, under ten pacing gaps of %s", i, i+10, span, gap)
			break
		}
	}
	t.Logf("%d writes to GitHub in %s", len(w.gh.Writes()), time.Since(begin).Round(time.Millisecond))
}

// childHook tunes serve when the test binary runs as tfdrift (TestMain)
// for the GitHub tests: a fast outbox whose leases expire in seconds.
var childHook func(*Args)

func init() {
	if os.Getenv("TFDRIFT_TEST_GITHUB_FAST") == "1" {
		childHook = func(a *Args) {
			fastOutbox(a)
			a.Deliver.Lease, a.Deliver.SendTimeout = 2*time.Second, time.Second
		}
	}
}

// TestGitHubKill9AfterTheIssueIsWritten: serve dies (kill -9) right after
// GitHub created the issue and before the outbox settled the notice;
// after a restart the notice is sent again, finds the issue by its
// marker, and no second issue is opened.
func TestGitHubKill9AfterTheIssueIsWritten(t *testing.T) {
	var child atomic.Pointer[daemonProc]
	var killed atomic.Bool
	proxy := &killingProxy{}
	ps := httptest.NewServer(proxy)
	defer ps.Close()
	w := newGHWorld(t, ghWorldOptions{apiURL: ps.URL + "/"})
	proxy.set(httputil.NewSingleHostReverseProxy(mustURL(t, strings.TrimSuffix(w.gh.URL, "/"))), func(r *http.Request, status int) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/repos/acme/infra/issues") && status == http.StatusCreated && killed.CompareAndSwap(false, true) {
			child.Load().kill9(t)
		}
	})
	t.Setenv("GITHUB_WEBHOOK_SECRET", w.app.WebhookSecret)
	t.Setenv("TFDRIFT_TEST_GITHUB_FAST", "1")
	args := []string{"--config", w.cfgPath, "--listen", "127.0.0.1:0", "--database", w.db, "--spool-dir", filepath.Join(w.dir, "spool"), "--format", "json"}
	first := startDaemon(t, args)
	child.Store(first)
	resp, err := http.Post("http://"+first.addr+"/falco", "application/json", bytes.NewReader(w.instanceAlert("i-0aaaaaaaaaaaaaaa1", "evt-1", `"disableApiTermination": {"value": true}`)))
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /falco: %v %v", err, resp)
	}
	resp.Body.Close()
	select {
	case <-first.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("the issue was never written:\n%s", first.stderr.String())
	}
	if n := len(w.driftIssues()); n != 1 || !killed.Load() {
		t.Fatalf("%d issues when serve was killed (killed: %v)", n, killed.Load())
	}

	second := startDaemon(t, args)
	child.Store(second)
	waitUntil(t, "the notice to settle", func() bool {
		st, err := store.Open(context.Background(), w.db, store.MustExist())
		if err != nil {
			return false
		}
		defer st.Close()
		ns, err := st.ListNotices(context.Background(), store.NoticeFilter{Sink: "github"})
		return err == nil && len(ns) == 1 && ns[0].Status == store.NoticeDelivered
	})
	second.stop(t)
	if n := len(w.repo.Issues()); n != 1 {
		t.Errorf("%d issues after the restart, want the one written before the kill", n)
	}
	st, err := store.Open(context.Background(), w.db, store.MustExist())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rs, _ := st.ReceiptsByExternalID(context.Background(), "github", "acme/infra#1")
	if len(rs) != 1 {
		t.Errorf("receipts of the issue: %+v", rs)
	}
}

// killingProxy forwards to the fake GitHub and, after each answer,
// lets kill decide whether serve dies before it reads it.
type killingProxy struct {
	mu   sync.Mutex
	next http.Handler
	kill func(r *http.Request, status int)
}

func (p *killingProxy) set(next http.Handler, kill func(r *http.Request, status int)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next, p.kill = next, kill
}

func (p *killingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	next, kill := p.next, p.kill
	p.mu.Unlock()
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	kill(r, rec.Code)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestGitHubWebhookOnAPublicListener: a listener that faces the network
// with no /falco secret may serve the GitHub webhook alone: its secret
// authenticates it, /falco refuses everyone, and the status page (which
// follows /falco's rules) is not served.
func TestGitHubWebhookOnAPublicListener(t *testing.T) {
	w := newGHWorld(t, ghWorldOptions{})
	w.out, w.err = &lockedBuffer{}, &lockedBuffer{}
	started := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- runArgs(ctx, w.env(), []string{"--config", w.cfgPath, "--listen", "0.0.0.0:0", "--database", w.db}, func(a *Args) {
			a.Started = func(addr string) { started <- addr }
			fastOutbox(a)
		})
	}()
	select {
	case addr := <-started:
		_, port, _ := strings.Cut(addr, "]:")
		if port == "" {
			_, port, _ = strings.Cut(addr, ":")
		}
		w.addr = "127.0.0.1:" + port
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, w.err.String())
	}
	if code, _ := w.post("/falco", w.instanceAlert("i-0aaaaaaaaaaaaaaa1", "evt-1", `"disableApiTermination": {"value": true}`), nil); code != http.StatusUnauthorized {
		t.Errorf("/falco without a secret on a public listener: %d", code)
	}
	ping := []byte(`{"zen":"hi"}`)
	if code, _ := w.post("/webhooks/github", ping, map[string]string{"X-GitHub-Event": "ping", "X-GitHub-Delivery": "d1",
		"X-Hub-Signature-256": githubfake.Sign(w.app.WebhookSecret, ping)}); code != http.StatusOK {
		t.Errorf("ping: %d", code)
	}
	if code, _ := w.get("/"); code != http.StatusNotFound {
		t.Errorf("status page on a public listener without a secret: %d", code)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d: %s", code, w.err.String())
	}
	if !strings.Contains(w.err.String(), "the status page is not served") {
		t.Errorf("no log line says why the status page is not served")
	}
}

// instancesWorld is a repository whose one root declares n instances
// (aws_instance.w[0…n-1]) in the state it claims.
func instancesWorld(t testing.TB, n int, extraConfig string) *ghWorld {
	var resources []string
	for i := range n {
		resources = append(resources, fmt.Sprintf(`{"index_key":%d,"schema_version":1,"attributes":{"id":"i-%017x","instance_type":"t3.small","disable_api_termination":false}}`, i, i+1))
	}
	stateDoc := `{"version":4,"terraform_version":"1.5.7","serial":1,"lineage":"l","outputs":{},"resources":[{"mode":"managed","type":"aws_instance","name":"w",` +
		`"provider":"provider[\"registry.terraform.io/hashicorp/aws\"]","instances":[` + strings.Join(resources, ",") + `]}]}`
	w := newGHWorld(t, ghWorldOptions{state: []byte(stateDoc),
		repoFiles: map[string]string{"main.tf": fmt.Sprintf("resource \"aws_instance\" \"w\" {\n  count         = %d\n  instance_type = \"t3.small\"\n}\n", n)}})
	if extraConfig != "" {
		cfg, _ := os.ReadFile(w.cfgPath)
		os.WriteFile(w.cfgPath, append(cfg, []byte(extraConfig)...), 0o644)
	}
	return w
}

// BenchmarkDriftToIssue measures, through serve against the fake GitHub,
// the time from a Falco alert's POST to its resource's issue existing,
// against the time to its drift printed (detected and recorded), in the
// same run. Pacing is off: with GitHub's (a write a second) each issue
// waits its turn on top.
func BenchmarkDriftToIssue(b *testing.B) {
	w := instancesWorld(b, 300, "  max_open_issues: 1000\n")
	w.start(nil)
	var toDrift, toIssue time.Duration
	n := 0
	for i := 0; b.Loop(); i++ {
		if i >= 300 {
			b.Fatal("run at most 300 iterations (-benchtime=100x)")
		}
		body := w.instanceAlert(fmt.Sprintf("i-%017x", i+1), fmt.Sprint("bench-", i), `"disableApiTermination": {"value": true}`)
		start := time.Now()
		w.falco(body)
		drifted := false
		for len(w.driftIssues()) < i+1 {
			if !drifted && len(w.fingerprints()) >= i+1 {
				toDrift += time.Since(start)
				drifted = true
			}
			if time.Since(start) > 30*time.Second {
				b.Fatalf("no issue for alert %d", i)
			}
			time.Sleep(200 * time.Microsecond)
		}
		if !drifted {
			toDrift += time.Since(start)
		}
		toIssue += time.Since(start)
		n++
	}
	b.ReportMetric(float64(toIssue.Microseconds())/float64(n), "µs/issue")
	b.ReportMetric(float64(toDrift.Microseconds())/float64(n), "µs/drift")
	b.ReportMetric(float64(toIssue)/float64(toDrift), "x-drift")
}
