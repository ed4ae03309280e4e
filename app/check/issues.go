package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/action"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/ghissue"
)

// issueRepo is where --open-issues writes: the repository being checked,
// read from the environment GitHub Actions sets (or a person sets).
type issueRepo struct {
	token       string
	owner, name string
	apiURL      string // GITHUB_API_URL, default github.com's API
	htmlURL     string // GITHUB_SERVER_URL/owner/name
	sha         string // GITHUB_SHA, for the permalinks
}

func (r *issueRepo) fullName() string { return r.owner + "/" + r.name }

// issueRepoFrom reads GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL,
// GITHUB_SERVER_URL and GITHUB_SHA. The token never appears in an error.
func issueRepoFrom(env Env) (*issueRepo, error) {
	r := &issueRepo{token: strings.TrimSpace(env.getenv("GITHUB_TOKEN")), sha: env.getenv("GITHUB_SHA")}
	if r.token == "" {
		return nil, errors.New("--open-issues: GITHUB_TOKEN is not set: give a token that may write issues (the action passes its github-token input)")
	}
	repo := strings.TrimSpace(env.getenv("GITHUB_REPOSITORY"))
	owner, name, ok := strings.Cut(repo, "/")
	if repo == "" {
		return nil, errors.New("--open-issues: GITHUB_REPOSITORY is not set: name the repository the issues go to, as owner/name")
	}
	if !ok || owner == "" || name == "" || strings.ContainsAny(name, "/ ") || strings.Contains(owner, " ") {
		return nil, fmt.Errorf("--open-issues: GITHUB_REPOSITORY %q is not owner/name", repo)
	}
	r.owner, r.name = owner, name
	r.apiURL = strings.TrimSpace(env.getenv("GITHUB_API_URL"))
	if _, err := ghapi.ParseAPIURL(r.apiURL); err != nil {
		return nil, fmt.Errorf("--open-issues: GITHUB_API_URL: %w", err)
	}
	server := strings.TrimSuffix(strings.TrimSpace(env.getenv("GITHUB_SERVER_URL")), "/")
	if server == "" {
		server = "https://github.com"
	}
	r.htmlURL = server + "/" + repo
	return r, nil
}

// issueWait is the longest a rate limit is slept through in a pipeline,
// which has no outbox to come back later: longer, and the drift's issue
// is reported as not opened.
const issueWait = 2 * time.Minute

// tokenAuthor is the person a personal access token acts as, so that the
// issues it opened are found again; "" for Actions' GITHUB_TOKEN (an
// App's token: GitHub refuses GET /user), whose issues a bot opens.
func tokenAuthor(ctx context.Context, c *ghapi.Client) string {
	u, _, err := c.GitHub().Users.Get(ctx, "")
	if err != nil {
		return ""
	}
	return u.GetLogin()
}

// openIssues opens or updates the issue of every drift in the report
// through the App's issue sink (one issue per resource, found by the same
// marker, so a pipeline and the App share it), then closes the open
// issues of the resources a root was checked in sync (closeInSync).
// Commands are not offered: nothing answers them in a pipeline. Each
// outcome is a progress line; the error lists the resources whose issue
// could not be written. roots are rep.Roots' roots, in the same order.
func openIssues(ctx context.Context, r *issueRepo, rep *action.Report, roots []root, progress io.Writer) error {
	client, err := ghapi.NewTokenClient(r.token, ghapi.Options{APIURL: r.apiURL, MaxRateLimitWait: issueWait})
	if err != nil {
		return fmt.Errorf("--open-issues: %w", err)
	}
	say := func(format string, args ...any) {
		if progress != nil {
			fmt.Fprintf(progress, "tfdrift check: "+format+"\n", args...)
		}
	}
	target := ghissue.Target{Client: client, Owner: r.owner, Repo: r.name, HTMLURL: r.htmlURL, Author: tokenAuthor(ctx, client)}
	sink, err := ghissue.New(ghissue.Options{
		Resolver: ghissue.Fixed(target),
		OnOutcome: func(d *drift.Drift, o ghissue.Outcome, rc ticket.Receipt) {
			say(outcomeText[o], rc.ExternalID, ghissue.Title(d))
		},
	})
	if err != nil {
		return err
	}
	var failed []string
	total := 0
	for _, root := range rep.Roots {
		for _, ad := range root.Drifts {
			d := ad.Drift
			total++
			n := &ticket.Notice{Sink: sink.Name(), Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint}
			if _, err := sink.Send(ctx, n); err != nil {
				say("issue for %s not written: %v", d.ResourceAddress, err)
				failed = append(failed, d.ResourceAddress)
			}
		}
	}
	var errs []error
	if len(failed) > 0 {
		errs = append(errs, fmt.Errorf("--open-issues: the issues of %d of %d drifted resources were not opened or updated in %s: %s",
			len(failed), total, r.fullName(), strings.Join(failed, ", ")))
	}
	for i, root := range rep.Roots {
		if root.Err != nil || i >= len(roots) {
			continue // a root not checked says nothing of its resources
		}
		if err := closeInSync(ctx, sink, target, roots[i], root, r.sha, say); err != nil {
			errs = append(errs, fmt.Errorf("--open-issues: %s in %s", err, r.fullName()))
		}
	}
	return errors.Join(errs...)
}

// closeInSync closes the open issues (and overflow entries) of the
// resources of one checked root that no longer drift: reverted in the
// cloud, applied, or drifting now only in ignored attributes. Drifts the
// App found in the root's state are closed the same way, since a
// pipeline and the App share one issue per resource. The error names
// what could not be read or closed.
func closeInSync(ctx context.Context, sink *ghissue.Sink, target ghissue.Target, rt root, res action.Root, sha string,
	say func(string, ...any)) error {
	open, err := sink.OpenDrifts(ctx, target, rt.stateName(), rt.spec.Workspace)
	if err != nil {
		say("the open issues of %s not read: %v", res.Dir, err)
		return fmt.Errorf("the open issues of root %s could not be read: %w", res.Dir, err)
	}
	drifting := map[string]bool{}
	for _, ad := range res.Drifts {
		drifting[ad.Drift.ResourceAddress] = true
	}
	reason := "tfdrift check found the resource in sync with the cloud"
	if sha != "" {
		reason += " at " + sha
	}
	tried := 0
	var failed []string
	for _, o := range open {
		d := o.Drift
		if drifting[d.ResourceAddress] {
			continue
		}
		tried++
		d.EventID = "tfdrift-check:in-sync"
		d.Terraform.Root = rt.dir
		n := &ticket.Notice{Sink: sink.Name(), Kind: ticket.KindResolved, Drift: d, Reason: reason}
		if _, err := sink.Send(ctx, n); err != nil {
			say("issue for %s not closed: %v", d.ResourceAddress, err)
			failed = append(failed, d.ResourceAddress)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("the issues of %d of %d resources of root %s found in sync were not closed: %s",
			len(failed), tried, res.Dir, strings.Join(failed, ", "))
	}
	return nil
}

// outcomeText words each outcome a drift can have in a pipeline: the
// issue, then its title.
var outcomeText = map[ghissue.Outcome]string{
	ghissue.Opened:     "opened %s: %s",
	ghissue.Commented:  "commented on %s: %s",
	ghissue.Unchanged:  "%s already shows this drift: %s",
	ghissue.Overflowed: "over max_open_issues, listed in %s: %s",
	ghissue.Closed:     "closed %s, in sync now: %s",
	ghissue.NotOpen:    "%.0sin sync now, taken off the overflow list: %s",
}
