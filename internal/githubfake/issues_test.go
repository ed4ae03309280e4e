package githubfake_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/internal/githubfake"
)

func TestIssueLifecycle(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	f.repo.SetPermission("alice", "write")
	c := ctx(t)
	lbl := must[*github.Label](t)(f.gh.Issues.CreateLabel(c, "acme", "infra", &github.Label{Name: github.String("tfdrift"), Color: github.String("5319E7"), Description: github.String("drift")}))
	if lbl.GetColor() != "5319e7" {
		t.Fatalf("label = %v", lbl)
	}
	is := must[*github.Issue](t)(f.gh.Issues.Create(c, "acme", "infra", &github.IssueRequest{
		Title: github.String("Drift: aws_s3_bucket.b modified by bob"), Body: github.String("body <!-- tfdrift:resource=s/a -->"),
		Labels: &[]string{"tfdrift", "severity:high"}, Assignees: &[]string{"alice"},
	}))
	if is.GetNumber() != 1 || is.GetState() != "open" || is.GetUser().GetLogin() != "tfdrift[bot]" || is.GetUser().GetType() != "Bot" {
		t.Fatalf("issue = %+v", is)
	}
	if got := f.repo.Labels(); len(got) != 2 || got[1].Name != "severity:high" || got[1].Color != "ededed" {
		t.Fatalf("labels (the missing one made grey, as GitHub does) = %+v", got)
	}
	cm := must[*github.IssueComment](t)(f.gh.Issues.CreateComment(c, "acme", "infra", 1, &github.IssueComment{Body: github.String("again <!-- tfdrift:event=e2 -->")}))
	must[*github.IssueComment](t)(f.gh.Issues.EditComment(c, "acme", "infra", cm.GetID(), &github.IssueComment{Body: github.String("edited")}))
	closed := must[*github.Issue](t)(f.gh.Issues.Edit(c, "acme", "infra", 1, &github.IssueRequest{State: github.String("closed"), StateReason: github.String("not_planned")}))
	if closed.GetState() != "closed" || closed.GetStateReason() != "not_planned" || closed.GetClosedBy().GetLogin() != "tfdrift[bot]" {
		t.Fatalf("closed = %+v", closed)
	}
	reopened := must[*github.Issue](t)(f.gh.Issues.Edit(c, "acme", "infra", 1, &github.IssueRequest{State: github.String("open"), Labels: &[]string{"tfdrift"}}))
	if reopened.GetStateReason() != "reopened" || len(reopened.Labels) != 1 {
		t.Fatalf("reopened = %+v", reopened)
	}
	got, _ := f.repo.Issue(1)
	want := githubfake.Issue{Number: 1, Title: "Drift: aws_s3_bucket.b modified by bob", Body: "body <!-- tfdrift:resource=s/a -->",
		State: "open", StateReason: "reopened", Labels: []string{"tfdrift"}, Assignees: []string{"alice"}, User: "tfdrift[bot]", Comments: 1}
	if diff := cmp.Diff(want, got, cmpIssue); diff != "" {
		t.Fatalf("stored issue (-want +got):\n%s", diff)
	}
	comments := f.repo.Comments(1)
	if len(comments) != 1 || comments[0].Body != "edited" || comments[0].User != "tfdrift[bot]" {
		t.Fatalf("comments = %+v", comments)
	}
	list := must[[]*github.IssueComment](t)(f.gh.Issues.ListComments(c, "acme", "infra", 1, nil))
	if len(list) != 1 || list[0].GetBody() != "edited" {
		t.Fatalf("listed comments = %v", list)
	}
}

var cmpIssue = cmp.FilterPath(func(p cmp.Path) bool {
	switch p.Last().String() {
	case ".ID", ".CreatedAt", ".UpdatedAt", ".ClosedAt":
		return true
	}
	return false
}, cmp.Ignore())

