package accept

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/edit"
	"github.com/tfdrift/tfdrift/gitops/locate"
)

// collectOutput keeps the drifts a replay finds.
type collectOutput struct{ drifts []*drift.Drift }

func (c *collectOutput) Write(d *drift.Drift) error { c.drifts = append(c.drifts, d); return nil }
func (c *collectOutput) Flush() error               { return nil }

// Result is what accept found and planned.
type Result struct {
	Drifts   int
	Requests []edit.Request
	Plan     *edit.Plan
	// Skipped explains drifts accept cannot turn into an edit at all
	// (unmanaged creations, deletions, values the audit log hides).
	Skipped []string
}

// Plan replays events through the detector and plans the edit that
// makes the code match the cloud for every drift found.
// confirm, when set, replaces the event-derived values first.
func Plan(ctx context.Context, det *wiring.Detector, repoRoot string, inputs []string, stdin io.Reader, diag io.Writer, confirm ConfirmFunc) (*Result, error) {
	if det.Repo == nil && det.Roots == nil {
		return nil, fmt.Errorf("accept needs --repo")
	}
	col := &collectOutput{}
	if _, err := wiring.Replay(ctx, wiring.ReplayOptions{Inputs: inputs, Stdin: stdin, Engine: det.Engine, Output: col, Diag: diag}); err != nil {
		if errors.Is(err, wiring.ErrBadRecords) {
			// An edit made from part of the events could undo what the
			// rest would show: nothing is edited.
			return nil, fmt.Errorf("accept: the events could not all be read (%s); nothing was edited", strings.TrimSuffix(err.Error(), ": "+wiring.ErrBadRecords.Error()))
		}
		return nil, err
	}
	res := &Result{Drifts: len(col.drifts), Plan: &edit.Plan{}}
	// One repository may hold several roots (.tfdrift.yml): each drift is
	// edited in the root that writes its state.
	groups := map[*locate.Repo][]*drift.Drift{}
	var order []*locate.Repo
	for _, d := range col.drifts {
		repo := det.Repo
		if det.Roots != nil {
			if repo = det.Roots.ForState(d.Terraform.State); repo == nil {
				repo = det.Roots.ForState(d.Terraform.Workspace)
			}
		}
		if repo == nil {
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s: no root module in %s writes state %s", d.Title(), "the repo's .tfdrift.yml", d.Terraform.State))
			continue
		}
		if _, ok := groups[repo]; !ok {
			order = append(order, repo)
		}
		groups[repo] = append(groups[repo], d)
	}
	for _, repo := range order {
		reqs := wiring.AcceptRequests(groups[repo], &res.Skipped)
		if confirm != nil {
			var err error
			if reqs, err = confirm(reqs, &res.Skipped); err != nil {
				return nil, err
			}
		}
		plan, err := edit.Accept(repo, repoRoot, reqs)
		if err != nil {
			return nil, err
		}
		res.Requests = append(res.Requests, reqs...)
		res.Plan.Edits = append(res.Plan.Edits, plan.Edits...)
		res.Plan.Refusals = append(res.Plan.Refusals, plan.Refusals...)
	}
	return res, nil
}

// ConfirmFunc rewrites requests with authoritative values
// (wiring.ConfirmRequests).
type ConfirmFunc func(reqs []edit.Request, skipped *[]string) ([]edit.Request, error)
