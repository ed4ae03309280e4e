package reconcile

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/edit"
	"github.com/tfdrift/tfdrift/gitops/terraform"
	"github.com/tfdrift/tfdrift/gitops/workspace"
	"github.com/tfdrift/tfdrift/internal/golden"
)

func goldenPath(name string) string { return filepath.Join("testdata", "golden", name) }

// sampleDrifts are two console edits of one group by two people: a rule
// added by alice, then a tag by bob (whose name would break a table).
func sampleDrifts() []*drift.Drift {
	mk := func(user, event string, at time.Time, attrs map[string]drift.AttrChange) *drift.Drift {
		d := &drift.Drift{DetectedAt: at, ChangeType: drift.Modified, ResourceType: "aws_security_group", ResourceID: "sg-0123",
			ResourceAddress: `module.net.aws_security_group.web["edge"]`, Changes: attrs, Severity: drift.High,
			Event: &change.Change{Provider: change.AWS, Account: "123456789012", Region: "us-east-1", EventName: event, Time: at,
				Actor: change.Actor{Type: "IAMUser", UserName: user}, SourceIP: "203.0.113.42"},
			Terraform: drift.Location{State: "s3://acme-tf/prod/terraform.tfstate", File: "modules/net/main.tf", Line: 3}}
		d.ComputeFingerprint()
		return d
	}
	return []*drift.Drift{
		mk("alice@example.com", "AuthorizeSecurityGroupIngress", time.Date(2025, 1, 20, 14, 32, 15, 0, time.UTC), map[string]drift.AttrChange{
			"ingress": {Diff: "added cidr_blocks=0.0.0.0/0 from_port=22 protocol=tcp to_port=22"}}),
		mk("bob|<script>", "CreateTags", time.Date(2025, 1, 20, 15, 1, 0, 0, time.UTC), map[string]drift.AttrChange{
			"tags": {Expected: map[string]any{"Name": "web"}, Actual: map[string]any{"Name": "web", "Owner": "bob"}}}),
	}
}

// samplePlan edits one file and refuses an attribute set by a
// conditional.
func samplePlan() *edit.Plan {
	before := "resource \"aws_security_group\" \"web\" {\n  for_each = local.groups\n  name     = each.key\n}\n"
	after := "resource \"aws_security_group\" \"web\" {\n  for_each = local.groups\n  name     = each.key\n\n  ingress {\n    from_port = 22\n  }\n}\n"
	return &edit.Plan{
		Edits: []edit.FileEdit{{File: "modules/net/main.tf", Before: []byte(before), After: []byte(after),
			Notes: []edit.Note{{Address: `module.net.aws_security_group.web["edge"]`, Attribute: "ingress", Line: 4, Text: "added ingress block { from_port = 22 }"}}}},
		Refusals: []edit.Refusal{{Address: `module.net.aws_security_group.web["edge"]`, Attribute: "tags", File: "modules/net/main.tf", Line: 2,
			Reason: `module.net.aws_security_group.web["edge"].tags is set by var.env == "prod" ? local.a : local.b (modules/net/main.tf:2); it is a conditional, and tfdrift cannot tell which branch applies`}},
	}
}

func link(file string, line int) string {
	return fmt.Sprintf("https://github.com/acme/infra/blob/0123456789abcdef0123456789abcdef01234567/%s#L%d", file, line)
}

// TestRenderGolden pins what the App writes: the pull request body with
// the diff, the notes and the refusals; its commit message; the
// explanation when nothing can be edited; the update comment.
func TestRenderGolden(t *testing.T) {
	ds := sampleDrifts()
	res := ResourceOf(ds[0])
	view := acceptView{Resource: res, Drifts: ds, Plan: samplePlan(), Issue: 12, Link: link,
		Changes: map[string]drift.AttrChange{"ingress": ds[0].Changes["ingress"], "tags": ds[1].Changes["tags"]},
		Skipped: []string{"module.net.aws_security_group.web[\"edge\"].description: the audit record hides the new value"},
		Proved:  true,
		NoProof: "",
	}
	golden.CheckString(t, goldenPath("render-pr-body.md"), view.body())
	golden.CheckString(t, goldenPath("render-commit.txt"), view.commitMessage())
	unproved := view
	unproved.Proved, unproved.NoProof, unproved.Issue = false, "this server has no `terraform:` block, so it runs no terraform and did not prove the edit.", 0
	golden.CheckString(t, goldenPath("render-pr-body-unproved.md"), unproved.body())
	nothing := view
	nothing.Plan = &edit.Plan{Refusals: view.Plan.Refusals}
	golden.CheckString(t, goldenPath("render-nothing-to-edit.md"), nothing.nothingToEdit())
	golden.CheckString(t, goldenPath("render-updated.md"), updated("a new drift of `x` was recorded", "0123456789abcdef0123456789abcdef01234567", ds))
}

