package check_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/check"
	"github.com/tfdrift/tfdrift/internal/githubfake"
	"github.com/tfdrift/tfdrift/internal/tftest"
	"github.com/tfdrift/tfdrift/ticket/ghissue"
)

const actionToken = "ghs_actions_job_token"

// TestCheckOpensIssues: --open-issues against a fake GitHub with an
// Actions token. A drift opens its resource's issue, with the App's
// marker and a permalink to the code; a second run that finds the same
// drift writes nothing; a run that finds it changed comments and updates
// the table. Never a second issue. Put back in the cloud, the resource's
// issue is closed by the next run, saying why; an issue the App opened
// for another resource of the root is closed too, and one of a root not
// checked is left alone.
func TestCheckOpensIssues(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	gh := githubfake.New(t, githubfake.Options{})
	repo := gh.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "infra"})
	gh.AddToken(githubfake.TokenSpec{Token: actionToken, Actions: true, Repos: []string{"acme/infra"}})
	env := map[string]string{"GITHUB_TOKEN": actionToken, "GITHUB_API_URL": strings.TrimSuffix(gh.URL, "/"), "GITHUB_SERVER_URL": strings.TrimSuffix(gh.WebURL, "/")}
	a := prodOnly(check.Args{OpenIssues: true})

	sg := f.ids["aws_security_group.web"]
	original := f.cloud.Get(tftest.KindSecurityGroup, sg)
	f.cloud.Mutate(tftest.KindSecurityGroup, sg, func(o map[string]any) {
		o["ingress"] = append(o["ingress"].([]any), map[string]any{
			"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"},
			"ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{}, "security_groups": []any{}, "self": false, "description": "",
		})
	})
	r := f.runWith(t, a, env)
	if r.code != check.ExitDrift || r.err != nil {
		t.Fatalf("exit %d (%v), want 2\nstdout:\n%s\nstderr:\n%s", r.code, r.err, r.stdout, r.stderr)
	}
	issues := repo.Issues()
	if len(issues) != 1 {
		t.Fatalf("%d issues, want 1; stderr:\n%s", len(issues), r.stderr)
	}
	is := issues[0]
	network := filepath.Join(f.env.Dir, "envs/prod/network.tf")
	line := lineOf(t, network, `resource "aws_security_group" "web"`)
	permalink := fmt.Sprintf("%sacme/infra/blob/0123456789abcdef0123456789abcdef01234567/envs/prod/network.tf#L%d-L", gh.WebURL, line)
	if is.Title != "Drift: aws_security_group.web modified by unknown" || is.User != "github-actions[bot]" ||
		!strings.Contains(is.Body, "<!-- tfdrift:resource=prod/aws_security_group.web -->") || !strings.Contains(is.Body, permalink) ||
		strings.Contains(is.Body, "/tfdrift accept") {
		t.Errorf("issue %q by %s:\n%s", is.Title, is.User, is.Body)
	}
	if diff := cmp.Diff([]string{"tfdrift", "severity:high", "drift:modified"}, is.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if !strings.Contains(r.stderr, "tfdrift check: opened acme/infra#1: Drift: aws_security_group.web modified by unknown") {
		t.Errorf("stderr does not say the issue was opened:\n%s", r.stderr)
	}

	// The same drift again: nothing written.
	writes := len(gh.Writes())
	r = f.runWith(t, a, env)
	if r.code != check.ExitDrift || len(gh.Writes()) != writes || len(repo.Issues()) != 1 {
		t.Errorf("second run: exit %d (%v), %d writes, %d issues", r.code, r.err, len(gh.Writes())-writes, len(repo.Issues()))
	}
	if !strings.Contains(r.stderr, "acme/infra#1 already shows this drift") {
		t.Errorf("stderr:\n%s", r.stderr)
	}

	// Changed: a comment, and the table shows both attributes.
	f.cloud.Mutate(tftest.KindSecurityGroup, sg, func(o map[string]any) { o["description"] = "opened for debugging" })
	r = f.runWith(t, a, env)
	if r.code != check.ExitDrift || len(repo.Issues()) != 1 || len(repo.Comments(1)) != 1 {
		t.Fatalf("third run: exit %d (%v), %d issues, %d comments\n%s", r.code, r.err, len(repo.Issues()), len(repo.Comments(1)), r.stderr)
	}
	is, _ = repo.Issue(1)
	if h, ok := ghissue.ParseHistory(is.Body); !ok || h.Count != 2 || len(h.Attrs) != 2 || !strings.Contains(is.Body, "| `description` |") {
		t.Errorf("history %+v, body:\n%s", h, is.Body)
	}
	if !strings.Contains(r.stderr, "commented on acme/infra#1") {
		t.Errorf("stderr:\n%s", r.stderr)
	}

	t.Run("errors", func(t *testing.T) {
		gh.AddToken(githubfake.TokenSpec{Token: "elsewhere", Repos: []string{"acme/other"}})
		other := githubfake.New(t, githubfake.Options{})
		tests := []struct {
			name    string
			env     map[string]string
			want    string
			reports bool // the reports were written
		}{
			{"no token", map[string]string{"GITHUB_TOKEN": ""}, "GITHUB_TOKEN is not set", false},
			{"no repository", map[string]string{"GITHUB_REPOSITORY": ""}, "GITHUB_REPOSITORY is not set", false},
			{"repository not owner/name", map[string]string{"GITHUB_REPOSITORY": "infra"}, `GITHUB_REPOSITORY "infra" is not owner/name`, false},
			{"GitHub's web address as the API", map[string]string{"GITHUB_API_URL": "https://github.com"}, "the API is https://api.github.com/", false},
			{"a token for another repository", map[string]string{"GITHUB_TOKEN": "elsewhere"},
				"the issues of 1 of 1 drifted resources were not opened or updated in acme/infra: aws_security_group.web", true},
			{"a repository the API does not have", map[string]string{"GITHUB_API_URL": other.URL},
				"the issues of 1 of 1 drifted resources were not opened or updated", true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := map[string]string{}
				for k, v := range env {
					e[k] = v
				}
				for k, v := range tt.env {
					e[k] = v
				}
				writes := len(gh.Writes())
				r := f.runWith(t, a, e)
				if r.code != check.ExitError || r.err == nil || !strings.Contains(r.err.Error(), tt.want) {
					t.Fatalf("exit %d (%v), want 1 saying %q\nstderr:\n%s", r.code, r.err, tt.want, r.stderr)
				}
				if strings.Contains(r.err.Error(), "elsewhere") || strings.Contains(r.stderr, "elsewhere") {
					t.Errorf("the token leaked into the output: %v\n%s", r.err, r.stderr)
				}
				if _, err := os.Stat(r.jsonPath); tt.reports != (err == nil) {
					t.Errorf("drift records written: %v, want %v", err == nil, tt.reports)
				}
				if tt.reports {
					if n := len(records(t, r.jsonPath)); n != 1 {
						t.Errorf("%d drift records, want 1", n)
					}
					if out := outputsOf(t, r.outputs); out["has-drift"] != "true" {
						t.Errorf("outputs %v", out)
					}
				}
				if len(gh.Writes()) != writes {
					t.Errorf("a failed run wrote to GitHub")
				}
			})
		}
	})

	t.Run("in sync again", func(t *testing.T) {
		app := repo.CreateIssueAs("tfdrift[bot]", "Drift: aws_instance.app", // the App's, of the same root
			"An earlier drift.\n<!-- tfdrift:resource=prod/aws_instance.app -->\n", "tfdrift", "severity:medium")
		elsewhere := repo.CreateIssueAs("tfdrift[bot]", "Drift: aws_instance.other", // of a root not checked
			"<!-- tfdrift:resource=staging/aws_instance.other -->\n", "tfdrift")
		f.cloud.Set(tftest.KindSecurityGroup, sg, original)
		r := f.runWith(t, a, env)
		if r.code != check.ExitOK || r.err != nil {
			t.Fatalf("exit %d (%v), want 0\nstderr:\n%s", r.code, r.err, r.stderr)
		}
		for _, n := range []int{1, app} {
			is, _ := repo.Issue(n)
			cs := repo.Comments(n)
			if is.State != "closed" || is.StateReason != "completed" || len(cs) == 0 ||
				!strings.Contains(cs[len(cs)-1].Body, "tfdrift check found the resource in sync with the cloud at 0123456789abcdef") {
				t.Errorf("issue #%d is %s/%s; comments %+v", n, is.State, is.StateReason, cs)
			}
		}
		if is, _ := repo.Issue(elsewhere); is.State != "open" {
			t.Errorf("the issue of a root not checked was %s", is.State)
		}
		for _, want := range []string{"closed acme/infra#1, in sync now: Drift: aws_security_group.web", fmt.Sprintf("closed acme/infra#%d, in sync now", app)} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
			}
		}
		writes := len(gh.Writes())
		if r = f.runWith(t, a, env); r.code != check.ExitOK || len(gh.Writes()) != writes {
			t.Errorf("a run after: exit %d (%v), %d writes", r.code, r.err, len(gh.Writes())-writes)
		}
	})
}
