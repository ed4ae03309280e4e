package githubfake_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/internal/githubfake"
)

func branchWith(t *testing.T, f *fixture, branch string, change map[string]string) string {
	t.Helper()
	files, _ := f.repo.Files("main")
	for k, v := range change {
		files[k] = v
	}
	return f.repo.Commit(githubfake.CommitSpec{Branch: branch, Files: files})
}

func TestPullRequestFlow(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	f.repo.SetPermission("alice", "maintain")
	c := ctx(t)
	branchWith(t, f, "tfdrift/accept/b", map[string]string{"main.tf": "changed\n"})
	pr := must[*github.PullRequest](t)(f.gh.PullRequests.Create(c, "acme", "infra", &github.NewPullRequest{
		Title: github.String("Accept drift: aws_s3_bucket.b"), Head: github.String("tfdrift/accept/b"), Base: github.String("main"),
		Body: github.String("Closes #1"),
	}))
	if pr.GetNumber() != 1 || pr.GetHead().GetRef() != "tfdrift/accept/b" || pr.GetBase().GetSHA() != f.head || !pr.GetMergeable() || pr.GetUser().GetLogin() != "tfdrift[bot]" {
		t.Fatalf("created %+v", pr)
	}
	must[*github.PullRequest](t)(f.gh.PullRequests.RequestReviewers(c, "acme", "infra", 1, github.ReviewersRequest{Reviewers: []string{"alice"}, TeamReviewers: []string{"infra"}}))
	if _, _, err := f.gh.PullRequests.RequestReviewers(c, "acme", "infra", 1, github.ReviewersRequest{Reviewers: []string{"mallory"}}); status(err) != 422 {
		t.Fatalf("a reviewer who is not a collaborator: %v", err)
	}
	must[[]*github.Label](t)(f.gh.Issues.AddLabelsToIssue(c, "acme", "infra", 1, []string{"tfdrift"}))
	if _, _, err := f.gh.PullRequests.Create(c, "acme", "infra", &github.NewPullRequest{
		Title: github.String("again"), Head: github.String("acme:tfdrift/accept/b"), Base: github.String("main")}); err == nil ||
		!strings.Contains(errorDetail(err), "A pull request already exists for acme:tfdrift/accept/b.") {
		t.Fatalf("second pull for one head: %v %s", err, errorDetail(err))
	}
	// A force-push moves the open pull's head.
	newHead := branchWith(t, f, "tfdrift/accept/b", map[string]string{"main.tf": "changed again\n"})
	got := must[*github.PullRequest](t)(f.gh.PullRequests.Get(c, "acme", "infra", 1))
	if got.GetHead().GetSHA() != newHead || len(got.RequestedReviewers) != 1 || len(got.RequestedTeams) != 1 || len(got.Labels) != 1 {
		t.Fatalf("pull after push %+v", got)
	}
	list := must[[]*github.PullRequest](t)(f.gh.PullRequests.List(c, "acme", "infra", &github.PullRequestListOptions{Head: "acme:tfdrift/accept/b"}))
	if len(list) != 1 {
		t.Fatalf("list by head: %d", len(list))
	}
	// Pull requests are issues too.
	issues := must[[]*github.Issue](t)(f.gh.Issues.ListByRepo(c, "acme", "infra", nil))
	if len(issues) != 1 || !issues[0].IsPullRequest() {
		t.Fatalf("issues list %v", issues)
	}
	merge := f.repo.MergePull("alice", 1)
	files, _ := f.repo.Files("main")
	if files["main.tf"] != "changed again\n" {
		t.Fatalf("main after merge: %v", files)
	}
	ev := f.repo.PullRequestEvent("closed", 1, "alice")
	if !ev.GetPullRequest().GetMerged() || ev.GetPullRequest().GetMergeCommitSHA() != merge || ev.GetPullRequest().GetMergedBy().GetLogin() != "alice" {
		t.Fatalf("merged event %+v", ev.GetPullRequest())
	}
	p, _ := f.repo.Pull(1)
	want := githubfake.Pull{Number: 1, Title: "Accept drift: aws_s3_bucket.b", Body: "Closes #1", State: "closed", User: "tfdrift[bot]",
		Head: "tfdrift/accept/b", Base: "main", HeadSHA: newHead, BaseSHA: merge, Merged: true, MergedBy: "alice", MergeCommitSHA: merge,
		Mergeable: true, Reviewers: []string{"alice"}, TeamReviewers: []string{"infra"}, Labels: []string{"tfdrift"}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Fatalf("stored pull (-want +got):\n%s", diff)
	}
	if _, _, err := f.gh.PullRequests.Edit(c, "acme", "infra", 1, &github.PullRequest{State: github.String("open")}); status(err) != 422 {
		t.Fatalf("reopening a merged pull: %v", err)
	}
}

