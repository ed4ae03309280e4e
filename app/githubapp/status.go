package githubapp

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// Discover lists every installation and repository now and loads what
// changed (what Run does at start and every Relist).
func (a *App) Discover(ctx context.Context) error { return a.refreshAll(ctx) }

// Status is what discovery knows, for `tfdrift app status`.
type Status struct {
	// At is when discovery last listed everything (zero: never).
	At            time.Time
	Installations []InstallationStatus
	// Unclaimed are the configured state sources no repository's root
	// names: their drifts open no issue.
	Unclaimed []string
}

// InstallationStatus is one installation.
type InstallationStatus struct {
	ID      int64
	Account string
	// Err is why its repositories could not be listed.
	Err   string
	Repos []RepoStatus
}

// RepoStatus is one repository of an installation.
type RepoStatus struct {
	FullName string
	// HasConfig: the default branch holds a .tfdrift.yml; without one
	// the repository files nothing.
	HasConfig bool
	// Head is the default branch head last read; SHA the commit whose
	// configuration and code are in use ("" when none loaded).
	Head, SHA string
	Roots     []RootStatus
	// Problems are why Head's .tfdrift.yml or code did not load
	// ("file:line: message"); Err why the repository could not be read.
	Problems []string
	Err      string
}

// RootStatus is one root of a repository's .tfdrift.yml.
type RootStatus struct {
	Dir, Workspace string
	// State is the state source the root names ("" when it names none);
	// Known says the server configures a source of that name or alias.
	State       string
	Known       bool
	Issues      bool
	MinSeverity drift.Severity
}

// Status reports what discovery knows now.
func (a *App) Status() Status {
	v := a.view.Load()
	st := Status{At: v.at}
	for _, in := range v.installations {
		is := InstallationStatus{ID: in.ID, Account: in.Account, Err: in.Err}
		for _, name := range in.Repos {
			r := v.repos[strings.ToLower(name)]
			if r == nil {
				continue
			}
			rs := RepoStatus{FullName: r.FullName, HasConfig: r.HasConfig, Head: r.Head, SHA: r.SHA, Err: r.Err}
			if r.Problem != nil {
				for _, an := range r.Problem.Annotations {
					rs.Problems = append(rs.Problems, (&Problem{Annotations: []Annotation{an}}).String())
				}
			}
			for _, rt := range r.Roots {
				rs.Roots = append(rs.Roots, RootStatus{Dir: rt.spec.Dir, Workspace: rt.spec.Workspace, State: rt.state,
					Known: rt.known, Issues: rt.spec.Issues, MinSeverity: rt.spec.MinSeverity})
			}
			is.Repos = append(is.Repos, rs)
		}
		st.Installations = append(st.Installations, is)
	}
	for _, s := range a.o.States {
		if len(v.byState[s.Name]) == 0 && !slices.Contains(st.Unclaimed, s.Name) {
			st.Unclaimed = append(st.Unclaimed, s.Name)
		}
	}
	return st
}
