package githubapp_test

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/internal/eventually"
	"github.com/tfdrift/tfdrift/internal/githubfake"
	"github.com/tfdrift/tfdrift/internal/golden"
)

// TestAcceptThroughServe: a console edit → the drift issue → a signed
// "/tfdrift accept" comment by a writer → a pull request whose branch
// holds exactly the expected files, proved green by terraform → a
// second drift and a second accept update that one pull request → the
// pull request merged (a signed pull_request webhook) → the issue
// closed and the drifts resolved as accepted.
func TestAcceptThroughServe(t *testing.T) {
	w := newWorld(t, worldOptions{})
	const addr = "aws_security_group.web"
	w.authorize("web", 22, "0.0.0.0/0", "debug")
	is := w.issueOf(addr)

	c := w.comment(writer, is.Number, "Looks intended.\n/tfdrift accept")
	w.waitFor("the accept pull request", func() bool { return len(w.repo.Pulls()) == 1 && w.hasReaction(c.ID, "rocket") })
	pr := w.repo.Pulls()[0]
	if pr.Title != "Accept drift: "+addr || pr.Base != "main" || !strings.HasPrefix(pr.Head, "tfdrift/accept/") ||
		!strings.Contains(pr.Body, "Closes #") || pr.User != w.app.BotLogin() {
		t.Errorf("pull request %q %s → %s by %s:\n%s", pr.Title, pr.Head, pr.Base, pr.User, pr.Body)
	}
	files, ok := w.repo.Files(pr.Head)
	if !ok {
		t.Fatalf("no branch %s", pr.Head)
	}
	golden.CheckString(t, filepath.Join("testdata", "golden", "accept-one.tf"), scrubState(files["main.tf"], w.state))
	for name, content := range w.files {
		if name != "main.tf" && files[name] != content {
			t.Errorf("the branch changed %s", name)
		}
	}
	if len(files) != len(w.files) {
		t.Errorf("the branch holds %d files, the default branch %d", len(files), len(w.files))
	}
	proof := w.proof(pr.HeadSHA)
	if proof.Conclusion != "success" {
		t.Errorf("tfdrift proof: %s %q\n%s\n%s", proof.Conclusion, proof.Title, proof.Summary, proof.Text)
	}
	if !strings.Contains(strings.Join(botBodies(w.botComments(is.Number)), "\n"), "Opened #") {
		t.Errorf("the issue was not told of the pull request: %+v", w.botComments(is.Number))
	}

	// GitHub redelivers the comment: nothing runs twice.
	ds := w.gh.Deliveries()
	comments := len(w.repo.Comments(is.Number))
	if d, err := w.hook.Redeliver(w.ctx, &ds[len(ds)-1]); err != nil || d.Status != 200 {
		t.Errorf("redelivered accept: %v %v, want 200", d, err)
	}
	if n := len(w.repo.Comments(is.Number)); n != comments || len(w.repo.Pulls()) != 1 {
		t.Errorf("the redelivery ran again: %d comments (was %d), %d pull requests", n, comments, len(w.repo.Pulls()))
	}

	// A second console edit of the same group, and a second accept: one
	// pull request, made again with both changes.
	w.revoke("web", 443, "0.0.0.0/0")
	w.waitFor("the second drift", func() bool { return len(w.records(addr)) == 2 })
	c2 := w.comment(writer, is.Number, "/tfdrift accept")
	w.waitFor("the second accept", func() bool { return w.hasReaction(c2.ID, "rocket") || w.hasReaction(c2.ID, "confused") })
	pulls := w.repo.Pulls()
	if len(pulls) != 1 {
		t.Fatalf("%d pull requests for one resource", len(pulls))
	}
	pr = pulls[0]
	files, _ = w.repo.Files(pr.Head)
	golden.CheckString(t, filepath.Join("testdata", "golden", "accept-two.tf"), scrubState(files["main.tf"], w.state))
	if !strings.Contains(strings.Join(botBodies(w.repo.Comments(pr.Number)), "\n"), "Updated:") {
		t.Errorf("the pull request was not told it was updated: %+v", w.repo.Comments(pr.Number))
	}
	if p := w.proof(pr.HeadSHA); p.Conclusion != "success" {
		t.Errorf("tfdrift proof of the update: %s %q\n%s", p.Conclusion, p.Title, p.Text)
	}

	// Merged: the App closes the issue and resolves the drifts as accepted.
	w.repo.MergePull(writer, pr.Number)
	w.send("pull_request", w.repo.PullRequestEvent("closed", pr.Number, writer))
	w.waitFor("the issue to close", func() bool { got, _ := w.repo.Issue(is.Number); return got.State == "closed" })
	for _, rec := range w.records(addr) {
		if rec.Status != store.StatusResolved || !strings.HasPrefix(rec.StatusNote, "accepted in acme/infra#") {
			t.Errorf("drift %s: %s (%q), want resolved as accepted", rec.Fingerprint, rec.Status, rec.StatusNote)
		}
	}
}

