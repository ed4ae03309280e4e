package githubfake_test

import (
	"encoding/base64"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/internal/githubfake"
)

// The accept flow: blobs → tree on base_tree → commit → branch ref, then
// a force update with a second commit.
func TestGitDataCommitFlow(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	c := ctx(t)
	ref := must[*github.Reference](t)(f.gh.Git.GetRef(c, "acme", "infra", "heads/main"))
	base := must[*github.Commit](t)(f.gh.Git.GetCommit(c, "acme", "infra", ref.GetObject().GetSHA()))
	blob := must[*github.Blob](t)(f.gh.Git.CreateBlob(c, "acme", "infra", &github.Blob{
		Content: github.String(base64.StdEncoding.EncodeToString([]byte("resource \"aws_s3_bucket\" \"b\" { tags = {} }\n"))), Encoding: github.String("base64")}))
	// git hash-object of the same bytes.
	if blob.GetSHA() != "0ef964c7b0e250b268d722a80e9b8beb6eecfa96" {
		t.Fatalf("blob sha %q", blob.GetSHA())
	}
	tree := must[*github.Tree](t)(f.gh.Git.CreateTree(c, "acme", "infra", base.GetTree().GetSHA(), []*github.TreeEntry{
		{Path: github.String("main.tf"), Mode: github.String("100644"), Type: github.String("blob"), SHA: blob.SHA},
		{Path: github.String("modules/net/sg.tf"), Mode: github.String("100644"), Type: github.String("blob")}, // sha null: delete
		{Path: github.String("new/dir/file.txt"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("hi\n")},
	}))
	commit := must[*github.Commit](t)(f.gh.Git.CreateCommit(c, "acme", "infra", &github.Commit{
		Message: github.String("Accept drift"), Tree: &github.Tree{SHA: tree.SHA}, Parents: []*github.Commit{{SHA: base.SHA}},
	}, nil))
	if commit.GetAuthor().GetName() != "tfdrift[bot]" || !commit.GetVerification().GetVerified() {
		t.Fatalf("commit author %+v verification %+v", commit.GetAuthor(), commit.GetVerification())
	}
	must[*github.Reference](t)(f.gh.Git.CreateRef(c, "acme", "infra", &github.Reference{
		Ref: github.String("refs/heads/tfdrift/accept/b"), Object: &github.GitObject{SHA: commit.SHA}}))
	files, ok := f.repo.Files("tfdrift/accept/b")
	want := map[string]string{
		".tfdrift.yml":     "version: 1\n",
		"main.tf":          "resource \"aws_s3_bucket\" \"b\" { tags = {} }\n",
		"new/dir/file.txt": "hi\n",
	}
	if diff := cmp.Diff(want, files); !ok || diff != "" {
		t.Fatalf("branch files (-want +got):\n%s", diff)
	}
	if _, _, err := f.gh.Git.CreateRef(c, "acme", "infra", &github.Reference{
		Ref: github.String("refs/heads/tfdrift/accept/b"), Object: &github.GitObject{SHA: commit.SHA}}); status(err) != 422 {
		t.Fatalf("creating an existing ref: %v", err)
	}
	// A second commit on main's head, not a descendant of the branch.
	author := &github.CommitAuthor{Name: github.String("Jo"), Email: github.String("jo@example.com")}
	other := must[*github.Commit](t)(f.gh.Git.CreateCommit(c, "acme", "infra", &github.Commit{
		Message: github.String("again"), Tree: &github.Tree{SHA: base.GetTree().SHA}, Parents: []*github.Commit{{SHA: base.SHA}}, Author: author,
	}, nil))
	if other.GetVerification().GetVerified() || other.GetCommitter().GetName() != "Jo" {
		t.Fatalf("authored commit %+v", other)
	}
	upd := &github.Reference{Ref: github.String("refs/heads/tfdrift/accept/b"), Object: &github.GitObject{SHA: other.SHA}}
	if _, _, err := f.gh.Git.UpdateRef(c, "acme", "infra", upd, false); status(err) != 422 {
		t.Fatalf("non-fast-forward without force: %v", err)
	}
	must[*github.Reference](t)(f.gh.Git.UpdateRef(c, "acme", "infra", upd, true))
	if f.repo.Head("tfdrift/accept/b") != other.GetSHA() {
		t.Fatal("force update did not move the branch")
	}
	objs := f.repo.APIObjects()
	var kinds []string
	for _, o := range objs {
		kinds = append(kinds, o.Kind)
	}
	if diff := cmp.Diff([]string{"blob", "tree", "commit", "commit"}, kinds); diff != "" {
		t.Fatalf("API objects (-want +got):\n%s", diff)
	}
	gt := must[*github.Tree](t)(f.gh.Git.GetTree(c, "acme", "infra", tree.GetSHA(), true))
	var paths []string
	for _, e := range gt.Entries {
		paths = append(paths, e.GetPath())
	}
	// modules/net lost its only file, and git has no empty directories.
	if diff := cmp.Diff([]string{".tfdrift.yml", "main.tf", "new", "new/dir", "new/dir/file.txt"}, paths); diff != "" {
		t.Fatalf("recursive tree (-want +got):\n%s", diff)
	}
	if _, err := f.gh.Git.DeleteRef(c, "acme", "infra", "heads/tfdrift/accept/b"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.gh.Git.GetRef(c, "acme", "infra", "heads/tfdrift/accept/b"); status(err) != 404 {
		t.Fatalf("deleted ref: %v", err)
	}
}

func TestGitDataValidation(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	c := ctx(t)
	commit, _ := f.repo.GetCommit(f.head)
	tests := []struct {
		name string
		do   func() error
	}{
		{"tree path with ..", func() error {
			_, _, err := f.gh.Git.CreateTree(c, "acme", "infra", commit.Tree, []*github.TreeEntry{{Path: github.String("../x"), Mode: github.String("100644"), Content: github.String("x")}})
			return err
		}},
		{"tree path into .git", func() error {
			_, _, err := f.gh.Git.CreateTree(c, "acme", "infra", "", []*github.TreeEntry{{Path: github.String(".git/config"), Mode: github.String("100644"), Content: github.String("x")}})
			return err
		}},
		{"bad mode", func() error {
			_, _, err := f.gh.Git.CreateTree(c, "acme", "infra", "", []*github.TreeEntry{{Path: github.String("a"), Mode: github.String("100600"), Content: github.String("x")}})
			return err
		}},
		{"unknown blob", func() error {
			_, _, err := f.gh.Git.CreateTree(c, "acme", "infra", "", []*github.TreeEntry{{Path: github.String("a"), Mode: github.String("100644"), SHA: github.String("0123456789012345678901234567890123456789")}})
			return err
		}},
		{"unknown base tree", func() error {
			_, _, err := f.gh.Git.CreateTree(c, "acme", "infra", "0123456789012345678901234567890123456789", []*github.TreeEntry{{Path: github.String("a"), Mode: github.String("100644"), Content: github.String("x")}})
			return err
		}},
		{"commit of an unknown tree", func() error {
			_, _, err := f.gh.Git.CreateCommit(c, "acme", "infra", &github.Commit{Message: github.String("m"), Tree: &github.Tree{SHA: github.String("0123456789012345678901234567890123456789")}}, nil)
			return err
		}},
		{"commit with an unknown parent", func() error {
			_, _, err := f.gh.Git.CreateCommit(c, "acme", "infra", &github.Commit{Message: github.String("m"), Tree: &github.Tree{SHA: github.String(commit.Tree)},
				Parents: []*github.Commit{{SHA: github.String("0123456789012345678901234567890123456789")}}}, nil)
			return err
		}},
		{"invalid ref name", func() error {
			_, _, err := f.gh.Git.CreateRef(c, "acme", "infra", &github.Reference{Ref: github.String("refs/heads/a..b"), Object: &github.GitObject{SHA: github.String(f.head)}})
			return err
		}},
		{"ref to a missing object", func() error {
			_, _, err := f.gh.Git.CreateRef(c, "acme", "infra", &github.Reference{Ref: github.String("refs/heads/x"), Object: &github.GitObject{SHA: github.String("0123456789012345678901234567890123456789")}})
			return err
		}},
		{"update a missing ref", func() error {
			_, _, err := f.gh.Git.UpdateRef(c, "acme", "infra", &github.Reference{Ref: github.String("refs/heads/nope"), Object: &github.GitObject{SHA: github.String(f.head)}}, true)
			return err
		}},
		{"bad blob encoding", func() error {
			_, _, err := f.gh.Git.CreateBlob(c, "acme", "infra", &github.Blob{Content: github.String("x"), Encoding: github.String("latin1")})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.do(); status(err) != 422 {
				t.Fatalf("err = %v, want 422", err)
			}
		})
	}
	if len(f.repo.APIObjects()) != 0 {
		t.Fatalf("objects stored by refused requests: %v", f.repo.APIObjects())
	}
}
