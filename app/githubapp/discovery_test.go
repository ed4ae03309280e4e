package githubapp

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/internal/githubfake"
)

// lineOf is the 1-based line of the first line of content holding s.
func lineOf(t *testing.T, content, s string) int {
	t.Helper()
	for i, l := range strings.Split(content, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%q not found", s)
	return 0
}

func driftIn(stateName, address string, sev drift.Severity) *drift.Drift {
	d := &drift.Drift{ChangeType: drift.Modified, ResourceType: "aws_security_group", ResourceID: "sg-1",
		ResourceAddress: address, Severity: sev, Terraform: drift.Location{State: stateName, Workspace: "default"}}
	d.ComputeFingerprint()
	return d
}

// TestDiscovery: the App lists its installation's repositories, loads
// the one with a .tfdrift.yml at its default branch head (the code by
// tarball), leaves the other alone, and then knows which root files a
// drift and where its resource is declared.
func TestDiscovery(t *testing.T) {
	f := newFixture(t, fixtureOptions{yml: tfdriftYML})
	st := f.a.Status()
	want := Status{At: st.At, Installations: []InstallationStatus{{ID: instID, Account: "acme", Repos: []RepoStatus{
		{FullName: "acme/infra", HasConfig: true, Head: f.head, SHA: f.head,
			Roots: []RootStatus{{Dir: ".", State: prodState, Known: true, Issues: true, MinSeverity: drift.Medium}}},
		{FullName: "acme/website", Head: f.gh.Repo("acme/website").Head("main")},
	}}}, Unclaimed: []string{"staging"}}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	if d := f.gh.Stats().Downloads; d != 1 {
		t.Errorf("%d tarball downloads, want 1 (only the repository with a .tfdrift.yml)", d)
	}

	c, ok := f.a.Claim(driftIn(prodState, "aws_instance.app_server", drift.High))
	if !ok || c.Repo != "acme/infra" || c.Installation != instID || c.Root != "." || !slices.Equal(c.Labels, []string{"team:platform"}) ||
		!slices.Equal(c.Assignees, []string{"alice"}) || c.HTMLURL != f.repo.HTMLURL() {
		t.Errorf("claim: %+v, %v", c, ok)
	}

	src := &state.Source{Name: prodState, Workspace: "default"}
	sg := f.files["modules/network/sg.tf"]
	loc, ok := f.a.Code().Location(src, "module.network.aws_security_group.web_servers")
	start := lineOf(t, sg, `resource "aws_security_group" "web_servers"`)
	wantLoc := drift.Location{Workspace: "", ModuleAddress: "module.network", Module: "modules/network", File: "modules/network/sg.tf",
		Line: start, EndLine: loc.EndLine, Repo: "acme/infra", Ref: f.head}
	if !ok || loc != wantLoc || loc.EndLine <= start || !strings.HasPrefix(strings.Split(sg, "\n")[loc.EndLine-1], "}") {
		t.Errorf("location: %+v, %v\nwant %+v with EndLine at the block's closing brace", loc, ok, wantLoc)
	}
	if _, ok := f.a.Code().Location(&state.Source{Name: "staging", Workspace: "default"}, "aws_instance.app_server"); ok {
		t.Error("a state no root claims has a location")
	}
	if _, ok := f.a.Code().Location(nil, "aws_instance.app_server"); ok {
		t.Error("an unmanaged resource has a location")
	}
	// lifecycle.ignore_changes, and the repository's .tfdriftignore.
	if got := f.a.Code().IgnoreChanges(src, "aws_instance.workers[0]"); !slices.Contains(got, "tags") {
		t.Errorf("ignore_changes of the workers: %v", got)
	}
	if got := f.a.Code().IgnoreChanges(src, "aws_instance.app_server"); len(got) != 0 {
		t.Errorf("ignore_changes of the app server: %v", got)
	}
}

// TestWantsAndUnrouted: the App's own channel takes a claimed drift at
// or above the root's min_severity; a drift no root claims is counted
// once however often it is seen.
func TestWantsAndUnrouted(t *testing.T) {
	f := newFixture(t, fixtureOptions{yml: tfdriftYML})
	for _, tt := range []struct {
		d    *drift.Drift
		want bool
	}{
		{driftIn(prodState, "aws_instance.app_server", drift.High), true},
		{driftIn(prodState, "aws_instance.app_server", drift.Medium), true},
		{driftIn(prodState, "aws_instance.app_server", drift.Low), false},
		{driftIn("staging", "aws_instance.app_server", drift.Critical), false},
	} {
		if got := f.a.Wants(tt.d); got != tt.want {
			t.Errorf("Wants(%s %s) = %v, want %v", tt.d.Terraform.State, tt.d.Severity, got, tt.want)
		}
	}
	unclaimed := driftIn("staging", "aws_instance.app_server", drift.Critical)
	f.a.Wants(unclaimed)
	f.a.Wants(driftIn("staging", "aws_instance.other", drift.Critical))
	if n := f.counter(f.a.m.unrouted); n != 2 {
		t.Errorf("tfdrift_github_unrouted_total = %v, want 2 (two drifts, one seen twice)", n)
	}
}

// TestRootsNameStatesByAlias: a root may name a state source by its
// bucket URL or path; issues: false keeps its drifts out of the channel;
// a workspace picks one of several roots of one state.
func TestRootsNameStatesByAlias(t *testing.T) {
	yml := "roots:\n  - dir: .\n    state: /srv/prod.tfstate\n    workspace: blue\n  - dir: modules/network\n    state: prod\n    issues: false\n"
	f := newFixture(t, fixtureOptions{yml: yml})
	blue := driftIn(prodState, "aws_instance.app_server", drift.Critical)
	blue.Terraform.Workspace = "blue"
	if c, ok := f.a.Claim(blue); !ok || c.Root != "." {
		t.Errorf("workspace blue: %+v, %v", c, ok)
	}
	other := driftIn(prodState, "aws_instance.app_server", drift.Critical)
	if c, ok := f.a.Claim(other); !ok || c.Root != "modules/network" || c.Issues {
		t.Errorf("default workspace: %+v, %v", c, ok)
	}
	if f.a.Wants(other) {
		t.Error("issues: false still opens issues")
	}
	loc, ok := f.a.Code().Location(&state.Source{Name: prodState, Workspace: "default"}, "aws_security_group.web_servers")
	if !ok || loc.Root != "modules/network" || loc.File != "modules/network/sg.tf" {
		t.Errorf("a root below the top: %+v, %v", loc, ok)
	}
}

// TestBadConfigKeepsTheGoodOne: a push whose .tfdrift.yml does not
// validate keeps the previous configuration, and says so in a failing
// "tfdrift config" check run with an annotation at the line, a log line
// and the metric; code that does not parse is reported at its own file
// and line; the fix is picked up by the next push.
func TestBadConfigKeepsTheGoodOne(t *testing.T) {
	f := newFixture(t, fixtureOptions{yml: tfdriftYML})
	checks := func(sha string) []githubfake.CheckRun {
		var out []githubfake.CheckRun
		for _, cr := range f.repo.CheckRuns() {
			if cr.HeadSHA == sha && cr.Name == CheckName {
				out = append(out, cr)
			}
		}
		return out
	}
	if cs := checks(f.head); len(cs) != 1 || cs[0].Conclusion != "success" || cs[0].App != "tfdrift" {
		t.Fatalf("check runs on the first commit: %+v", cs)
	}
	push := func(changed map[string]string) string {
		t.Helper()
		before := f.repo.Head("main")
		files := maps.Clone(f.files)
		maps.Copy(files, changed)
		sha := f.repo.Commit(githubfake.CommitSpec{Message: "change", Files: files})
		d := f.send("push", f.repo.PushEvent("refs/heads/main", before, sha, "alice"))
		if d.Status != 202 {
			t.Fatalf("push: %d %s", d.Status, d.Response)
		}
		return sha
	}

	bad := push(map[string]string{".tfdrift.yml": "version: 1\nroots:\n  - dir: .\n    state: prod\n    min_severity: urgent\n"})
	waitUntil(t, "the failing check run", func() bool { return len(checks(bad)) == 1 })
	cr := checks(bad)[0]
	wantAnn := []githubfake.Annotation{{Path: ".tfdrift.yml", StartLine: 5, EndLine: 5, Level: "failure", Title: "tfdrift config",
		Message: `roots[0].min_severity: "urgent" is not a severity (want info, low, medium, high or critical)`}}
	if cr.Conclusion != "failure" || !cmp.Equal(wantAnn, cr.Annotations) || !strings.Contains(cr.Summary, "keeps using the configuration of "+f.head[:12]) {
		t.Errorf("check run: %s %q %+v", cr.Conclusion, cr.Summary, cr.Annotations)
	}
	// The check run, the status and the metric are each written by the
	// discovery's own goroutine: wait for the last of them, not only the
	// check run.
	waitUntil(t, "the status to name the problem", func() bool {
		st := f.a.Status().Installations[0].Repos[0]
		return st.Head == bad && len(st.Problems) > 0 && f.counter(f.a.m.configErrors.WithLabelValues("acme/infra")) >= 1
	})
	st := f.a.Status().Installations[0].Repos[0]
	if st.SHA != f.head || st.Head != bad || len(st.Problems) != 1 || !strings.HasPrefix(st.Problems[0], ".tfdrift.yml:5: ") {
		t.Errorf("status after the bad push: %+v", st)
	}
	if c, ok := f.a.Claim(driftIn(prodState, "aws_instance.app_server", drift.High)); !ok || c.MinSeverity != drift.Medium {
		t.Errorf("the good configuration is not kept: %+v, %v", c, ok)
	}
	if n := f.counter(f.a.m.configErrors.WithLabelValues("acme/infra")); n != 1 {
		t.Errorf("tfdrift_github_config_errors_total = %v", n)
	}

	// Code that does not parse: at the .tf file's line.
	broken := push(map[string]string{".tfdrift.yml": tfdriftYML, "main.tf": f.files["main.tf"] + "\nresource \"aws_s3_bucket\" {\n"})
	waitUntil(t, "the code's failing check run", func() bool { return len(checks(broken)) == 1 })
	if anns := checks(broken)[0].Annotations; len(anns) == 0 || anns[0].Path != "main.tf" || anns[0].StartLine < lineOf(t, f.files["main.tf"], "google_compute_firewall") {
		t.Errorf("code problem annotations: %+v", anns)
	}

	fixed := push(map[string]string{"main.tf": f.files["main.tf"], ".tfdrift.yml": strings.Replace(tfdriftYML, "medium", "high", 1)})
	waitUntil(t, "the fix to load", func() bool {
		return f.a.Status().Installations[0].Repos[0].SHA == fixed && len(checks(fixed)) > 0
	})
	if cs := checks(fixed); len(cs) != 1 || cs[0].Conclusion != "success" {
		t.Errorf("check runs on the fix: %+v", cs)
	}
	if c, _ := f.a.Claim(driftIn(prodState, "aws_instance.app_server", drift.High)); c.MinSeverity != drift.High {
		t.Errorf("after the fix: %+v", c)
	}
	loc, _ := f.a.Code().Location(&state.Source{Name: prodState, Workspace: "default"}, "aws_instance.app_server")
	if loc.Ref != fixed {
		t.Errorf("location ref %s, want the fixed commit %s", loc.Ref, fixed)
	}
}

// TestPushesThatDoNotCount: a push to another branch, a tag, or one
// deleting a branch is answered 204 and changes nothing; a repository
// that drops its .tfdrift.yml files nothing any more.
func TestPushesThatDoNotCount(t *testing.T) {
	f := newFixture(t, fixtureOptions{yml: tfdriftYML})
	main := f.repo.Head("main")
	feature := f.repo.Commit(githubfake.CommitSpec{Branch: "feature", Message: "wip", Files: map[string]string{".tfdrift.yml": "bad: ["}})
	if d := f.send("push", f.repo.PushEvent("refs/heads/feature", main, feature, "alice")); d.Status != 204 {
		t.Errorf("push to feature: %d", d.Status)
	}
	if d := f.send("push", f.repo.PushEvent("refs/heads/main", main, strings.Repeat("0", 40), "alice")); d.Status != 204 {
		t.Errorf("deleting the branch: %d", d.Status)
	}
	without := maps.Clone(f.files)
	delete(without, ".tfdrift.yml")
	gone := f.repo.Commit(githubfake.CommitSpec{Message: "rm", Files: without})
	if d := f.send("push", f.repo.PushEvent("refs/heads/main", main, gone, "alice")); d.Status != 202 {
		t.Fatalf("push: %d", d.Status)
	}
	waitUntil(t, "the repository to be dropped", func() bool {
		_, ok := f.a.Claim(driftIn(prodState, "aws_instance.app_server", drift.High))
		return !ok
	})
	if st := f.a.Status(); st.Installations[0].Repos[0].HasConfig || !slices.Contains(st.Unclaimed, prodState) {
		t.Errorf("status: %+v", st)
	}
}

// TestInstallationEvents: a repository added to the installation is
// discovered from its webhook; an uninstall forgets the installation.
func TestInstallationEvents(t *testing.T) {
	f := newFixture(t, fixtureOptions{yml: tfdriftYML})
	other := f.gh.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "platform"})
	other.Commit(githubfake.CommitSpec{Message: "init", Files: map[string]string{
		".tfdrift.yml": "roots:\n  - dir: .\n    state: staging\n", "main.tf": "resource \"aws_instance\" \"x\" {}\n"}})
	f.gh.SetInstallationRepos(instID, []string{"acme/infra", "acme/website", "acme/platform"})
	d := f.send("installation_repositories", f.gh.InstallationRepositoriesEvent("added", instID, []string{"acme/platform"}, nil, "alice"))
	if d.Status != 202 {
		t.Fatalf("installation_repositories: %d", d.Status)
	}
	waitUntil(t, "acme/platform to claim staging", func() bool {
		c, ok := f.a.Claim(driftIn("staging", "aws_instance.x", drift.High))
		return ok && c.Repo == "acme/platform"
	})
	ev := f.gh.InstallationEvent("deleted", instID, "alice")
	f.gh.RemoveInstallation(instID)
	f.send("installation", ev)
	waitUntil(t, "the uninstall", func() bool { return len(f.a.Status().Installations) == 0 })
	if _, ok := f.a.Claim(driftIn(prodState, "aws_instance.app_server", drift.High)); ok {
		t.Error("a repository of a removed installation still claims drifts")
	}
}

func TestResourceType(t *testing.T) {
	for in, want := range map[string]string{
		"aws_instance.web":                              "aws_instance",
		"aws_instance.web[0]":                           "aws_instance",
		`module.net["a.b"].aws_security_group.web["x"]`: "aws_security_group",
		"module.a.module.b[1].aws_iam_role.r":           "aws_iam_role",
		"data.aws_ami.ubuntu":                           "aws_ami",
		"module.m.data.aws_ami.u":                       "aws_ami",
	} {
		if got := resourceType(in); got != want {
			t.Errorf("resourceType(%s) = %q, want %q", in, got, want)
		}
	}
}
