package githubfake

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"
)

func (s *Server) registerGitRoutes() {
	read, write := need{scope: "contents"}, need{scope: "contents", write: true}
	s.handle("GET /repos/{owner}/{repo}/git/ref/{ref...}", accRepo, read, func(c *call) {
		name := "refs/" + c.r.PathValue("ref")
		sha, ok := c.repo.refs[name]
		if !ok {
			c.errorf(http.StatusNotFound, "Not Found")
			return
		}
		c.json(http.StatusOK, s.ghRef(c.repo, name, sha))
	})
	s.handle("GET /repos/{owner}/{repo}/git/matching-refs/{ref...}", accRepo, read, func(c *call) {
		prefix := "refs/" + c.r.PathValue("ref")
		var names []string
		for name := range c.repo.refs {
			if strings.HasPrefix(name, prefix) {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		out := []map[string]any{}
		for _, n := range paginate(c, names) {
			out = append(out, s.ghRef(c.repo, n, c.repo.refs[n]))
		}
		c.json(http.StatusOK, out)
	})
	s.handle("POST /repos/{owner}/{repo}/git/refs", accRepo, write, s.createRef)
	s.handle("PATCH /repos/{owner}/{repo}/git/refs/{ref...}", accRepo, write, s.updateRef)
	s.handle("DELETE /repos/{owner}/{repo}/git/refs/{ref...}", accRepo, write, func(c *call) {
		name := "refs/" + c.r.PathValue("ref")
		if _, ok := c.repo.refs[name]; !ok {
			c.errorf(http.StatusUnprocessableEntity, "Reference does not exist")
			return
		}
		delete(c.repo.refs, name)
		c.w.WriteHeader(http.StatusNoContent)
	})
	s.handle("POST /repos/{owner}/{repo}/git/blobs", accRepo, write, s.createBlob)
	s.handle("GET /repos/{owner}/{repo}/git/blobs/{sha}", accRepo, read, func(c *call) {
		sha := c.r.PathValue("sha")
		b, ok := c.repo.obj.blobs[sha]
		if !ok {
			c.errorf(http.StatusNotFound, "Not Found")
			return
		}
		c.json(http.StatusOK, map[string]any{"sha": sha, "node_id": "B_" + sha[:12], "size": len(b),
			"url": s.repoAPI(c.repo, "/git/blobs/"+sha), "content": wrap60(base64.StdEncoding.EncodeToString(b)), "encoding": "base64"})
	})
	s.handle("POST /repos/{owner}/{repo}/git/trees", accRepo, write, s.createTree)
	s.handle("GET /repos/{owner}/{repo}/git/trees/{sha}", accRepo, read, func(c *call) {
		sha := c.r.PathValue("sha")
		if _, ok := c.repo.obj.trees[sha]; !ok {
			c.errorf(http.StatusNotFound, "Not Found")
			return
		}
		c.json(http.StatusOK, s.ghTree(c.repo, sha, c.r.URL.Query().Get("recursive") != ""))
	})
	s.handle("POST /repos/{owner}/{repo}/git/commits", accRepo, write, s.createCommit)
	s.handle("GET /repos/{owner}/{repo}/git/commits/{sha}", accRepo, read, func(c *call) {
		cm, ok := c.repo.obj.commits[c.r.PathValue("sha")]
		if !ok {
			c.errorf(http.StatusNotFound, "Not Found")
			return
		}
		c.json(http.StatusOK, s.ghGitCommit(c.repo, cm))
	})
}

func (s *Server) ghRef(r *repoState, name, sha string) map[string]any {
	return map[string]any{
		"ref": name, "node_id": "REF_" + sha[:12], "url": s.repoAPI(r, "/git/"+name),
		"object": map[string]any{"type": "commit", "sha": sha, "url": s.repoAPI(r, "/git/commits/"+sha)},
	}
}

// validRefName applies git's check-ref-format rules GitHub enforces.
func validRefName(name string) bool {
	if !strings.HasPrefix(name, "refs/") || strings.Count(name, "/") < 2 || strings.HasSuffix(name, "/") ||
		strings.HasSuffix(name, ".lock") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") ||
		strings.Contains(name, "//") || strings.Contains(name, "@{") {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(" ~^:?*[\\", r) {
			return false
		}
	}
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") {
			return false
		}
	}
	return true
}