// TestRevertThroughServe: "/tfdrift revert" by a maintainer puts the
// cloud back (the refresh-only plan is empty afterwards) and closes the
// issue; before it, a reader is refused, a bot's comment is not run, and
// an unknown command is answered with the help.
func TestRevertThroughServe(t *testing.T) {
	w := newWorld(t, worldOptions{})
	const addr = "aws_security_group.web"
	w.authorize("web", 22, "0.0.0.0/0", "debug")
	is := w.issueOf(addr)

	// A reader: refused, naming the permission.
	c := w.comment(reader, is.Number, "/tfdrift revert")
	w.waitFor("the refusal", func() bool { return w.hasReaction(c.ID, "confused") })
	if last := lastBody(w.botComments(is.Number)); !strings.Contains(last, "needs the **maintain** permission") || !strings.Contains(last, "you have **read**") {
		t.Errorf("refusal: %q", last)
	}
	// An unknown command: the help.
	c = w.comment(writer, is.Number, "/tfdrift frobnicate")
	w.waitFor("the help", func() bool { return w.hasReaction(c.ID, "confused") })
	if last := lastBody(w.botComments(is.Number)); !strings.Contains(last, `there is no command "frobnicate"`) || !strings.Contains(last, "**tfdrift commands.**") {
		t.Errorf("answer to an unknown command: %q", last)
	}
	// A bot's command: never run, not even acknowledged.
	bot := w.repo.CommentAs("renovate[bot]", is.Number, "/tfdrift revert")
	d, err := w.hook.Send(w.ctx, "issue_comment", w.repo.IssueCommentEvent("created", bot.ID, "renovate[bot]"))
	if err != nil || d.Status != 204 {
		t.Errorf("a bot's comment was answered %v %v, want 204 (not the App's business)", d, err)
	}

	c = w.comment(maintainer, is.Number, "/tfdrift revert")
	w.waitFor("the revert", func() bool { got, _ := w.repo.Issue(is.Number); return got.State == "closed" })
	if !w.hasReaction(c.ID, "rocket") {
		w.waitFor("the rocket", func() bool { return w.hasReaction(c.ID, "rocket") })
	}
	if got := w.ingressPorts("web"); got != "443" {
		t.Errorf("the cloud opens %s after the revert, want 443", got)
	}
	if r := w.reactions(bot.ID); len(r) != 0 {
		t.Errorf("the bot's comment got reactions %v", r)
	}
	if changed := w.refreshOnlyPlan(); changed {
		t.Error("the refresh-only plan after the revert is not empty")
	}
	for _, rec := range w.records(addr) {
		if rec.Status != store.StatusResolved {
			t.Errorf("drift %s: %s, want resolved", rec.Fingerprint, rec.Status)
		}
	}
	if len(w.repo.Pulls()) != 0 {
		t.Errorf("pull requests: %+v", w.repo.Pulls())
	}
}

// TestIgnoreThroughServe: /tfdrift ignore --attr on the drift's issue
// closes it as not planned and marks the resource's drifts ignored, with
// a rocket; a later edit giving the attribute another value is a new
// drift and opens a new issue, whose table shows the new rule.
func TestIgnoreThroughServe(t *testing.T) {
	w := newWorld(t, worldOptions{})
	const addr = "aws_security_group.web"
	w.authorize("web", 22, "0.0.0.0/0", "debug")
	is := w.issueOf(addr)

	// An attribute that did not drift is refused, naming the ones that did.
	c := w.comment(writer, is.Number, "/tfdrift ignore --attr tags")
	w.waitFor("the refusal", func() bool { return w.hasReaction(c.ID, "confused") })
	if last := lastBody(w.botComments(is.Number)); !strings.Contains(last, "has no drifted attribute `tags`; its drifted attributes are `ingress`") {
		t.Errorf("refusal of an attribute that did not drift: %q", last)
	}

	c = w.comment(writer, is.Number, "/tfdrift ignore --attr ingress")
	w.waitFor("the ignore", func() bool {
		got, _ := w.repo.Issue(is.Number)
		return got.State == "closed" && w.hasReaction(c.ID, "rocket")
	})
	if got, _ := w.repo.Issue(is.Number); got.StateReason != "not_planned" {
		t.Errorf("the issue was closed as %q, want not_planned", got.StateReason)
	}
	recs := w.records(addr)
	if len(recs) == 0 {
		t.Fatal("no drift record")
	}
	for _, rec := range recs {
		if rec.Status != store.StatusIgnored {
			t.Errorf("drift %s: %s, want ignored", rec.Fingerprint, rec.Status)
		}
	}

	// Another value of the ignored attribute: reported, in a new issue.
	w.authorize("web", 8080, "10.0.0.0/8", "metrics")
	var again githubfake.Issue
	w.waitFor("a new issue", func() bool {
		for _, x := range w.repo.Issues() {
			if !x.IsPull && x.Number != is.Number && x.State == "open" && strings.Contains(x.Body, "<!-- tfdrift:resource=prod/"+addr+" -->") {
				again = x
				return true
			}
		}
		return false
	})
	if !strings.Contains(again.Body, "8080") {
		t.Errorf("the new issue does not show the new rule:\n%s", again.Body)
	}
	if w.ingressPorts("web") != "443,22,8080" {
		t.Errorf("the cloud opens %s: an ignore changes nothing in the cloud", w.ingressPorts("web"))
	}
}

