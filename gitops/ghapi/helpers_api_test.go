package ghapi_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/githubfake"
)

// Lists ask for 100 a page: 150 installations cost two requests.
func TestListsUseFullPages(t *testing.T) {
	s := githubfake.New(t, githubfake.Options{})
	app := s.AddApp(githubfake.AppSpec{ID: 42})
	var names []string
	for i := range 250 {
		n := fmt.Sprintf("r%03d", i)
		s.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: n})
		names = append(names, "acme/"+n)
	}
	for i := range 150 {
		s.AddInstallation(githubfake.InstallationSpec{ID: int64(1000 + i), Repos: names[i : i+1]})
	}
	s.AddInstallation(githubfake.InstallationSpec{ID: 7, Repos: names})
	gh, err := ghapi.NewApp(app.ID, app.PrivateKeyPEM(), ghapi.Options{APIURL: s.URL, Pacing: fast()})
	if err != nil {
		t.Fatal(err)
	}
	insts, err := gh.Client().ListInstallations(ctx(t))
	if err != nil || len(insts) != 151 {
		t.Fatalf("%d installations, %v", len(insts), err)
	}
	repos, err := gh.Installation(7).ListRepos(ctx(t))
	if err != nil || len(repos) != 250 || repos[249].GetFullName() != "acme/r249" {
		t.Fatalf("%d repos, %v", len(repos), err)
	}
	var pages []string
	for _, r := range s.Requests() {
		if r.Method == "GET" {
			pages = append(pages, r.Path+"?"+r.Query)
		}
	}
	want := []string{
		"/app/installations?per_page=100", "/app/installations?page=2&per_page=100",
		"/installation/repositories?per_page=100", "/installation/repositories?page=2&per_page=100", "/installation/repositories?page=3&per_page=100",
	}
	if diff := cmp.Diff(want, pages); diff != "" {
		t.Fatalf("requests (-want +got):\n%s", diff)
	}
}

func TestReadFileAndResolveRef(t *testing.T) {
	f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: fast()})
	big := strings.Repeat("x", 1<<20+1)
	files, _ := f.repo.Files("main")
	files["big.tf"] = big
	second := f.repo.Commit(githubfake.CommitSpec{Files: files, Symlinks: map[string]string{"link.tf": "main.tf"}})
	file, err := f.inst.ReadFile(ctx(t), "acme", "infra", ".tfdrift.yml", f.head)
	if err != nil || string(file.Content) != "version: 1\nroots:\n  - dir: .\n" || file.Ref != f.head || file.SHA == "" {
		t.Fatalf("file %+v, %v", file, err)
	}
	for _, tt := range []struct {
		path string
		ok   func(error) bool
	}{
		{"missing.yml", ghapi.IsNotFound},
		{"modules", ghapi.IsNotFound},
		{"link.tf", ghapi.IsNotFound},
		{"big.tf", func(err error) bool { var le *ghapi.LimitError; return errors.As(err, &le) }},
	} {
		if _, err := f.inst.ReadFile(ctx(t), "acme", "infra", tt.path, "main"); !tt.ok(err) || !ghapi.IsPermanent(err) {
			t.Errorf("%s: %v", tt.path, err)
		}
	}
	sha, err := f.inst.ResolveRef(ctx(t), "acme", "infra", "main")
	if err != nil || sha != second {
		t.Fatalf("main = %q, %v", sha, err)
	}
	if _, err := f.inst.ResolveRef(ctx(t), "acme", "infra", "gone"); !ghapi.IsNotFound(err) {
		t.Fatalf("unknown ref: %v", err)
	}
}

func TestListOpenIssues(t *testing.T) {
	f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: fast()})
	for i := range 130 {
		f.repo.CreateIssueAs("tfdrift[bot]", fmt.Sprintf("Drift %d", i+1), "", "tfdrift")
	}
	f.repo.CreateIssueAs("alice", "unrelated", "", "bug")
	f.repo.SetIssueStateAs("alice", 5, "closed", "completed")
	// A tfdrift pull request carries the label too.
	files, _ := f.repo.Files("main")
	files["main.tf"] = "edited\n"
	f.repo.Commit(githubfake.CommitSpec{Branch: "tfdrift/accept/x", Files: files})
	pr, _, err := f.inst.GitHub().PullRequests.Create(ctx(t), "acme", "infra", &github.NewPullRequest{
		Title: github.String("Accept drift"), Head: github.String("tfdrift/accept/x"), Base: github.String("main")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.inst.GitHub().Issues.AddLabelsToIssue(ctx(t), "acme", "infra", pr.GetNumber(), []string{"tfdrift"}); err != nil {
		t.Fatal(err)
	}
	issues, err := f.inst.ListOpenIssues(ctx(t), "acme", "infra", "tfdrift")
	if err != nil {
		t.Fatal(err)
	}
	if len(issues) != 129 || issues[0].GetNumber() != 1 || issues[128].GetNumber() != 130 {
		t.Fatalf("%d issues, first #%d", len(issues), issues[0].GetNumber())
	}
	for _, is := range issues {
		if is.GetNumber() == 5 || is.IsPullRequest() {
			t.Fatalf("listed #%d", is.GetNumber())
		}
	}
}

func TestPermission(t *testing.T) {
	f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: fast()})
	f.repo.SetPermission("ro", "read")
	f.repo.SetPermission("tri", "triage")
	f.repo.SetPermission("dev", "write")
	f.repo.SetPermission("mia", "maintain")
	f.repo.SetPermission("boss", "admin")
	f.repo.SetCustomRole("sec", "security-manager", "write")
	f.s.AddUser("stranger")
	tests := []struct {
		user string
		want ghapi.Permission
	}{
		{"ro", ghapi.PermissionRead},
		{"tri", ghapi.PermissionTriage},
		{"dev", ghapi.PermissionWrite},
		{"mia", ghapi.PermissionMaintain}, // GitHub's permission field says write
		{"boss", ghapi.PermissionAdmin},
		{"sec", ghapi.PermissionWrite}, // a custom role counts as its base
		{"stranger", ghapi.PermissionNone},
	}
	for _, tt := range tests {
		got, err := f.inst.Permission(ctx(t), "acme", "infra", tt.user)
		if err != nil || got != tt.want {
			t.Errorf("%s: %v %v, want %v", tt.user, got, err, tt.want)
		}
	}
	if _, err := f.inst.Permission(ctx(t), "acme", "infra", "ghost"); !ghapi.IsNotFound(err) {
		t.Fatalf("unknown user: %v", err)
	}
	if !(ghapi.PermissionMaintain > ghapi.PermissionWrite && ghapi.PermissionWrite > ghapi.PermissionTriage) {
		t.Fatal("permissions are not ordered")
	}
	for _, s := range []string{"none", "read", "triage", "write", "maintain", "admin"} {
		p, err := ghapi.ParsePermission(s)
		if err != nil || p.String() != s {
			t.Errorf("%s: %v %v", s, p, err)
		}
	}
	if _, err := ghapi.ParsePermission("owner"); err == nil {
		t.Fatal("ParsePermission(owner) accepted")
	}
}
