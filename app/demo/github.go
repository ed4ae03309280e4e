package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/action"
	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/app/demo/scenario"
	"github.com/tfdrift/tfdrift/app/githubapp"
	"github.com/tfdrift/tfdrift/app/reconcile"
	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector/drift"
)

// demoRepo is the repository the demo pretends the App is installed on.
const demoRepo = "https://github.com/acme/infra"

// demoIssue is the number the demo gives the drift issue.
const demoIssue = 12

// previewAddress is the drift whose issue and accept pull request the
// demo shows: the console's public SSH rule on the web servers' group.
const previewAddress = "module.network.aws_security_group.web_servers"

// gitHubPreview is what the GitHub App and the GitHub Action would
// write for the scenario, as Markdown.
type gitHubPreview struct {
	// Issue is the drift issue the App opens for previewAddress.
	Issue string
	// Pull is the accept pull request "/tfdrift accept" opens for it.
	Pull string
	// Commands is the App's answer to "/tfdrift help".
	Commands string
	// Summary is the job summary `tfdrift check` writes for the drifts.
	Summary string
}

// collected keeps the drifts a replay reports.
type collected struct{ drifts []*drift.Drift }

func (c *collected) Write(d *drift.Drift) error { c.drifts = append(c.drifts, d); return nil }
func (c *collected) Flush() error               { return nil }

// previewGitHub replays the scenario and renders what GitHub would show
// of its drifts.
func previewGitHub(ctx context.Context, sc *scenario.Scenario, cfg *config.Config) (*gitHubPreview, error) {
	det, err := wiring.NewDetector(ctx, wiring.DetectorOptions{Config: cfg, StateFiles: []string{sc.State}, RepoDir: sc.Repo, Diag: io.Discard})
	if err != nil {
		return nil, err
	}
	col := &collected{}
	if _, err := wiring.Replay(ctx, wiring.ReplayOptions{Inputs: sc.Events, Engine: det.Engine, Output: col, Diag: io.Discard}); err != nil {
		return nil, err
	}
	var of []*drift.Drift
	for _, d := range col.drifts {
		if d.ResourceAddress == previewAddress {
			of = append(of, asServed(d))
		}
	}
	if len(of) == 0 {
		return nil, fmt.Errorf("the scenario has no drift of %s", previewAddress)
	}
	p := &gitHubPreview{Commands: githubapp.Help()}
	var b strings.Builder
	if err := githubapp.IssuePreview(&b, of[len(of)-1], demoRepo); err != nil {
		return nil, err
	}
	p.Issue = b.String()
	b.Reset()
	err = reconcile.PullPreview(&b, of, reconcile.PullPreviewOptions{RepoDir: sc.Repo, HTMLURL: demoRepo, Ref: "main", Issue: demoIssue})
	if err != nil {
		return nil, err
	}
	p.Pull = b.String()
	b.Reset()
	resources, err := stateResources(ctx, sc.State)
	if err != nil {
		return nil, err
	}
	root := action.Root{Dir: ".", Resources: resources}
	for _, d := range col.drifts {
		root.Drifts = append(root.Drifts, action.Drift{Drift: d})
	}
	if err := (action.Summary{W: &b}).Write(&action.Report{FailOn: "high", Roots: []action.Root{root}}); err != nil {
		return nil, err
	}
	p.Summary = b.String()
	return p, nil
}

// asServed is d as serve with the App records it: its state named as
// the server config names it, its code on the repository's default
// branch, detected two seconds after the call (the demo's replay says
// now, which would change the preview every run). Its fingerprint is
// computed again.
func asServed(d *drift.Drift) *drift.Drift {
	c := *d
	c.Terraform.State, c.Terraform.Repo, c.Terraform.Ref = "prod", "acme/infra", "main"
	if c.Event != nil && !c.Event.Time.IsZero() {
		c.DetectedAt = c.Event.Time.Add(2 * time.Second)
	}
	c.ComputeFingerprint() // the state's name is in it
	return &c
}

// stateResources counts the managed resource instances of a state.
func stateResources(ctx context.Context, path string) (int, error) {
	uses, err := wiring.StateTypes(ctx, []string{path})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, u := range uses {
		n += u.Instances
	}
	if n == 0 {
		return 0, errors.New("the scenario's state holds no resource")
	}
	return n, nil
}

// writeGitHub prints the previews, each after a line that says what it is.
func writeGitHub(w io.Writer, p *gitHubPreview) {
	for _, s := range []struct{ what, md string }{
		{"the GitHub App's drift issue for " + previewAddress + " (serve with a github: block opens it on the repository that claims the state)", p.Issue},
		{"the pull request `/tfdrift accept` opens on that issue (proved by the check run tfdrift proof)", p.Pull},
		{"the comment commands (the App's answer to `/tfdrift help`)", p.Commands},
		{"the job summary `tfdrift check` writes in GitHub Actions for these drifts", p.Summary},
	} {
		fmt.Fprintf(w, "\ntfdrift demo: %s\n\n%s", s.what, s.md)
		if !strings.HasSuffix(s.md, "\n") {
			fmt.Fprintln(w)
		}
	}
}
