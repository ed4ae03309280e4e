package ghapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"
)

// CommitRequest is one commit written through the Git data API.
type CommitRequest struct {
	// Base is the parent commit's SHA; the new tree is Base's tree with
	// Files and Delete applied.
	Base string
	// Branch is the branch to point at the commit, without "refs/heads/".
	Branch  string
	Message string
	// Files maps a path to its new content.
	Files map[string][]byte
	// Delete lists paths to remove; paths Base does not have are skipped.
	Delete []string
	// Author is nil for the App itself: GitHub then attributes the commit
	// to the App's bot and signs it (shown as Verified).
	Author *github.CommitAuthor
	// Force moves an existing branch even when the commit does not
	// descend from its head (regenerating an accept branch from a newer
	// default head).
	Force bool
}

// CommitResult is what CommitFiles did.
type CommitResult struct {
	SHA  string // the branch's head now
	Tree string
	// Created is true when the branch was new.
	Created bool
	// Unchanged is true when nothing was written: the branch already held
	// this exact commit content (a retry), or the files equal Base's.
	Unchanged bool
}

// CommitFiles writes files as one commit on a branch: a blob per file, a
// tree on Base's tree, a commit whose parent is Base, then the branch ref
// created or moved (forced when req.Force). It is safe to retry: blobs
// and trees are content-addressed, and a branch whose head already has
// this tree and parent is left as it is.
func (c *Client) CommitFiles(ctx context.Context, owner, repo string, req CommitRequest) (*CommitResult, error) {
	what := fmt.Sprintf("commit to %s/%s %s", owner, repo, req.Branch)
	if err := req.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	git := c.gh.Git
	base, _, err := git.GetCommit(ctx, owner, repo, req.Base)
	if err != nil {
		return nil, Wrap(what+": base commit", err)
	}
	baseTree := base.GetTree().GetSHA()
	modes, complete, err := c.treeModes(ctx, owner, repo, baseTree)
	if err != nil {
		return nil, Wrap(what+": base tree", err)
	}
	var entries []*github.TreeEntry
	paths := make([]string, 0, len(req.Files))
	for p := range req.Files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		blob, _, err := git.CreateBlob(ctx, owner, repo, newBlob(req.Files[p]))
		if err != nil {
			return nil, Wrap(what+": blob "+p, err)
		}
		mode := modes[p]
		if mode == "" || mode == "040000" || mode == "160000" {
			mode = "100644"
		}
		entries = append(entries, &github.TreeEntry{Path: github.String(p), Mode: github.String(mode), Type: github.String("blob"), SHA: blob.SHA})
	}
	for _, p := range req.Delete {
		mode, ok := modes[p]
		if !ok && complete {
			continue
		}
		typ := "blob"
		switch mode {
		case "":
			mode = "100644"
		case "040000":
			typ = "tree"
		}
		// SHA and Content nil: go-github sends "sha": null, a deletion.
		entries = append(entries, &github.TreeEntry{Path: github.String(p), Mode: github.String(mode), Type: github.String(typ)})
	}
	if len(entries) == 0 {
		return &CommitResult{SHA: req.Base, Tree: baseTree, Unchanged: true}, nil
	}
	tree, _, err := git.CreateTree(ctx, owner, repo, baseTree, entries)
	if err != nil {
		return nil, Wrap(what+": tree", err)
	}
	if tree.GetSHA() == baseTree {
		return &CommitResult{SHA: req.Base, Tree: baseTree, Unchanged: true}, nil
	}
	refName := "heads/" + req.Branch
	ref, _, err := git.GetRef(ctx, owner, repo, refName)
	exists := err == nil
	if err != nil && !IsNotFound(Wrap(what, err)) {
		return nil, Wrap(what+": branch", err)
	}
	if exists {
		head, _, err := git.GetCommit(ctx, owner, repo, ref.GetObject().GetSHA())
		if err != nil {
			return nil, Wrap(what+": branch head", err)
		}
		if head.GetTree().GetSHA() == tree.GetSHA() && len(head.Parents) == 1 && head.Parents[0].GetSHA() == req.Base {
			return &CommitResult{SHA: head.GetSHA(), Tree: tree.GetSHA(), Unchanged: true}, nil
		}
	}
	commit, _, err := git.CreateCommit(ctx, owner, repo, &github.Commit{
		Message: github.String(req.Message), Tree: &github.Tree{SHA: tree.SHA},
		Parents: []*github.Commit{{SHA: github.String(req.Base)}}, Author: req.Author,
	}, nil)
	if err != nil {
		return nil, Wrap(what+": commit", err)
	}
	res := &CommitResult{SHA: commit.GetSHA(), Tree: tree.GetSHA()}
	target := &github.Reference{Ref: github.String("refs/" + refName), Object: &github.GitObject{SHA: commit.SHA}}
	if !exists {
		_, _, err := git.CreateRef(ctx, owner, repo, target)
		if err == nil {
			res.Created = true
			return res, nil
		}
		// Made by someone else since we looked: move it instead.
		var ve *ValidationError
		if werr := Wrap(what, err); !errors.As(werr, &ve) || !strings.Contains(ve.Message, "already exists") {
			return nil, Wrap(what+": create branch", err)
		}
	}
	if _, _, err := git.UpdateRef(ctx, owner, repo, target, req.Force); err != nil {
		return nil, Wrap(what+": update branch", err)
	}
	return res, nil
}

