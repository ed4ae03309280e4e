//go:build e2e

// This file runs a real Terraform (internal/tftest) and uses the
// package's unexported internals, so it stays here under the e2e tag:
// make test runs it, make test-short does not (docs/ARCHITECTURE.md,
// Testing).

package reconcile

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/store/storetest"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/rules"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/gitops/terraform"
	"github.com/tfdrift/tfdrift/gitops/workspace"
	"github.com/tfdrift/tfdrift/internal/githubfake"
	"github.com/tfdrift/tfdrift/internal/tftest"
	"github.com/tfdrift/tfdrift/ticket"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// world is the App installed on acme/infra in a fake GitHub, a real
// Terraform with the test provider whose cloud the test changes by hand,
// a store, the detector that turns CloudTrail records into drifts, and a
// Reconciler over all of it.
type world struct {
	t        *testing.T
	ctx      context.Context
	gh       *githubfake.Server
	app      githubfake.App
	repo     *githubfake.Repo
	client   *ghapi.Client
	env      *tftest.Env
	state    string // the state file, outside the repository
	sg       string // the security group's cloud ID
	st       store.Store
	det      *wiring.Detector
	rec      *Reconciler
	resolved *resolvedLog
	logs     *bytes.Buffer
	events   int
}

// worldOptions vary the world.
type worldOptions struct {
	// fixture is the directory under testdata holding the repository
	// (main.tf with STATE_PATH, .tfdrift.yml with STATE_PATH).
	fixture string
	// noTerraform builds the Reconciler as a server without a terraform:
	// block would.
	noTerraform bool
	// rules are the config's drift rules.
	rules []rules.Rule
	// apply runs terraform apply first (a cloud and a state to drift from).
	apply bool
	// modePR sets the root's mode: pr in .tfdrift.yml.
	modePR bool
}

// resolvedLog records the resolve notices asked for, as wiring.Notices
// would make them.
type resolvedLog struct {
	mu      sync.Mutex
	reasons map[string]string // fingerprint → reason
}

func (l *resolvedLog) notices(d *drift.Drift, reason string) []store.NewNotice {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reasons[d.Fingerprint] = reason
	return []store.NewNotice{{Sink: "pagerduty", Key: d.Fingerprint + "/pagerduty/resolve", Payload: []byte(`{"reason":"` + reason + `"}`)}}
}

func (l *resolvedLog) reason(fp string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reasons[fp]
}

func newWorld(t *testing.T, o worldOptions) *world {
	t.Helper()
	if o.fixture == "" {
		o.fixture = "sg"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	w := &world{t: t, ctx: ctx, resolved: &resolvedLog{reasons: map[string]string{}}, logs: &bytes.Buffer{}}

	// The repository, with the state's absolute path written in.
	w.env = tftest.New(t, filepath.Join("testdata", o.fixture))
	w.state = filepath.Join(t.TempDir(), "terraform.tfstate")
	files := w.env.Rewrite(t, func(name string, b []byte) []byte {
		b = bytes.ReplaceAll(b, []byte("STATE_PATH"), []byte(w.state))
		if o.modePR && path.Base(name) == ".tfdrift.yml" {
			b = append(b, "    mode: pr\n"...)
		}
		return b
	})
	if o.apply {
		tf := w.env.Tf(t)
		if err := tf.Init(ctx); err != nil {
			t.Fatal(err)
		}
		if err := tf.Apply(ctx); err != nil {
			t.Fatal(err)
		}
		os.RemoveAll(filepath.Join(w.env.Dir, ".terraform"))
		os.Remove(filepath.Join(w.env.Dir, ".terraform.lock.hcl"))
		if ids := w.env.Cloud(t).IDs(tftest.KindSecurityGroup); len(ids) > 0 {
			w.sg = ids[0]
		}
	}

	w.gh = githubfake.New(t, githubfake.Options{})
	w.app = w.gh.AddApp(githubfake.AppSpec{ID: 42, Slug: "tfdrift"})
	w.repo = w.gh.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "infra", Private: true})
	w.repo.Commit(githubfake.CommitSpec{Message: "infra", Files: files})
	w.repo.SetPermission("carol", "write")
	w.gh.AddInstallation(githubfake.InstallationSpec{ID: 7, Repos: []string{"acme/infra"}})
	gh, err := ghapi.NewApp(w.app.ID, w.app.PrivateKeyPEM(), ghapi.Options{APIURL: w.gh.URL, Pacing: &ghapi.Pacing{}})
	if err != nil {
		t.Fatal(err)
	}
	w.client = gh.Installation(7)

	w.st, err = store.Open(ctx, storetest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.st.Close() })
	snaps, err := ghapi.NewSnapshotCache(ghapi.SnapshotOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Store: w.st, Snapshots: snaps, Resolved: w.resolved.notices, LockTimeout: 5 * time.Second,
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: w.logs}, nil)), Rules: rules.NewSet(o.rules, drift.Medium),
		MergeableEvery: 10 * time.Millisecond}
	if !o.noTerraform {
		opts.Terraform, err = workspace.NewManager(
			workspace.BaseDir(t.TempDir()),
			workspace.FilesystemMirror(w.env.Mirror, "registry.terraform.io/hashicorp/*"),
			workspace.Env(w.terraformEnv()),
			workspace.TerraformOptions(terraform.Binary(w.env.Terraform)),
			// The App's servers have no git: prove it is never run.
			workspace.Git(filepath.Join(t.TempDir(), "no-git")),
		)
		if err != nil {
			t.Fatal(err)
		}
	}
	if w.rec, err = New(opts); err != nil {
		t.Fatal(err)
	}
	if w.det, err = wiring.NewDetector(ctx, wiring.DetectorOptions{StateFiles: []string{w.state}, RepoDir: w.env.Dir, Diag: io.Discard}); err != nil && o.apply {
		t.Fatal(err)
	}
	return w
}

