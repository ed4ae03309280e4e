package githubapp

import (
	"slices"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/detector/drift"
)

// Claim is the root of a repository that files a drift: where its issue
// goes, and what .tfdrift.yml says of it.
type Claim struct {
	Installation int64
	// Repo is "owner/name"; HTMLURL its web address.
	Repo, HTMLURL string
	// Root is the root's directory ("." for the repository's top).
	Root        string
	Issues      bool
	MinSeverity drift.Severity
	Labels      []string
	Assignees   []string
	// Mode is the root's mode: (config.ModeIssue or config.ModePR).
	Mode config.RootMode
}

// Claim returns the root that files d: the one naming d's state (and
// workspace), in the repositories discovery loaded.
func (a *App) Claim(d *drift.Drift) (Claim, bool) {
	cl, ok := a.view.Load().claimDrift(d)
	if !ok {
		return Claim{}, false
	}
	return Claim{Installation: cl.repo.Installation, Repo: cl.repo.FullName, HTMLURL: cl.repo.HTMLURL,
		Root: cl.root.spec.Dir, Issues: cl.root.spec.Issues, MinSeverity: cl.root.spec.MinSeverity,
		Labels: slices.Clone(cl.root.spec.Labels), Assignees: slices.Clone(cl.root.spec.Assignees), Mode: cl.root.spec.Mode}, true
}

// Wants reports whether the App's own channel opens an issue for d: a
// root claims it, with issues: true, and d is at least the root's
// min_severity. No rule has to name the channel. A drift no root claims
// is counted as unrouted.
func (a *App) Wants(d *drift.Drift) bool {
	c, ok := a.Claim(d)
	if !ok {
		a.Unrouted(d)
		return false
	}
	return c.Issues && d.Severity.AtLeast(c.MinSeverity)
}

// Unrouted logs and counts a drift no repository claims, once per
// drift: no GitHub issue is opened for it.
func (a *App) Unrouted(d *drift.Drift) {
	if d == nil {
		return
	}
	fp := d.Fingerprint
	if fp == "" {
		fp = d.ComputeFingerprint()
	}
	if !a.unrouted.add(fp) {
		return
	}
	a.m.unrouted.Inc()
	a.log.Warn("github: no repository claims this drift's state: no issue is opened (name the state in a root of a repository's .tfdrift.yml; see tfdrift app status)",
		"state", d.Terraform.State, "workspace", d.Terraform.Workspace, "resource", resourceLabel(d), "fingerprint", fp)
}

func resourceLabel(d *drift.Drift) string {
	if d.ResourceAddress != "" {
		return d.ResourceAddress
	}
	return d.ResourceType + " " + d.ResourceID
}
