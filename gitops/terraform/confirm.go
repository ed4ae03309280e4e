package terraform

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
)

// Confirmation is Terraform's own account of drift for some addresses.
type Confirmation struct {
	// Resources has one entry per resource instance within the requested
	// addresses, drifted or not, sorted by address.
	Resources []ResourceDrift
}

// Resource returns the entry for one resource instance address.
func (c *Confirmation) Resource(addr string) (ResourceDrift, bool) {
	i := slices.IndexFunc(c.Resources, func(d ResourceDrift) bool { return d.Address == addr })
	if i < 0 {
		return ResourceDrift{}, false
	}
	return c.Resources[i], true
}

// Drifted returns the entries that changed outside Terraform.
func (c *Confirmation) Drifted() []ResourceDrift {
	var out []ResourceDrift
	for _, d := range c.Resources {
		if d.Drifted {
			out = append(out, d)
		}
	}
	return out
}

// Confirm asks Terraform whether the resources at addrs drifted, with
// `terraform plan -refresh-only -target=ADDR… -json -out=PLAN` and the
// saved plan's resource_drift. A resource (not instance) address covers
// all its instances. It changes nothing: a refresh-only plan is never
// applied here, so state is not written.
//
// Terraform's values are authoritative: they come from the provider's
// read of the object now, where an audit event's values are what one API
// call sent. An address that matches nothing in state (and did not just
// disappear from the cloud) is an *AddressNotFoundError.
func (r *Runner) Confirm(ctx context.Context, addrs ...string) (*Confirmation, error) {
	targets, err := parseTargets(addrs)
	if err != nil {
		return nil, fmt.Errorf("confirm: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureVersion(ctx); err != nil {
		return nil, err
	}
	pf, cleanup, err := planFile("confirm.tfplan")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	opts := append([]tfexec.PlanOption{tfexec.RefreshOnly(true), tfexec.Out(pf)}, r.planOptions(targets, r.lockTimeout)...)
	err = r.run(ctx, "plan", r.output, jsonUI, func(tf *tfexec.Terraform, stdout io.Writer) error {
		_, err := tf.PlanJSON(ctx, stdout, opts...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("confirm %s: %w", strings.Join(targets, ", "), err)
	}
	plan, err := r.showPlan(ctx, pf)
	if err != nil {
		return nil, fmt.Errorf("confirm %s: %w", strings.Join(targets, ", "), err)
	}
	c, missing := confirmation(plan, targets)
	if len(missing) > 0 {
		return nil, fmt.Errorf("confirm: %w", &AddressNotFoundError{Addresses: missing})
	}
	return c, nil
}

// confirmation builds the per-instance result from a refresh-only plan.
// Instances in prior_state (the refreshed state) that are not in
// resource_drift are in sync; deleted objects are only in resource_drift.
func confirmation(p *tfjson.Plan, targets []string) (*Confirmation, []string) {
	byAddr := map[string]ResourceDrift{}
	var drifted []string
	for _, rc := range p.ResourceDrift {
		if rc == nil || rc.Mode == tfjson.DataResourceMode || !withinAny(rc.Address, targets) {
			continue
		}
		byAddr[rc.Address] = resourceDrift(rc)
		drifted = append(drifted, rc.Address)
	}
	inState := managedAddresses(p)
	for _, a := range inState {
		if _, ok := byAddr[a]; !ok && withinAny(a, targets) {
			byAddr[a] = ResourceDrift{Address: a}
		}
	}
	c := &Confirmation{}
	for _, a := range slices.Sorted(maps.Keys(byAddr)) {
		c.Resources = append(c.Resources, byAddr[a])
	}
	return c, missingTargets(targets, inState, drifted)
}

// showPlan reads a saved plan as JSON.
func (r *Runner) showPlan(ctx context.Context, path string) (*tfjson.Plan, error) {
	var p *tfjson.Plan
	err := r.run(ctx, "show", nil, quiet, func(tf *tfexec.Terraform, _ io.Writer) error {
		var err error
		p, err = tf.ShowPlanFile(ctx, path, tfexec.JSONNumber(true))
		return err
	})
	return p, err
}
