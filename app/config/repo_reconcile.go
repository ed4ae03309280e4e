package config

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// The .tfdrift.yml keys of reconciliation (the GitHub App's accept pull
// requests and commands, app/reconcile): mode, reviewers and labels per
// root, revert_permission for the repository.

// RootMode is a root's mode: key.
type RootMode string

// The modes of a root.
const (
	ModeIssue RootMode = "issue"
	ModePR    RootMode = "pr"
)

// The roles revert_permission may name, lowest first, and its default.
var revertPermissions = []string{"write", "maintain", "admin"}

// DefaultRevertPermission is the role "/tfdrift revert" needs when
// .tfdrift.yml does not say.
const DefaultRevertPermission = "maintain"

// reconcileKeys validates a root's mode, reviewers and labels into root
// and returns the problems, each starting with where ("…: roots[0]").
func (root *RepoRoot) reconcileKeys(where, mode string, reviewers, labels []string) []string {
	var problems []string
	root.Mode = RootMode(mode)
	switch root.Mode {
	case "":
		root.Mode = ModeIssue
	case ModeIssue, ModePR:
	default:
		problems = append(problems, fmt.Sprintf("%s.mode: %q is not issue or pr", where, mode))
	}
	for j, rv := range reviewers {
		if msg := checkReviewer(rv); msg != "" {
			problems = append(problems, fmt.Sprintf("%s.reviewers[%d]: %q %s", where, j, rv, msg))
		}
	}
	for j, l := range labels {
		if strings.TrimSpace(l) == "" || len(l) > 50 {
			problems = append(problems, fmt.Sprintf("%s.labels[%d]: %q: a label is 1 to 50 characters", where, j, l))
		}
	}
	root.Reviewers, root.Labels = reviewers, labels
	return problems
}

// revertPermission validates revert_permission into rc (its default
// when unset) and returns the problems.
func (rc *RepoConfig) revertPermission(name, raw string) []string {
	rc.RevertPermission = DefaultRevertPermission
	p := strings.TrimSpace(raw)
	if p == "" {
		return nil
	}
	rc.RevertPermission = p
	if !slices.Contains(revertPermissions, p) {
		return []string{fmt.Sprintf("%s: revert_permission: %q is not one of %s", name, raw, strings.Join(revertPermissions, ", "))}
	}
	return nil
}

// reviewerName is a GitHub login or an "org/team-slug".
var reviewerName = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9._-]{1,100})?$`)

// checkReviewer says why r cannot be asked for a review, or "".
func checkReviewer(r string) string {
	if !reviewerName.MatchString(r) {
		return "is not a GitHub login or an org/team-slug"
	}
	return ""
}

// RootFor returns the root module a drift's location belongs to: the
// root whose dir the location names (the GitHub App's locator sets it),
// else the root that writes the state (a state source's name), else the
// only root on that workspace or in that directory, the way the detector
// maps a drift to its root (locate.MultiRepo.ForState), else a lone root
// that names no state. A repository without .tfdrift.yml (rc nil) is one
// root at its top.
func (rc *RepoConfig) RootFor(loc drift.Location) (RepoRoot, bool) {
	if rc == nil {
		return RepoRoot{Dir: ".", Mode: ModeIssue}, true
	}
	if loc.Root != "" {
		dir := path.Clean(loc.Root)
		for _, r := range rc.Roots {
			if r.Dir == dir {
				return r, true
			}
		}
	}
	for _, r := range rc.Roots {
		if loc.State != "" && r.State == loc.State {
			return r, true
		}
	}
	for _, key := range []string{loc.State, loc.Workspace} {
		var found []RepoRoot
		for _, r := range rc.Roots {
			if key != "" && r.State == "" && (r.Workspace == key || r.Dir == key) {
				found = append(found, r)
			}
		}
		if len(found) == 1 {
			return found[0], true
		}
	}
	if len(rc.Roots) == 1 && rc.Roots[0].State == "" {
		return rc.Roots[0], true
	}
	return RepoRoot{}, false
}
