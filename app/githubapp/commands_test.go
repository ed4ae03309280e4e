package githubapp

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/githubfake"
)

// comment posts a comment as login on issue n and delivers its webhook.
func (f *fixture) comment(login string, n int, body string) (githubfake.Comment, *githubfake.Delivery) {
	f.t.Helper()
	cm := f.repo.CommentAs(login, n, body)
	return cm, f.send("issue_comment", f.repo.IssueCommentEvent("created", cm.ID, login))
}

// reactions lists the reactions on a comment, in order.
func (f *fixture) reactions(comment int64) []string {
	var out []string
	for _, r := range f.repo.Reactions() {
		if r.CommentID == comment {
			out = append(out, r.Content)
		}
	}
	return out
}

// replies lists the App's comments on issue n.
func (f *fixture) replies(n int) []string {
	var out []string
	for _, c := range f.repo.Comments(n) {
		if c.User == f.ghApp.BotLogin() {
			out = append(out, c.Body)
		}
	}
	return out
}

// TestCommands: each command line of a comment is parsed with its job's
// shared flags, allowed by the author's permission, acknowledged with
// reactions and answered in the thread.
func TestCommands(t *testing.T) {
	f := newFixture(t, fixtureOptions{yml: tfdriftYML})
	n, rec := f.trackedIssue("aws_instance.app_server")
	type want struct {
		reactions []string
		reply     []string // substrings of the one reply
		called    bool
	}
	for _, tt := range []struct {
		name, author, body string
		want               want
		check              func(t *testing.T, c Command)
	}{
		{"accept with a shared flag", "alice", "Looks intended.\n/tfdrift accept aws_instance.app_server --dry-run\nthanks",
			want{[]string{"eyes", "rocket"}, []string{"done: accept"}, true}, func(t *testing.T, c Command) {
				if !c.Accept.DryRun || c.Accept.Confirm || !slices.Equal(c.Args, []string{"aws_instance.app_server"}) {
					t.Errorf("parsed: %+v %v", c.Accept, c.Args)
				}
				if c.Author != "alice" || c.Permission != ghapi.PermissionWrite || c.Thread.Number != n || c.Thread.Owner != "acme" ||
					c.Thread.Client == nil || c.Repo.SHA != f.head || len(c.Repo.Roots) != 1 || c.Repo.Roots[0].State != prodState {
					t.Errorf("context: %+v", c)
				}
				if len(c.Drifts) != 1 || c.Drifts[0].Fingerprint != rec.Fingerprint {
					t.Errorf("drifts: %+v", c.Drifts)
				}
			}},
		{"revert needs maintain", "alice", "/tfdrift revert",
			want{[]string{"eyes", "confused"}, []string{"@alice", "`/tfdrift revert` needs the **maintain** permission on acme/infra; you have **write**."}, false}, nil},
		{"revert by a maintainer", "bob", "/tfdrift revert --allow-destroy",
			want{[]string{"eyes", "rocket"}, []string{"done: revert"}, true}, func(t *testing.T, c Command) {
				if !c.Revert.AllowDestroy || c.Revert.AllowReplace || c.Permission != ghapi.PermissionMaintain {
					t.Errorf("parsed: %+v", c.Revert)
				}
			}},
		{"ignore some attributes for a while", "alice", "/tfdrift ignore --attr tags --attr instance_type --for 7d",
			want{[]string{"eyes", "rocket"}, []string{"done: ignore"}, true}, func(t *testing.T, c Command) {
				if !slices.Equal(c.Ignore.Attrs, []string{"tags", "instance_type"}) || c.Ignore.For != 7*24*time.Hour {
					t.Errorf("parsed: %+v", c.Ignore)
				}
			}},
		{"ignore for no time", "alice", "/tfdrift ignore --for soon",
			want{[]string{"eyes", "confused"}, []string{`"soon" is not a time to ignore for (write 7d, 2w or 12h)`}, false}, nil},
		{"ignore needs write", "mallory", "/tfdrift ignore",
			want{[]string{"eyes", "confused"}, []string{"needs the **write** permission", "you have **read**"}, false}, nil},
		{"unknown command", "alice", "/tfdrift frobnicate",
			want{[]string{"eyes", "confused"}, []string{`there is no command "frobnicate"`, "**tfdrift commands.**", "`/tfdrift revert [ADDRESS…] [--allow-destroy] [--allow-replace] [--dry-run]`"}, false}, nil},
		{"unknown flag", "alice", "/tfdrift accept --force",
			want{[]string{"eyes", "confused"}, []string{"flag provided but not defined: -force", "**tfdrift commands.**"}, false}, nil},
		{"half-quoted", "alice", "/tfdrift accept 'aws_instance.x",
			want{[]string{"eyes", "confused"}, []string{"unterminated quote"}, false}, nil},
		{"help", "mallory", "/tfdrift help",
			want{[]string{"eyes", "rocket"}, []string{"**tfdrift commands.**", "(needs the maintain permission)"}, false}, nil},
		{"recheck", "alice", "/tfdrift recheck",
			want{[]string{"eyes", "rocket"}, []string{"done: recheck"}, true}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			calls := len(f.recon.commands())
			replies := len(f.replies(n))
			cm, d := f.comment(tt.author, n, tt.body)
			if d.Status != 202 {
				t.Fatalf("delivery: %d %s", d.Status, d.Response)
			}
			waitUntil(t, "the last reaction", func() bool { return len(f.reactions(cm.ID)) == len(tt.want.reactions) })
			if got := f.reactions(cm.ID); !slices.Equal(got, tt.want.reactions) {
				t.Errorf("reactions %v, want %v", got, tt.want.reactions)
			}
			got := f.replies(n)[replies:]
			if len(got) != 1 {
				t.Fatalf("%d replies, want 1: %q", len(got), got)
			}
			for _, s := range tt.want.reply {
				if !strings.Contains(got[0], s) {
					t.Errorf("reply lacks %q:\n%s", s, got[0])
				}
			}
			cmds := f.recon.commands()
			if called := len(cmds) > calls; called != tt.want.called {
				t.Fatalf("reconciler called: %v, want %v", called, tt.want.called)
			}
			if tt.check != nil {
				tt.check(t, cmds[len(cmds)-1])
			}
		})
	}

	// Never run: a bot's comment, an edit, a command quoted in a code
	// block, a comment on an issue the App did not open.
	calls := len(f.recon.commands())
	if _, d := f.comment("dependabot[bot]", n, "/tfdrift accept"); d.Status != 204 {
		t.Errorf("a bot's comment: %d", d.Status)
	}
	cm := f.repo.CommentAs("alice", n, "typo")
	f.repo.EditCommentAs("alice", cm.ID, "/tfdrift accept")
	if d := f.send("issue_comment", f.repo.IssueCommentEvent("edited", cm.ID, "alice")); d.Status != 204 {
		t.Errorf("an edit: %d", d.Status)
	}
	if _, d := f.comment("alice", n, "Run this:\n```\n/tfdrift accept\n```\n"); d.Status != 204 {
		t.Errorf("a quoted command: %d", d.Status)
	}
	people := f.repo.CreateIssueAs("alice", "question", "how do I "+issueMarker)
	if _, d := f.comment("alice", people, "/tfdrift accept"); d.Status != 204 {
		t.Errorf("a comment on a person's issue: %d", d.Status)
	}
	if got := len(f.recon.commands()); got != calls {
		t.Errorf("%d commands ran that must not", got-calls)
	}
}

