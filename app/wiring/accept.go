package wiring

import (
	"context"
	"fmt"
	"sort"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/edit"
	"github.com/tfdrift/tfdrift/gitops/locate"
	"github.com/tfdrift/tfdrift/gitops/terraform"
	"github.com/tfdrift/tfdrift/gitops/workspace"
)

// The accept steps both `tfdrift accept` and the GitHub App's accept pull
// requests take, so that the command line and a pull request make the same
// edit from the same drifts.

// AcceptRequests turns drifts into edit requests, one per resource,
// folding the attributes of several drifts of the same resource: the
// drifts are taken in order, and for an attribute the later drift's value
// wins. Because the detector derives each write from the cloud's value
// after the earlier ones, the last drift of an attribute holds every
// change to it, so two console edits of one security group are both
// kept. Drifts that no code edit can accept are explained in skipped.
func AcceptRequests(drifts []*drift.Drift, skipped *[]string) []edit.Request {
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
		names := make([]string, 0, len(d.Changes))
		for name := range d.Changes {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			ac := d.Changes[name]
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

// ConfirmRequests asks Terraform itself: a targeted refresh-only plan
// gives authoritative before/after values, which replace the values
// derived from audit events. A resource Terraform finds deleted becomes a
// skip; one it finds unchanged is dropped (nothing to accept).
func ConfirmRequests(ctx context.Context, r *terraform.Runner, reqs []edit.Request, skipped *[]string) ([]edit.Request, error) {
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

// ProveEdit applies the edit for reqs to a working copy (never the user's
// tree: the copy is at the commit, without uncommitted changes, so the
// edit is planned again there) and runs a normal targeted plan for every
// accepted address.
func ProveEdit(ctx context.Context, ws *workspace.Workspace, reqs []edit.Request) ([]Proof, error) {
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