func TestListIssuesFilters(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	f.repo.CreateIssueAs("alice", "a", "", "tfdrift", "severity:high")
	f.repo.CreateIssueAs("alice", "b", "", "tfdrift")
	f.repo.CreateIssueAs("bob", "c", "", "other")
	f.repo.SetIssueStateAs("alice", 2, "closed", "completed")
	tests := []struct {
		opts github.IssueListByRepoOptions
		want []int
	}{
		{github.IssueListByRepoOptions{}, []int{3, 1}},
		{github.IssueListByRepoOptions{Labels: []string{"tfdrift"}}, []int{1}},
		{github.IssueListByRepoOptions{Labels: []string{"TFDRIFT"}, State: "all"}, []int{2, 1}},
		{github.IssueListByRepoOptions{Labels: []string{"tfdrift", "severity:high"}, State: "all"}, []int{1}},
		{github.IssueListByRepoOptions{State: "closed"}, []int{2}},
		{github.IssueListByRepoOptions{State: "all", Direction: "asc"}, []int{1, 2, 3}},
		{github.IssueListByRepoOptions{Creator: "bob"}, []int{3}},
	}
	for _, tt := range tests {
		got := must[[]*github.Issue](t)(f.gh.Issues.ListByRepo(ctx(t), "acme", "infra", &tt.opts))
		var nums []int
		for _, is := range got {
			nums = append(nums, is.GetNumber())
		}
		if diff := cmp.Diff(tt.want, nums); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", tt.opts, diff)
		}
	}
	if _, _, err := f.gh.Issues.ListByRepo(ctx(t), "acme", "infra", &github.IssueListByRepoOptions{State: "bogus"}); status(err) != 422 {
		t.Fatalf("bad state: %v", err)
	}
}

func TestIssueValidation(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	f.repo.CreateIssueAs("alice", "x", "")
	long := strings.Repeat("x", 65537)
	tests := []struct {
		name  string
		do    func() error
		field string
		code  string
	}{
		{"missing title", func() error {
			_, _, err := f.gh.Issues.Create(ctx(t), "acme", "infra", &github.IssueRequest{Body: github.String("b")})
			return err
		}, "title", "missing_field"},
		{"body too long", func() error {
			_, _, err := f.gh.Issues.Create(ctx(t), "acme", "infra", &github.IssueRequest{Title: github.String("t"), Body: &long})
			return err
		}, "body", "custom"},
		{"title too long", func() error {
			_, _, err := f.gh.Issues.Create(ctx(t), "acme", "infra", &github.IssueRequest{Title: github.String(strings.Repeat("t", 257))})
			return err
		}, "title", "custom"},
		{"assignee without access", func() error {
			_, _, err := f.gh.Issues.Create(ctx(t), "acme", "infra", &github.IssueRequest{Title: github.String("t"), Assignees: &[]string{"mallory"}})
			return err
		}, "assignees", "invalid"},
		{"bad state", func() error {
			_, _, err := f.gh.Issues.Edit(ctx(t), "acme", "infra", 1, &github.IssueRequest{State: github.String("gone")})
			return err
		}, "state", "invalid"},
		{"bad state reason", func() error {
			_, _, err := f.gh.Issues.Edit(ctx(t), "acme", "infra", 1, &github.IssueRequest{State: github.String("closed"), StateReason: github.String("wontfix")})
			return err
		}, "state_reason", "invalid"},
		{"label colour with #", func() error {
			_, _, err := f.gh.Issues.CreateLabel(ctx(t), "acme", "infra", &github.Label{Name: github.String("l"), Color: github.String("#ff0000")})
			return err
		}, "color", "invalid"},
		{"label colour not hex", func() error {
			_, _, err := f.gh.Issues.CreateLabel(ctx(t), "acme", "infra", &github.Label{Name: github.String("l"), Color: github.String("red")})
			return err
		}, "color", "invalid"},
		{"label description too long", func() error {
			_, _, err := f.gh.Issues.CreateLabel(ctx(t), "acme", "infra", &github.Label{Name: github.String("l"), Color: github.String("ff0000"), Description: github.String(strings.Repeat("d", 101))})
			return err
		}, "description", "custom"},
		{"empty comment", func() error {
			_, _, err := f.gh.Issues.CreateComment(ctx(t), "acme", "infra", 1, &github.IssueComment{Body: github.String("")})
			return err
		}, "body", "missing_field"},
		{"comment too long", func() error {
			_, _, err := f.gh.Issues.CreateComment(ctx(t), "acme", "infra", 1, &github.IssueComment{Body: &long})
			return err
		}, "body", "custom"},
		{"unknown reaction", func() error {
			_, _, err := f.gh.Reactions.CreateIssueReaction(ctx(t), "acme", "infra", 1, "thumbsup")
			return err
		}, "content", "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			er := validation(t, tt.do())
			if len(er.Errors) != 1 || er.Errors[0].Field != tt.field || er.Errors[0].Code != tt.code {
				t.Fatalf("errors = %+v", er.Errors)
			}
		})
	}
	must[*github.Label](t)(f.gh.Issues.CreateLabel(ctx(t), "acme", "infra", &github.Label{Name: github.String("dup"), Color: github.String("ff0000")}))
	_, _, err := f.gh.Issues.CreateLabel(ctx(t), "acme", "infra", &github.Label{Name: github.String("DUP"), Color: github.String("00ff00")})
	if er := validation(t, err); er.Errors[0].Code != "already_exists" {
		t.Fatalf("duplicate label: %+v", er.Errors)
	}
	if _, _, err := f.gh.Issues.Get(ctx(t), "acme", "infra", 99); status(err) != 404 {
		t.Fatalf("unknown issue: %v", err)
	}
	if len(f.repo.Issues()) != 1 || len(f.repo.Comments(1)) != 0 {
		t.Fatal("a refused write was stored")
	}
}