func (r *repoState) hasObject(sha string) bool {
	_, c := r.obj.commits[sha]
	_, t := r.obj.trees[sha]
	_, b := r.obj.blobs[sha]
	return c || t || b
}

func (s *Server) createRef(c *call) {
	m, ok := c.decode()
	if !ok {
		return
	}
	var name, sha string
	hasRef, ok1 := c.field(m, "ref", &name)
	hasSHA, ok2 := c.field(m, "sha", &sha)
	if !ok1 || !ok2 {
		return
	}
	switch {
	case !hasRef:
		c.invalid(fieldError{Resource: "Reference", Field: "ref", Code: "missing_field"})
	case !hasSHA:
		c.invalid(fieldError{Resource: "Reference", Field: "sha", Code: "missing_field"})
	case !validRefName(name):
		c.errorf(http.StatusUnprocessableEntity, "Reference name is invalid")
	case !c.repo.hasObject(sha):
		c.errorf(http.StatusUnprocessableEntity, "Object does not exist")
	default:
		if _, exists := c.repo.refs[name]; exists {
			c.errorf(http.StatusUnprocessableEntity, "Reference already exists")
			return
		}
		c.repo.refs[name] = sha
		c.json(http.StatusCreated, s.ghRef(c.repo, name, sha))
	}
}

func (s *Server) updateRef(c *call) {
	name := "refs/" + c.r.PathValue("ref")
	old, exists := c.repo.refs[name]
	m, ok := c.decode()
	if !ok {
		return
	}
	var sha string
	var force bool
	hasSHA, ok1 := c.field(m, "sha", &sha)
	_, ok2 := c.field(m, "force", &force)
	if !ok1 || !ok2 {
		return
	}
	switch {
	case !hasSHA:
		c.invalid(fieldError{Resource: "Reference", Field: "sha", Code: "missing_field"})
	case !exists:
		c.errorf(http.StatusUnprocessableEntity, "Reference does not exist")
	case !c.repo.hasObject(sha):
		c.errorf(http.StatusUnprocessableEntity, "Object does not exist")
	case !force && !c.repo.obj.ancestors(sha)[old]:
		c.errorf(http.StatusUnprocessableEntity, "Update is not a fast forward")
	default:
		c.repo.refs[name] = sha
		c.json(http.StatusOK, s.ghRef(c.repo, name, sha))
	}
}

func (s *Server) createBlob(c *call) {
	m, ok := c.decode()
	if !ok {
		return
	}
	var content, encoding string
	hasContent, ok1 := c.field(m, "content", &content)
	_, ok2 := c.field(m, "encoding", &encoding)
	if !ok1 || !ok2 {
		return
	}
	if !hasContent {
		c.invalid(fieldError{Resource: "Blob", Field: "content", Code: "missing_field"})
		return
	}
	body := []byte(content)
	switch encoding {
	case "", "utf-8":
	case "base64":
		b, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(content, "\n", ""))
		if err != nil {
			c.invalid(fieldError{Resource: "Blob", Field: "content", Code: "invalid", Message: "content is not valid Base64"})
			return
		}
		body = b
	default:
		c.invalid(fieldError{Resource: "Blob", Field: "encoding", Code: "invalid", Value: encoding})
		return
	}
	sha := c.repo.obj.putBlob(body)
	c.repo.apiObjects = append(c.repo.apiObjects, APIObject{Kind: "blob", SHA: sha, Actor: c.id.login})
	c.json(http.StatusCreated, map[string]any{"sha": sha, "url": s.repoAPI(c.repo, "/git/blobs/"+sha)})
}

