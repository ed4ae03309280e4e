package workspace_test

// End-to-end tests with git and the real Terraform v1.5.7 (tftest finds
// it; a missing binary fails, never skips) and tftest's fake provider.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/tfdrift/tfdrift/gitops/terraform"
	"github.com/tfdrift/tfdrift/gitops/workspace"
	"github.com/tfdrift/tfdrift/internal/tftest"
)

// repoFixture copies testdata/repo and points envs/prod's state at an
// absolute path outside it.
func repoFixture(t *testing.T) (env *tftest.Env, stateDir string) {
	t.Helper()
	env = tftest.New(t, filepath.Join("testdata", "repo"))
	stateDir = t.TempDir()
	backend := fmt.Sprintf("terraform {\n  backend \"local\" {\n    path          = %q\n    workspace_dir = %q\n  }\n}\n",
		filepath.Join(stateDir, "prod.tfstate"), filepath.Join(stateDir, "workspaces"))
	if err := os.WriteFile(filepath.Join(env.Dir, "envs", "prod", "backend.tf"), []byte(backend), 0o644); err != nil {
		t.Fatal(err)
	}
	return env, stateDir
}

func manager(t *testing.T, env *tftest.Env, cache string) *workspace.Manager {
	t.Helper()
	m, err := workspace.NewManager(
		workspace.BaseDir(t.TempDir()),
		workspace.FilesystemMirror(env.Mirror, "registry.terraform.io/hashicorp/*"),
		workspace.PluginCacheDir(cache),
		// env.Environ() points TF_CLI_CONFIG_FILE at tftest's own config;
		// the Manager must replace it with the job's.
		workspace.Env(env.Environ()),
		workspace.TerraformOptions(terraform.Binary(env.Terraform)),
	)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=tfdrift-test", "-c", "user.email=test@example.invalid"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// applyIn applies the root module dir with tftest's environment, as the
// team's CI would have.
func applyIn(t *testing.T, env *tftest.Env, dir string) {
	t.Helper()
	ctx := context.Background()
	tf, err := tfexec.NewTerraform(dir, env.Terraform)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, kv := range env.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	if err := tf.SetEnv(tfexec.CleanEnv(m)); err != nil {
		t.Fatal(err)
	}
	if err := tf.Init(ctx); err != nil {
		t.Fatalf("init: %v", err)
	}
	if err := tf.Apply(ctx); err != nil {
		t.Fatalf("apply: %v", err)
	}
}

func TestOpenGitWorktree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env, stateDir := repoFixture(t)
	repo := env.Dir
	git(t, repo, "init", "--quiet")
	git(t, repo, "add", ".")
	git(t, repo, "commit", "--quiet", "-m", "infra")
	head := git(t, repo, "rev-parse", "HEAD")
	applyIn(t, env, filepath.Join(repo, "envs", "prod"))
	// Work in progress in the checkout is no job's business.
	if err := os.WriteFile(filepath.Join(repo, "envs", "prod", "wip.tf"), []byte("# not committed\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	cache := t.TempDir()
	m := manager(t, env, cache)
	spec := workspace.Spec{Repo: repo, RepoID: "acme/infra", Dir: "envs/prod", Job: "confirm #1"}
	w, err := m.Open(ctx, spec)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer w.Close()

	if w.Commit != head {
		t.Errorf("Commit = %s, want HEAD %s", w.Commit, head)
	}
	if _, err := os.Stat(filepath.Join(w.Dir, "wip.tf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("uncommitted wip.tf is in the working copy (stat: %v)", err)
	}
	if !strings.Contains(git(t, repo, "worktree", "list", "--porcelain"), "worktree "+w.Root) {
		t.Errorf("git does not list the worktree %s", w.Root)
	}
	if _, err := os.Stat(filepath.Join(cache, "registry.terraform.io", "hashicorp", "aws", tftest.ProviderVersion)); err != nil {
		t.Errorf("the job's CLI config was not used: provider not in the plugin cache: %v", err)
	}

	_, err = m.TryOpen(ctx, spec)
	var le *workspace.LockedError
	if !errors.As(err, &le) || le.Holder != "confirm #1" {
		t.Errorf("second TryOpen: err = %v, want *LockedError held by confirm #1", err)
	}

	// The working copy reads the real state: drift made in the cloud shows.
	c, err := w.Runner().Confirm(ctx, "aws_security_group.web")
	if err != nil {
		t.Fatalf("Confirm: %v", err)
	}
	if len(c.Resources) != 1 || c.Resources[0].Drifted {
		t.Fatalf("Confirm before drift = %+v, want one resource in sync", c.Resources)
	}
	cloud := env.Cloud(t)
	ids := cloud.IDs(tftest.KindSecurityGroup)
	cloud.Mutate(tftest.KindSecurityGroup, ids[0], func(o map[string]any) { o["description"] = "by hand" })
	if c, err = w.Runner().Confirm(ctx, "aws_security_group.web"); err != nil {
		t.Fatalf("Confirm: %v", err)
	}
	if d := c.Resources[0]; !d.Drifted || d.Changes["description"].Actual != "by hand" {
		t.Errorf("Confirm after drift = %+v", d)
	}

	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(w.Root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("worktree %s still there after Close (stat: %v)", w.Root, err)
	}
	if list := git(t, repo, "worktree", "list", "--porcelain"); strings.Contains(list, w.Root) {
		t.Errorf("git still lists the worktree after Close:\n%s", list)
	}
	if locks := m.Locker().List(); len(locks) != 0 {
		t.Errorf("locks held after Close: %+v", locks)
	}

	// Another Terraform workspace of the same root module, created on
	// demand, in the backend's own workspace directory.
	spec.Workspace, spec.CreateWorkspace, spec.Job = "staging", true, "plan #2"
	w2, err := m.TryOpen(ctx, spec)
	if err != nil {
		t.Fatalf("Open staging: %v", err)
	}
	if err := w2.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(filepath.Join(stateDir, "workspaces", "staging")); err != nil {
		t.Errorf("workspace staging not created in the backend: %v", err)
	}

	// A root module whose local state would live in the copy is refused,
	// and the refusal leaves nothing behind.
	_, err = m.Open(ctx, workspace.Spec{Repo: repo, Dir: "envs/dev", Job: "revert #3"})
	var lse *workspace.LocalStateError
	if !errors.As(err, &lse) || !strings.HasSuffix(lse.Path, filepath.Join("envs", "dev", "terraform.tfstate")) {
		t.Fatalf("Open envs/dev: err = %v, want *LocalStateError", err)
	}
	if list := git(t, repo, "worktree", "list", "--porcelain"); strings.Count(list, "worktree ") != 1 {
		t.Errorf("worktrees left after a failed Open:\n%s", list)
	}
	if locks := m.Locker().List(); len(locks) != 0 {
		t.Errorf("locks held after a failed Open: %+v", locks)
	}
}

func TestOpenCopy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env, _ := repoFixture(t)
	// A plain directory with a previous run's .terraform, which must not
	// come along.
	junk := filepath.Join(env.Dir, "envs", "prod", ".terraform", "environment")
	if err := os.MkdirAll(filepath.Dir(junk), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(junk, []byte("prod"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := manager(t, env, t.TempDir())

	if _, err := m.Open(ctx, workspace.Spec{Repo: env.Dir, Dir: "envs/prod", Commit: "main", Job: "x"}); err == nil ||
		!strings.Contains(err.Error(), "is not a git checkout") {
		t.Errorf("Commit on a plain directory: err = %v", err)
	}

	w, err := m.Open(ctx, workspace.Spec{Repo: env.Dir, Dir: "envs/prod", AllowLocalState: true, Job: "copy #1"})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if w.Commit != "" || strings.HasPrefix(w.Dir, env.Dir) {
		t.Errorf("Open = %+v, want a copy elsewhere", w)
	}
	if _, err := os.Stat(filepath.Join(w.Dir, ".terraform", "environment")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the source's .terraform/environment came along (stat: %v)", err)
	}
	if _, err := os.Stat(filepath.Join(w.Dir, "main.tf")); err != nil {
		t.Errorf("main.tf not copied: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(w.Root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("copy %s still there after Close", w.Root)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestOpenSnapshot: a tree at a commit, extracted without git (as the
// GitHub App's tarball snapshots are), is copied and never shown to git,
// even inside a git checkout and with no git binary at all; the root's
// backend_config reaches terraform init.
func TestOpenSnapshot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env, stateDir := repoFixture(t)
	// The backend's path comes from -backend-config, as .tfdrift.yml's
	// backend_config gives it for a partial backend configuration.
	if err := os.WriteFile(filepath.Join(env.Dir, "envs", "prod", "backend.tf"), []byte("terraform {\n  backend \"local\" {}\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, env.Dir, "init", "--quiet") // a checkout around the snapshot: it must not matter
	m, err := workspace.NewManager(
		workspace.BaseDir(t.TempDir()),
		workspace.FilesystemMirror(env.Mirror, "registry.terraform.io/hashicorp/*"),
		workspace.Env(env.Environ()),
		workspace.TerraformOptions(terraform.Binary(env.Terraform)),
		workspace.Git(filepath.Join(t.TempDir(), "no-git-here")),
	)
	if err != nil {
		t.Fatal(err)
	}
	const sha = "0123456789abcdef0123456789abcdef01234567"
	statePath := filepath.Join(stateDir, "snap.tfstate")
	spec := workspace.Spec{Repo: env.Dir, Snapshot: true, Commit: sha, RepoID: "github.com/acme/infra", Dir: "envs/prod",
		Job: "revert by alice", BackendConfig: []string{"path=" + statePath}}
	if _, err := m.Open(ctx, workspace.Spec{Repo: env.Dir, Snapshot: true, Commit: "main", Job: "x"}); err == nil ||
		!strings.Contains(err.Error(), "not the full commit SHA") {
		t.Errorf("a snapshot at a branch name: err = %v", err)
	}
	w, err := m.Open(ctx, spec)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer w.Close()
	if w.Commit != sha || strings.HasPrefix(w.Dir, env.Dir) {
		t.Errorf("Open = %+v, want a copy at %s", w, sha)
	}
	if _, err := os.Stat(filepath.Join(w.Root, ".git")); err != nil {
		t.Errorf("the snapshot's files were not all copied: %v", err)
	}
	if _, err := w.Runner().Confirm(ctx, "aws_security_group.web"); err == nil {
		t.Error("Confirm found a resource in an empty state")
	}
	tf := env.TfIn(t, w.Dir)
	if err := tf.Apply(ctx); err != nil {
		t.Fatalf("apply in the copy: %v", err)
	}
	if _, err := os.Stat(statePath); err != nil {
		t.Errorf("backend_config did not reach init: no state at %s: %v", statePath, err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(w.Root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("copy %s still there after Close", w.Root)
	}
}