// TestCommandFailsOrIsNotAvailable: a failed command is answered with
// why, and confused; a server without a reconciler says the command is
// not available here yet.
func TestCommandFailsOrIsNotAvailable(t *testing.T) {
	f := newFixture(t, fixtureOptions{yml: tfdriftYML})
	n, _ := f.trackedIssue("aws_instance.app_server")
	f.recon.fail = errors.New("terraform plan failed: exit status 1")
	cm, _ := f.comment("alice", n, "/tfdrift accept")
	waitUntil(t, "confused", func() bool { return slices.Equal(f.reactions(cm.ID), []string{"eyes", "confused"}) })
	if r := f.replies(n); len(r) != 1 || !strings.Contains(r[0], "`/tfdrift accept` failed: terraform plan failed: exit status 1") {
		t.Errorf("replies: %q", r)
	}

	f.a.recon = NotAvailable{}
	cm, _ = f.comment("alice", n, "/tfdrift accept\n/tfdrift revert")
	waitUntil(t, "confused", func() bool { return slices.Equal(f.reactions(cm.ID), []string{"eyes", "confused"}) })
	r := f.replies(n)
	if len(r) != 3 || !strings.Contains(r[1], "/tfdrift accept is not available on this server yet") || !strings.Contains(r[2], "needs the **maintain** permission") {
		t.Errorf("replies: %q", r)
	}
}

