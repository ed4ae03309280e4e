package ghapi

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"
)

// perPage is the page size of every list: GitHub's most, so a list of
// installations or issues costs as few requests as it can.
const perPage = 100

// maxPages stops a list whose server keeps offering a next page: 1,000
// pages of 100 is far beyond any real list.
const maxPages = 1000

// listAll follows a list's pages. fetch gets one page with opts.
func listAll[T any](what string, fetch func(opts github.ListOptions) ([]T, *github.Response, error)) ([]T, error) {
	var all []T
	opts := github.ListOptions{PerPage: perPage}
	for pages := 1; ; pages++ {
		page, resp, err := fetch(opts)
		if err != nil {
			return nil, Wrap(what, err)
		}
		all = append(all, page...)
		if resp == nil || resp.NextPage == 0 {
			return all, nil
		}
		if resp.NextPage <= opts.Page || pages >= maxPages {
			return nil, fmt.Errorf("%s: pagination does not end (next page %d after %d)", what, resp.NextPage, opts.Page)
		}
		opts.Page = resp.NextPage
	}
}

// ListInstallations lists the App's installations (GET
// /app/installations). Call it on App.Client().
func (c *Client) ListInstallations(ctx context.Context) ([]*github.Installation, error) {
	return listAll("list installations", func(opts github.ListOptions) ([]*github.Installation, *github.Response, error) {
		return c.gh.Apps.ListInstallations(ctx, &opts)
	})
}

// ListRepos lists the repositories the installation can reach (GET
// /installation/repositories). Call it on App.Installation(id).
func (c *Client) ListRepos(ctx context.Context) ([]*github.Repository, error) {
	return listAll(fmt.Sprintf("list repositories of installation %d", c.installationID),
		func(opts github.ListOptions) ([]*github.Repository, *github.Response, error) {
			list, resp, err := c.gh.Apps.ListRepos(ctx, &opts)
			if err != nil {
				return nil, resp, err
			}
			return list.Repositories, resp, nil
		})
}
