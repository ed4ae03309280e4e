package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/gitops/terraform"
	"github.com/tfdrift/tfdrift/gitops/workspace"
)

func init() {
	register("revert", command{summary: "put the cloud back to what the code says (guarded targeted apply)", run: runRevert})
}

func runRevert(ctx context.Context, env *cmdEnv, args []string) error {
	fs := newFlagSet(env, "revert", "revert --repo DIR [--dir ROOT] [flags] ADDRESS...", `
Reverts drift by applying the code to the given resources only: a targeted
plan (refreshing first) in a fresh working copy at a commit, checked by
guards, then exactly that saved plan is applied. The opposite of accept,
which edits the code to match the cloud. See docs/revert.md.

Guards (checked before anything is applied):
  - the plan changes only the target addresses (Terraform adds a target's
    dependencies to a targeted plan; those must be named explicitly);
  - no delete and no replace of a target unless --allow-destroy /
    --allow-replace;
  - every target exists in the code or the state.

Exit status: 0 reverted or nothing to change; 2 --dry-run with changes that
pass the guards; 3 refused by a guard; 4 a lock is held; 5 credentials;
6 unsupported terraform binary; 7 the state changed between plan and apply;
1 anything else.

Examples:
  tfdrift revert --repo infra --dir envs/prod --dry-run module.network.aws_security_group.web
  tfdrift revert --repo infra --dir envs/prod module.network.aws_security_group.web`)
	repo := fs.String("repo", ".", "infra repository (a git checkout: the job uses a worktree at --commit)")
	dir := fs.String("dir", "", "root module directory inside the repo")
	ws := fs.String("workspace", "default", "Terraform workspace")
	commit := fs.String("commit", "", "commit to check out (default HEAD; uncommitted changes are never used)")
	dryRun := fs.Bool("dry-run", false, "plan and check the guards, print the plan, apply nothing")
	allowDestroy := fs.Bool("allow-destroy", false, "allow the plan to delete a target")
	allowReplace := fs.Bool("allow-replace", false, "allow the plan to replace a target")
	binary := fs.String("binary", "terraform", "terraform or tofu binary")
	mirror := fs.String("plugin-mirror", "", "filesystem mirror of providers (offline installs)")
	pluginCache := fs.String("plugin-cache", "", "shared provider plugin cache directory")
	lockTimeout := fs.Duration("lock-timeout", 30*time.Second, "how long to wait for Terraform's state lock")
	configFile := fs.String("config", "", "config file: its terraform block (binary, plugin_cache_dir, plugin_mirror, lock_timeout) sets the defaults of these flags")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *configFile != "" {
		cfg, err := loadConfig(env, *configFile, true)
		if err != nil {
			return err
		}
		applyTerraformConfig(fs, cfg.Terraform, binary, mirror, pluginCache, lockTimeout)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitError{1}
	}
	opts := workspaceOptions(env, *binary, *mirror)
	if *pluginCache != "" {
		opts = append(opts, workspace.PluginCacheDir(*pluginCache))
	}
	m, err := workspace.NewManager(opts...)
	if err != nil {
		return err
	}
	w, err := m.TryOpen(ctx, workspace.Spec{Repo: *repo, Dir: *dir, Workspace: *ws, Commit: *commit, Job: "tfdrift revert"})
	if err != nil {
		return revertStatus(env, err)
	}
	defer w.Close()
	ropts := []terraform.RevertOption{terraform.AllowDestroy(*allowDestroy), terraform.AllowReplace(*allowReplace),
		terraform.LockTimeout(*lockTimeout), terraform.Output(env.stderr)}
	if *dryRun {
		plan, err := w.Runner().PlanRevert(ctx, fs.Args(), ropts...)
		if plan != nil {
			fmt.Fprintln(env.stdout, plan.Rendered)
		}
		if err != nil {
			return revertStatus(env, err)
		}
		if len(plan.Changes) > 0 {
			return exitError{2}
		}
		return nil
	}
	res, err := w.Runner().Revert(ctx, fs.Args(), ropts...)
	if err != nil {
		return revertStatus(env, err)
	}
	if res.Applied {
		fmt.Fprintf(env.stdout, "Reverted %d resource(s): %s\n", len(res.Plan.Changes), res.Plan.Summary())
	} else {
		fmt.Fprintln(env.stdout, "Nothing to revert: the cloud already matches the code for these addresses.")
	}
	return nil
}

// revertStatus maps typed errors to the exit codes of docs/revert.md, in
// the order documented there.
func revertStatus(env *cmdEnv, err error) error {
	fmt.Fprintf(env.stderr, "tfdrift revert: %v\n", err)
	var (
		ve *terraform.VersionError
		lh *terraform.LockHeldError
		le *workspace.LockedError
		ae *terraform.AuthError
		se *terraform.StalePlanError
		ue *terraform.UnexpectedChangesError
		de *terraform.DestructiveChangeError
	)
	switch {
	case errors.As(err, &ve):
		return exitError{6}
	case errors.As(err, &lh), errors.As(err, &le):
		return exitError{4}
	case errors.As(err, &ae):
		return exitError{5}
	case errors.As(err, &se):
		return exitError{7}
	case errors.As(err, &ue), errors.As(err, &de):
		return exitError{3}
	}
	return exitError{1}
}

// workspaceOptions are the working-copy settings shared by revert and
// accept --confirm.
func workspaceOptions(env *cmdEnv, binary, mirror string) []workspace.Option {
	logger := slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	opts := []workspace.Option{workspace.Logger(logger), workspace.TerraformOptions(terraform.Binary(binary), terraform.Logger(logger))}
	if mirror != "" {
		opts = append(opts, workspace.FilesystemMirror(mirror))
	}
	return opts
}

// applyTerraformConfig takes the config's terraform block for every flag
// the command line did not set.
func applyTerraformConfig(fs *flag.FlagSet, t config.Terraform, binary, mirror, pluginCache *string, lockTimeout *time.Duration) {
	set := func(name string) bool { return flagSet(fs.Visit, name) }
	if binary != nil && !set("binary") && !set("terraform") && t.Binary != "" {
		*binary = t.Binary
	}
	if mirror != nil && !set("plugin-mirror") && t.PluginMirror != "" {
		*mirror = t.PluginMirror
	}
	if pluginCache != nil && !set("plugin-cache") && t.PluginCacheDir != "" {
		*pluginCache = t.PluginCacheDir
	}
	if lockTimeout != nil && !set("lock-timeout") && t.LockTimeout > 0 {
		*lockTimeout = t.LockTimeout
	}
}
