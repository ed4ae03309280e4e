package app

import (
	"context"
	"fmt"
	"io"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/edit"
)

// collectOutput keeps the drifts a replay finds.
type collectOutput struct{ drifts []*drift.Drift }

func (c *collectOutput) Write(d *drift.Drift) error { c.drifts = append(c.drifts, d); return nil }
func (c *collectOutput) Flush() error               { return nil }

// AcceptResult is what accept found and planned.
type AcceptResult struct {
	Drifts int
	Plan   *edit.Plan
	// Skipped explains drifts accept cannot turn into an edit at all
	// (unmanaged creations, deletions, values the audit log hides).
	Skipped []string
}

// PlanAccept replays events through the detector and plans the edit that
// makes the code match the cloud for every drift found.
func PlanAccept(ctx context.Context, det *Detector, repoRoot string, inputs []string, stdin io.Reader, diag io.Writer) (*AcceptResult, error) {
	if det.Repo == nil {
		return nil, fmt.Errorf("accept needs --repo")
	}
	col := &collectOutput{}
	if _, err := Replay(ctx, ReplayOptions{Inputs: inputs, Stdin: stdin, Engine: det.Engine, Output: col, Diag: diag}); err != nil {
		return nil, err
	}
	res := &AcceptResult{Drifts: len(col.drifts)}
	reqs := AcceptRequests(col.drifts, &res.Skipped)
	plan, err := edit.Accept(det.Repo, repoRoot, reqs)
	if err != nil {
		return nil, err
	}
	res.Plan = plan
	return res, nil
}

// AcceptRequests turns drifts into edit requests, one per resource, merging
// the attributes of several drifts of the same resource (later wins).
// Drifts that no code edit can accept are explained in skipped.
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