// TestCountSharedThroughServe: accepting a drift of one instance of a
// count-shared resource opens no pull request; the reply explains why,
// with file:line.
func TestCountSharedThroughServe(t *testing.T) {
	w := newWorld(t, worldOptions{})
	const addr = "aws_security_group.pool[1]"
	w.authorize("pool-1", 8080, "10.0.0.0/8", "metrics")
	is := w.issueOf(addr)
	c := w.comment(writer, is.Number, "/tfdrift accept")
	w.waitFor("the answer", func() bool { return w.hasReaction(c.ID, "confused") })
	last := lastBody(w.botComments(is.Number))
	if !strings.Contains(last, "No pull request") || !strings.Contains(last, "main.tf:") {
		t.Errorf("answer: %q", last)
	}
	if len(w.repo.Pulls()) != 0 || len(w.repo.Refs()) != 1 {
		t.Errorf("pull requests %+v, refs %v: want none", w.repo.Pulls(), w.repo.Refs())
	}
}

// TestAutoRevertThroughServe: a drift matching a rule whose auto_revert
// is enabled: false is left alone; one matching enabled: true is
// reverted without a command, and the issue says so. The App works its
// automatic jobs in order, so once the second is done the first has run.
func TestAutoRevertThroughServe(t *testing.T) {
	w := newWorld(t, worldOptions{config: `drift_rules:
  - name: SSH stays for now
    resource_types: [aws_security_group]
    conditions:
      - {attribute: ingress, contains: debug}
    actions:
      - type: auto_revert
        enabled: false
  - name: No RDP
    resource_types: [aws_security_group]
    conditions:
      - {attribute: ingress, contains: rdp}
    actions:
      - type: auto_revert
        enabled: true
`})
	w.authorize("web", 22, "0.0.0.0/0", "debug")
	web := w.issueOf("aws_security_group.web")
	w.authorize("db", 3389, "0.0.0.0/0", "rdp")
	db := w.issueOf("aws_security_group.db")
	w.waitFor("the auto revert", func() bool { got, _ := w.repo.Issue(db.Number); return got.State == "closed" })
	if got := w.ingressPorts("db"); got != "5432" {
		t.Errorf("db opens %s after the auto revert, want 5432", got)
	}
	// The issue is closed, then told: wait for the comment too.
	told := func() bool {
		return strings.Contains(strings.Join(botBodies(w.botComments(db.Number)), "\n"), "**auto_revert** (rule `No RDP`)")
	}
	if !eventually.Poll(eventually.Timeout, told) {
		t.Errorf("the issue was not told of the auto revert: %q", strings.Join(botBodies(w.botComments(db.Number)), "\n"))
	}
	// enabled: false: nothing ran.
	if got := w.ingressPorts("web"); got != "443,22" {
		t.Errorf("web opens %s, want 443,22 (auto_revert is disabled for it)", got)
	}
	if got, _ := w.repo.Issue(web.Number); got.State != "open" || len(w.botComments(web.Number)) != 0 {
		t.Errorf("web's issue: %s with %+v", got.State, w.botComments(web.Number))
	}
}

