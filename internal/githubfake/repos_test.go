package githubfake_test

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/internal/githubfake"
)

func TestContents(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	second := f.repo.Commit(githubfake.CommitSpec{Message: "change", Files: map[string]string{".tfdrift.yml": "version: 1\nroots: []\n"}})
	tests := []struct {
		name, path, ref string
		want            string
		dir             []string
		status          int
	}{
		{"default branch head", ".tfdrift.yml", "", "version: 1\nroots: []\n", nil, 200},
		{"by branch", ".tfdrift.yml", "main", "version: 1\nroots: []\n", nil, 200},
		{"by full SHA", ".tfdrift.yml", f.head, "version: 1\n", nil, 200},
		{"by short SHA", "main.tf", f.head[:7], "resource \"aws_s3_bucket\" \"b\" {}\n", nil, 200},
		{"nested file", "modules/net/sg.tf", f.head, "resource \"aws_security_group\" \"web\" {}\n", nil, 200},
		{"directory", "modules", f.head, "", []string{"net"}, 200},
		{"root", "", f.head, "", []string{".tfdrift.yml", "main.tf", "modules"}, 200},
		{"missing file", "nope.tf", "", "", nil, 404},
		{"deleted since", "main.tf", second, "", nil, 404},
		{"unknown ref", ".tfdrift.yml", "no-such-branch", "", nil, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, dir, _, err := f.gh.Repositories.GetContents(ctx(t), "acme", "infra", tt.path, &github.RepositoryContentGetOptions{Ref: tt.ref})
			if tt.status != 200 {
				if status(err) != tt.status {
					t.Fatalf("err = %v, want %d", err, tt.status)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.dir != nil {
				var names []string
				for _, e := range dir {
					names = append(names, e.GetName())
				}
				if diff := cmp.Diff(tt.dir, names); diff != "" {
					t.Fatalf("listing (-want +got):\n%s", diff)
				}
				return
			}
			got, err := file.GetContent()
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || file.GetType() != "file" || file.GetSHA() == "" || file.GetPath() != tt.path {
				t.Fatalf("file = %+v content %q", file, got)
			}
		})
	}
}

func TestBranchesAndCommits(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	f.repo.Commit(githubfake.CommitSpec{Branch: "tfdrift/accept/x", Files: map[string]string{"a": "1"}})
	b, _, err := f.gh.Repositories.GetBranch(ctx(t), "acme", "infra", "main", 1)
	if err != nil || b.GetCommit().GetSHA() != f.head {
		t.Fatalf("branch main = %v, %v", b, err)
	}
	b, _, err = f.gh.Repositories.GetBranch(ctx(t), "acme", "infra", "tfdrift/accept/x", 1)
	if err != nil || b.GetCommit().GetSHA() != f.repo.Head("tfdrift/accept/x") {
		t.Fatalf("branch with slashes = %v, %v", b, err)
	}
	sha, _, err := f.gh.Repositories.GetCommitSHA1(ctx(t), "acme", "infra", "main", "")
	if err != nil || sha != f.head {
		t.Fatalf("commit SHA of main = %q, %v", sha, err)
	}
	// GitHub's ETag for the SHA media type is the quoted SHA, so the
	// last SHA asks "has it moved?".
	if _, resp, err := f.gh.Repositories.GetCommitSHA1(ctx(t), "acme", "infra", "main", f.head); resp == nil || resp.StatusCode != http.StatusNotModified {
		t.Fatalf("unchanged ref: %v %v", resp, err)
	}
	rc := must[*github.RepositoryCommit](t)(f.gh.Repositories.GetCommit(ctx(t), "acme", "infra", f.head, nil))
	if rc.GetCommit().GetMessage() != "init" || rc.GetCommit().GetAuthor().GetName() != "acme" {
		t.Fatalf("commit = %+v", rc.GetCommit())
	}
	if _, _, err := f.gh.Repositories.GetCommit(ctx(t), "acme", "infra", "0000000", nil); status(err) != 404 {
		t.Fatalf("unknown commit: %v", err)
	}
}

// readTarball lists a GitHub archive: its entry names (with type marks)
// and file contents.
func readTarball(t *testing.T, r io.Reader) (names []string, files map[string]string, comment string) {
	t.Helper()
	gz, err := gzip.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	files = map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names, files, comment
		}
		if err != nil {
			t.Fatal(err)
		}
		switch h.Typeflag {
		case tar.TypeXGlobalHeader:
			comment = h.PAXRecords["comment"]
		case tar.TypeSymlink:
			names = append(names, h.Name+" -> "+h.Linkname)
		default:
			names = append(names, h.Name)
			b, _ := io.ReadAll(tr)
			if h.Typeflag == tar.TypeReg {
				files[h.Name] = string(b)
			}
		}
	}
}

func TestTarballRedirectsToAnArchiveOfTheCommit(t *testing.T) {
	f := newFixture(t, githubfake.Options{PathPrefix: "/api/v3"})
	sha := f.repo.Commit(githubfake.CommitSpec{Files: map[string]string{"main.tf": "x", "bin/run.sh": "#!/bin/sh\n"},
		Symlinks: map[string]string{"link.tf": "main.tf"}, Executable: []string{"bin/run.sh"}})
	u, resp, err := f.gh.Repositories.GetArchiveLink(ctx(t), "acme", "infra", github.Tarball, &github.RepositoryContentGetOptions{Ref: sha}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(u.String(), f.s.WebURL+"_codeload/acme/infra/legacy.tar.gz/"+sha+"?token=") {
		t.Fatalf("archive link %d %s", resp.StatusCode, u)
	}
	dl, err := http.Get(u.String()) // no credentials: the URL carries them
	if err != nil {
		t.Fatal(err)
	}
	defer dl.Body.Close()
	names, files, comment := readTarball(t, dl.Body)
	top := "acme-infra-" + sha[:7] + "/"
	want := []string{top, top + "bin/", top + "bin/run.sh", top + "link.tf -> main.tf", top + "main.tf"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("entries (-want +got):\n%s", diff)
	}
	if comment != sha || files[top+"main.tf"] != "x" {
		t.Fatalf("comment %q files %v", comment, files)
	}
	if f.s.Stats().Downloads != 1 {
		t.Fatalf("stats %+v", f.s.Stats())
	}
	bad := strings.Replace(u.String(), "token=", "token=x", 1)
	if r, err := http.Get(bad); err != nil || r.StatusCode != 404 {
		t.Fatalf("a wrong download token: %v %v", r, err)
	}
	if _, _, err := f.gh.Repositories.GetArchiveLink(ctx(t), "acme", "infra", github.Tarball, &github.RepositoryContentGetOptions{Ref: "nope"}, 1); err == nil {
		t.Fatal("archive of an unknown ref")
	}
}
