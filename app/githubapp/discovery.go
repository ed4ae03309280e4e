package githubapp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/detector/ignore"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/gitops/locate"
)

// repoMeta is what GitHub says of a repository, from a list or a
// webhook payload.
type repoMeta struct {
	Installation                        int64
	Owner, Name, HTMLURL, DefaultBranch string
}

func (m repoMeta) fullName() string { return m.Owner + "/" + m.Name }

func metaOf(installation int64, r *github.Repository) repoMeta {
	m := repoMeta{Installation: installation, Owner: r.GetOwner().GetLogin(), Name: r.GetName(),
		HTMLURL: r.GetHTMLURL(), DefaultBranch: r.GetDefaultBranch()}
	if m.Owner == "" {
		m.Owner, _, _ = strings.Cut(r.GetFullName(), "/")
	}
	if m.DefaultBranch == "" {
		m.DefaultBranch = "main"
	}
	return m
}

// refreshAll lists every installation and repository and reloads each
// repository whose default branch moved. A failure keeps what was known:
// of everything when the installations cannot be listed, of one
// installation's repositories when they cannot.
func (a *App) refreshAll(ctx context.Context) error {
	a.refreshMu.Lock()
	defer a.refreshMu.Unlock()
	a.loadSlug(ctx)
	old := a.view.Load()
	insts, err := a.gh.Client().ListInstallations(ctx)
	if err != nil {
		a.m.discovery.WithLabelValues("error").Inc()
		return fmt.Errorf("list installations: %w", err)
	}
	nv := &view{at: a.o.Now(), repos: map[string]*repo{}}
	live := map[int64]bool{}
	var errs []error
	for _, in := range insts {
		id := in.GetID()
		live[id] = true
		inst := &installation{ID: id, Account: in.GetAccount().GetLogin()}
		nv.installations = append(nv.installations, inst)
		c := a.gh.Installation(id)
		list, err := c.ListRepos(ctx)
		if err != nil {
			inst.Err = err.Error()
			errs = append(errs, err)
			for k, r := range old.repos {
				if r.Installation == id {
					nv.repos[k] = r
					inst.Repos = append(inst.Repos, r.FullName)
				}
			}
			continue
		}
		for _, gr := range list {
			meta := metaOf(id, gr)
			key := strings.ToLower(meta.fullName())
			inst.Repos = append(inst.Repos, meta.fullName())
			nv.repos[key] = a.loadRepo(ctx, c, meta, old.repos[key], "")
		}
		slices.Sort(inst.Repos)
	}
	for _, inst := range old.installations {
		if !live[inst.ID] {
			a.gh.Forget(inst.ID) // uninstalled: its token and pacer go
		}
	}
	nv.index()
	a.view.Store(nv)
	a.gauges(nv)
	if err := errors.Join(errs...); err != nil {
		a.m.discovery.WithLabelValues("error").Inc()
		return err
	}
	a.m.discovery.WithLabelValues("ok").Inc()
	return nil
}

// refreshRepo reloads one repository at head (its new default branch
// head, from a push) and swaps it into the view.
func (a *App) refreshRepo(ctx context.Context, meta repoMeta, head string) {
	a.refreshMu.Lock()
	defer a.refreshMu.Unlock()
	old := a.view.Load()
	key := strings.ToLower(meta.fullName())
	prev := old.repos[key]
	if prev == nil && !a.knowsInstallation(old, meta.Installation) {
		// A repository of an installation discovery has not seen yet:
		// list everything, which picks it up with its siblings.
		a.requestRelist()
		return
	}
	r := a.loadRepo(ctx, a.gh.Installation(meta.Installation), meta, prev, head)
	nv := old.with(meta.fullName(), r)
	a.view.Store(nv)
	a.gauges(nv)
}

func (a *App) knowsInstallation(v *view, id int64) bool {
	return slices.ContainsFunc(v.installations, func(i *installation) bool { return i.ID == id })
}

func (a *App) gauges(v *view) {
	n := 0
	for _, r := range v.repos {
		if r.Config != nil {
			n++
		}
	}
	a.m.repos.Set(float64(n))
	a.m.installs.Set(float64(len(v.installations)))
}

