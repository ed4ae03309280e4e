//go:build e2e

// This file runs a real Terraform (internal/tftest) and uses the
// package's unexported internals, so it stays here under the e2e tag:
// make test runs it, make test-short does not (docs/ARCHITECTURE.md,
// Testing).

package reconcile

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/internal/golden"
)

// TestAcceptPullRequest: a drift → /tfdrift accept → a pull request whose
// branch holds exactly the edited code, proved by real terraform (the
// check run is green), with the root's reviewers and labels → merged →
// the drift resolves as accepted and the App closes the issue.
func TestAcceptPullRequest(t *testing.T) {
	w := newWorld(t, worldOptions{apply: true})
	d := w.openSSH()
	if d.Terraform.State != w.state || d.ResourceAddress != "aws_security_group.web" {
		t.Fatalf("drift location %+v", d.Terraform)
	}
	issue := w.openIssue(d)
	base := w.repo.Head("main")
	before, _ := w.repo.Files("main")

	dry, err := w.rec.Accept(w.ctx, AcceptRequest{Repo: w.repoRef(), Resource: ResourceOf(d), Issue: issue, Actor: "alice", DryRun: true})
	if err != nil || !dry.OK || !strings.Contains(dry.Reply, "+    from_port   = 22") || len(w.repo.Refs()) != 1 || len(w.repo.Pulls()) != 0 {
		t.Fatalf("dry run = %+v, %v; refs %v", dry, err, w.repo.Refs())
	}

	res, err := w.rec.Accept(w.ctx, AcceptRequest{Repo: w.repoRef(), Resource: ResourceOf(d), Issue: issue, Actor: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || res.PullRequest == 0 || !strings.Contains(res.Reply, "The proof: **No changes**") {
		t.Fatalf("Accept = %+v", res)
	}
	pulls := w.repo.Pulls()
	if len(pulls) != 1 {
		t.Fatalf("%d pull requests, want 1", len(pulls))
	}
	pr := pulls[0]
	wantBranch := "tfdrift/accept/aws_security_group.web-" + d.Fingerprint[:8]
	if pr.Number != res.PullRequest || pr.Title != "Accept drift: aws_security_group.web" || pr.Head != wantBranch || pr.Base != "main" {
		t.Errorf("pull request %+v, want %q from %s", pr, "Accept drift: aws_security_group.web", wantBranch)
	}
	if !slices.Equal(pr.Reviewers, []string{"carol"}) || !slices.Equal(pr.TeamReviewers, []string{"platform"}) {
		t.Errorf("reviewers %v, teams %v; want carol and platform", pr.Reviewers, pr.TeamReviewers)
	}
	if !slices.Contains(pr.Labels, "infra") || !slices.Contains(pr.Labels, "tfdrift") {
		t.Errorf("labels %v, want infra and tfdrift", pr.Labels)
	}
	golden.CheckString(t, filepath.Join("testdata", "golden", "accept-pr-body.md"), w.scrub(pr.Body, d.Fingerprint))

	// The branch is the default head plus exactly the edit: one commit
	// by the App, whose message says who changed what.
	after, ok := w.repo.Files(wantBranch)
	if !ok {
		t.Fatal("no branch")
	}
	for name, content := range before {
		if name != "main.tf" && after[name] != content {
			t.Errorf("%s changed on the branch", name)
		}
	}
	if len(after) != len(before) {
		t.Errorf("the branch has %d files, main %d", len(after), len(before))
	}
	golden.CheckString(t, filepath.Join("testdata", "golden", "accept-main.tf"), w.scrub(after["main.tf"]))
	commit, _ := w.repo.GetCommit(pr.HeadSHA)
	if len(commit.Parents) != 1 || commit.Parents[0] != base || !commit.Verified || commit.Author.Name != w.app.BotLogin() {
		t.Errorf("commit %+v: want one verified commit by the App on %s", commit, base)
	}
	if !strings.Contains(commit.Message, "alice@example.com changed ingress in the cloud (AuthorizeSecurityGroupIngress") {
		t.Errorf("commit message:\n%s", commit.Message)
	}

	// The proof: terraform plans no change on the branch's code.
	checks := w.repo.CheckRuns()
	if len(checks) != 1 {
		t.Fatalf("check runs %+v, want 1", checks)
	}
	cr := checks[0]
	if cr.Name != ProofCheck || cr.HeadSHA != pr.HeadSHA || cr.Status != "completed" || cr.Conclusion != "success" || cr.Title != "No changes" ||
		!strings.Contains(cr.Summary, "No changes. Your infrastructure matches the configuration.") {
		t.Errorf("check run %+v", cr)
	}

	// The webhook side finds the resource of a command on the pull request.
	if got, ok, err := w.rec.ResourceOfThread(w.ctx, w.repoRef(), pr.Number, nil); err != nil || !ok || got.Address != d.ResourceAddress || got.State != w.state {
		t.Errorf("ResourceOfThread(#%d) = %+v, %v, %v", pr.Number, got, ok, err)
	}
	if _, ok, _ := w.rec.ResourceOfThread(w.ctx, w.repoRef(), 99, nil); ok {
		t.Error("ResourceOfThread found a resource for an unknown thread")
	}

	// A merge resolves the drift as accepted and closes the issue.
	w.repo.MergePull("carol", pr.Number)
	got, err := w.rec.PullRequestClosed(w.ctx, PullRequestEvent{Repo: w.repoRef(), Number: pr.Number, Merged: true, Actor: "carol"})
	if err != nil || !got.IssueClosed {
		t.Fatalf("PullRequestClosed = %+v, %v", got, err)
	}
	if st := w.status(d.Fingerprint); st != store.StatusResolved {
		t.Errorf("drift is %s, want resolved", st)
	}
	if r := w.resolved.reason(d.Fingerprint); r != "accepted in acme/infra#2, merged by @carol" {
		t.Errorf("resolve notice reason %q", r)
	}
	if is, _ := w.repo.Issue(issue); is.State != "closed" || is.StateReason != "completed" || is.ClosedBy != w.app.BotLogin() {
		t.Errorf("issue %+v, want closed as completed by the App", is)
	}
	if p, _ := w.st.GetPull(w.ctx, "acme/infra", pr.Number); p.Status != store.PullMerged {
		t.Errorf("pull record %+v", p)
	}
	// A redelivered webhook changes nothing.
	comments := len(w.repo.Comments(issue))
	if _, err := w.rec.PullRequestClosed(w.ctx, PullRequestEvent{Repo: w.repoRef(), Number: pr.Number, Merged: true, Actor: "carol"}); err != nil {
		t.Fatal(err)
	}
	if n := len(w.repo.Comments(issue)); n != comments {
		t.Errorf("a redelivery commented again (%d → %d comments)", comments, n)
	}
	var hist []store.HistoryEntry
	if hist, err = w.st.History(context.Background(), d.Fingerprint); err != nil || hist[len(hist)-1].Note != "accepted in acme/infra#2, merged by @carol" {
		t.Errorf("history %+v, %v", hist, err)
	}
}