// terraformEnv is what the server's terraform runs with: the test
// provider's cloud file, and nothing of the developer's TF_ variables.
func (w *world) terraformEnv() []string {
	var env []string
	for _, kv := range w.env.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "TF_CLI_CONFIG_FILE" || k == "TF_IN_AUTOMATION" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (w *world) repoRef() Repo { return Repo{Client: w.client, Owner: "acme", Name: "infra"} }

// rule is a console user's ingress rule on the test provider's group.
func rule(port int, cidr, desc string) map[string]any {
	return map[string]any{"description": desc, "from_port": port, "to_port": port, "protocol": "tcp",
		"cidr_blocks": []any{cidr}, "ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{},
		"security_groups": []any{}, "self": false}
}

// ingressEvent is the CloudTrail record of a console user authorizing
// (or revoking) one ingress rule of the group.
func (w *world) ingressEvent(name string, port int, cidr, desc string) map[string]any {
	w.events++
	rng := map[string]any{"cidrIp": cidr}
	if desc != "" {
		rng["description"] = desc
	}
	return map[string]any{
		"eventVersion": "1.08", "eventTime": time.Date(2025, 1, 20, 14, 30+w.events, 0, 0, time.UTC).Format(time.RFC3339),
		"eventSource": "ec2.amazonaws.com", "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.42",
		"userAgent": "console.ec2.amazonaws.com", "eventID": "evt-" + strings.Repeat("x", w.events), "readOnly": false,
		"recipientAccountId": "123456789012",
		"userIdentity":       map[string]any{"type": "IAMUser", "userName": "alice@example.com", "arn": "arn:aws:iam::123456789012:user/alice", "accountId": "123456789012"},
		"requestParameters": map[string]any{"groupId": w.sg, "ipPermissions": map[string]any{"items": []any{map[string]any{
			"ipProtocol": "tcp", "fromPort": port, "toPort": port, "ipRanges": map[string]any{"items": []any{rng}}}}}},
		"responseElements": map[string]any{"_return": true},
	}
}

// openSSH opens 22/tcp to the world in the console: the cloud changes,
// and its CloudTrail record is detected and recorded.
func (w *world) openSSH() *drift.Drift {
	w.t.Helper()
	w.env.Cloud(w.t).Mutate(tftest.KindSecurityGroup, w.sg, func(o map[string]any) {
		o["ingress"] = append(o["ingress"].([]any), rule(22, "0.0.0.0/0", "debug"))
	})
	return w.record(w.ingressEvent("AuthorizeSecurityGroupIngress", 22, "0.0.0.0/0", "debug"))
}

// closeHTTPS revokes the group's 443 rule in the console.
func (w *world) closeHTTPS() *drift.Drift {
	w.t.Helper()
	w.env.Cloud(w.t).Mutate(tftest.KindSecurityGroup, w.sg, func(o map[string]any) {
		var keep []any
		for _, r := range o["ingress"].([]any) {
			if fmt.Sprint(r.(map[string]any)["from_port"]) != "443" {
				keep = append(keep, r)
			}
		}
		o["ingress"] = keep
	})
	return w.record(w.ingressEvent("RevokeSecurityGroupIngress", 443, "0.0.0.0/0", ""))
}

// ingressDrift detects (without recording) the drift of one more
// console rule, as the pipeline hands it to its recorder.
func (w *world) ingressDrift(name string, port int, desc string) *drift.Drift {
	w.t.Helper()
	return w.detect(w.ingressEvent(name, port, "0.0.0.0/0", desc))
}

// record runs one CloudTrail record through the detector and records
// the drift it finds, as serve would.
func (w *world) record(event map[string]any) *drift.Drift {
	w.t.Helper()
	d := w.detect(event)
	if _, _, err := w.st.RecordDrift(w.ctx, d, nil); err != nil {
		w.t.Fatal(err)
	}
	return d
}

// detect runs one CloudTrail record through the detector.
func (w *world) detect(event map[string]any) *drift.Drift {
	w.t.Helper()
	b, _ := json.Marshal(event)
	p := filepath.Join(w.t.TempDir(), "event.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		w.t.Fatal(err)
	}
	col := &collect{}
	if _, err := wiring.Replay(w.ctx, wiring.ReplayOptions{Inputs: []string{p}, Engine: w.det.Engine, Output: col, Diag: io.Discard}); err != nil {
		w.t.Fatal(err)
	}
	if len(col.drifts) != 1 {
		w.t.Fatalf("%s: %d drifts, want 1", event["eventName"], len(col.drifts))
	}
	return col.drifts[0]
}

type collect struct{ drifts []*drift.Drift }

func (c *collect) Write(d *drift.Drift) error { c.drifts = append(c.drifts, d); return nil }
func (c *collect) Flush() error               { return nil }

// openIssue opens the drift issue as issue 10's sink would, and keeps
// its receipt.
func (w *world) openIssue(d *drift.Drift) int {
	w.t.Helper()
	res := ResourceOf(d)
	n := w.repo.CreateIssueAs(w.app.BotLogin(), "Drift: "+d.ResourceAddress+" modified by alice", Marker(res)+"\n", "tfdrift")
	if err := w.st.PutReceipt(w.ctx, store.Receipt{Fingerprint: d.Fingerprint, Sink: ticket.TypeGitHub, ResourceKey: ticket.ResourceKey(d),
		System: ticket.TypeGitHub, ExternalID: "acme/infra#" + itoa(n), URL: w.repo.HTMLURL() + "/issues/" + itoa(n)}); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func itoa(n int) string { return strconv.Itoa(n) }

// status is a drift record's status.
func (w *world) status(fp string) store.Status {
	w.t.Helper()
	rec, err := w.st.Get(w.ctx, fp)
	if err != nil {
		w.t.Fatal(err)
	}
	return rec.Status
}

// scrub replaces what differs between runs (paths, SHAs, fingerprints,
// the fake's port) so replies compare against golden files.
func (w *world) scrub(s string, fps ...string) string {
	s = strings.ReplaceAll(s, w.state, "$STATE")
	s = strings.ReplaceAll(s, strings.TrimSuffix(w.gh.WebURL, "/"), "$GITHUB")
	for i, fp := range fps {
		s = strings.ReplaceAll(s, fp, "$FP"+itoa(i+1))
		s = strings.ReplaceAll(s, fp[:8], "$FP"+itoa(i+1))
	}
	s = regexp.MustCompile(`\b[0-9a-f]{40}\b`).ReplaceAllString(s, "$$SHA")
	s = regexp.MustCompile(`\b[0-9a-f]{12}\b`).ReplaceAllString(s, "$$SHORT")
	s = regexp.MustCompile(`sg-[0-9a-f]{8,17}`).ReplaceAllString(s, "$$SG")
	return s
}

// regexpTime matches an RFC 3339 time in a reply.
var regexpTime = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
