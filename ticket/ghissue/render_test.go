package ghissue_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/internal/golden"
	"github.com/tfdrift/tfdrift/ticket/ghissue"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
)

const repoURL = "https://github.com/acme/infra"

// located is the security group with the location the App's locator
// gives: repository, root, commit and the block's lines.
func located() *drift.Drift {
	d := sample.SecurityGroup()
	d.Terraform.Repo, d.Terraform.Root, d.Terraform.Ref = "acme/infra", ".", "0123456789abcdef0123456789abcdef01234567"
	d.Terraform.EndLine = 30
	return d
}

func deleted() *drift.Drift {
	d := sample.InstanceType()
	d.ChangeType, d.Changes = drift.Deleted, nil
	d.Event.EventName, d.Event.RawEventName = "TerminateInstances", "TerminateInstances"
	d.ComputeFingerprint()
	return d
}

func pending() *drift.Drift {
	d := sample.EBSVolume()
	d.Pending, d.TakesEffect = true, "at the next maintenance window (sun:05:00-sun:06:00 UTC)"
	return d
}

// longValues is a policy far longer than a table cell, and a list.
func longValues() *drift.Drift {
	d := sample.IAMPolicy()
	var stmts []string
	for i := range 40 {
		stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket-%02d/*"}`, i))
	}
	d.Changes["policy"] = drift.AttrChange{
		Expected: `{"Version":"2012-10-17","Statement":[` + stmts[0] + `]}`,
		Actual:   `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`,
	}
	d.Changes["managed_policy_arns"] = drift.AttrChange{Expected: []any{}, Actual: []any{"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/AmazonS3FullAccess"}}
	d.ComputeFingerprint()
	return d
}

// checked is what tfdrift check finds: no audit event, a root module.
func checked() *drift.Drift {
	d := &drift.Drift{
		ChangeType: drift.Modified, ResourceType: "aws_security_group", ResourceID: "sg-0a1b2c3d", ResourceAddress: "aws_security_group.web",
		DetectedAt: sample.When, Severity: drift.High, Rules: []string{"Security Group Ingress Rule Violation"},
		Changes: map[string]drift.AttrChange{"description": {Expected: "Web tier", Actual: "temp"}},
		Terraform: drift.Location{State: "envs/prod", Workspace: "default", Root: "envs/prod", File: "envs/prod/main.tf", Line: 18, EndLine: 40,
			Repo: "acme/infra", Ref: "fedcba9876543210fedcba9876543210fedcba98"},
	}
	d.ComputeFingerprint()
	d.ComputeEventID()
	return d
}

type bodyCase struct {
	name string
	d    *drift.Drift
	o    ghissue.BodyOptions
}

func bodyCases() []bodyCase {
	cases := []bodyCase{
		{"modified-permalink-jira", located(), ghissue.BodyOptions{HTMLURL: repoURL, Commands: true, JiraKey: "INFRA-12", JiraURL: "https://acme.atlassian.net/browse/INFRA-12"}},
		{"modified-no-permalink", sample.SecurityGroup(), ghissue.BodyOptions{HTMLURL: repoURL}},
		{"deleted", deleted(), ghissue.BodyOptions{HTMLURL: repoURL, Commands: true}},
		{"pending", pending(), ghissue.BodyOptions{}},
		{"long-values", longValues(), ghissue.BodyOptions{Commands: true}},
		{"checked", checked(), ghissue.BodyOptions{HTMLURL: repoURL}},
	}
	for _, s := range sample.All() {
		switch s.Name {
		case "unmanaged", "hostile", "instance-type", "gcp-firewall":
			cases = append(cases, bodyCase{s.Name, s.Drift, ghissue.BodyOptions{HTMLURL: repoURL, Commands: true}})
		}
	}
	return cases
}

func TestBodies(t *testing.T) {
	for _, c := range bodyCases() {
		t.Run(c.name, func(t *testing.T) {
			body := ghissue.Body(c.d, c.o)
			golden.CheckString(t, filepath.Join("testdata", "body-"+c.name+".md"), body)
			if id, ok := ghissue.ParseMarker(body); !ok || id != ghissue.ResourceID(c.d) || !strings.Contains(body, ghissue.Marker(c.d)) {
				t.Errorf("marker %q, %v; want %q", id, ok, ghissue.ResourceID(c.d))
			}
			if h, ok := ghissue.ParseHistory(body); !ok || h.Count != 1 || !h.Has(c.d) || len(h.Attrs) != len(c.d.Changes) {
				t.Errorf("history %+v, %v", h, ok)
			}
			if strings.Contains(body, "### Commands") != c.o.Commands {
				t.Errorf("commands shown: %v, want %v", !c.o.Commands, c.o.Commands)
			}
		})
	}
}

func TestTitlesAndLabels(t *testing.T) {
	var b strings.Builder
	named := append(sample.All(), sample.Named{Name: "deleted", Drift: deleted()}, sample.Named{Name: "checked", Drift: checked()})
	for _, s := range named {
		fmt.Fprintf(&b, "%s\n  title:  %s\n  labels: %s\n", s.Name, ghissue.Title(s.Drift), strings.Join(ghissue.Labels(s.Drift, []string{"infra", " Infra ", "", "team:net", "tfdrift"}), ", "))
	}
	golden.CheckString(t, filepath.Join("testdata", "titles.txt"), b.String())

	long := sample.SecurityGroup()
	long.ResourceAddress = "module.a." + strings.Repeat("x", 300)
	if got := ghissue.Title(long); len([]rune(got)) != 256 || !strings.HasSuffix(got, "…") {
		t.Errorf("a long title is %d characters: %q", len([]rune(got)), got)
	}
}

// A later drift: the comment shows it, the body's table every attribute
// so far with the latest value, however the deliveries were ordered.
func TestLaterDriftMergesIntoTheTable(t *testing.T) {
	first := located()
	later := located()
	later.DetectedAt = first.DetectedAt.Add(10 * time.Minute)
	later.Event.EventID = "later-event"
	later.Changes = map[string]drift.AttrChange{
		"ingress":     {Expected: first.Changes["ingress"].Expected, Actual: []any{}, Diff: "removed every rule"},
		"description": {Expected: "web", Actual: "temporary"},
	}
	later.ComputeEventID()
	later.ComputeFingerprint()
	o := ghissue.BodyOptions{HTMLURL: repoURL, Commands: true}
	h1, _ := ghissue.ParseHistory(ghissue.Body(first, o))
	o.Earlier = h1
	merged := ghissue.Body(later, o)
	golden.CheckString(t, filepath.Join("testdata", "body-merged.md"), merged)
	golden.CheckString(t, filepath.Join("testdata", "comment-later.md"), ghissue.Comment(later, ghissue.BodyOptions{HTMLURL: repoURL}))
	h2, ok := ghissue.ParseHistory(merged)
	if !ok || h2.Count != 2 || !h2.Has(first) || !h2.Has(later) {
		t.Fatalf("merged history %+v", h2)
	}
	if got := h2.Attrs["ingress"].Actual; !cmp.Equal(got, []any{}) {
		t.Errorf("ingress actual = %v, want the later drift's (latest wins)", got)
	}

	// The earlier drift redelivered after the later one changes nothing.
	o.Earlier = h2
	again, _ := ghissue.ParseHistory(ghissue.Body(first, o))
	if again.Count != 2 || !cmp.Equal(again.Attrs, h2.Attrs) {
		t.Errorf("redelivering the first drift changed the history: %+v", again)
	}
	// A first drift delivered late (after the later one, never seen
	// before) adds its attributes without overwriting newer values.
	early := located()
	early.DetectedAt = first.DetectedAt.Add(-time.Hour)
	early.Event.EventID = "early-event"
	early.Changes["tags"] = drift.AttrChange{Expected: map[string]any{}, Actual: map[string]any{"Owner": "x"}}
	early.ComputeEventID()
	early.ComputeFingerprint()
	o.Earlier = h2
	h3, _ := ghissue.ParseHistory(ghissue.Body(early, o))
	if h3.Count != 3 || !h3.First.Equal(early.DetectedAt) || !cmp.Equal(h3.Attrs["ingress"].Actual, []any{}) || h3.Attrs["tags"].Actual == nil {
		t.Errorf("a late early drift: %+v", h3)
	}
}

func TestResolvedComment(t *testing.T) {
	d := located()
	golden.CheckString(t, filepath.Join("testdata", "comment-resolved.md"), ghissue.ResolvedComment(d, "resolved by alice: fixed in the console"))
	golden.CheckString(t, filepath.Join("testdata", "comment-resolved-hostile.md"),
		ghissue.ResolvedComment(sample.Hostile(), "accepted by @bob | see #12 <img src=x onerror=alert(1)> ```\nGH-7 **now**"))
	if got := ghissue.ResolvedComment(d, " "); !strings.Contains(got, ghissue.DefaultResolveReason) {
		t.Errorf("an empty reason: %s", got)
	}
}

func TestPermalink(t *testing.T) {
	loc := drift.Location{File: "dir with space/main (1).tf", Line: 7, EndLine: 9, Ref: "abc123"}
	tests := []struct {
		name string
		loc  drift.Location
		url  string
		want string
	}{
		{"lines", loc, repoURL + "/", repoURL + "/blob/abc123/dir%20with%20space/main%20%281%29.tf#L7-L9"},
		{"one line", drift.Location{File: "main.tf", Line: 3, Ref: "abc"}, repoURL, repoURL + "/blob/abc/main.tf#L3"},
		{"no line", drift.Location{File: "main.tf", Ref: "abc"}, repoURL, repoURL + "/blob/abc/main.tf"},
		{"no commit", drift.Location{File: "main.tf", Line: 3}, repoURL, ""},
		{"no url", loc, "", ""},
		{"not http", loc, "javascript:alert(1)", ""},
		{"GHES", drift.Location{File: "m.tf", Line: 1, EndLine: 2, Ref: "abc"}, "https://ghe.example.com/acme/infra", "https://ghe.example.com/acme/infra/blob/abc/m.tf#L1-L2"},
	}
	for _, tt := range tests {
		if got := ghissue.Permalink(tt.loc, tt.url); got != tt.want {
			t.Errorf("%s: Permalink = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// Marker IDs tell resources apart, including across workspaces and
// between managed and unmanaged resources, and survive hostile input.
func TestResourceIDs(t *testing.T) {
	base := func(state, ws, addr string) *drift.Drift {
		return &drift.Drift{ResourceAddress: addr, Terraform: drift.Location{State: state, Workspace: ws}}
	}
	tests := []struct {
		d    *drift.Drift
		want string
	}{
		{base("s3://b/prod.tfstate", "default", "aws_instance.a"), "s3://b/prod.tfstate/aws_instance.a"},
		{base("s3://b/prod.tfstate", "", "aws_instance.a"), "s3://b/prod.tfstate/aws_instance.a"},
		{base("s3://b/prod.tfstate", "blue", "aws_instance.a"), "s3://b/prod.tfstate#blue/aws_instance.a"},
		{base("s3://b/x#y", "", `aws_instance.a["k/v --> x"]`), `s3://b/x%23y/aws_instance.a["k%2Fv%20--%3E%20x"]`},
		{sample.Unmanaged(), "cloud:aws/123456789012/aws_instance/i-0fedcba9876543210"},
		{sample.GCPFirewall(), "gs://my-terraform-state/gcp/default.tfstate/google_compute_firewall.web"},
	}
	for _, tt := range tests {
		if got := ghissue.ResourceID(tt.d); got != tt.want {
			t.Errorf("ResourceID = %q, want %q", got, tt.want)
		}
		if got, ok := ghissue.ParseMarker("x\n" + ghissue.Marker(tt.d) + "\ny"); !ok || got != tt.want {
			t.Errorf("ParseMarker(Marker) = %q, %v", got, ok)
		}
	}
}
