package terraform

import (
	"context"
	"fmt"
	"io"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// PlanClean runs a normal (refreshing) plan targeted at addr and reports
// whether it would change nothing there. After an accept edit, clean is
// the proof a reconciliation PR carries: the code now describes what the
// cloud has. Refreshing happens in memory; state is not written.
//
// summary is for humans: Terraform's "No changes. Your infrastructure
// matches the configuration." when the targeted plan is empty, otherwise
// one line per planned change and Terraform's count line. Changes to other
// addresses (the target's dependencies, which a targeted plan includes) do
// not make addr unclean; the summary lists them.
//
// An addr that matches nothing in code or state is an
// *AddressNotFoundError: an empty plan for it would prove nothing.
func (r *Runner) PlanClean(ctx context.Context, addr string) (clean bool, summary string, err error) {
	p, err := r.planClean(ctx, addr, false)
	if err != nil {
		return false, "", err
	}
	return p.Clean, p.Summary, nil
}

// CleanPlan is PlanClean's answer with Terraform's own rendering of the
// plan, for a check run's output.
type CleanPlan struct {
	// Clean and Summary are PlanClean's.
	Clean   bool
	Summary string
	// Changes are every planned change, the target's and the others'.
	Changes []PlannedChange
	// Rendered is `terraform show PLAN`: the plan as people read it.
	Rendered string
}

// ProvePlan is PlanClean, also returning the plan's changes and its
// rendering (`terraform show` of the saved plan).
func (r *Runner) ProvePlan(ctx context.Context, addr string) (*CleanPlan, error) {
	return r.planClean(ctx, addr, true)
}

func (r *Runner) planClean(ctx context.Context, addr string, render bool) (*CleanPlan, error) {
	targets, err := parseTargets([]string{addr})
	if err != nil {
		return nil, fmt.Errorf("plan clean: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureVersion(ctx); err != nil {
		return nil, err
	}
	pf, cleanup, err := planFile("clean.tfplan")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	opts := append([]tfexec.PlanOption{tfexec.Out(pf)}, r.planOptions(targets, r.lockTimeout)...)
	err = r.run(ctx, "plan", r.output, humanUI, func(tf *tfexec.Terraform, _ io.Writer) error {
		_, err := tf.Plan(ctx, opts...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("plan clean %s: %w", addr, err)
	}
	plan, err := r.showPlan(ctx, pf)
	if err != nil {
		return nil, fmt.Errorf("plan clean %s: %w", addr, err)
	}
	if missing := missingTargets(targets, changeAddresses(plan.ResourceChanges), managedAddresses(plan)); len(missing) > 0 {
		return nil, fmt.Errorf("plan clean: %w", &AddressNotFoundError{Addresses: missing})
	}
	all := changes(plan)
	mine, others := splitChanges(all, targets)
	out := &CleanPlan{Clean: len(mine) == 0, Summary: cleanSummary(addr, mine, others), Changes: all}
	if !render {
		return out, nil
	}
	err = r.run(ctx, "show", nil, quiet, func(tf *tfexec.Terraform, _ io.Writer) error {
		var err error
		out.Rendered, err = tf.ShowPlanFileRaw(ctx, pf)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("plan clean %s: %w", addr, err)
	}
	return out, nil
}

// splitChanges separates changes within targets from the rest.
func splitChanges(cs []PlannedChange, targets []string) (mine, others []PlannedChange) {
	for _, c := range cs {
		if withinAny(c.Address, targets) {
			mine = append(mine, c)
		} else {
			others = append(others, c)
		}
	}
	return mine, others
}

func cleanSummary(addr string, mine, others []PlannedChange) string {
	switch {
	case len(mine) == 0 && len(others) == 0:
		return noChanges
	case len(mine) == 0:
		return fmt.Sprintf("No changes for %s.\nOther addresses in the targeted plan would change:\n%s", addr, summarize(others))
	}
	return summarize(append(append([]PlannedChange(nil), mine...), others...))
}