// TestRedeliveryRunsOnce: a delivery sent again (GitHub's Redeliver) is
// absorbed: at once by the replica that saw it, and by the event log on
// another replica (or after a restart).
func TestRedeliveryRunsOnce(t *testing.T) {
	f := newFixture(t, fixtureOptions{yml: tfdriftYML})
	n, _ := f.trackedIssue("aws_instance.app_server")
	cm, d := f.comment("alice", n, "/tfdrift recheck")
	waitUntil(t, "the command", func() bool { return len(f.reactions(cm.ID)) == 2 })
	again, err := f.hook.Redeliver(context.Background(), d)
	if err != nil || again.Status != 200 || !strings.Contains(string(again.Response), "already received") {
		t.Fatalf("redelivery: %v %d %s", err, again.Status, again.Response)
	}

	// Another replica, on the same store.
	other := f.newApp(fixtureOptions{})
	other.recon = f.recon
	f.run(other)
	srv := newServer(t, other)
	hook := f.gh.Hook(srv, f.ghApp.WebhookSecret)
	third, err := hook.Redeliver(context.Background(), d)
	if err != nil || third.Status != 202 {
		t.Fatalf("redelivery to another replica: %v %d", err, third.Status)
	}
	waitUntil(t, "the replica to absorb it", func() bool {
		return f.counter(other.m.webhooks.WithLabelValues("issue_comment", "duplicate")) == 1
	})
	if got := len(f.recon.commands()); got != 1 {
		t.Errorf("the command ran %d times, want once", got)
	}
	if got := f.reactions(cm.ID); !slices.Equal(got, []string{"eyes", "rocket"}) {
		t.Errorf("reactions %v", got)
	}
}

// TestPullRequestClosed: a pull request the App opened being merged
// reaches the reconciler, with the drifts it tracks.
func TestPullRequestClosed(t *testing.T) {
	f := newFixture(t, fixtureOptions{yml: tfdriftYML})
	files := f.files
	files["main.tf"] += "\n# accepted\n"
	f.repo.Commit(githubfake.CommitSpec{Branch: "tfdrift/accept", Message: "accept", Files: files})
	pr, _, err := f.a.gh.Installation(instID).GitHub().PullRequests.Create(context.Background(), "acme", "infra", &github.NewPullRequest{
		Title: github.String("Accept drift"), Head: github.String("tfdrift/accept"), Base: github.String("main"),
		Body: github.String("accept\n<!-- tfdrift:pr=accept -->\n")})
	if err != nil {
		t.Fatal(err)
	}
	f.repo.MergePull("alice", pr.GetNumber())
	if d := f.send("pull_request", f.repo.PullRequestEvent("closed", pr.GetNumber(), "alice")); d.Status != 202 {
		t.Fatalf("pull_request: %d %s", d.Status, d.Response)
	}
	waitUntil(t, "the reconciler", func() bool { return len(f.recon.pullEvents()) == 1 })
	e := f.recon.pullEvents()[0]
	if !e.Merged || e.Thread.Number != pr.GetNumber() || e.HeadRef != "tfdrift/accept" || e.BaseRef != "main" || e.MergeSHA == "" || e.Sender != "alice" {
		t.Errorf("event: %+v", e)
	}
	// Opened by a person: not the App's.
	f.repo.Commit(githubfake.CommitSpec{Branch: "feature", Message: "x", Files: files})
	mine, _, err := f.a.gh.Installation(instID).GitHub().PullRequests.Create(context.Background(), "acme", "infra", &github.NewPullRequest{
		Title: github.String("x"), Head: github.String("feature"), Base: github.String("main"), Body: github.String("no marker")})
	if err != nil {
		t.Fatal(err)
	}
	f.repo.ClosePull("alice", mine.GetNumber())
	if d := f.send("pull_request", f.repo.PullRequestEvent("closed", mine.GetNumber(), "alice")); d.Status != 204 {
		t.Errorf("a pull request without the marker: %d", d.Status)
	}
}

func TestLifetime(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "12h": 12 * time.Hour, "90m": 90 * time.Minute,
		"0d": 0, "-1h": 0, "0s": 0, "d": 0, "1.5d": 0, "soon": 0} {
		var l lifetime
		err := l.Set(in)
		if got := time.Duration(l); got != want || (err == nil) != (want > 0) {
			t.Errorf("Set(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
}

// TestRevertPermission: .tfdrift.yml's revert_permission sets the role
// /tfdrift revert needs.
func TestRevertPermission(t *testing.T) {
	f := newFixture(t, fixtureOptions{yml: "revert_permission: write\n" + tfdriftYML})
	n, _ := f.trackedIssue("aws_instance.app_server")
	cm, _ := f.comment("alice", n, "/tfdrift revert")
	waitUntil(t, "the reactions", func() bool { return len(f.reactions(cm.ID)) == 2 })
	if got := f.reactions(cm.ID); !slices.Equal(got, []string{"eyes", "rocket"}) {
		t.Errorf("a writer's revert with revert_permission: write: %v", got)
	}
	cm, _ = f.comment("mallory", n, "/tfdrift revert")
	waitUntil(t, "the reactions", func() bool { return len(f.reactions(cm.ID)) == 2 })
	if r := f.replies(n); !strings.Contains(r[len(r)-1], "needs the **write** permission") {
		t.Errorf("reply: %s", r[len(r)-1])
	}
}
