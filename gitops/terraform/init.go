package terraform

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// InitOption configures Init.
type InitOption interface {
	configureInit(*initConfig)
}

type initConfig struct {
	backendConfig []string
}

// BackendConfigOption is the BackendConfig option.
type BackendConfigOption struct{ value string }

// BackendConfig adds -backend-config=VALUE: a KEY=VALUE pair or the path of
// a backend configuration file (relative to the root module), in the order
// given, as for a partial backend configuration.
func BackendConfig(value string) *BackendConfigOption { return &BackendConfigOption{value} }

func (o *BackendConfigOption) configureInit(c *initConfig) {
	c.backendConfig = append(c.backendConfig, o.value)
}

// Init runs `terraform init -input=false` with the backend and modules,
// never upgrading providers past the dependency lock file. Which providers
// are installed from where is the CLI configuration's business
// (gitops/workspace writes one per job).
func (r *Runner) Init(ctx context.Context, opts ...InitOption) error {
	var c initConfig
	for _, o := range opts {
		o.configureInit(&c)
	}
	var initOpts []tfexec.InitOption
	for _, v := range c.backendConfig {
		initOpts = append(initOpts, tfexec.BackendConfig(v))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureVersion(ctx); err != nil {
		return err
	}
	return r.run(ctx, "init", r.output, humanUI, func(tf *tfexec.Terraform, _ io.Writer) error {
		return tf.Init(ctx, initOpts...)
	})
}

// SelectWorkspace makes name the working directory's Terraform workspace.
// A workspace that does not exist is created when create is true, and is
// a *WorkspaceNotFoundError otherwise: for a revert, a missing workspace
// is a typo far more often than a new environment.
func (r *Runner) SelectWorkspace(ctx context.Context, name string, create bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureVersion(ctx); err != nil {
		return err
	}
	var existing []string
	var current string
	err := r.run(ctx, "workspace list", nil, quiet, func(tf *tfexec.Terraform, _ io.Writer) error {
		var err error
		existing, current, err = tf.WorkspaceList(ctx)
		return err
	})
	if err != nil {
		return err
	}
	switch {
	case current == name:
		return nil
	case slices.Contains(existing, name):
		return r.run(ctx, "workspace select", r.output, humanUI, func(tf *tfexec.Terraform, _ io.Writer) error {
			return tf.WorkspaceSelect(ctx, name)
		})
	case !create:
		slices.Sort(existing)
		return fmt.Errorf("select workspace in %s: %w", r.dir, &WorkspaceNotFoundError{Name: name, Existing: existing})
	}
	var opts []tfexec.WorkspaceNewCmdOption
	if r.lockTimeout != nil {
		opts = append(opts, tfexec.LockTimeout(r.lockTimeout.String()))
	}
	return r.run(ctx, "workspace new", r.output, humanUI, func(tf *tfexec.Terraform, _ io.Writer) error {
		return tf.WorkspaceNew(ctx, name, opts...)
	})
}
