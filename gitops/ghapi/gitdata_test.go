package ghapi_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/githubfake"
)

func TestCommitFiles(t *testing.T) {
	f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: fast()})
	c := ctx(t)
	req := ghapi.CommitRequest{
		Base: f.head, Branch: "tfdrift/accept/aws_s3_bucket.b-1a2b3c4", Message: "Accept drift: aws_s3_bucket.b\n\nchanged by bob",
		Files: map[string][]byte{
			"main.tf":        []byte("resource \"aws_s3_bucket\" \"b\" { tags = { team = \"x\" } }\n"),
			"scripts/run.sh": []byte("#!/bin/sh\necho edited\n"),
			"bin/blob":       {0xff, 0x00, 0xfe},
		},
		Delete: []string{"modules/net/sg.tf", "never/was.tf"},
	}
	res, err := f.inst.CommitFiles(c, "acme", "infra", req)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.Unchanged || f.repo.Head(req.Branch) != res.SHA {
		t.Fatalf("result %+v, branch head %s", res, f.repo.Head(req.Branch))
	}
	files, _ := f.repo.Files(req.Branch)
	want := map[string]string{
		".tfdrift.yml":   "version: 1\nroots:\n  - dir: .\n",
		"main.tf":        string(req.Files["main.tf"]),
		"scripts/run.sh": string(req.Files["scripts/run.sh"]),
		"bin/blob":       "\xff\x00\xfe",
	}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Fatalf("branch files (-want +got):\n%s", diff)
	}
	commit, _ := f.repo.GetCommit(res.SHA)
	if commit.Message != req.Message || len(commit.Parents) != 1 || commit.Parents[0] != f.head || commit.Author.Name != "tfdrift[bot]" || !commit.Verified {
		t.Fatalf("commit %+v", commit)
	}
	tree, _, err := f.inst.GitHub().Git.GetTree(c, "acme", "infra", res.Tree, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tree.Entries {
		if e.GetPath() == "scripts/run.sh" && e.GetMode() != "100755" {
			t.Fatalf("run.sh lost its executable bit: %s", e.GetMode())
		}
	}

	// A retry (the outbox redelivering) writes no new commit.
	objects := len(f.repo.APIObjects())
	again, err := f.inst.CommitFiles(c, "acme", "infra", req)
	if err != nil || !again.Unchanged || again.SHA != res.SHA {
		t.Fatalf("retry %+v, %v", again, err)
	}
	for _, o := range f.repo.APIObjects()[objects:] {
		if o.Kind == "commit" {
			t.Fatal("a retry made a new commit")
		}
	}

	// The default branch moves on; regenerating from it is not a fast
	// forward of the branch: refused without Force, done with it.
	files, _ = f.repo.Files("main")
	files["other.tf"] = "# someone else's change\n"
	newMain := f.repo.Commit(githubfake.CommitSpec{Files: files})
	req.Base = newMain
	_, err = f.inst.CommitFiles(c, "acme", "infra", req)
	var ve *ghapi.ValidationError
	if !errors.As(err, &ve) || ve.Message != "Update is not a fast forward" || !ghapi.IsPermanent(err) {
		t.Fatalf("without force: %v", err)
	}
	req.Force = true
	forced, err := f.inst.CommitFiles(c, "acme", "infra", req)
	if err != nil || forced.Created || forced.Unchanged || f.repo.Head(req.Branch) != forced.SHA {
		t.Fatalf("forced %+v, %v", forced, err)
	}
	if files, _ := f.repo.Files(req.Branch); files["other.tf"] == "" || files["main.tf"] != string(req.Files["main.tf"]) {
		t.Fatalf("forced branch files %v", files)
	}

	// Writing what Base already holds changes nothing.
	same, err := f.inst.CommitFiles(c, "acme", "infra", ghapi.CommitRequest{Base: newMain, Branch: "noop", Message: "m",
		Files: map[string][]byte{"other.tf": []byte("# someone else's change\n")}})
	if err != nil || !same.Unchanged || f.repo.Head("noop") != "" {
		t.Fatalf("no-op commit %+v, %v", same, err)
	}

	// A given author replaces the App's.
	authored, err := f.inst.CommitFiles(c, "acme", "infra", ghapi.CommitRequest{Base: newMain, Branch: "authored", Message: "m",
		Files: map[string][]byte{"a.tf": []byte("a\n")}, Author: &github.CommitAuthor{Name: github.String("Jo"), Email: github.String("jo@example.com")}})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := f.repo.GetCommit(authored.SHA); c.Author.Name != "Jo" || c.Verified {
		t.Fatalf("authored commit %+v", c)
	}
}

func TestCommitFilesRefusesBadRequests(t *testing.T) {
	f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: fast()})
	ok := ghapi.CommitRequest{Base: f.head, Branch: "b", Message: "m", Files: map[string][]byte{"a": []byte("x")}}
	tests := map[string]func(r *ghapi.CommitRequest){
		"short base":       func(r *ghapi.CommitRequest) { r.Base = f.head[:7] },
		"branch with ..":   func(r *ghapi.CommitRequest) { r.Branch = "a..b" },
		"branch as a ref":  func(r *ghapi.CommitRequest) { r.Branch = "refs/heads/b" },
		"branch with a ~":  func(r *ghapi.CommitRequest) { r.Branch = "a~1" },
		"empty message":    func(r *ghapi.CommitRequest) { r.Message = " " },
		"nothing":          func(r *ghapi.CommitRequest) { r.Files = nil },
		"path climbing":    func(r *ghapi.CommitRequest) { r.Files = map[string][]byte{"../x": nil} },
		"absolute path":    func(r *ghapi.CommitRequest) { r.Files = map[string][]byte{"/etc/x": nil} },
		"into .git":        func(r *ghapi.CommitRequest) { r.Files = map[string][]byte{".git/hooks/x": nil} },
		"written, deleted": func(r *ghapi.CommitRequest) { r.Delete = []string{"a"} },
	}
	for name, mod := range tests {
		r := ok
		mod(&r)
		if _, err := f.inst.CommitFiles(ctx(t), "acme", "infra", r); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if len(f.s.Writes()) != 0 {
		t.Fatalf("a refused request wrote: %+v", f.s.Writes())
	}
	r := ok
	r.Base = "0123456789012345678901234567890123456789"
	if _, err := f.inst.CommitFiles(ctx(t), "acme", "infra", r); !ghapi.IsNotFound(err) {
		t.Fatalf("unknown base: %v", err)
	}
}