func TestPullRequestValidationAndConflicts(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	c := ctx(t)
	create := func(head, base string) error {
		_, _, err := f.gh.PullRequests.Create(c, "acme", "infra", &github.NewPullRequest{Title: github.String("t"), Head: &head, Base: &base})
		return err
	}
	if err := create("nope", "main"); status(err) != 422 {
		t.Fatalf("unknown head: %v", err)
	}
	if err := create("main", "nope"); status(err) != 422 {
		t.Fatalf("unknown base: %v", err)
	}
	f.repo.Commit(githubfake.CommitSpec{Branch: "behind", Parents: []string{f.head}, Files: map[string]string{"x": "y"}})
	files, _ := f.repo.Files("main")
	f.repo.Commit(githubfake.CommitSpec{Files: files, Parents: []string{f.head, f.repo.Head("behind")}}) // main merges it
	if err := create("behind", "main"); !strings.Contains(errorDetail(err), "No commits between main and behind") {
		t.Fatalf("head already in base: %v %s", err, errorDetail(err))
	}
	if err := create("main", "main"); !strings.Contains(errorDetail(err), "No commits between main and main") {
		t.Fatalf("head = base: %v %s", err, errorDetail(err))
	}
	// Both sides change main.tf: not mergeable.
	branchWith(t, f, "edit", map[string]string{"main.tf": "ours\n"})
	files, _ = f.repo.Files("main")
	files["main.tf"] = "theirs\n"
	f.repo.Commit(githubfake.CommitSpec{Files: files})
	pr := must[*github.PullRequest](t)(f.gh.PullRequests.Create(c, "acme", "infra", &github.NewPullRequest{Title: github.String("t"), Head: github.String("edit"), Base: github.String("main")}))
	if pr.GetMergeable() || pr.GetMergeableState() != "dirty" {
		t.Fatalf("conflicting pull: mergeable %v %q", pr.GetMergeable(), pr.GetMergeableState())
	}
	closed := must[*github.PullRequest](t)(f.gh.PullRequests.Edit(c, "acme", "infra", pr.GetNumber(), &github.PullRequest{State: github.String("closed")}))
	if closed.GetState() != "closed" || closed.GetMerged() {
		t.Fatalf("closed %+v", closed)
	}
}

func TestCollaboratorPermission(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	f.repo.SetPermission("mia", "maintain")
	f.repo.SetPermission("tri", "triage")
	f.repo.SetCustomRole("sec", "security-manager", "write")
	f.s.AddUser("stranger")
	type perm struct{ Permission, RoleName string }
	tests := []struct {
		user   string
		want   perm
		status int
	}{
		{"mia", perm{"write", "maintain"}, 200}, // GitHub says write for maintainers
		{"tri", perm{"read", "triage"}, 200},
		{"sec", perm{"write", "security-manager"}, 200},
		{"acme", perm{}, 404}, // an organization is not a user
		{"stranger", perm{"none", "none"}, 200},
		{"ghost", perm{}, 404},
	}
	for _, tt := range tests {
		req, _ := f.gh.NewRequest("GET", "repos/acme/infra/collaborators/"+tt.user+"/permission", nil)
		var got perm
		var raw struct {
			Permission string `json:"permission"`
			RoleName   string `json:"role_name"`
		}
		_, err := f.gh.Do(ctx(t), req, &raw)
		got = perm{raw.Permission, raw.RoleName}
		if tt.status != 200 {
			if status(err) != tt.status {
				t.Errorf("%s: %v", tt.user, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: %+v %v, want %+v", tt.user, got, err, tt.want)
		}
	}
}
