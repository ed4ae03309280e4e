package githubfake

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"
)

// Git modes as the REST API writes them.
const (
	modeFile    = "100644"
	modeExec    = "100755"
	modeSymlink = "120000"
	modeTree    = "040000"
	modeCommit  = "160000"
)

// Signature is a commit's author or committer.
type Signature struct {
	Name  string
	Email string
	Date  time.Time
}

// Commit is a git commit in a fake repository.
type Commit struct {
	SHA       string
	Tree      string
	Parents   []string
	Message   string
	Author    Signature
	Committer Signature
	// Verified is true for commits GitHub signed: those an App or a
	// user created through the API without giving an author.
	Verified bool
}

type treeEntry struct {
	name, mode, typ, sha string
}

// gitFile is a non-tree entry of a flattened tree.
type gitFile struct {
	mode, sha string
}

// objects is a repository's object store; SHAs are git's, so a blob
// written through the API and one registered by a test agree.
type objects struct {
	blobs   map[string][]byte
	trees   map[string][]treeEntry
	commits map[string]*Commit
}

func newObjects() *objects {
	return &objects{blobs: map[string][]byte{}, trees: map[string][]treeEntry{}, commits: map[string]*Commit{}}
}

func hashObject(kind string, body []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", kind, len(body))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

func (o *objects) putBlob(b []byte) string {
	sha := hashObject("blob", b)
	if _, ok := o.blobs[sha]; !ok {
		o.blobs[sha] = bytes.Clone(b)
	}
	return sha
}

// treeSortKey orders entries as git does: a tree sorts as if its name
// ended in "/".
func treeSortKey(e treeEntry) string {
	if e.mode == modeTree {
		return e.name + "/"
	}
	return e.name
}

func (o *objects) putTree(entries []treeEntry) string {
	entries = slices.Clone(entries)
	sort.Slice(entries, func(i, j int) bool { return treeSortKey(entries[i]) < treeSortKey(entries[j]) })
	var buf bytes.Buffer
	for _, e := range entries {
		raw, _ := hex.DecodeString(e.sha)
		fmt.Fprintf(&buf, "%s %s\x00", strings.TrimPrefix(e.mode, "0"), e.name)
		buf.Write(raw)
	}
	sha := hashObject("tree", buf.Bytes())
	o.trees[sha] = entries
	return sha
}

func sigLine(kind string, s Signature) string {
	return fmt.Sprintf("%s %s <%s> %d +0000\n", kind, s.Name, s.Email, s.Date.Unix())
}

func (o *objects) putCommit(c *Commit) string {
	var buf strings.Builder
	fmt.Fprintf(&buf, "tree %s\n", c.Tree)
	for _, p := range c.Parents {
		fmt.Fprintf(&buf, "parent %s\n", p)
	}
	buf.WriteString(sigLine("author", c.Author))
	buf.WriteString(sigLine("committer", c.Committer))
	buf.WriteString("\n" + c.Message)
	c.SHA = hashObject("commit", []byte(buf.String()))
	cp := *c
	cp.Parents = slices.Clone(c.Parents)
	o.commits[c.SHA] = &cp
	return c.SHA
}

// flatten lists every non-tree entry below a tree by its full path.
func (o *objects) flatten(treeSHA string) map[string]gitFile {
	out := map[string]gitFile{}
	var walk func(sha, prefix string)
	walk = func(sha, prefix string) {
		for _, e := range o.trees[sha] {
			p := path.Join(prefix, e.name)
			if e.mode == modeTree {
				walk(e.sha, p)
				continue
			}
			out[p] = gitFile{mode: e.mode, sha: e.sha}
		}
	}
	walk(treeSHA, "")
	return out
}

// buildTree writes the trees for a flattened file set and returns the
// root tree's SHA.
func (o *objects) buildTree(files map[string]gitFile) string {
	type dir struct {
		files map[string]gitFile
		dirs  map[string]*dir
	}
	newDir := func() *dir { return &dir{files: map[string]gitFile{}, dirs: map[string]*dir{}} }
	root := newDir()
	for p, f := range files {
		parts := strings.Split(p, "/")
		d := root
		for _, part := range parts[:len(parts)-1] {
			sub, ok := d.dirs[part]
			if !ok {
				sub = newDir()
				d.dirs[part] = sub
			}
			d = sub
		}
		d.files[parts[len(parts)-1]] = f
	}
	var write func(d *dir) string
	write = func(d *dir) string {
		var entries []treeEntry
		for name, f := range d.files {
			typ := "blob"
			if f.mode == modeCommit {
				typ = "commit"
			}
			entries = append(entries, treeEntry{name: name, mode: f.mode, typ: typ, sha: f.sha})
		}
		for name, sub := range d.dirs {
			entries = append(entries, treeEntry{name: name, mode: modeTree, typ: "tree", sha: write(sub)})
		}
		return o.putTree(entries)
	}
	return write(root)
}

// lookup finds the entry at a path below a tree ("" is the tree itself).
func (o *objects) lookup(treeSHA, p string) (treeEntry, bool) {
	cur := treeEntry{mode: modeTree, typ: "tree", sha: treeSHA}
	if p == "" {
		return cur, true
	}
	for _, part := range strings.Split(p, "/") {
		if cur.mode != modeTree {
			return treeEntry{}, false
		}
		found := false
		for _, e := range o.trees[cur.sha] {
			if e.name == part {
				cur, found = e, true
				break
			}
		}
		if !found {
			return treeEntry{}, false
		}
	}
	return cur, true
}

// ancestors returns every commit reachable from sha, itself included.
func (o *objects) ancestors(sha string) map[string]bool {
	seen := map[string]bool{}
	stack := []string{sha}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[s] {
			continue
		}
		seen[s] = true
		if c, ok := o.commits[s]; ok {
			stack = append(stack, c.Parents...)
		}
	}
	return seen
}

