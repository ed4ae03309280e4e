package githubapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/app/serve"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/githubfake"
	"github.com/tfdrift/tfdrift/internal/tftest"
	"github.com/tfdrift/tfdrift/ticket/deliver"
)

// world is serve with the GitHub App on a fake GitHub: acme/infra holds
// testdata/infra (three security groups, one of them count-shared) and
// a .tfdrift.yml whose root claims the state "prod"; the state and the
// test provider's cloud come from a real terraform apply.
type world struct {
	t     *testing.T
	ctx   context.Context
	env   *tftest.Env
	state string
	files map[string]string
	gh    *githubfake.Server
	app   githubfake.App
	repo  *githubfake.Repo
	hook  *githubfake.Hook
	db    string
	addr  string
	out   *syncBuffer
	log   *syncBuffer
	ids   map[string]string // security group name → cloud ID
	nev   int
}

type worldOptions struct {
	// config is added to serve's config (drift_rules).
	config string
	// noTerraform leaves the terraform: block out of serve's config.
	noTerraform bool
	// modePR sets the root's mode: pr in .tfdrift.yml.
	modePR bool
}

// The people of the repository.
const (
	writer     = "carol" // write
	maintainer = "mia"   // maintain
	reader     = "rita"  // read
)

func newWorld(t *testing.T, o worldOptions) *world {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	w := &world{t: t, ctx: ctx, out: &syncBuffer{}, log: &syncBuffer{}, files: map[string]string{}, ids: map[string]string{}}
	w.env = tftest.New(t, filepath.Join("testdata", "infra"))
	w.state = filepath.Join(t.TempDir(), "terraform.tfstate")
	w.files = w.env.Rewrite(t, func(name string, b []byte) []byte {
		b = bytes.ReplaceAll(b, []byte("STATE_PATH"), []byte(w.state))
		if o.modePR && path.Base(name) == ".tfdrift.yml" {
			b = append(b, "    mode: pr\n"...)
		}
		return b
	})
	tf := w.env.Tf(t)
	if err := tf.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tf.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	cloud := w.env.Cloud(t)
	for _, id := range cloud.IDs(tftest.KindSecurityGroup) {
		w.ids[fmt.Sprint(cloud.Get(tftest.KindSecurityGroup, id)["name"])] = id
	}

	w.gh = githubfake.New(t, githubfake.Options{})
	w.app = w.gh.AddApp(githubfake.AppSpec{ID: 42, Slug: "tfdrift"})
	w.repo = w.gh.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "infra"})
	w.repo.Commit(githubfake.CommitSpec{Message: "infra", Files: w.files})
	w.repo.SetPermission(writer, "write")
	w.repo.SetPermission(maintainer, "maintain")
	w.repo.SetPermission(reader, "read")
	w.gh.AddInstallation(githubfake.InstallationSpec{ID: 7, Repos: []string{"acme/infra"}})

	dir := t.TempDir()
	key := filepath.Join(dir, "app.pem")
	if err := os.WriteFile(key, w.app.PrivateKeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("state_refresh_interval: 1s\nproviders:\n  aws:\n    states:\n      - {name: prod, path: %q}\n"+
		"github:\n  app_id: 42\n  private_key_file: %q\n  webhook_secret: %q\n  api_url: %q\n",
		w.state, key, w.app.WebhookSecret, w.gh.URL)
	if !o.noTerraform {
		cfg += fmt.Sprintf("terraform:\n  binary: %q\n  plugin_mirror: %q\n  lock_timeout: 5s\n", w.env.Terraform, w.env.Mirror)
	}
	cfg += o.config
	cfgPath := filepath.Join(dir, "tfdrift.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	// The server's terraform reaches the test provider's cloud through
	// the environment, as a real one reaches its credentials.
	t.Setenv("FAKEAWS_CLOUD_FILE", w.env.CloudFile)
	t.Setenv("CHECKPOINT_DISABLE", "1")
	w.db = "sqlite://" + filepath.Join(dir, "tfdrift.db")

	started := make(chan string, 1)
	done := make(chan error, 1)
	sctx, stop := context.WithCancel(context.Background())
	go func() {
		done <- serve.Run(sctx, job.Env{Stdout: w.out, Stderr: w.log, LookupEnv: func(string) (string, bool) { return "", false }}, serve.Args{
			ConfigFile: cfgPath, Listen: "127.0.0.1:0", Database: w.db, Format: "json", QueueSize: 64,
			Started:      func(addr string) { started <- addr },
			Deliver:      deliver.Options{Backoff: deliver.Backoff{Base: 20 * time.Millisecond, Max: 200 * time.Millisecond}, PollInterval: 20 * time.Millisecond},
			GitHubPacing: &ghapi.Pacing{},
		})
	}()
	select {
	case w.addr = <-started:
	case err := <-done:
		stop()
		t.Fatalf("serve: %v\n%s", err, w.log.String())
	case <-time.After(60 * time.Second):
		stop()
		t.Fatalf("serve did not start\n%s", w.log.String())
	}
	t.Cleanup(func() {
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(60 * time.Second):
			t.Error("serve did not stop")
		}
		if t.Failed() {
			t.Logf("serve's log:\n%s", w.log.String())
		}
	})
	w.hook = w.gh.Hook("http://"+w.addr+"/webhooks/github", w.app.WebhookSecret)
	return w
}

