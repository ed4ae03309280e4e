package terraform

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
)

// Refresh is Terraform's account of drift across a whole root module.
type Refresh struct {
	// Resources has one entry per managed resource instance in the
	// refreshed state or in resource_drift, drifted or not, sorted by
	// address.
	Resources []RefreshedResource
}

// RefreshedResource is one resource instance after a refresh.
type RefreshedResource struct {
	ResourceDrift
	// Type is the resource type ("aws_security_group"); ModuleAddress the
	// module instance it is in ("module.net[0]"; "" for the root module).
	Type          string
	ModuleAddress string
	// ID is the object's id attribute as the state recorded it before the
	// refresh; empty when the provider has none.
	ID string
}

// Drifted returns the entries that changed outside Terraform.
func (r *Refresh) Drifted() []RefreshedResource {
	var out []RefreshedResource
	for _, d := range r.Resources {
		if d.Drifted {
			out = append(out, d)
		}
	}
	return out
}

// RefreshOnlyOption configures RefreshOnlyPlan.
type RefreshOnlyOption interface {
	configureRefreshOnly(*refreshOnlyConfig)
}

type refreshOnlyConfig struct {
	lock        bool
	lockTimeout *time.Duration
	output      io.Writer
	outputSet   bool
}

var defaultRefreshOnlyConfig = refreshOnlyConfig{lock: true}

// LockOption is the Lock option.
type LockOption struct{ lock bool }

// Lock sets -lock. The default, as Terraform's, is true. A drift check
// that never writes state passes Lock(false) (-lock=false) so that it
// neither waits for nor blocks a concurrent apply; the price is that a
// refresh during an apply may report the apply's half-done changes.
func Lock(lock bool) *LockOption { return &LockOption{lock} }

func (o *LockOption) configureRefreshOnly(c *refreshOnlyConfig) { c.lock = o.lock }

func (o *LockTimeoutOption) configureRefreshOnly(c *refreshOnlyConfig) { c.lockTimeout = &o.d }
func (o *OutputOption) configureRefreshOnly(c *refreshOnlyConfig) {
	c.output, c.outputSet = o.w, true
}

// RefreshOnlyPlan runs `terraform plan -refresh-only -json -out=PLAN` over
// the whole root module, with no -target, and reads the saved plan's
// resource_drift with terraform-json: every managed resource instance
// whose object changed outside Terraform, with Terraform's own
// before/after values per top-level attribute, and those whose object is
// gone. It changes nothing: the plan is never applied and state is not
// written. This is what `tfdrift check` runs; Confirm is the targeted form.
//
// A root module with no resources gives an empty Refresh, not an error.
// Failures of Terraform come back typed as for every command
// (*AuthError, *LockHeldError, *VersionError).
func (r *Runner) RefreshOnlyPlan(ctx context.Context, opts ...RefreshOnlyOption) (*Refresh, error) {
	c := defaultRefreshOnlyConfig
	c.lockTimeout = r.lockTimeout
	for _, o := range opts {
		o.configureRefreshOnly(&c)
	}
	out := r.output
	if c.outputSet {
		out = c.output
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureVersion(ctx); err != nil {
		return nil, err
	}
	pf, cleanup, err := planFile("refresh.tfplan")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	planOpts := append([]tfexec.PlanOption{tfexec.RefreshOnly(true), tfexec.Out(pf), tfexec.Lock(c.lock)},
		r.planOptions(nil, c.lockTimeout)...)
	err = r.run(ctx, "plan", out, jsonUI, func(tf *tfexec.Terraform, stdout io.Writer) error {
		_, err := tf.PlanJSON(ctx, stdout, planOpts...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("refresh-only plan: %w", err)
	}
	plan, err := r.showPlan(ctx, pf)
	if err != nil {
		return nil, fmt.Errorf("refresh-only plan: %w", err)
	}
	return refresh(plan), nil
}

// refresh builds the whole-module result from a refresh-only plan.
// Instances in prior_state (the refreshed state) that are not in
// resource_drift are in sync; deleted objects are only in resource_drift.
func refresh(p *tfjson.Plan) *Refresh {
	byAddr := map[string]RefreshedResource{}
	for _, rc := range p.ResourceDrift {
		if rc == nil || rc.Mode == tfjson.DataResourceMode {
			continue
		}
		rr := RefreshedResource{ResourceDrift: resourceDrift(rc), Type: rc.Type, ModuleAddress: rc.ModuleAddress}
		if rc.Change != nil {
			before, _ := rc.Change.Before.(map[string]any)
			rr.ID, _ = before["id"].(string)
		}
		byAddr[rc.Address] = rr
	}
	var walk func(m *tfjson.StateModule)
	walk = func(m *tfjson.StateModule) {
		if m == nil {
			return
		}
		for _, res := range m.Resources {
			if res == nil || res.Mode != tfjson.ManagedResourceMode {
				continue
			}
			if _, ok := byAddr[res.Address]; ok {
				continue
			}
			id, _ := res.AttributeValues["id"].(string)
			byAddr[res.Address] = RefreshedResource{
				ResourceDrift: ResourceDrift{Address: res.Address},
				Type:          res.Type, ModuleAddress: m.Address, ID: id,
			}
		}
		for _, child := range m.ChildModules {
			walk(child)
		}
	}
	if p.PriorState != nil && p.PriorState.Values != nil {
		walk(p.PriorState.Values.RootModule)
	}
	out := &Refresh{}
	for _, a := range slices.Sorted(maps.Keys(byAddr)) {
		out.Resources = append(out.Resources, byAddr[a])
	}
	return out
}