// cleanTreePath reports whether p is a path GitHub accepts in a tree:
// relative, no empty, "." or ".." components, no ".git".
func cleanTreePath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || part == "." || part == ".." || strings.EqualFold(part, ".git") {
			return false
		}
	}
	return true
}

type treeInput struct {
	Path    string          `json:"path"`
	Mode    string          `json:"mode"`
	Type    string          `json:"type"`
	SHA     json.RawMessage `json:"sha"`
	Content *string         `json:"content"`
}

func (s *Server) createTree(c *call) {
	m, ok := c.decode()
	if !ok {
		return
	}
	var entries []treeInput
	var base string
	hasTree, ok1 := c.field(m, "tree", &entries)
	hasBase, ok2 := c.field(m, "base_tree", &base)
	if !ok1 || !ok2 {
		return
	}
	if !hasTree {
		c.invalid(fieldError{Resource: "Tree", Field: "tree", Code: "missing_field"})
		return
	}
	files := map[string]gitFile{}
	if hasBase {
		if _, ok := c.repo.obj.trees[base]; !ok {
			c.errorf(http.StatusUnprocessableEntity, "base_tree %s is not a valid tree oid", base)
			return
		}
		files = c.repo.obj.flatten(base)
	}
	for _, e := range entries {
		if !cleanTreePath(e.Path) {
			c.errorf(http.StatusUnprocessableEntity, "tree.path %q contains a malformed path component", e.Path)
			return
		}
		wantType := map[string]string{modeFile: "blob", modeExec: "blob", modeSymlink: "blob", modeTree: "tree", modeCommit: "commit"}[e.Mode]
		if wantType == "" {
			c.errorf(http.StatusUnprocessableEntity, "tree.mode %q is invalid for %s", e.Mode, e.Path)
			return
		}
		if e.Type != "" && e.Type != wantType {
			c.errorf(http.StatusUnprocessableEntity, "tree.type %q does not match mode %s for %s", e.Type, e.Mode, e.Path)
			return
		}
		hasSHA := len(e.SHA) > 0 && string(e.SHA) != "null"
		if hasSHA && e.Content != nil {
			c.errorf(http.StatusUnprocessableEntity, "Must supply either tree.sha or tree.content. Request will be rejected if both are present.")
			return
		}
		deleteUnder(files, e.Path)
		switch {
		case e.Content != nil:
			if wantType != "blob" {
				c.errorf(http.StatusUnprocessableEntity, "tree.content is only valid for blobs (%s)", e.Path)
				return
			}
			files[e.Path] = gitFile{mode: e.Mode, sha: c.repo.obj.putBlob([]byte(*e.Content))}
		case hasSHA:
			var sha string
			if err := json.Unmarshal(e.SHA, &sha); err != nil {
				c.errorf(http.StatusUnprocessableEntity, "tree.sha for %s is not a string", e.Path)
				return
			}
			switch wantType {
			case "blob":
				if _, ok := c.repo.obj.blobs[sha]; !ok {
					c.errorf(http.StatusUnprocessableEntity, "tree.sha %s is not a valid blob", sha)
					return
				}
				files[e.Path] = gitFile{mode: e.Mode, sha: sha}
			case "tree":
				if _, ok := c.repo.obj.trees[sha]; !ok {
					c.errorf(http.StatusUnprocessableEntity, "tree.sha %s is not a valid tree", sha)
					return
				}
				for p, f := range c.repo.obj.flatten(sha) {
					files[path.Join(e.Path, p)] = f
				}
			default:
				files[e.Path] = gitFile{mode: e.Mode, sha: sha}
			}
		default:
			// sha: null deletes the path (done above).
		}
	}
	sha := c.repo.obj.buildTree(files)
	c.repo.apiObjects = append(c.repo.apiObjects, APIObject{Kind: "tree", SHA: sha, Actor: c.id.login})
	c.json(http.StatusCreated, s.ghTree(c.repo, sha, false))
}

