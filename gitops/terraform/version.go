package terraform

import (
	"context"
	"errors"
	"io"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-exec/tfexec"
)

// Minimum versions. Terraform 1.5 is the oldest release tfdrift's
// end-to-end suite runs against (its plan JSON carries resource_drift and
// replace_paths as read here). OpenTofu forked from Terraform 1.5 and
// numbers its releases from 1.6, which is its first release.
var (
	minTerraform = version.Must(version.NewVersion("1.5.0"))
	minOpenTofu  = version.Must(version.NewVersion("1.6.0"))
)

func (f Flavor) minimum() *version.Version {
	if f == FlavorOpenTofu {
		return minOpenTofu
	}
	return minTerraform
}

// CheckVersion runs `terraform version` and returns the version when it
// is supported: Terraform >= 1.5.0, OpenTofu >= 1.6.0 (pre-releases count
// as their release). Otherwise it returns a *VersionError, also when the
// binary is something else entirely. Every command checks this first; the
// result is remembered once it passed.
func (r *Runner) CheckVersion(ctx context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureVersion(ctx); err != nil {
		return "", err
	}
	return r.version, nil
}

// ensureVersion must run before any other command of an operation: it
// also fills terraform-exec's version cache, which otherwise would run
// `version` in the middle of a plan with the plan's output streams.
func (r *Runner) ensureVersion(ctx context.Context) error {
	if r.version != "" {
		return nil
	}
	want := ">= " + r.flavor.minimum().String()
	var v *version.Version
	err := r.run(ctx, "version", nil, quiet, func(tf *tfexec.Terraform, _ io.Writer) error {
		var err error
		v, _, err = tf.Version(ctx, false)
		return err
	})
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return &VersionError{Binary: r.binary, Want: want, Err: err}
	}
	if v.Core().LessThan(r.flavor.minimum()) {
		return &VersionError{Binary: r.binary, Want: want, Got: v.String()}
	}
	r.version = v.String()
	r.logger.Debug("terraform version checked", "binary", r.binary, "flavor", string(r.flavor), "version", r.version)
	return nil
}