// loadRepo reads a repository at head ("" resolves its default branch):
// .tfdrift.yml, then the code of every root it lists. It returns the
// repository as it is to be used: the new commit's configuration and
// code when they load; the previous good ones, with the Problem, when
// they do not; the previous ones, with Err, when GitHub could not be
// read (Head stays, so the next refresh tries again).
func (a *App) loadRepo(ctx context.Context, c *ghapi.Client, meta repoMeta, prev *repo, head string) *repo {
	r := &repo{Installation: meta.Installation, Owner: meta.Owner, Name: meta.Name, FullName: meta.fullName(),
		HTMLURL: meta.HTMLURL, DefaultBranch: meta.DefaultBranch}
	if prev != nil {
		r.Head, r.SHA, r.HasConfig, r.Config, r.Roots, r.Ignore, r.Problem = prev.Head, prev.SHA, prev.HasConfig, prev.Config, prev.Roots, prev.Ignore, prev.Problem
	}
	fail := func(err error) *repo {
		r.Err = err.Error()
		a.log.Warn("github: could not read a repository; keeping what was known", "repo", r.FullName, "err", err)
		return r
	}
	if head == "" {
		sha, err := c.ResolveRef(ctx, meta.Owner, meta.Name, meta.DefaultBranch)
		if err != nil {
			var nf *ghapi.NotFoundError
			if errors.As(err, &nf) { // an empty repository has no branch yet
				return &repo{Installation: r.Installation, Owner: r.Owner, Name: r.Name, FullName: r.FullName,
					HTMLURL: r.HTMLURL, DefaultBranch: r.DefaultBranch}
			}
			return fail(err)
		}
		head = sha
	}
	if prev != nil && prev.Head == head && prev.Err == "" {
		return r
	}
	file, err := c.ReadFile(ctx, meta.Owner, meta.Name, config.RepoFileName, head)
	var nf *ghapi.NotFoundError
	if errors.As(err, &nf) {
		// No .tfdrift.yml (any more): the repository files nothing.
		return &repo{Installation: r.Installation, Owner: r.Owner, Name: r.Name, FullName: r.FullName,
			HTMLURL: r.HTMLURL, DefaultBranch: r.DefaultBranch, Head: head}
	}
	if err != nil {
		return fail(err)
	}
	rc, perr := config.ParseRepo(config.RepoFileName, file.Content)
	if perr != nil {
		r.Head, r.HasConfig, r.Problem = head, true, repoProblem(head, perr)
		a.reportProblem(ctx, c, r)
		return r
	}
	roots, ign, prob, err := a.loadCode(ctx, c, meta, head, rc)
	if err != nil {
		return fail(err)
	}
	if prob != nil {
		r.Head, r.HasConfig, r.Problem = head, true, prob
		a.reportProblem(ctx, c, r)
		return r
	}
	nr := &repo{Installation: r.Installation, Owner: r.Owner, Name: r.Name, FullName: r.FullName,
		HTMLURL: r.HTMLURL, DefaultBranch: r.DefaultBranch, Head: head, SHA: head, HasConfig: true,
		Config: rc, Roots: roots, Ignore: ign}
	a.log.Info("github: repository loaded", "repo", nr.FullName, "sha", head, "roots", len(roots))
	a.reportLoaded(ctx, c, nr)
	return nr
}

// loadCode loads the roots of rc from the repository's tree at sha. A
// tree that cannot be fetched is an error (try again later); code that
// does not load is a Problem.
func (a *App) loadCode(ctx context.Context, c *ghapi.Client, meta repoMeta, sha string, rc *config.RepoConfig) ([]*root, config.IgnoreChain, *Problem, error) {
	snap, err := a.o.Snapshots.Get(ctx, c, meta.Owner, meta.Name, sha)
	if err != nil {
		var lim *ghapi.LimitError
		var arch *ghapi.ArchiveError
		if errors.As(err, &lim) || errors.As(err, &arch) {
			return nil, nil, &Problem{SHA: sha, Annotations: []Annotation{{Path: config.RepoFileName, Line: 1,
				Message: "tfdrift cannot read this commit's code: " + err.Error()}}}, nil
		}
		return nil, nil, nil, err
	}
	defer snap.Release()
	fsRoot, err := os.OpenRoot(snap.Dir)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("snapshot %s@%s: %w", meta.fullName(), sha, err)
	}
	defer fsRoot.Close()
	specs := make([]locate.RootSpec, len(rc.Roots))
	for i, rr := range rc.Roots {
		specs[i] = locate.RootSpec{Dir: rr.Dir, Workspace: rr.Workspace, VarFiles: rr.VarFiles}
	}
	multi, err := locate.LoadMultiFS(fsRoot.FS(), specs)
	if err != nil {
		return nil, nil, codeProblem(sha, rc, err), nil
	}
	fileIgnore, err := ignore.Load(filepath.Join(snap.Dir, ignore.FileName))
	if err != nil {
		return nil, nil, codeProblem(sha, rc, err), nil
	}
	var roots []*root
	for i, code := range multi.Repos() {
		spec := rc.Roots[i]
		rt := &root{spec: spec, code: code}
		if spec.State != "" {
			rt.state, rt.known = a.names.resolve(spec.State)
		}
		roots = append(roots, rt)
	}
	var chain config.IgnoreChain
	if rc.Ignore != nil || fileIgnore.Len() > 0 {
		chain = config.IgnoreChain{rc.Ignore, fileIgnore}
	}
	return roots, chain, nil, nil
}

// repoProblem turns a .tfdrift.yml's problems into annotations.
func repoProblem(sha string, err error) *Problem {
	p := &Problem{SHA: sha}
	var re *config.RepoError
	if errors.As(err, &re) {
		for _, rp := range re.Problems {
			p.Annotations = append(p.Annotations, Annotation{Path: config.RepoFileName, Line: rp.Line, Message: rp.Msg})
		}
		return p
	}
	p.Annotations = []Annotation{{Path: config.RepoFileName, Message: err.Error()}}
	return p
}

// codeProblem turns a failure to load the roots' code into annotations:
// at the code's file and line where the error has one, else at the root
// of .tfdrift.yml that names the code.
func codeProblem(sha string, rc *config.RepoConfig, err error) *Problem {
	p := &Problem{SHA: sha}
	line := 1
	for _, r := range rc.Roots {
		if strings.HasPrefix(err.Error(), "root "+r.Dir+":") {
			line = r.Line
		}
	}
	var walk func(error)
	walk = func(err error) {
		for e := err; e != nil; e = errors.Unwrap(e) {
			if j, ok := e.(interface{ Unwrap() []error }); ok {
				for _, inner := range j.Unwrap() {
					walk(inner)
				}
				return
			}
			if ce, ok := e.(*locate.ConfigError); ok {
				p.Annotations = append(p.Annotations, Annotation{Path: ce.File, Line: ce.Line, Message: ce.Msg})
				return
			}
		}
		p.Annotations = append(p.Annotations, Annotation{Path: config.RepoFileName, Line: line, Message: err.Error()})
	}
	walk(err)
	return p
}