// mergeBase is a common ancestor of a and b, nearest to b first.
func (o *objects) mergeBase(a, b string) (string, bool) {
	anc := o.ancestors(a)
	queue := []string{b}
	seen := map[string]bool{}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if seen[s] {
			continue
		}
		seen[s] = true
		if anc[s] {
			return s, true
		}
		if c, ok := o.commits[s]; ok {
			queue = append(queue, c.Parents...)
		}
	}
	return "", false
}

// merge3 merges the changes from base to theirs into ours at file level;
// ok is false when both sides changed one path differently.
func merge3(base, ours, theirs map[string]gitFile) (map[string]gitFile, []string) {
	out := map[string]gitFile{}
	var conflicts []string
	paths := map[string]bool{}
	for _, m := range []map[string]gitFile{base, ours, theirs} {
		for p := range m {
			paths[p] = true
		}
	}
	for p := range paths {
		b, inB := base[p]
		o, inO := ours[p]
		t, inT := theirs[p]
		switch {
		case inO == inT && o == t:
			if inO {
				out[p] = o
			}
		case inO == inB && o == b:
			if inT {
				out[p] = t
			}
		case inT == inB && t == b:
			if inO {
				out[p] = o
			}
		default:
			conflicts = append(conflicts, p)
		}
	}
	sort.Strings(conflicts)
	return out, conflicts
}

// tarball writes a commit's tree as GitHub's archive does: a pax global
// header carrying the commit SHA, then every entry below one top
// directory named owner-repo-<7 hex>.
func (o *objects) tarball(owner, repo string, c *Commit) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	top := fmt.Sprintf("%s-%s-%s/", owner, repo, c.SHA[:7])
	mt := c.Committer.Date
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header",
		PAXRecords: map[string]string{"comment": c.SHA}, Format: tar.FormatPAX}); err != nil {
		return nil, err
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: top, Mode: 0o775, ModTime: mt}); err != nil {
		return nil, err
	}
	files := o.flatten(c.Tree)
	dirs := map[string]bool{}
	var names []string
	for p := range files {
		names = append(names, p)
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	for d := range dirs {
		names = append(names, d+"/")
	}
	sort.Strings(names)
	for _, n := range names {
		if strings.HasSuffix(n, "/") {
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: top + n, Mode: 0o775, ModTime: mt}); err != nil {
				return nil, err
			}
			continue
		}
		f := files[n]
		switch f.mode {
		case modeSymlink:
			err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: top + n, Linkname: string(o.blobs[f.sha]), Mode: 0o777, ModTime: mt})
			if err != nil {
				return nil, err
			}
		case modeCommit:
			// A submodule is an empty directory in GitHub's archives.
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: top + n + "/", Mode: 0o775, ModTime: mt}); err != nil {
				return nil, err
			}
		default:
			mode := int64(0o664)
			if f.mode == modeExec {
				mode = 0o775
			}
			body := o.blobs[f.sha]
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: top + n, Mode: mode, Size: int64(len(body)), ModTime: mt}); err != nil {
				return nil, err
			}
			if _, err := tw.Write(body); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
