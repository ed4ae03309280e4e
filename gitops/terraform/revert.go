package terraform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
)

// RevertOption configures PlanRevert and Revert.
type RevertOption interface {
	configureRevert(*revertConfig)
}

type revertConfig struct {
	allowDestroy bool
	allowReplace bool
	lockTimeout  *time.Duration
	output       io.Writer
	outputSet    bool
}

// AllowDestroyOption is the AllowDestroy option.
type AllowDestroyOption struct{ allow bool }

// AllowDestroy lets the plan delete target objects (a resource removed
// from the code but still in state). Off by default: a revert restores
// objects, it does not remove them. It does not allow replacement.
func AllowDestroy(allow bool) *AllowDestroyOption { return &AllowDestroyOption{allow} }

func (o *AllowDestroyOption) configureRevert(c *revertConfig) { c.allowDestroy = o.allow }

// AllowReplaceOption is the AllowReplace option.
type AllowReplaceOption struct{ allow bool }

// AllowReplace lets the plan replace (destroy and re-create) target
// objects, which is what reverting a change to a force-new attribute
// takes. Off by default: replacement loses the object's identity and
// whatever it holds.
func AllowReplace(allow bool) *AllowReplaceOption { return &AllowReplaceOption{allow} }

func (o *AllowReplaceOption) configureRevert(c *revertConfig) { c.allowReplace = o.allow }

// RevertPlan is a checked revert plan: what applying it would do.
type RevertPlan struct {
	// Targets are the requested addresses, sorted.
	Targets []string
	// Changes are the resource instances the plan would change (no-ops
	// left out), sorted by address. Empty means the cloud already matches
	// the code for the targets.
	Changes []PlannedChange
	// Drift is what the plan's refresh found changed outside Terraform
	// within the targets.
	Drift []ResourceDrift
	// Rendered is Terraform's human rendering of the saved plan
	// (`terraform show PLAN`), for a dry run or a PR comment.
	Rendered string
}

// Summary renders Changes like PlanClean's summary.
func (p *RevertPlan) Summary() string { return summarize(p.Changes) }

// RevertResult is what Revert did.
type RevertResult struct {
	// Plan is the checked plan; set whenever planning got that far, also
	// when a guard refused it or the apply failed.
	Plan *RevertPlan
	// Applied is true when Terraform applied the plan to completion. It is
	// false when there was nothing to change, a guard refused, or the
	// apply failed (Terraform may then have applied part of the plan; the
	// state records what, and Confirm shows what is left).
	Applied bool
}

// PlanRevert is the dry run of Revert: it makes the same targeted plan,
// checks it against the same guards and renders it, and applies nothing.
// When the plan breaks a guard, PlanRevert returns both the plan and the
// guard's error (*UnexpectedChangesError, *DestructiveChangeError, joined
// when several apply), so a dry run can show what would be refused.
func (r *Runner) PlanRevert(ctx context.Context, addrs []string, opts ...RevertOption) (*RevertPlan, error) {
	targets, c, err := revertArgs(addrs, opts)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureVersion(ctx); err != nil {
		return nil, err
	}
	pf, cleanup, err := planFile("revert.tfplan")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	return r.planRevert(ctx, targets, c, pf)
}

// Revert makes the cloud follow the code for addrs: `terraform plan
// -target=ADDR… -out=PLAN` (which refreshes first), the guards, then
// `terraform apply PLAN`. Applying the saved plan applies exactly what was
// checked; Terraform refuses it (*StalePlanError) if the state changed in
// between. terraform-exec passes -auto-approve, which a saved plan does
// not need.
//
// Guards, checked before anything is applied: every change must be within
// the targets (*UnexpectedChangesError), deletes need AllowDestroy and
// replacements AllowReplace (*DestructiveChangeError), and every target
// must exist (*AddressNotFoundError). A plan with no changes applies
// nothing and returns Applied false with a nil error.
//
// Terraform failures are typed where tfdrift can act on them:
// *LockHeldError, *AuthError, *StalePlanError, *VersionError. Cancelling
// ctx interrupts Terraform, which stops gracefully and releases the lock.
func (r *Runner) Revert(ctx context.Context, addrs []string, opts ...RevertOption) (*RevertResult, error) {
	targets, c, err := revertArgs(addrs, opts)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureVersion(ctx); err != nil {
		return nil, err
	}
	pf, cleanup, err := planFile("revert.tfplan")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	plan, err := r.planRevert(ctx, targets, c, pf)
	res := &RevertResult{Plan: plan}
	if err != nil {
		if plan == nil {
			res = nil
		}
		return res, err
	}
	if len(plan.Changes) == 0 {
		r.logger.Info("revert: nothing to change", "targets", targets)
		return res, nil
	}
	applyOpts := []tfexec.ApplyOption{tfexec.DirOrPlan(pf)}
	if lt := c.lockTimeout; lt != nil {
		applyOpts = append(applyOpts, tfexec.LockTimeout(lt.String()))
	}
	err = r.run(ctx, "apply", c.output, humanUI, func(tf *tfexec.Terraform, _ io.Writer) error {
		return tf.Apply(ctx, applyOpts...)
	})
	if err != nil {
		return res, fmt.Errorf("revert %s: %w", strings.Join(targets, ", "), err)
	}
	res.Applied = true
	r.logger.Info("revert applied", "targets", targets, "changes", len(plan.Changes))
	return res, nil
}