// TestWithoutTerraformThroughServe: a server without a terraform: block
// answers revert with "not configured" and runs nothing, and the accept
// pull request's proof is neutral, saying why.
func TestWithoutTerraformThroughServe(t *testing.T) {
	w := newWorld(t, worldOptions{noTerraform: true})
	w.authorize("web", 22, "0.0.0.0/0", "debug")
	is := w.issueOf("aws_security_group.web")
	c := w.comment(maintainer, is.Number, "/tfdrift revert")
	w.waitFor("the answer", func() bool { return w.hasReaction(c.ID, "confused") })
	if last := lastBody(w.botComments(is.Number)); !strings.Contains(last, "revert is not configured on this server") {
		t.Errorf("answer: %q", last)
	}
	if got := w.ingressPorts("web"); got != "443,22" {
		t.Errorf("the cloud changed: %s", got)
	}
	c = w.comment(writer, is.Number, "/tfdrift accept")
	w.waitFor("the pull request", func() bool { return len(w.repo.Pulls()) == 1 && w.hasReaction(c.ID, "rocket") })
	if p := w.proof(w.repo.Pulls()[0].HeadSHA); p.Conclusion != "neutral" || p.Summary == "" {
		t.Errorf("tfdrift proof without terraform: %s %q", p.Conclusion, p.Summary)
	}
}

// TestModePRThroughServe: with mode: pr the accept pull request opens
// on drift without a command; when the default branch then moves on
// and the pull request conflicts with it (a signed push webhook), the
// edit is made again from the new head and force-pushed, with a comment.
func TestModePRThroughServe(t *testing.T) {
	w := newWorld(t, worldOptions{modePR: true})
	w.authorize("web", 22, "0.0.0.0/0", "debug")
	is := w.issueOf("aws_security_group.web")
	w.waitFor("the automatic pull request", func() bool { return len(w.repo.Pulls()) == 1 })
	pr := w.repo.Pulls()[0]
	if p := w.proof(pr.HeadSHA); p.Conclusion != "success" {
		t.Errorf("tfdrift proof: %s %q\n%s", p.Conclusion, p.Title, p.Text)
	}
	if !strings.Contains(pr.Body, "Closes #"+itoa(is.Number)) {
		t.Errorf("the pull request does not close #%d:\n%s", is.Number, pr.Body)
	}

	// Someone edits the same lines on main: the pull request conflicts.
	files := map[string]string{}
	for k, v := range w.files {
		files[k] = v
	}
	files["main.tf"] = strings.Replace(files["main.tf"], `description = "Web tier"`, `description = "Web tier (public)"`, 1)
	files["main.tf"] = strings.Replace(files["main.tf"], `    Name = "web"`, `    Name = "web"
    Team = "platform"`, 1)
	before := w.repo.Head("main")
	after := w.repo.Commit(githubfake.CommitSpec{Message: "web: describe", Files: files, Author: writer})
	if got, _ := w.repo.Pull(pr.Number); got.Mergeable {
		t.Fatalf("the edit on main does not conflict with #%d; the test proves nothing", pr.Number)
	}
	w.send("push", w.repo.PushEvent("refs/heads/main", before, after, writer))
	w.waitFor("the pull request made again", func() bool {
		got, _ := w.repo.Pull(pr.Number)
		return got.HeadSHA != pr.HeadSHA && got.State == "open"
	})
	got, _ := w.repo.Pull(pr.Number)
	if !got.Mergeable {
		t.Errorf("#%d still conflicts after the update", pr.Number)
	}
	head, _ := w.repo.Files(got.Head)
	if !strings.Contains(head["main.tf"], `Team = "platform"`) || !strings.Contains(head["main.tf"], "from_port   = 22") {
		t.Errorf("the updated branch lacks main's edit or the accept:\n%s", head["main.tf"])
	}
	w.waitFor("the update comment", func() bool {
		return strings.Contains(strings.Join(botBodies(w.repo.Comments(pr.Number)), "\n"), "the default branch moved on")
	})
	if n := len(w.repo.Pulls()); n != 1 {
		t.Errorf("%d pull requests", n)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// proof waits for the completed "tfdrift proof" check run on sha.
func (w *world) proof(sha string) githubfake.CheckRun {
	w.t.Helper()
	var found githubfake.CheckRun
	w.waitFor("tfdrift proof on "+sha, func() bool {
		for _, cr := range w.repo.CheckRuns() {
			if cr.Name == "tfdrift proof" && cr.HeadSHA == sha && cr.Status == "completed" {
				found = cr
				return true
			}
		}
		return false
	})
	return found
}

// refreshOnlyPlan runs terraform plan -refresh-only on the default
// branch's code and reports whether it finds changes.
func (w *world) refreshOnlyPlan() bool {
	w.t.Helper()
	tf := w.env.Tf(w.t)
	changed, err := tf.Plan(w.ctx, tfexec.RefreshOnly(true))
	if err != nil {
		w.t.Fatal(err)
	}
	return changed
}

func botBodies(cs []githubfake.Comment) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Body
	}
	return out
}

func lastBody(cs []githubfake.Comment) string {
	if len(cs) == 0 {
		return ""
	}
	return cs[len(cs)-1].Body
}

// scrubState puts the placeholder back for the state's path.
func scrubState(s, state string) string { return strings.ReplaceAll(s, state, "STATE_PATH") }
