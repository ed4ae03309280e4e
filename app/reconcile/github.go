package reconcile

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/gitops/ghapi"
)

// The GitHub calls of reconciliation, in go-github's shape; errors are
// ghapi's typed errors (ghapi.Wrap).

// maxBody is GitHub's limit on an issue, comment or pull request body.
const maxBody = 65536

// comment posts body on an issue or pull request.
func comment(ctx context.Context, repo Repo, number int, body string) error {
	_, _, err := repo.Client.GitHub().Issues.CreateComment(ctx, repo.Owner, repo.Name, number,
		&github.IssueComment{Body: github.String(clip(body, maxBody))})
	return ghapi.Wrap(fmt.Sprintf("comment on %s#%d", repo.FullName(), number), err)
}

// closeIssue closes an issue with a reason ("completed" or
// "not_planned"). Closing a closed issue changes nothing.
func closeIssue(ctx context.Context, repo Repo, number int, reason string) error {
	_, _, err := repo.Client.GitHub().Issues.Edit(ctx, repo.Owner, repo.Name, number,
		&github.IssueRequest{State: github.String("closed"), StateReason: github.String(reason)})
	return ghapi.Wrap(fmt.Sprintf("close %s#%d", repo.FullName(), number), err)
}

// openPullFor returns the open pull request whose head is branch, or nil.
func openPullFor(ctx context.Context, repo Repo, branch string) (*github.PullRequest, error) {
	prs, _, err := repo.Client.GitHub().PullRequests.List(ctx, repo.Owner, repo.Name, &github.PullRequestListOptions{
		State: "open", Head: repo.Owner + ":" + branch, ListOptions: github.ListOptions{PerPage: 10},
	})
	if err != nil {
		return nil, ghapi.Wrap("pull requests of "+branch, err)
	}
	for _, p := range prs {
		if p.GetHead().GetRef() == branch {
			return p, nil
		}
	}
	return nil, nil
}

// askReviews asks the root's reviewers (logins, and teams as org/slug)
// to review; a reviewer GitHub refuses (not a collaborator) is reported,
// not fatal.
func askReviews(ctx context.Context, repo Repo, number int, reviewers []string) error {
	var users, teams []string
	for _, r := range reviewers {
		if _, team, ok := strings.Cut(r, "/"); ok {
			teams = append(teams, team)
		} else {
			users = append(users, r)
		}
	}
	if len(users)+len(teams) == 0 {
		return nil
	}
	_, _, err := repo.Client.GitHub().PullRequests.RequestReviewers(ctx, repo.Owner, repo.Name, number,
		github.ReviewersRequest{Reviewers: users, TeamReviewers: teams})
	return ghapi.Wrap(fmt.Sprintf("request reviews on %s#%d", repo.FullName(), number), err)
}

// addLabels puts labels on an issue or pull request (GitHub creates the
// ones the repository lacks).
func addLabels(ctx context.Context, repo Repo, number int, labels []string) error {
	if len(labels) == 0 {
		return nil
	}
	_, _, err := repo.Client.GitHub().Issues.AddLabelsToIssue(ctx, repo.Owner, repo.Name, number, labels)
	return ghapi.Wrap(fmt.Sprintf("label %s#%d", repo.FullName(), number), err)
}

// checkRun is one check run being reported.
type checkRun struct {
	repo Repo
	id   int64
}

// startCheck creates the check run name on sha, in progress.
func startCheck(ctx context.Context, repo Repo, name, sha string, now time.Time) (*checkRun, error) {
	cr, _, err := repo.Client.GitHub().Checks.CreateCheckRun(ctx, repo.Owner, repo.Name, github.CreateCheckRunOptions{
		Name: name, HeadSHA: sha, Status: github.String("in_progress"), StartedAt: &github.Timestamp{Time: now},
	})
	if err != nil {
		return nil, ghapi.Wrap(fmt.Sprintf("check run %s on %s@%s", name, repo.FullName(), sha), err)
	}
	return &checkRun{repo: repo, id: cr.GetID()}, nil
}

// maxCheckText is GitHub's limit on a check run's summary and text.
const maxCheckText = 65535

// finish completes the check run with a conclusion and its output.
func (c *checkRun) finish(ctx context.Context, name string, out checkOutput, now time.Time) error {
	output := &github.CheckRunOutput{Title: github.String(out.Title), Summary: github.String(clip(out.Summary, maxCheckText))}
	if out.Text != "" {
		output.Text = github.String(clip(out.Text, maxCheckText))
	}
	_, _, err := c.repo.Client.GitHub().Checks.UpdateCheckRun(ctx, c.repo.Owner, c.repo.Name, c.id, github.UpdateCheckRunOptions{
		Name: name, Status: github.String("completed"), Conclusion: github.String(out.Conclusion),
		CompletedAt: &github.Timestamp{Time: now}, Output: output,
	})
	return ghapi.Wrap(fmt.Sprintf("complete check run %d on %s", c.id, c.repo.FullName()), err)
}