// syncBuffer is a bytes.Buffer safe for serve's writers and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond until it holds, failing the test after a deadline.
func (w *world) waitFor(what string, cond func() bool) {
	w.t.Helper()
	deadline := time.After(3 * time.Minute)
	for !cond() {
		select {
		case <-deadline:
			w.t.Fatalf("timed out waiting for %s", what)
		case <-w.ctx.Done():
			w.t.Fatalf("waiting for %s: %v", what, w.ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// rule is an ingress rule as the test provider keeps it.
func rule(port int, cidr, desc string) map[string]any {
	return map[string]any{"description": desc, "from_port": port, "to_port": port, "protocol": "tcp",
		"cidr_blocks": []any{cidr}, "ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{},
		"security_groups": []any{}, "self": false}
}

// authorize opens port on group (by name) to cidr in the console: the
// cloud changes, and Falco posts the CloudTrail record to serve.
func (w *world) authorize(group string, port int, cidr, desc string) {
	w.t.Helper()
	id := w.ids[group]
	w.env.Cloud(w.t).Mutate(tftest.KindSecurityGroup, id, func(o map[string]any) {
		o["ingress"] = append(o["ingress"].([]any), rule(port, cidr, desc))
	})
	w.falco(w.ingressEvent("AuthorizeSecurityGroupIngress", id, port, cidr, desc))
}

// revoke closes port on group in the console.
func (w *world) revoke(group string, port int, cidr string) {
	w.t.Helper()
	id := w.ids[group]
	w.env.Cloud(w.t).Mutate(tftest.KindSecurityGroup, id, func(o map[string]any) {
		var keep []any
		for _, r := range o["ingress"].([]any) {
			if fmt.Sprint(r.(map[string]any)["from_port"]) != fmt.Sprint(port) {
				keep = append(keep, r)
			}
		}
		o["ingress"] = keep
	})
	w.falco(w.ingressEvent("RevokeSecurityGroupIngress", id, port, cidr, ""))
}

// ingressEvent is the CloudTrail record of a console user authorizing or
// revoking one ingress rule.
func (w *world) ingressEvent(name, group string, port int, cidr, desc string) map[string]any {
	w.nev++
	rng := map[string]any{"cidrIp": cidr}
	if desc != "" {
		rng["description"] = desc
	}
	return map[string]any{
		"eventVersion": "1.08", "eventTime": time.Date(2025, 1, 20, 14, 30+w.nev, 0, 0, time.UTC).Format(time.RFC3339),
		"eventSource": "ec2.amazonaws.com", "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.42",
		"userAgent": "console.ec2.amazonaws.com", "eventID": fmt.Sprintf("evt-%04d", w.nev), "readOnly": false,
		"recipientAccountId": "123456789012",
		"userIdentity":       map[string]any{"type": "IAMUser", "userName": "alice@example.com", "arn": "arn:aws:iam::123456789012:user/alice", "accountId": "123456789012"},
		"requestParameters": map[string]any{"groupId": group, "ipPermissions": map[string]any{"items": []any{map[string]any{
			"ipProtocol": "tcp", "fromPort": port, "toPort": port, "ipRanges": map[string]any{"items": []any{rng}}}}}},
		"responseElements": map[string]any{"_return": true},
	}
}

// falco posts the Falco alert of a CloudTrail record to serve.
func (w *world) falco(record map[string]any) {
	w.t.Helper()
	file, _ := json.Marshal(map[string]any{"Records": []any{record}})
	alerts, err := scenario.FalcoAlertsOf(file)
	if err != nil || len(alerts) != 1 {
		w.t.Fatalf("falco alert: %v", err)
	}
	// Falco gives every alert its own uuid.
	var alert map[string]any
	if err := json.Unmarshal(alerts[0], &alert); err != nil {
		w.t.Fatal(err)
	}
	alert["uuid"] = fmt.Sprintf("uuid-%v", record["eventID"])
	body, _ := json.Marshal(alert)
	resp, err := http.Post("http://"+w.addr+"/falco", "application/json", bytes.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		b, _ := io.ReadAll(resp.Body)
		w.t.Fatalf("POST /falco: %d %s", resp.StatusCode, b)
	}
}

// issueOf waits for the drift issue of a resource and returns it.
func (w *world) issueOf(address string) githubfake.Issue {
	w.t.Helper()
	var found githubfake.Issue
	w.waitFor("the drift issue of "+address, func() bool {
		for _, is := range w.repo.Issues() {
			if !is.IsPull && strings.Contains(is.Body, "<!-- tfdrift:resource=prod/"+address+" -->") {
				found = is
				return true
			}
		}
		return false
	})
	return found
}

// comment posts a comment as login on an issue and delivers its signed
// issue_comment webhook to serve.
func (w *world) comment(login string, number int, body string) githubfake.Comment {
	w.t.Helper()
	c := w.repo.CommentAs(login, number, body)
	w.send("issue_comment", w.repo.IssueCommentEvent("created", c.ID, login))
	return c
}

// send delivers a webhook and wants it accepted.
func (w *world) send(event string, payload any) {
	w.t.Helper()
	d, err := w.hook.Send(w.ctx, event, payload)
	if err != nil {
		w.t.Fatal(err)
	}
	if d.Status != http.StatusAccepted && d.Status != http.StatusOK {
		w.t.Fatalf("%s webhook: %d %s", event, d.Status, d.Response)
	}
}

// botComments are the App's comments on an issue.
func (w *world) botComments(number int) []githubfake.Comment {
	var out []githubfake.Comment
	for _, c := range w.repo.Comments(number) {
		if c.User == w.app.BotLogin() {
			out = append(out, c)
		}
	}
	return out
}

// reactions are the reactions on a comment.
func (w *world) reactions(comment int64) []string {
	var out []string
	for _, r := range w.repo.Reactions() {
		if r.CommentID == comment {
			out = append(out, r.Content)
		}
	}
	return out
}

// hasReaction reports whether a comment got content.
func (w *world) hasReaction(comment int64, content string) bool {
	for _, r := range w.reactions(comment) {
		if r == content {
			return true
		}
	}
	return false
}

// records are the drift records of a resource, from serve's store.
func (w *world) records(address string) []store.Record {
	w.t.Helper()
	st, err := store.Open(w.ctx, w.db, store.MustExist())
	if err != nil {
		w.t.Fatal(err)
	}
	defer st.Close()
	page, err := st.List(w.ctx, store.Filter{ResourceAddress: address, Limit: 100})
	if err != nil {
		w.t.Fatal(err)
	}
	return page.Records
}

// ingressPorts are the ports the cloud opens on a group, sorted.
func (w *world) ingressPorts(group string) string {
	var ports []string
	for _, r := range w.env.Cloud(w.t).Get(tftest.KindSecurityGroup, w.ids[group])["ingress"].([]any) {
		ports = append(ports, fmt.Sprint(r.(map[string]any)["from_port"]))
	}
	return strings.Join(ports, ",")
}