// TestFailureSentences: each way a terraform job stops reads as its own
// sentence (the revert's exit statuses as words), golden.
func TestFailureSentences(t *testing.T) {
	since := time.Date(2025, 1, 20, 15, 0, 0, 0, time.UTC)
	guard := fmt.Errorf("revert aws_instance.app refused: %w", errors.Join(
		&terraform.UnexpectedChangesError{Target: []string{"aws_instance.app"}, Others: []string{"aws_security_group.web"}},
		&terraform.DestructiveChangeError{Address: "aws_instance.app", Actions: []string{"delete", "create"}, Because: []string{"ami"}}))
	var b strings.Builder
	for _, tt := range []struct {
		name string
		err  error
	}{
		{"guard", guard},
		{"state lock", &terraform.LockHeldError{ID: "a1b2", Who: "ci@runner", Operation: "OperationTypeApply", Created: "2025-01-20 14:59:00 UTC"}},
		{"root lease", &store.LockedError{Name: "root:acme/infra:envs/prod:default", Holder: "revert of aws_instance.app by @alice", Since: since, Until: since.Add(10 * time.Minute)}},
		{"job of this server", &workspace.LockedError{Key: workspace.Key{Repo: "github:acme/infra", Dir: "envs/prod", Workspace: "default"}, Holder: "recheck of aws_instance.app by @bob", Since: since}},
		{"credentials", fmt.Errorf("revert: %w", &terraform.AuthError{Provider: "aws", Line: "Error: No valid credential sources found"})},
		{"stale plan", &terraform.StalePlanError{Err: errors.New("Saved plan is stale")}},
		{"binary", &terraform.VersionError{Binary: "terraform", Want: ">= 1.5.0", Got: "1.4.6"}},
		{"local state", &workspace.LocalStateError{Path: "/tmp/job/src/envs/prod/terraform.tfstate"}},
		{"address", fmt.Errorf("revert: %w", &terraform.AddressNotFoundError{Addresses: []string{"aws_instance.ap"}})},
		{"workspace", &terraform.WorkspaceNotFoundError{Name: "prdo", Existing: []string{"default", "prod"}}},
		{"other", errors.New("terraform init: exit status 1\nError: Failed to query available provider packages")},
	} {
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", tt.name, strings.TrimSpace(failure("The revert", tt.err)))
	}
	golden.CheckString(t, goldenPath("failure-sentences.md"), b.String())
}

// TestMarkdownEscapes: values from the cloud cannot break out of a code
// span, a table cell or a fence.
func TestMarkdownEscapes(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{code("a"), "`a`"},
		{code("a`b"), "``a`b``"},
		{code("`x`"), "`` `x` ``"},
		{code("a\nb"), "`a b`"},
		{cell("a|b\n<c>", 100), `a\|b \<c\>`},
		{cell("a\\|||", 4), `a…`},
		{cell(strings.Repeat("é", 10), 7), "éé…"},
		{text("*bold* [x](y) @team"), `\*bold\* \[x\](y) \@team`},
		{fence("text", "```\nx"), "````text\n```\nx\n````\n"},
		{Marker(Resource{State: "s3://b/k", Address: "aws_s3_bucket.b"}), "<!-- tfdrift:resource=s3://b/k/aws_s3_bucket.b -->"},
		{Marker(Resource{State: "x-->y z", Workspace: "default", Address: `m.a["k/é"]`}), `<!-- tfdrift:resource=x--%3Ey%20z/m.a["k%2F%C3%A9"] -->`},
		{Marker(Resource{State: "s#1", Workspace: "prod", Address: "a.b"}), "<!-- tfdrift:resource=s%231#prod/a.b -->"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestBranchName: addresses become readable branch names git accepts.
func TestBranchName(t *testing.T) {
	for _, tt := range []struct{ addr, fp, want string }{
		{"aws_security_group.web", "0123456789abcdef", "tfdrift/accept/aws_security_group.web-01234567"},
		{`module.x.aws_y.z["a"]`, "fedcba98", "tfdrift/accept/module.x.aws_y.z-a-fedcba98"},
		{"aws_instance.w[1]", "ab", "tfdrift/accept/aws_instance.w-1-ab"},
		{`module.m["a b"].aws_s3_bucket.b["x..y/z"]`, "12345678", "tfdrift/accept/module.m-a-b-.aws_s3_bucket.b-x.y-z-12345678"},
		{"aws_x.y.lock", "", "tfdrift/accept/aws_x.y"},
		{`["é"]`, "12345678", "tfdrift/accept/resource-12345678"},
		{strings.Repeat("a", 200), "12345678", "tfdrift/accept/" + strings.Repeat("a", 80) + "-12345678"},
	} {
		got := BranchName(tt.addr, tt.fp)
		if got != tt.want {
			t.Errorf("BranchName(%q, %q) = %q, want %q", tt.addr, tt.fp, got, tt.want)
		}
		checkRefFormat(t, got)
	}
}

// checkRefFormat asks git itself whether a branch name is valid.
func checkRefFormat(t testing.TB, branch string) {
	t.Helper()
	if out, err := exec.Command("git", "check-ref-format", "--branch", branch).CombinedOutput(); err != nil {
		t.Errorf("git refuses the branch name %q: %v %s", branch, err, out)
	}
}

// FuzzBranchName: whatever the address (it comes from state, which
// anyone may write), the branch name is one git accepts, under the
// prefix.
func FuzzBranchName(f *testing.F) {
	for _, s := range []string{`module.x.aws_y.z["a"]`, "aws_instance.w[1]", "..", "-x", "a.lock", "a//b", "@{", "\x00", `["..lock"]`} {
		f.Add(s, "0123456789abcdef")
	}
	f.Fuzz(func(t *testing.T, addr, fp string) {
		b := BranchName(addr, fp)
		rest, ok := strings.CutPrefix(b, BranchPrefix)
		if !ok || rest == "" || strings.Contains(rest, "/") || strings.Contains(rest, "..") || strings.HasPrefix(rest, ".") ||
			strings.HasPrefix(rest, "-") || strings.HasSuffix(rest, ".") || strings.HasSuffix(rest, ".lock") || len(rest) > maxSlug+9 {
			t.Fatalf("BranchName(%q, %q) = %q", addr, fp, b)
		}
		for _, r := range rest {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
				t.Fatalf("BranchName(%q, %q) = %q holds %q", addr, fp, b, r)
			}
		}
	})
}
