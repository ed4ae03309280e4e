package ghapi

import (
	"context"
	"fmt"
	"regexp"

	"github.com/google/go-github/v60/github"
)

// File is a file read at a ref.
type File struct {
	Path    string
	Ref     string
	SHA     string // the blob's
	Content []byte
}

// ReadFile reads one file at a ref (a branch, tag or commit SHA; "" is
// the default branch) through the contents API, conditionally: an
// unchanged file is answered from the ETag cache. A missing file is a
// *NotFoundError, and so is a directory or symlink at path; a file over
// the API's 1 MB inline limit is a *LimitError.
func (c *Client) ReadFile(ctx context.Context, owner, repo, path, ref string) (*File, error) {
	what := fmt.Sprintf("read %s/%s %s@%s", owner, repo, path, ref)
	file, dir, _, err := c.gh.Repositories.GetContents(ctx, owner, repo, path, &github.RepositoryContentGetOptions{Ref: ref})
	if err != nil {
		return nil, Wrap(what, err)
	}
	if file == nil || dir != nil || file.GetType() != "file" {
		return nil, &NotFoundError{What: what, Message: "not a file"}
	}
	if file.GetEncoding() == "none" {
		return nil, &LimitError{What: what, Limit: "the contents API's 1 MB"}
	}
	content, err := file.GetContent()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return &File{Path: file.GetPath(), Ref: ref, SHA: file.GetSHA(), Content: []byte(content)}, nil
}

var commitSHARe = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)

// ResolveRef returns the commit SHA a ref (branch, tag or SHA) points at.
func (c *Client) ResolveRef(ctx context.Context, owner, repo, ref string) (string, error) {
	what := fmt.Sprintf("resolve %s/%s@%s", owner, repo, ref)
	sha, _, err := c.gh.Repositories.GetCommitSHA1(ctx, owner, repo, ref, "")
	if err != nil {
		return "", Wrap(what, err)
	}
	if !commitSHARe.MatchString(sha) {
		return "", fmt.Errorf("%s: not a commit SHA: %.80q", what, sha)
	}
	return sha, nil
}