// deleteUnder removes a path and everything below it.
func deleteUnder(files map[string]gitFile, p string) {
	delete(files, p)
	for k := range files {
		if strings.HasPrefix(k, p+"/") {
			delete(files, k)
		}
	}
}

func (s *Server) ghTree(r *repoState, sha string, recursive bool) map[string]any {
	var out []map[string]any
	var walk func(sha, prefix string)
	walk = func(sha, prefix string) {
		for _, e := range r.obj.trees[sha] {
			p := path.Join(prefix, e.name)
			m := map[string]any{"path": p, "mode": e.mode, "type": e.typ, "sha": e.sha}
			switch e.typ {
			case "blob":
				m["size"] = len(r.obj.blobs[e.sha])
				m["url"] = s.repoAPI(r, "/git/blobs/"+e.sha)
			case "tree":
				m["url"] = s.repoAPI(r, "/git/trees/"+e.sha)
			}
			out = append(out, m)
			if recursive && e.typ == "tree" {
				walk(e.sha, p)
			}
		}
	}
	walk(sha, "")
	return map[string]any{"sha": sha, "url": s.repoAPI(r, "/git/trees/"+sha), "tree": nonNil(out), "truncated": false}
}

type sigInput struct {
	Name  string    `json:"name"`
	Email string    `json:"email"`
	Date  time.Time `json:"date"`
}

func (s *Server) createCommit(c *call) {
	m, ok := c.decode()
	if !ok {
		return
	}
	var msg, tree string
	var parents []string
	var author, committer *sigInput
	hasMsg, ok1 := c.field(m, "message", &msg)
	hasTree, ok2 := c.field(m, "tree", &tree)
	_, ok3 := c.field(m, "parents", &parents)
	_, ok4 := c.field(m, "author", &author)
	_, ok5 := c.field(m, "committer", &committer)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return
	}
	switch {
	case !hasMsg:
		c.invalid(fieldError{Resource: "Commit", Field: "message", Code: "missing_field"})
		return
	case !hasTree:
		c.invalid(fieldError{Resource: "Commit", Field: "tree", Code: "missing_field"})
		return
	}
	if _, ok := c.repo.obj.trees[tree]; !ok {
		c.errorf(http.StatusUnprocessableEntity, "Tree SHA does not exist")
		return
	}
	for _, p := range parents {
		if _, ok := c.repo.obj.commits[p]; !ok {
			c.errorf(http.StatusUnprocessableEntity, "Parent SHA does not exist or is not a commit object")
			return
		}
	}
	now := s.now().Truncate(time.Second)
	self := s.signature(c.id.login, now)
	sig := func(in *sigInput, field string) (Signature, bool) {
		if in == nil {
			return self, true
		}
		if in.Name == "" || in.Email == "" {
			c.invalid(fieldError{Resource: "Commit", Field: field, Code: "invalid", Message: field + " needs name and email"})
			return Signature{}, false
		}
		d := in.Date
		if d.IsZero() {
			d = now
		}
		return Signature{Name: in.Name, Email: in.Email, Date: d.UTC()}, true
	}
	a, ok := sig(author, "author")
	if !ok {
		return
	}
	cm, ok := sig(committer, "committer")
	if !ok {
		return
	}
	if committer == nil && author != nil {
		cm = a
	}
	commit := &Commit{Tree: tree, Parents: parents, Message: msg, Author: a, Committer: cm,
		Verified: author == nil && committer == nil}
	sha := c.repo.obj.putCommit(commit)
	c.repo.apiObjects = append(c.repo.apiObjects, APIObject{Kind: "commit", SHA: sha, Actor: c.id.login})
	c.json(http.StatusCreated, s.ghGitCommit(c.repo, c.repo.obj.commits[sha]))
}
