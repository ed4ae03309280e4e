package githubfake

import (
	"testing"
	"time"
)

// The object store's SHAs are git's: these were computed with git
// hash-object, mktree and commit-tree.
func TestObjectHashesAreGits(t *testing.T) {
	o := newObjects()
	if got := o.buildTree(map[string]gitFile{}); got != "4b825dc642cb6eb9a060e54bf8d69288fbee4904" {
		t.Fatalf("empty tree %s", got)
	}
	b := o.putBlob([]byte("x"))
	if b != "c1b0730e0133447badcfd47fd144e254807b06e1" {
		t.Fatalf("blob %s", b)
	}
	tree := o.buildTree(map[string]gitFile{
		"a.tf":      {mode: modeFile, sha: b},
		"dir/b.txt": {mode: modeFile, sha: b},
		"run.sh":    {mode: modeExec, sha: b},
	})
	if tree != "95e66e952a251c77c3ce561913812470f4bf176e" {
		t.Fatalf("tree %s", tree)
	}
	sig := Signature{Name: "octo", Email: "o@x", Date: time.Unix(1700000000, 0)}
	c := &Commit{Tree: tree, Message: "msg\n", Author: sig, Committer: sig}
	if got := o.putCommit(c); got != "4aa07d61691d5b6645146950ed85fb6ec9ee7fa4" {
		t.Fatalf("commit %s", got)
	}
}

func TestMerge3(t *testing.T) {
	f := func(s string) gitFile { return gitFile{mode: modeFile, sha: s} }
	base := map[string]gitFile{"a": f("1"), "b": f("1"), "c": f("1")}
	ours := map[string]gitFile{"a": f("2"), "b": f("1"), "c": f("3")}
	theirs := map[string]gitFile{"a": f("1"), "b": f("2"), "d": f("1")} // c deleted
	got, conflicts := merge3(base, ours, theirs)
	if len(conflicts) != 1 || conflicts[0] != "c" {
		t.Fatalf("conflicts %v", conflicts)
	}
	if got["a"] != f("2") || got["b"] != f("2") || got["d"] != f("1") {
		t.Fatalf("merged %v", got)
	}
}
