package githubapp

import (
	"context"
	"strings"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket/ghissue"
)

// Resolver is the issue sink's ghissue.Resolver over discovery: a
// drift's issue goes to the repository whose root claims its state,
// written with that installation's client and the root's labels and
// assignees, under the github: block's cap, with the comment commands
// shown.
func (a *App) Resolver() ghissue.Resolver { return resolver{a} }

type resolver struct{ a *App }

func (r resolver) Resolve(_ context.Context, d *drift.Drift) (ghissue.Target, bool, error) {
	c, ok := r.a.Claim(d)
	if !ok {
		return ghissue.Target{}, false, nil
	}
	owner, name, _ := strings.Cut(c.Repo, "/")
	return ghissue.Target{
		Client: r.a.gh.Installation(c.Installation), Owner: owner, Repo: name, HTMLURL: c.HTMLURL,
		Labels: c.Labels, Assignees: c.Assignees, MaxOpen: r.a.o.MaxOpenIssues, Commands: true,
	}, true, nil
}

// Sink is the GitHub issue sink of the App: one issue per drifted
// resource on the repository that claims it. A drift no repository
// claims counts as unrouted.
func (a *App) Sink() (*ghissue.Sink, error) {
	return ghissue.New(ghissue.Options{Name: "github", Resolver: a.Resolver(), Logger: a.log, OnUnrouted: a.Unrouted, Now: a.o.Now})
}