func TestReactions(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	n := f.repo.CreateIssueAs("alice", "x", "")
	cm := f.repo.CommentAs("alice", n, "/tfdrift accept")
	_, resp, err := f.gh.Reactions.CreateIssueCommentReaction(ctx(t), "acme", "infra", cm.ID, "eyes")
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("first reaction: %v %v", resp, err)
	}
	_, resp, err = f.gh.Reactions.CreateIssueCommentReaction(ctx(t), "acme", "infra", cm.ID, "eyes")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the same reaction again: %v %v", resp, err)
	}
	must[*github.Reaction](t)(f.gh.Reactions.CreateIssueReaction(ctx(t), "acme", "infra", n, "rocket"))
	got := f.repo.Reactions()
	if len(got) != 2 || got[0].CommentID != cm.ID || got[0].Content != "eyes" || got[1].CommentID != 0 || got[1].Content != "rocket" || got[1].User != "tfdrift[bot]" {
		t.Fatalf("reactions = %+v", got)
	}
	if _, _, err := f.gh.Reactions.CreateIssueCommentReaction(ctx(t), "acme", "infra", 424242, "eyes"); status(err) != 404 {
		t.Fatalf("reaction on an unknown comment: %v", err)
	}
}

func TestLabelsOnIssues(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	n := f.repo.CreateIssueAs("alice", "x", "", "a")
	must[[]*github.Label](t)(f.gh.Issues.AddLabelsToIssue(ctx(t), "acme", "infra", n, []string{"b", "A"}))
	if _, err := f.gh.Issues.RemoveLabelForIssue(ctx(t), "acme", "infra", n, "a"); err != nil {
		t.Fatal(err)
	}
	is, _ := f.repo.Issue(n)
	if diff := cmp.Diff([]string{"b"}, is.Labels); diff != "" {
		t.Fatalf("labels (-want +got):\n%s", diff)
	}
	upd := must[*github.Label](t)(f.gh.Issues.EditLabel(ctx(t), "acme", "infra", "b", &github.Label{Name: github.String("c"), Color: github.String("abcdef")}))
	if upd.GetName() != "c" {
		t.Fatalf("edited label %v", upd)
	}
	if is, _ := f.repo.Issue(n); is.Labels[0] != "c" {
		t.Fatalf("rename did not follow onto the issue: %v", is.Labels)
	}
	all := must[[]*github.Label](t)(f.gh.Issues.ListLabels(ctx(t), "acme", "infra", nil))
	if len(all) != 2 {
		t.Fatalf("labels %v", all)
	}
}
