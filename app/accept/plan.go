package accept

import (
	"context"
	"fmt"
	"io"

	"github.com/tfdrift/tfdrift/app/wiring"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/edit"
	"github.com/tfdrift/tfdrift/gitops/locate"
	"github.com/tfdrift/tfdrift/gitops/terraform"
	"github.com/tfdrift/tfdrift/gitops/workspace"
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
		reqs := Requests(groups[repo], &res.Skipped)
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

// ConfirmFunc rewrites requests with authoritative values (Confirm).
type ConfirmFunc func(reqs []edit.Request, skipped *[]string) ([]edit.Request, error)

// Requests turns drifts into edit requests, one per resource, merging
// the attributes of several drifts of the same resource (later wins).
// Drifts that no code edit can accept are explained in skipped.
func Requests(drifts []*drift.Drift, skipped *[]string) []edit.Request {
	var reqs []edit.Request
	index := map[string]int{}
	for _, d := range drifts {
		switch {
		case d.ChangeType == drift.Created:
			*skipped = append(*skipped, fmt.Sprintf("%s %s was created outside Terraform and is in no state: write a resource block and an import block for it, or delete it", d.ResourceType, d.ResourceID))
			continue
		case d.ChangeType == drift.Deleted:
			*skipped = append(*skipped, fmt.Sprintf("%s was deleted outside Terraform: remove its block (or add a removed block) to accept, or run tfdrift revert to re-create it", d.ResourceAddress))
			continue
		}
		changes := map[string]drift.AttrChange{}
		for name, ac := range d.Changes {
			if ac.Unknown {
				*skipped = append(*skipped, fmt.Sprintf("%s.%s: the audit record hides the new value; run `terraform plan -refresh-only -target=%s` to see it", d.ResourceAddress, name, d.ResourceAddress))
				continue
			}
			changes[name] = ac
		}
		if len(changes) == 0 {
			continue
		}
		if i, ok := index[d.ResourceAddress]; ok {
			for k, v := range changes {
				reqs[i].Changes[k] = v
			}
			continue
		}
		index[d.ResourceAddress] = len(reqs)
		reqs = append(reqs, edit.Request{Address: d.ResourceAddress, Changes: changes})
	}
	return reqs
}

// Confirm asks Terraform itself: a targeted refresh-only plan
// gives authoritative before/after values, which replace the values
// derived from audit events. A resource Terraform finds deleted becomes a
// skip; one it finds unchanged is dropped (nothing to accept).
func Confirm(ctx context.Context, r *terraform.Runner, reqs []edit.Request, skipped *[]string) ([]edit.Request, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	addrs := make([]string, len(reqs))
	for i, q := range reqs {
		addrs[i] = q.Address
	}
	conf, err := r.Confirm(ctx, addrs...)
	if err != nil {
		return nil, fmt.Errorf("confirming with terraform: %w", err)
	}
	var out []edit.Request
	for _, q := range reqs {
		rd, ok := conf.Resource(q.Address)
		switch {
		case !ok:
			out = append(out, q) // not in this root module's state: keep the event's values
			continue
		case rd.Deleted:
			*skipped = append(*skipped, fmt.Sprintf("%s no longer exists (terraform refresh): nothing to accept; remove its block or run tfdrift revert", q.Address))
			continue
		case !rd.Drifted:
			*skipped = append(*skipped, fmt.Sprintf("%s matches its state again (terraform refresh): nothing to accept", q.Address))
			continue
		}
		changes := map[string]drift.AttrChange{}
		for name, ac := range q.Changes {
			if tf, ok := rd.Changes[name]; ok {
				ac = tf
			}
			changes[name] = ac
		}
		out = append(out, edit.Request{Address: q.Address, Changes: changes})
	}
	return out, nil
}

// Proof is the evidence that an accepted edit is right: after the edit, a
// normal plan shows no changes for the resource.
type Proof struct {
	Address string
	Clean   bool
	Summary string
}

// Prove applies the edit to a working copy (never the user's tree)
// and runs a normal targeted plan for every accepted address.
func Prove(ctx context.Context, ws *workspace.Workspace, reqs []edit.Request) ([]Proof, error) {
	repo, err := locate.Load(ws.Root, ws.Dir)
	if err != nil {
		return nil, err
	}
	plan, err := edit.Accept(repo, ws.Root, reqs)
	if err != nil {
		return nil, err
	}
	if err := plan.Apply(ws.Root, edit.FmtWith(ws.Runner().Binary()), edit.WithContext(ctx)); err != nil {
		return nil, err
	}
	refused := map[string]bool{}
	for _, r := range plan.Refusals {
		refused[r.Address] = true
	}
	var proofs []Proof
	for _, q := range reqs {
		if refused[q.Address] {
			continue
		}
		clean, summary, err := ws.Runner().PlanClean(ctx, q.Address)
		if err != nil {
			return nil, fmt.Errorf("plan %s after the edit: %w", q.Address, err)
		}
		proofs = append(proofs, Proof{Address: q.Address, Clean: clean, Summary: summary})
	}
	return proofs, nil
}