func (r CommitRequest) check() error {
	switch {
	case !commitSHARe.MatchString(r.Base):
		return fmt.Errorf("base %q is not a commit SHA", r.Base)
	case !validBranch(r.Branch):
		return fmt.Errorf("branch name %q is not valid", r.Branch)
	case strings.TrimSpace(r.Message) == "":
		return errors.New("empty commit message")
	case len(r.Files) == 0 && len(r.Delete) == 0:
		return errors.New("no files to write or delete")
	}
	for p := range r.Files {
		if !cleanRepoPath(p) {
			return fmt.Errorf("path %q is not a clean relative path", p)
		}
	}
	for _, p := range r.Delete {
		if !cleanRepoPath(p) {
			return fmt.Errorf("path %q is not a clean relative path", p)
		}
		if _, both := r.Files[p]; both {
			return fmt.Errorf("path %q is both written and deleted", p)
		}
	}
	return nil
}

// cleanRepoPath: relative, slash-separated, no empty, ".", ".." or ".git"
// component, as GitHub's tree API demands.
func cleanRepoPath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.ContainsRune(p, 0) {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || part == "." || part == ".." || strings.EqualFold(part, ".git") {
			return false
		}
	}
	return true
}

// validBranch applies git's ref-name rules to a branch name.
func validBranch(b string) bool {
	if b == "" || strings.HasPrefix(b, "refs/") || strings.HasPrefix(b, "-") || strings.HasSuffix(b, "/") ||
		strings.HasSuffix(b, ".lock") || strings.HasSuffix(b, ".") || strings.Contains(b, "..") ||
		strings.Contains(b, "//") || strings.Contains(b, "@{") || b == "@" {
		return false
	}
	for _, r := range b {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(" ~^:?*[\\", r) {
			return false
		}
	}
	for _, part := range strings.Split(b, "/") {
		if strings.HasPrefix(part, ".") {
			return false
		}
	}
	return true
}

// newBlob sends text as UTF-8 and anything else as base64.
func newBlob(b []byte) *github.Blob {
	if utf8.Valid(b) {
		return &github.Blob{Content: github.String(string(b)), Encoding: github.String("utf-8")}
	}
	return &github.Blob{Content: github.String(base64.StdEncoding.EncodeToString(b)), Encoding: github.String("base64")}
}

// treeModes maps the paths of a tree to their modes, so an edited file
// keeps its executable bit. complete is false when GitHub truncated the
// listing (over 100,000 entries).
func (c *Client) treeModes(ctx context.Context, owner, repo, tree string) (map[string]string, bool, error) {
	t, _, err := c.gh.Git.GetTree(ctx, owner, repo, tree, true)
	if err != nil {
		return nil, false, err
	}
	modes := make(map[string]string, len(t.Entries))
	for _, e := range t.Entries {
		modes[e.GetPath()] = e.GetMode()
	}
	return modes, !t.GetTruncated(), nil
}