func revertArgs(addrs []string, opts []RevertOption) ([]string, revertConfig, error) {
	targets, err := parseTargets(addrs)
	if err != nil {
		return nil, revertConfig{}, fmt.Errorf("revert: %w", err)
	}
	var c revertConfig
	for _, o := range opts {
		o.configureRevert(&c)
	}
	return targets, c, nil
}

// planRevert plans into pf, reads and renders the plan, and checks the
// guards. It returns the plan with a guard error.
func (r *Runner) planRevert(ctx context.Context, targets []string, c revertConfig, pf string) (*RevertPlan, error) {
	if !c.outputSet {
		c.output = r.output
	}
	if c.lockTimeout == nil {
		c.lockTimeout = r.lockTimeout
	}
	what := strings.Join(targets, ", ")
	opts := append([]tfexec.PlanOption{tfexec.Out(pf)}, r.planOptions(targets, c.lockTimeout)...)
	err := r.run(ctx, "plan", c.output, humanUI, func(tf *tfexec.Terraform, _ io.Writer) error {
		_, err := tf.Plan(ctx, opts...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("revert %s: %w", what, err)
	}
	p, err := r.showPlan(ctx, pf)
	if err != nil {
		return nil, fmt.Errorf("revert %s: %w", what, err)
	}
	if missing := missingTargets(targets, changeAddresses(p.ResourceChanges), managedAddresses(p)); len(missing) > 0 {
		return nil, fmt.Errorf("revert: %w", &AddressNotFoundError{Addresses: missing})
	}
	plan := &RevertPlan{Targets: targets, Changes: changes(p)}
	for _, rc := range p.ResourceDrift {
		if rc != nil && rc.Mode != tfjson.DataResourceMode && withinAny(rc.Address, targets) {
			plan.Drift = append(plan.Drift, resourceDrift(rc))
		}
	}
	err = r.run(ctx, "show", nil, quiet, func(tf *tfexec.Terraform, _ io.Writer) error {
		var err error
		plan.Rendered, err = tf.ShowPlanFileRaw(ctx, pf)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("revert %s: %w", what, err)
	}
	if err := checkGuards(plan, c); err != nil {
		r.logger.Info("revert refused by guard", "targets", targets, "reason", err.Error())
		return plan, fmt.Errorf("revert %s refused: %w", what, err)
	}
	return plan, nil
}

// checkGuards returns nil when the plan may be applied, else every
// violation, joined: one *UnexpectedChangesError for all addresses outside
// the targets and one *DestructiveChangeError per destructive change.
func checkGuards(p *RevertPlan, c revertConfig) error {
	var errs []error
	var others []string
	for _, ch := range p.Changes {
		if !withinAny(ch.Address, p.Targets) {
			others = append(others, ch.Address)
		}
	}
	if len(others) > 0 {
		errs = append(errs, &UnexpectedChangesError{Target: p.Targets, Others: others})
	}
	for _, ch := range p.Changes {
		a := tfjson.Actions(toActions(ch.Actions))
		var allowed bool
		switch {
		case a.Replace():
			allowed = c.allowReplace
		case a.Delete(), a.Forget():
			allowed = c.allowDestroy
		default:
			// create (a deleted object comes back) and update.
			allowed = a.Create() || a.Update()
		}
		if !allowed {
			errs = append(errs, &DestructiveChangeError{Address: ch.Address, Actions: ch.Actions, Because: ch.Because})
		}
	}
	return errors.Join(errs...)
}
