package serve

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/app/reconcile"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/internal/githubfake"
	"github.com/tfdrift/tfdrift/ticket"
)

// TestServeWiresReconcile: serve puts app/reconcile behind the App's
// comment commands (no Args.Reconciler). Without a terraform: block,
// revert answers that it is not configured and runs nothing; accept on a
// count-shared resource explains why there is no pull request; an
// address the issue does not track is refused; each refusal is a reply
// and the confused reaction. Before the wiring every command answered
// "not available on this server yet".
func TestServeWiresReconcile(t *testing.T) {
	w := newGHWorld(t, ghWorldOptions{})
	w.repo.SetPermission("mia", "maintain")
	w.start(nil)
	defer func() {
		if t.Failed() {
			t.Logf("stderr:\n%s", w.err.String())
		}
	}()
	hook := w.gh.Hook("http://"+w.addr+"/webhooks/github", w.app.WebhookSecret)
	w.falco(w.instanceAlert("i-0aaaaaaaaaaaaaaa1", "evt-1", `"disableApiTermination": {"value": true}`))
	waitUntil(t, "the issue", func() bool { return len(w.driftIssues()) == 1 })
	is := w.driftIssues()[0]

	say := func(login, body, want string) {
		t.Helper()
		c := w.repo.CommentAs(login, is.Number, body)
		if d, err := hook.Send(context.Background(), "issue_comment", w.repo.IssueCommentEvent("created", c.ID, login)); err != nil || d.Status != 202 {
			t.Fatalf("webhook: %v %v", d, err)
		}
		waitUntil(t, "the answer to "+body, func() bool {
			for _, r := range w.repo.Reactions() {
				if r.CommentID == c.ID && (r.Content == "confused" || r.Content == "rocket") {
					return true
				}
			}
			return false
		})
		var reply githubfake.Comment
		var reactions []string
		for _, cm := range w.repo.Comments(is.Number) {
			if cm.User == w.app.BotLogin() {
				reply = cm
			}
		}
		for _, r := range w.repo.Reactions() {
			if r.CommentID == c.ID {
				reactions = append(reactions, r.Content)
			}
		}
		if !strings.Contains(reply.Body, want) || strings.Contains(reply.Body, "not available") {
			t.Errorf("%s: reply %q, want %q", body, reply.Body, want)
		}
		if strings.Join(reactions, ",") != "eyes,confused" {
			t.Errorf("%s: reactions %v, want eyes then confused", body, reactions)
		}
	}
	say("mia", "/tfdrift revert", "revert is not configured on this server")
	say("alice", "/tfdrift accept aws_instance.app_server", "this thread tracks `aws_instance.workers[1]`, not `aws_instance.app_server`")
	say("alice", "/tfdrift accept", "No pull request")
	if len(w.repo.Pulls()) != 0 {
		t.Errorf("pull requests: %+v", w.repo.Pulls())
	}
}

// TestServeRecorderHonoursIgnores: the recorder serve hands the pipeline
// with the App drops the values "/tfdrift ignore" recorded before a drift
// is recorded: an entirely ignored drift opens nothing; one that also
// changed something else is recorded without the ignored attribute.
func TestServeRecorderHonoursIgnores(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := &appReconciler{st: st, log: slog.New(slog.DiscardHandler), jobs: make(chan reconcileJob, 1), branches: map[string]bool{}}
	rec := a.recorder(st, nil)
	mk := func(changes map[string]drift.AttrChange) *drift.Drift {
		d := &drift.Drift{ChangeType: drift.Modified, ResourceType: "aws_instance", ResourceAddress: "aws_instance.app", ResourceID: "i-1",
			Severity: drift.High, Changes: changes, Event: &change.Change{Provider: change.AWS, Account: "1", EventID: "e1"},
			Terraform: drift.Location{State: "prod", Workspace: "default"}}
		d.ComputeEventID()
		d.ComputeFingerprint()
		return d
	}
	ignored := mk(map[string]drift.AttrChange{"instance_type": {Expected: "t3.micro", Actual: "t3.large"}})
	if err := st.AddIgnores(ctx, store.Ignore{ResourceKey: ticket.ResourceKey(ignored), Attribute: "instance_type",
		ValueHash: reconcile.ValueHash("t3.large")}); err != nil {
		t.Fatal(err)
	}
	if _, opened, err := rec.RecordDrift(ctx, ignored, nil); err != nil || opened {
		t.Errorf("an ignored drift: opened %v, %v", opened, err)
	}
	both := mk(map[string]drift.AttrChange{"instance_type": {Expected: "t3.micro", Actual: "t3.large"}, "ebs_optimized": {Expected: false, Actual: true}})
	r, opened, err := rec.RecordDrift(ctx, both, nil)
	if err != nil || !opened {
		t.Fatalf("a drift with more: opened %v, %v", opened, err)
	}
	got, err := st.Get(ctx, r.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ticket.DriftFromRecord(got.Drift)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Changes["instance_type"]; ok || len(d.Changes) != 1 {
		t.Errorf("recorded changes %v, want ebs_optimized alone", d.Changes)
	}
}
