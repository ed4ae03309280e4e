package githubapp

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/locate"
)

// view is what discovery knows, immutable once published: a refresh
// builds a new one and swaps it in whole, so look-ups never lock.
type view struct {
	at            time.Time
	installations []*installation
	// repos are keyed by lower-case "owner/name", as GitHub's names are
	// case-insensitive.
	repos map[string]*repo
	// byState lists, per state source name, the roots that name it, in
	// repository name order.
	byState map[string][]claim
}

// claim is a root of a repository: where a drift of its state goes.
type claim struct {
	repo *repo
	root *root
}

// installation is one installation of the App.
type installation struct {
	ID      int64
	Account string
	// Repos are every repository it reaches, with a .tfdrift.yml or not.
	Repos []string
	// Err is why its repositories could not be listed (the previous list
	// is kept).
	Err string
}

// repo is one repository the App reaches.
type repo struct {
	Installation           int64
	Owner, Name, FullName  string
	HTMLURL, DefaultBranch string
	// Head is the default branch head discovery last looked at; SHA the
	// commit Config and the roots' code were read at (the last good one).
	Head, SHA string
	// HasConfig: Head holds a .tfdrift.yml. A repository without one is
	// listed (app status) and files nothing.
	HasConfig bool
	Config    *config.RepoConfig
	Roots     []*root
	// Ignore is the ignore: lines of .tfdrift.yml, then the repository's
	// .tfdriftignore.
	Ignore config.IgnoreChain
	// Problem is why Head did not load (its .tfdrift.yml or code); nil
	// when Head is what is in use.
	Problem *Problem
	// Err is a failure to read the repository at all (GitHub down): the
	// next refresh tries again.
	Err string
}

// root is one root module of a repository's .tfdrift.yml.
type root struct {
	spec config.RepoRoot
	// state is the state source name the root's state: means; known
	// says a configured source has that name or alias.
	state string
	known bool
	code  *locate.Repo
}

// Problem is a .tfdrift.yml (or the code it names) that failed to load
// at a commit.
type Problem struct {
	SHA         string
	Annotations []Annotation
}

// Annotation is one problem at a file and line.
type Annotation struct {
	Path    string
	Line    int
	Message string
}

func (p *Problem) String() string {
	var lines []string
	for _, a := range p.Annotations {
		if a.Line > 0 {
			lines = append(lines, a.Path+":"+strconv.Itoa(a.Line)+": "+a.Message)
		} else {
			lines = append(lines, a.Path+": "+a.Message)
		}
	}
	return strings.Join(lines, "\n")
}

func emptyView() *view {
	return &view{repos: map[string]*repo{}, byState: map[string][]claim{}}
}

// with returns a copy of v with r in place of the repository of its
// name (or without it when r is nil and name is given).
func (v *view) with(name string, r *repo) *view {
	nv := &view{at: v.at, installations: v.installations, repos: maps.Clone(v.repos)}
	if r == nil {
		delete(nv.repos, strings.ToLower(name))
	} else {
		nv.repos[strings.ToLower(r.FullName)] = r
	}
	nv.index()
	return nv
}

// index builds byState from repos.
func (v *view) index() {
	v.byState = map[string][]claim{}
	names := slices.Sorted(maps.Keys(v.repos))
	for _, n := range names {
		r := v.repos[n]
		for _, rt := range r.Roots {
			if rt.state != "" {
				v.byState[rt.state] = append(v.byState[rt.state], claim{r, rt})
			}
		}
	}
}

// claim returns the root a drift of the state source and workspace
// belongs to: one that names the workspace, else one that names no
// workspace; repositories in name order, roots in file order.
func (v *view) claim(state, workspace string) (claim, bool) {
	if state == "" {
		return claim{}, false
	}
	roots := v.byState[state]
	if workspace == "" {
		workspace = "default"
	}
	for _, c := range roots {
		if c.root.spec.Workspace == workspace {
			return c, true
		}
	}
	for _, c := range roots {
		if c.root.spec.Workspace == "" {
			return c, true
		}
	}
	return claim{}, false
}

// claimDrift is claim for a drift's state and workspace.
func (v *view) claimDrift(d *drift.Drift) (claim, bool) {
	if d == nil {
		return claim{}, false
	}
	return v.claim(d.Terraform.State, d.Terraform.Workspace)
}
