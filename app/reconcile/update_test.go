//go:build e2e

// This file runs a real Terraform (internal/tftest) and uses the
// package's unexported internals, so it stays here under the e2e tag:
// make test runs it, make test-short does not (docs/ARCHITECTURE.md,
// Testing).

package reconcile

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/internal/githubfake"
	"github.com/tfdrift/tfdrift/internal/golden"
)

// TestTwoAcceptsOnePullRequest: two console edits of one security group
// (a rule added, then another removed) give one pull request, updated
// with a new commit when the second drift arrives, whose edit holds both;
// the proof is green on the new head.
func TestTwoAcceptsOnePullRequest(t *testing.T) {
	w := newWorld(t, worldOptions{apply: true})
	first := w.openSSH()
	issue := w.openIssue(first)
	res, err := w.rec.Accept(w.ctx, AcceptRequest{Repo: w.repoRef(), Resource: ResourceOf(first), Issue: issue, Actor: "alice"})
	if err != nil || !res.OK {
		t.Fatalf("first Accept = %+v, %v", res, err)
	}
	pr1, _ := w.repo.Pull(res.PullRequest)

	second := w.closeHTTPS()
	if second.Fingerprint == first.Fingerprint {
		t.Fatal("the second edit has the first one's fingerprint")
	}
	// A new drift on a resource with an open accept pull request.
	res2, err := w.rec.DriftOpened(w.ctx, w.repoRef(), second)
	if err != nil || !res2.OK || res2.PullRequest != res.PullRequest {
		t.Fatalf("DriftOpened = %+v, %v; want pull request #%d updated", res2, err, res.PullRequest)
	}
	if n := len(w.repo.Pulls()); n != 1 {
		t.Fatalf("%d pull requests, want 1", n)
	}
	pr2, _ := w.repo.Pull(res.PullRequest)
	if pr2.HeadSHA == pr1.HeadSHA || pr2.Head != pr1.Head {
		t.Fatalf("the branch was not updated: %s → %s", pr1.HeadSHA, pr2.HeadSHA)
	}
	commit, _ := w.repo.GetCommit(pr2.HeadSHA)
	if len(commit.Parents) != 1 || commit.Parents[0] != w.repo.Head("main") {
		t.Errorf("the update is not one commit on the default head: parents %v", commit.Parents)
	}
	files, _ := w.repo.Files(pr2.Head)
	main := files["main.tf"]
	if !strings.Contains(main, "from_port   = 22") || strings.Contains(main, "443") {
		t.Errorf("the updated edit does not hold both console edits:\n%s", main)
	}
	for _, want := range []string{"AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress", "-    from_port   = 443", "+    from_port   = 22"} {
		if !strings.Contains(pr2.Body, want) {
			t.Errorf("the pull request body lacks %q", want)
		}
	}
	comments := w.repo.Comments(pr2.Number)
	if len(comments) != 1 || !strings.HasPrefix(comments[0].Body, "Updated: a new drift of `aws_security_group.web` was recorded") {
		t.Errorf("comments on the pull request: %+v", comments)
	}
	var proofs []githubfake.CheckRun
	for _, cr := range w.repo.CheckRuns() {
		if cr.HeadSHA == pr2.HeadSHA {
			proofs = append(proofs, cr)
		}
	}
	if len(proofs) != 1 || proofs[0].Conclusion != "success" {
		t.Errorf("proof on the new head: %+v", proofs)
	}
	p, err := w.st.GetPull(w.ctx, "acme/infra", pr2.Number)
	if err != nil || len(p.Fingerprints) != 2 {
		t.Errorf("pull record %+v, %v; want both drifts", p, err)
	}

	// Asked again with nothing new: the same commit, no comment.
	res3, err := w.rec.Accept(w.ctx, AcceptRequest{Repo: w.repoRef(), Resource: ResourceOf(first), Issue: issue, Actor: "alice"})
	if err != nil || !res3.OK || !strings.HasPrefix(res3.Reply, "Updated #2") {
		t.Fatalf("third Accept = %+v, %v", res3, err)
	}
	if pr3, _ := w.repo.Pull(pr2.Number); pr3.HeadSHA != pr2.HeadSHA || len(w.repo.Comments(pr2.Number)) != 1 {
		t.Errorf("an accept with nothing new moved the branch or commented")
	}

	// Merging resolves both drifts.
	w.repo.MergePull("carol", pr2.Number)
	if _, err := w.rec.PullRequestClosed(w.ctx, PullRequestEvent{Repo: w.repoRef(), Number: pr2.Number, Merged: true, Actor: "carol"}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*drift.Drift{first, second} {
		if st := w.status(d.Fingerprint); st != store.StatusResolved {
			t.Errorf("drift %s is %s, want resolved", d.Fingerprint, st)
		}
	}
}

// TestDefaultBranchMovedAndClosedUnmerged: a push to the default branch
// that conflicts with an open accept pull request makes it again from the
// new head; closing the pull request unmerged leaves the drift open and
// says so on the issue.
func TestDefaultBranchMovedAndClosedUnmerged(t *testing.T) {
	w := newWorld(t, worldOptions{apply: true})
	d := w.openSSH()
	issue := w.openIssue(d)
	res, err := w.rec.Accept(w.ctx, AcceptRequest{Repo: w.repoRef(), Resource: ResourceOf(d), Issue: issue, Actor: "alice"})
	if err != nil || !res.OK {
		t.Fatalf("Accept = %+v, %v", res, err)
	}
	before, _ := w.repo.Pull(res.PullRequest)

	// A push that does not touch the edited lines: nothing to do.
	files, _ := w.repo.Files("main")
	files["README.md"] = "infra\n"
	w.repo.Commit(githubfake.CommitSpec{Message: "docs", Files: files})
	if err := w.rec.DefaultBranchMoved(w.ctx, w.repoRef()); err != nil {
		t.Fatal(err)
	}
	if pr, _ := w.repo.Pull(res.PullRequest); pr.HeadSHA != before.HeadSHA {
		t.Error("a push that does not conflict regenerated the pull request")
	}

	// Someone edits the same lines on main.
	files["main.tf"] = strings.Replace(files["main.tf"], "  tags = {\n    Name = \"web\"\n  }\n", "  tags = {\n    Name = \"web\"\n    Team = \"edge\"\n  }\n", 1)
	w.repo.Commit(githubfake.CommitSpec{Message: "team tag", Files: files})
	if pr, _ := w.repo.Pull(res.PullRequest); pr.Mergeable {
		t.Fatal("the test's push does not conflict")
	}
	if err := w.rec.DefaultBranchMoved(w.ctx, w.repoRef()); err != nil {
		t.Fatal(err)
	}
	pr, _ := w.repo.Pull(res.PullRequest)
	if !pr.Mergeable || pr.HeadSHA == before.HeadSHA {
		t.Fatalf("the pull request was not made again from the new head: %+v", pr)
	}
	branch, _ := w.repo.Files(pr.Head)
	if !strings.Contains(branch["main.tf"], `Team = "edge"`) || !strings.Contains(branch["main.tf"], "from_port   = 22") {
		t.Errorf("the new edit lost the push or the drift:\n%s", branch["main.tf"])
	}
	if cs := w.repo.Comments(pr.Number); len(cs) != 1 || !strings.Contains(cs[0].Body, "the default branch moved on and this pull request conflicted with it") {
		t.Errorf("comments %+v", cs)
	}

	// Closed without merging: the drift stays open, the issue hears it.
	w.repo.ClosePull("carol", pr.Number)
	got, err := w.rec.PullRequestClosed(w.ctx, PullRequestEvent{Repo: w.repoRef(), Number: pr.Number, Actor: "carol"})
	if err != nil || got.IssueClosed {
		t.Fatalf("PullRequestClosed = %+v, %v", got, err)
	}
	if st := w.status(d.Fingerprint); st != store.StatusOpen {
		t.Errorf("drift is %s, want open", st)
	}
	cs := w.repo.Comments(issue)
	if len(cs) != 1 || !strings.HasPrefix(cs[0].Body, "The accept pull request #2 was closed without merging by @carol. The drift stays open") {
		t.Errorf("issue comments %+v", cs)
	}
	if is, _ := w.repo.Issue(issue); is.State != "open" {
		t.Errorf("issue %+v, want open", is)
	}
	// A new accept opens a new pull request on the same branch.
	res, err = w.rec.Accept(w.ctx, AcceptRequest{Repo: w.repoRef(), Resource: ResourceOf(d), Issue: issue, Actor: "alice"})
	if err != nil || !res.OK || !strings.HasPrefix(res.Reply, "Opened #3") {
		t.Fatalf("Accept after the close = %+v, %v", res, err)
	}
}

// TestModePR: with mode: pr the accept pull request opens on drift,
// without a command, and the issue hears of it; in mode issue (the
// default) a drift opens none.
func TestModePR(t *testing.T) {
	w := newWorld(t, worldOptions{apply: true, modePR: true})
	d := w.openSSH()
	issue := w.openIssue(d)
	res, err := w.rec.DriftOpened(w.ctx, w.repoRef(), d)
	if err != nil || !res.OK || res.PullRequest == 0 {
		t.Fatalf("DriftOpened = %+v, %v; want a pull request", res, err)
	}
	pr, _ := w.repo.Pull(res.PullRequest)
	if pr.Title != "Accept drift: aws_security_group.web" || !strings.Contains(pr.Body, "Closes #1") {
		t.Errorf("pull request %+v", pr)
	}
	cs := w.repo.Comments(issue)
	if len(cs) != 1 || !strings.HasPrefix(cs[0].Body, "Opened #2 with the edit") {
		t.Errorf("issue comments %+v", cs)
	}
	if crs := w.repo.CheckRuns(); len(crs) != 1 || crs[0].Conclusion != "success" {
		t.Errorf("check runs %+v", crs)
	}

	plain := newWorld(t, worldOptions{apply: true})
	d = plain.openSSH()
	plain.openIssue(d)
	if res, err := plain.rec.DriftOpened(plain.ctx, plain.repoRef(), d); err != nil || !res.OK || res.PullRequest != 0 || len(plain.repo.Pulls()) != 0 {
		t.Errorf("mode issue: DriftOpened = %+v, %v, pulls %v", res, err, plain.repo.Pulls())
	}
}

// countDrift is a drift of one instance of a resource with count: its
// code is shared, so accept cannot edit it.
func countDrift(w *world) *drift.Drift {
	d := &drift.Drift{
		DetectedAt: time.Date(2025, 1, 20, 14, 32, 15, 0, time.UTC), ChangeType: drift.Modified,
		ResourceType: "aws_security_group", ResourceID: "sg-0a1b2c3d", ResourceAddress: "aws_security_group.web[1]",
		Changes:  map[string]drift.AttrChange{"description": {Expected: "Web tier", Actual: "Web tier (temp)", Diff: `"Web tier" → "Web tier (temp)"`}},
		Severity: drift.Medium,
		Event: &change.Change{Provider: change.AWS, Account: "123456789012", Region: "us-east-1", EventName: "UpdateSecurityGroupRuleDescriptionsIngress",
			EventID: "e-count", Time: time.Date(2025, 1, 20, 14, 32, 15, 0, time.UTC), Actor: change.Actor{Type: "IAMUser", UserName: "alice@example.com"}, SourceIP: "203.0.113.42"},
		Terraform: drift.Location{State: w.state, File: "main.tf", Line: 8},
	}
	d.ComputeEventID()
	d.ComputeFingerprint()
	if _, _, err := w.st.RecordDrift(w.ctx, d, nil); err != nil {
		w.t.Fatal(err)
	}
	return d
}

// TestCountSharedNoPullRequest: every attribute refused (a count-shared
// resource) opens no pull request; the command's reply, and in mode pr
// the issue, explain each refusal with its file:line.
func TestCountSharedNoPullRequest(t *testing.T) {
	w := newWorld(t, worldOptions{fixture: "count", noTerraform: true})
	d := countDrift(w)
	issue := w.openIssue(d)
	res, err := w.rec.Accept(w.ctx, AcceptRequest{Repo: w.repoRef(), Resource: ResourceOf(d), Issue: issue, Actor: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK || res.PullRequest != 0 {
		t.Errorf("Accept = %+v, want no pull request", res)
	}
	golden.CheckString(t, filepath.Join("testdata", "golden", "accept-nothing-to-edit.md"), w.scrub(res.Reply))
	if len(w.repo.Pulls()) != 0 || len(w.repo.Refs()) != 1 {
		t.Errorf("pull requests %+v, refs %v: want none and only main", w.repo.Pulls(), w.repo.Refs())
	}
	// mode: pr acts on the drift by itself: the explanation goes on the issue.
	if _, err := w.rec.DriftOpened(w.ctx, w.repoRef(), d); err != nil {
		t.Fatal(err)
	}
	cs := w.repo.Comments(issue)
	if len(cs) != 1 || cs[0].Body != res.Reply || cs[0].User != w.app.BotLogin() {
		t.Errorf("issue comments %+v, want the explanation", cs)
	}
	if len(w.repo.Pulls()) != 0 {
		t.Error("mode pr opened a pull request with nothing to edit")
	}
}
