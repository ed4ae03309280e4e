package githubfake

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// User is a GitHub account the fake knows: commenters, collaborators,
// Apps' bots, installation accounts.
type User struct {
	Login string
	ID    int64
	Type  string // "User", "Bot" or "Organization"
}

// AddUser registers an account; a login ending in "[bot]" is a Bot.
// Accounts named anywhere else (a comment's author, a collaborator) are
// registered on first use.
func (s *Server) AddUser(login string) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.user(login)
}

func (s *Server) user(login string) *User {
	k := strings.ToLower(login)
	if u, ok := s.users[k]; ok {
		return u
	}
	u := &User{Login: login, ID: s.newID(), Type: "User"}
	if strings.HasSuffix(login, "[bot]") {
		u.Type = "Bot"
	}
	s.users[k] = u
	return u
}

// noreply is the commit e-mail address GitHub gives an account.
func (u *User) noreply() string { return fmt.Sprintf("%d+%s@users.noreply.github.com", u.ID, u.Login) }

// signature is login signing at t (to the second, as git stores it).
func (s *Server) signature(login string, t time.Time) Signature {
	u := s.user(login)
	return Signature{Name: u.Login, Email: u.noreply(), Date: t.Truncate(time.Second)}
}

func (s *Server) ghUser(u *User) map[string]any {
	return map[string]any{
		"login": u.Login, "id": u.ID, "type": u.Type, "node_id": fmt.Sprintf("U_%d", u.ID),
		"html_url": s.htmlURL("/" + url.PathEscape(u.Login)), "site_admin": false,
	}
}

// RepoSpec registers a repository.
type RepoSpec struct {
	Owner, Name   string
	DefaultBranch string // default "main"
	Private       bool
	// Files, when set, are the first commit on the default branch.
	Files map[string]string
}

type repoState struct {
	id            int64
	owner, name   string
	private       bool
	defaultBranch string
	created       time.Time
	obj           *objects
	refs          map[string]string // "refs/heads/main" → SHA
	nextNumber    int
	issues        map[int]*Issue
	pulls         map[int]*pullState
	comments      []*Comment
	labels        []*Label
	reactions     []*Reaction
	checkRuns     []*CheckRun
	perms         map[string]role // lower login → role
	apiObjects    []APIObject
}

func (r *repoState) key() string      { return strings.ToLower(r.owner + "/" + r.name) }
func (r *repoState) fullName() string { return r.owner + "/" + r.name }

// Repo is a handle on a fake repository: test-side writes (commits,
// comments by people, merges) and inspection of what the API wrote.
type Repo struct {
	s   *Server
	key string
}

// AddRepo registers a repository; its owner is registered as an
// organization unless already known.
func (s *Server) AddRepo(spec RepoSpec) *Repo {
	s.mu.Lock()
	if spec.Owner == "" || spec.Name == "" {
		s.mu.Unlock()
		s.tb.Fatalf("githubfake: AddRepo needs Owner and Name")
	}
	if spec.DefaultBranch == "" {
		spec.DefaultBranch = "main"
	}
	r := &repoState{
		id: s.newID(), owner: spec.Owner, name: spec.Name, private: spec.Private,
		defaultBranch: spec.DefaultBranch, created: s.now(), obj: newObjects(),
		refs: map[string]string{}, nextNumber: 1, issues: map[int]*Issue{}, pulls: map[int]*pullState{},
		perms: map[string]role{},
	}
	if _, dup := s.repos[r.key()]; dup {
		s.mu.Unlock()
		s.tb.Fatalf("githubfake: repository %s registered twice", r.fullName())
	}
	if _, known := s.users[strings.ToLower(spec.Owner)]; !known {
		s.user(spec.Owner).Type = "Organization"
	}
	s.repos[r.key()] = r
	s.mu.Unlock()
	h := &Repo{s: s, key: r.key()}
	if spec.Files != nil {
		h.Commit(CommitSpec{Files: spec.Files, Message: "Initial commit"})
	}
	return h
}

