package wiring

import (
	"io"
	"log/slog"
	"time"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/gitops/terraform"
	"github.com/tfdrift/tfdrift/gitops/workspace"
)

// Terraform is how a job runs terraform (accept --confirm, revert): the
// binary and where providers come from. A zero field means "not given";
// Resolve fills it from the config's terraform block, then the defaults.
type Terraform struct {
	Binary         string
	PluginMirror   string
	PluginCacheDir string
	LockTimeout    time.Duration
}

// Resolve returns t with every field the flags left empty taken from the
// config's terraform block (cfg may be nil), then from the defaults.
func (t Terraform) Resolve(cfg *config.Config) Terraform {
	if cfg != nil {
		c := cfg.Terraform
		t.Binary = or(t.Binary, c.Binary)
		t.PluginMirror = or(t.PluginMirror, c.PluginMirror)
		t.PluginCacheDir = or(t.PluginCacheDir, c.PluginCacheDir)
		if t.LockTimeout <= 0 {
			t.LockTimeout = c.LockTimeout
		}
	}
	t.Binary = or(t.Binary, config.DefaultTerraformBinary)
	if t.LockTimeout <= 0 {
		t.LockTimeout = config.DefaultTerraformLockTimeout
	}
	return t
}

// Manager returns the manager of working copies that runs t's binary,
// logging its progress to log.
func (t Terraform) Manager(log io.Writer) (*workspace.Manager, error) {
	logger := slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	opts := []workspace.Option{workspace.Logger(logger), workspace.TerraformOptions(terraform.Binary(t.Binary), terraform.Logger(logger))}
	if t.PluginMirror != "" {
		opts = append(opts, workspace.FilesystemMirror(t.PluginMirror))
	}
	if t.PluginCacheDir != "" {
		opts = append(opts, workspace.PluginCacheDir(t.PluginCacheDir))
	}
	return workspace.NewManager(opts...)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
