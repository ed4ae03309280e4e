package ghapi

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"
)

// ListOpenIssues lists a repository's open issues that carry label,
// oldest first, through the issues list (never the search API, whose
// index lags and whose limit is 30 a minute). Pull requests, which the
// issues list also returns, are left out.
func (c *Client) ListOpenIssues(ctx context.Context, owner, repo, label string) ([]*github.Issue, error) {
	what := fmt.Sprintf("list open issues of %s/%s labelled %q", owner, repo, label)
	all, err := listAll(what, func(opts github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return c.gh.Issues.ListByRepo(ctx, owner, repo, &github.IssueListByRepoOptions{
			State: "open", Labels: []string{label}, Sort: "created", Direction: "asc", ListOptions: opts,
		})
	})
	if err != nil {
		return nil, err
	}
	issues := all[:0]
	for _, is := range all {
		if !is.IsPullRequest() {
			issues = append(issues, is)
		}
	}
	return issues, nil
}