// Repo returns the handle of a registered repository ("owner/name").
func (s *Server) Repo(fullName string) *Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.repos[strings.ToLower(fullName)]; !ok {
		s.tb.Fatalf("githubfake: no repository %s", fullName)
	}
	return &Repo{s: s, key: strings.ToLower(fullName)}
}

func (s *Server) sortedRepos() []*repoState {
	var out []*repoState
	for _, r := range s.repos {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// with runs f on the repository's state under the server's lock.
func (h *Repo) with(f func(r *repoState)) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	f(h.s.repos[h.key])
}

// FullName is "owner/name".
func (h *Repo) FullName() string {
	var n string
	h.with(func(r *repoState) { n = r.fullName() })
	return n
}

// DefaultBranch is the repository's default branch.
func (h *Repo) DefaultBranch() string {
	var n string
	h.with(func(r *repoState) { n = r.defaultBranch })
	return n
}

// HTMLURL is the repository's web address (permalinks start with it).
func (h *Repo) HTMLURL() string {
	var u string
	h.with(func(r *repoState) { u = h.s.htmlURL("/" + r.fullName()) })
	return u
}

// CommitSpec is a commit a test pushes.
type CommitSpec struct {
	// Branch is the branch to commit on; default the default branch. Its
	// head becomes the parent; a new branch starts from the default
	// branch's head.
	Branch  string
	Message string
	// Files is the whole tree at this commit, path → content.
	Files map[string]string
	// Symlinks are added to the tree, path → target.
	Symlinks map[string]string
	// Executable paths of Files get mode 100755.
	Executable []string
	// Author is a login; default the repository's owner.
	Author string
	// Parents overrides the parent (a merge, or history a test shapes).
	Parents []string
}

// Commit pushes a commit and returns its SHA.
func (h *Repo) Commit(spec CommitSpec) string {
	var sha string
	h.with(func(r *repoState) { sha = h.s.commit(r, spec) })
	return sha
}

func (s *Server) commit(r *repoState, spec CommitSpec) string {
	if spec.Branch == "" {
		spec.Branch = r.defaultBranch
	}
	if spec.Message == "" {
		spec.Message = "Update " + spec.Branch
	}
	if spec.Author == "" {
		spec.Author = r.owner
	}
	files := map[string]gitFile{}
	for p, content := range spec.Files {
		mode := modeFile
		if slices.Contains(spec.Executable, p) {
			mode = modeExec
		}
		files[strings.Trim(p, "/")] = gitFile{mode: mode, sha: r.obj.putBlob([]byte(content))}
	}
	for p, target := range spec.Symlinks {
		files[strings.Trim(p, "/")] = gitFile{mode: modeSymlink, sha: r.obj.putBlob([]byte(target))}
	}
	parents := spec.Parents
	if parents == nil {
		if head, ok := r.refs["refs/heads/"+spec.Branch]; ok {
			parents = []string{head}
		} else if head, ok := r.refs["refs/heads/"+r.defaultBranch]; ok {
			parents = []string{head}
		}
	}
	sig := s.signature(spec.Author, s.now())
	c := &Commit{Tree: r.obj.buildTree(files), Parents: parents, Message: spec.Message, Author: sig, Committer: sig}
	sha := r.obj.putCommit(c)
	r.refs["refs/heads/"+spec.Branch] = sha
	return sha
}

// Head is a branch's head SHA ("" when there is no such branch).
func (h *Repo) Head(branch string) string {
	var sha string
	h.with(func(r *repoState) { sha = r.refs["refs/heads/"+branch] })
	return sha
}

// Refs returns every ref and the SHA it points at.
func (h *Repo) Refs() map[string]string {
	var m map[string]string
	h.with(func(r *repoState) { m = maps(r.refs) })
	return m
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Files returns the whole tree at a ref (branch, tag or SHA): path →
// content (a symlink's content is its target). ok is false for an
// unknown ref.
func (h *Repo) Files(ref string) (files map[string]string, ok bool) {
	h.with(func(r *repoState) {
		sha, found := r.resolve(ref)
		if !found {
			return
		}
		ok = true
		files = map[string]string{}
		for p, f := range r.obj.flatten(r.obj.commits[sha].Tree) {
			files[p] = string(r.obj.blobs[f.sha])
		}
	})
	return files, ok
}

// GetCommit returns a commit by SHA.
func (h *Repo) GetCommit(sha string) (Commit, bool) {
	var c Commit
	var ok bool
	h.with(func(r *repoState) {
		var p *Commit
		if p, ok = r.obj.commits[sha]; ok {
			c = *p
			c.Parents = slices.Clone(p.Parents)
		}
	})
	return c, ok
}

// APIObject is a git object created through the Git data API.
type APIObject struct {
	Kind  string // "blob", "tree" or "commit"
	SHA   string
	Actor string
}

// APIObjects lists the git objects created through the API, in order.
func (h *Repo) APIObjects() []APIObject {
	var out []APIObject
	h.with(func(r *repoState) { out = slices.Clone(r.apiObjects) })
	return out
}

var hexRe = regexp.MustCompile(`^[0-9a-f]{7,40}$`)

// resolve turns a ref (branch, tag, refs/…, full or abbreviated SHA; ""
// for the default branch) into a commit SHA.
func (r *repoState) resolve(ref string) (string, bool) {
	if ref == "" {
		ref = r.defaultBranch
	}
	for _, full := range []string{ref, "refs/heads/" + ref, "refs/tags/" + ref} {
		if sha, ok := r.refs[full]; ok {
			return sha, true
		}
	}
	if !hexRe.MatchString(ref) {
		return "", false
	}
	if _, ok := r.obj.commits[ref]; ok {
		return ref, true
	}
	var match string
	for sha := range r.obj.commits {
		if strings.HasPrefix(sha, ref) {
			if match != "" {
				return "", false
			}
			match = sha
		}
	}
	return match, match != ""
}

func (s *Server) ghRepo(r *repoState) map[string]any {
	vis := "public"
	if r.private {
		vis = "private"
	}
	return map[string]any{
		"id": r.id, "node_id": fmt.Sprintf("R_%d", r.id), "name": r.name, "full_name": r.fullName(),
		"owner": s.ghUser(s.user(r.owner)), "private": r.private, "visibility": vis,
		"html_url": s.htmlURL("/" + r.fullName()), "url": strings.TrimSuffix(s.URL, "/") + "/repos/" + r.fullName(),
		"clone_url": s.htmlURL("/" + r.fullName() + ".git"), "default_branch": r.defaultBranch,
		"archived": false, "disabled": false, "fork": false,
		"created_at": r.created, "updated_at": r.created, "pushed_at": r.created,
	}
}

func (s *Server) ghCommitSig(sg Signature) map[string]any {
	return map[string]any{"name": sg.Name, "email": sg.Email, "date": sg.Date.Format(time.RFC3339)}
}

// ghGitCommit is a commit as the Git data API shows it.
func (s *Server) ghGitCommit(r *repoState, c *Commit) map[string]any {
	parents := []map[string]any{}
	for _, p := range c.Parents {
		parents = append(parents, map[string]any{"sha": p, "url": s.repoAPI(r, "/git/commits/"+p)})
	}
	reason := "unsigned"
	if c.Verified {
		reason = "valid"
	}
	return map[string]any{
		"sha": c.SHA, "node_id": "C_" + c.SHA[:12], "url": s.repoAPI(r, "/git/commits/"+c.SHA),
		"html_url": s.htmlURL("/" + r.fullName() + "/commit/" + c.SHA),
		"author":   s.ghCommitSig(c.Author), "committer": s.ghCommitSig(c.Committer), "message": c.Message,
		"tree":         map[string]any{"sha": c.Tree, "url": s.repoAPI(r, "/git/trees/"+c.Tree)},
		"parents":      parents,
		"verification": map[string]any{"verified": c.Verified, "reason": reason},
	}
}

// ghRepoCommit is a commit as GET /repos/{o}/{r}/commits/{ref} shows it.
func (s *Server) ghRepoCommit(r *repoState, c *Commit) map[string]any {
	parents := []map[string]any{}
	for _, p := range c.Parents {
		parents = append(parents, map[string]any{"sha": p, "url": s.repoAPI(r, "/commits/"+p)})
	}
	return map[string]any{
		"sha": c.SHA, "url": s.repoAPI(r, "/commits/"+c.SHA), "html_url": s.htmlURL("/" + r.fullName() + "/commit/" + c.SHA),
		"commit":  s.ghGitCommit(r, c),
		"parents": parents,
	}
}

func (s *Server) repoAPI(r *repoState, p string) string {
	return strings.TrimSuffix(s.URL, "/") + "/repos/" + r.fullName() + p
}

func (s *Server) registerRepoRoutes() {
	meta := need{scope: "metadata"}
	contents := need{scope: "contents"}
	s.handle("GET /repos/{owner}/{repo}", accRepo, meta, func(c *call) { c.json(http.StatusOK, s.ghRepo(c.repo)) })
	s.handle("GET /repos/{owner}/{repo}/contents/{path...}", accRepo, contents, s.getContents)
	s.handle("GET /repos/{owner}/{repo}/contents", accRepo, contents, s.getContents)
	s.handle("GET /repos/{owner}/{repo}/tarball/{ref...}", accRepo, contents, s.getTarball)
	s.handle("GET /repos/{owner}/{repo}/tarball", accRepo, contents, s.getTarball)
	s.handle("GET /repos/{owner}/{repo}/branches/{branch...}", accRepo, contents, s.getBranch)
	s.handle("GET /repos/{owner}/{repo}/commits/{ref...}", accRepo, contents, s.getRepoCommit)
	s.web.HandleFunc("GET /_codeload/{owner}/{repo}/legacy.tar.gz/{sha}", s.codeload)
}

// commitFor resolves ?ref= (or a path ref) or answers 404 as GitHub does.
func (c *call) commitFor(ref string) (*Commit, bool) {
	sha, ok := c.repo.resolve(ref)
	if !ok {
		c.errorf(http.StatusNotFound, "No commit found for the ref %s", ref)
		return nil, false
	}
	return c.repo.obj.commits[sha], true
}

// contentsInline is the largest file the contents API returns inline;
// larger ones come back with encoding "none".
const contentsInline = 1 << 20

func (s *Server) getContents(c *call) {
	cm, ok := c.commitFor(c.r.URL.Query().Get("ref"))
	if !ok {
		return
	}
	p := strings.Trim(c.r.PathValue("path"), "/")
	e, found := c.repo.obj.lookup(cm.Tree, p)
	if !found {
		c.errorf(http.StatusNotFound, "Not Found")
		return
	}
	if e.mode == modeTree {
		list := []map[string]any{}
		for _, child := range c.repo.obj.trees[e.sha] {
			list = append(list, s.contentEntry(c.repo, path.Join(p, child.name), child, cm.SHA, false))
		}
		c.json(http.StatusOK, list)
		return
	}
	c.json(http.StatusOK, s.contentEntry(c.repo, p, e, cm.SHA, true))
}

func (s *Server) contentEntry(r *repoState, p string, e treeEntry, ref string, withContent bool) map[string]any {
	typ := "file"
	switch e.mode {
	case modeTree:
		typ = "dir"
	case modeSymlink:
		typ = "symlink"
	case modeCommit:
		typ = "submodule"
	}
	body := r.obj.blobs[e.sha]
	m := map[string]any{
		"type": typ, "name": path.Base(p), "path": p, "sha": e.sha, "size": len(body),
		"url":      s.repoAPI(r, "/contents/"+p+"?ref="+url.QueryEscape(ref)),
		"html_url": s.htmlURL("/" + r.fullName() + "/blob/" + ref + "/" + p),
		"git_url":  s.repoAPI(r, "/git/blobs/"+e.sha),
	}
	if typ == "dir" {
		m["size"] = 0
	}
	if typ == "symlink" {
		m["target"] = string(body)
	}
	if withContent && typ == "file" {
		if len(body) > contentsInline {
			m["encoding"], m["content"] = "none", ""
		} else {
			m["encoding"], m["content"] = "base64", wrap60(base64.StdEncoding.EncodeToString(body))
		}
	}
	return m
}

// wrap60 breaks base64 into lines as GitHub's contents API does.
func wrap60(s string) string {
	var b strings.Builder
	for len(s) > 60 {
		b.WriteString(s[:60] + "\n")
		s = s[60:]
	}
	b.WriteString(s + "\n")
	return b.String()
}

// download is a pending archive download, like codeload's short-lived
// token URLs.
type download struct {
	repo, sha string
	expires   time.Time
}

func (s *Server) getTarball(c *call) {
	cm, ok := c.commitFor(c.r.PathValue("ref"))
	if !ok {
		return
	}
	tok := randomHex(16)
	s.downloads[tok] = download{repo: c.repo.key(), sha: cm.SHA, expires: s.now().Add(5 * time.Minute)}
	loc := s.htmlURL(fmt.Sprintf("/_codeload/%s/%s/legacy.tar.gz/%s?token=%s", c.repo.owner, c.repo.name, cm.SHA, tok))
	c.w.h.Set("Location", loc)
	c.w.WriteHeader(http.StatusFound)
}

// codeload serves an archive a tarball redirect pointed at; the token in
// the URL is the only credential, as on codeload.github.com.
func (s *Server) codeload(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	tok := r.URL.Query().Get("token")
	d, ok := s.downloads[tok]
	repo := s.repos[strings.ToLower(r.PathValue("owner")+"/"+r.PathValue("repo"))]
	if !ok || repo == nil || d.repo != repo.key() || d.sha != r.PathValue("sha") || !s.now().Before(d.expires) {
		s.mu.Unlock()
		http.Error(w, "404: Not Found", http.StatusNotFound)
		return
	}
	s.stats.Downloads++
	body, err := repo.obj.tarball(repo.owner, repo.name, repo.obj.commits[d.sha])
	s.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/x-gzip")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%s-%s-%s.tar.gz", repo.owner, repo.name, d.sha[:7]))
	_, _ = w.Write(body)
}

func (s *Server) getBranch(c *call) {
	b := c.r.PathValue("branch")
	sha, ok := c.repo.refs["refs/heads/"+b]
	if !ok {
		c.errorf(http.StatusNotFound, "Branch not found")
		return
	}
	c.json(http.StatusOK, map[string]any{
		"name": b, "commit": s.ghRepoCommit(c.repo, c.repo.obj.commits[sha]), "protected": false,
		"_links": map[string]any{"self": s.repoAPI(c.repo, "/branches/"+b), "html": s.htmlURL("/" + c.repo.fullName() + "/tree/" + b)},
	})
}

func (s *Server) getRepoCommit(c *call) {
	cm, ok := c.commitFor(c.r.PathValue("ref"))
	if !ok {
		return
	}
	if strings.Contains(c.r.Header.Get("Accept"), ".sha") {
		// GitHub's ETag here is the quoted SHA, so a client can ask
		// "has it moved?" with If-None-Match: "<last SHA>".
		c.w.h.Set("Content-Type", "application/vnd.github.sha; charset=utf-8")
		c.w.h.Set("ETag", `"`+cm.SHA+`"`)
		c.w.WriteHeader(http.StatusOK)
		_, _ = c.w.Write([]byte(cm.SHA))
		return
	}
	c.json(http.StatusOK, s.ghRepoCommit(c.repo, cm))
}
