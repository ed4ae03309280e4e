package workspace

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tfdrift/tfdrift/gitops/terraform"
)

// Manager makes job working copies. Build it with NewManager; it is safe
// for concurrent use.
type Manager struct {
	cfg   managerConfig
	locks *Locker
	log   *slog.Logger

	// initMu serialises terraform init while a plugin cache is shared:
	// Terraform does not support concurrent installs into one cache.
	initMu sync.Mutex
	// gitMu serialises worktree add/remove/prune.
	gitMu sync.Mutex
}

// Option configures NewManager.
type Option interface {
	configureManager(*managerConfig)
}

type managerConfig struct {
	baseDir     string
	pluginCache string
	mirror      string
	include     []string
	env         []string
	envSet      bool
	logger      *slog.Logger
	locker      *Locker
	git         string
	tfOpts      []terraform.Option
}

type optionFunc func(*managerConfig)

func (f optionFunc) configureManager(c *managerConfig) { f(c) }

// BaseDir is where job directories are made (default: the system's
// temporary directory).
func BaseDir(dir string) Option { return optionFunc(func(c *managerConfig) { c.baseDir = dir }) }

// PluginCacheDir shares one provider plugin cache between jobs, so a
// provider is downloaded (or copied from the mirror) once. Jobs of one
// Manager then run terraform init one at a time; do not point two
// processes at one cache, which Terraform does not support.
func PluginCacheDir(dir string) Option {
	return optionFunc(func(c *managerConfig) { c.pluginCache = dir })
}

// FilesystemMirror installs providers from a filesystem mirror directory.
// With include patterns ("registry.terraform.io/hashicorp/*"), matching
// providers come only from the mirror and the rest directly; without, all
// providers come from the mirror and none from the network.
func FilesystemMirror(path string, include ...string) Option {
	return optionFunc(func(c *managerConfig) { c.mirror, c.include = path, include })
}

// Env is the base environment for Terraform (default: the process's). The
// Manager replaces TF_CLI_CONFIG_FILE with the job's own CLI configuration
// and drops TF_PLUGIN_CACHE_DIR and TF_DATA_DIR, which would make jobs
// share state they must not; gitops/terraform.Env says what else is
// refused (TF_VAR_*, TF_CLI_ARGS*, TF_WORKSPACE).
func Env(env []string) Option {
	return optionFunc(func(c *managerConfig) { c.env, c.envSet = env, true })
}

// Logger receives the Manager's and the jobs' Terraform logs.
func Logger(l *slog.Logger) Option { return optionFunc(func(c *managerConfig) { c.logger = l }) }

// WithLocker shares a lock manager, e.g. between Managers with different
// options working on the same repositories.
func WithLocker(l *Locker) Option { return optionFunc(func(c *managerConfig) { c.locker = l }) }

// Git sets the git executable (default "git" from PATH).
func Git(path string) Option { return optionFunc(func(c *managerConfig) { c.git = path }) }

// TerraformOptions are passed to every job's terraform.Runner after the
// Manager's own (terraform.Binary, terraform.Output, terraform.LockTimeout,
// terraform.VarFile, ...).
func TerraformOptions(opts ...terraform.Option) Option {
	return optionFunc(func(c *managerConfig) { c.tfOpts = append(c.tfOpts, opts...) })
}

// NewManager checks the options and returns a Manager.
func NewManager(opts ...Option) (*Manager, error) {
	c := managerConfig{git: "git"}
	for _, o := range opts {
		o.configureManager(&c)
	}
	for _, p := range []*string{&c.baseDir, &c.pluginCache, &c.mirror} {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return nil, fmt.Errorf("workspace manager: %w", err)
		}
		*p = abs
	}
	if c.baseDir == "" {
		c.baseDir = os.TempDir()
	}
	if _, err := cliConfig(c.pluginCache, c.mirror, c.include); err != nil {
		return nil, fmt.Errorf("workspace manager: %w", err)
	}
	if c.mirror != "" {
		if fi, err := os.Stat(c.mirror); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("workspace manager: filesystem mirror %s is not a directory", c.mirror)
		}
	}
	if c.pluginCache != "" {
		if err := os.MkdirAll(c.pluginCache, 0o755); err != nil {
			return nil, fmt.Errorf("workspace manager: plugin cache: %w", err)
		}
	}
	if !c.envSet {
		c.env = os.Environ()
	}
	if c.locker == nil {
		c.locker = NewLocker()
	}
	log := c.logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Manager{cfg: c, locks: c.locker, log: log}, nil
}

// Locker is the Manager's lock manager, for listing held locks.
func (m *Manager) Locker() *Locker { return m.locks }

// Spec says which working copy a job needs.
type Spec struct {
	// Repo is the repository's directory: a git checkout (or a directory
	// inside one), or a plain directory.
	Repo string
	// RepoID names the repository for locking ("github.com/acme/infra"),
	// so that jobs on two clones of it still exclude each other. Default:
	// the absolute Repo path.
	RepoID string
	// Commit is the commit to check out (anything git rev-parse takes);
	// default HEAD. Uncommitted changes are never part of a job. Must be
	// empty for a plain directory, which is copied as it is, unless
	// Snapshot is set.
	Commit string
	// Snapshot says Repo is a repository's tree at Commit (a full SHA),
	// extracted without git (gitops/ghapi.SnapshotCache): it is copied
	// and git is never run, so no git binary is needed. Commit is then
	// recorded as the workspace's commit, not checked out.
	Snapshot bool
	// Dir is the root module, relative to Repo; default the top.
	Dir string
	// Workspace is the Terraform workspace; default "default".
	Workspace string
	// CreateWorkspace creates Workspace when it does not exist instead of
	// failing with *terraform.WorkspaceNotFoundError.
	CreateWorkspace bool
	// AllowLocalState accepts a local state inside the copy (see
	// LocalStateError), for jobs that only read.
	AllowLocalState bool
	// Job names the job holding the lock, as others will see it
	// ("revert #42 by alice").
	Job string
	// BackendConfig are -backend-config arguments for the job's
	// terraform init (.tfdrift.yml's backend_config), in order.
	BackendConfig []string
	// Terraform are runner options for this job only, after the
	// Manager's TerraformOptions (terraform.VarFile for the root's
	// var_files, terraform.Output to capture its output).
	Terraform []terraform.Option
}

// Workspace is one job's working copy, initialised and on its Terraform
// workspace. Close it when the job ends.
type Workspace struct {
	// Key is the lock the workspace holds.
	Key Key
	// Root is the working copy of the repository.
	Root string
	// Dir is the root module inside Root.
	Dir string
	// Commit is the commit checked out; empty for a copied directory.
	Commit string

	m        *Manager
	lock     *Lock
	jobDir   string
	gitTop   string // the source checkout, when Root is a worktree
	runner   *terraform.Runner
	once     sync.Once
	closeErr error
}

// Runner runs Terraform in the workspace's root module.
func (w *Workspace) Runner() *terraform.Runner { return w.runner }

// Open makes the working copy for spec, waiting while another job holds
// its lock (until ctx ends).
func (m *Manager) Open(ctx context.Context, spec Spec) (*Workspace, error) {
	return m.open(ctx, spec, true)
}

// TryOpen is Open, failing at once with *LockedError when another job
// holds the lock.
func (m *Manager) TryOpen(ctx context.Context, spec Spec) (*Workspace, error) {
	return m.open(ctx, spec, false)
}

func (m *Manager) open(ctx context.Context, spec Spec, wait bool) (_ *Workspace, err error) {
	spec, key, err := normalize(spec)
	if err != nil {
		return nil, err
	}
	var lk *Lock
	if wait {
		lk, err = m.locks.Lock(ctx, key, spec.Job)
	} else {
		lk, err = m.locks.TryLock(key, spec.Job)
	}
	if err != nil {
		return nil, err
	}
	w := &Workspace{Key: key, m: m, lock: lk}
	defer func() {
		if err != nil {
			err = errors.Join(fmt.Errorf("workspace %s: %w", key, err), w.Close())
		}
	}()
	log := m.log.With("job", spec.Job, "key", key.String())

	if w.jobDir, err = os.MkdirTemp(m.cfg.baseDir, "tfdrift-job-"); err != nil {
		return nil, err
	}
	src := filepath.Join(w.jobDir, "src")
	top := ""
	if !spec.Snapshot {
		if top, err = m.gitTop(ctx, spec.Repo); err != nil {
			return nil, err
		}
	}
	switch {
	case spec.Snapshot:
		if err := copyTree(spec.Repo, src); err != nil {
			return nil, fmt.Errorf("copy snapshot %s: %w", spec.Repo, err)
		}
		w.Root, w.Commit = src, spec.Commit
	case top != "":
		prefix, err := relInside(top, spec.Repo)
		if err != nil {
			return nil, err
		}
		if w.Commit, err = m.worktree(ctx, top, spec.Commit, src); err != nil {
			return nil, err
		}
		w.gitTop = top
		w.Root = filepath.Join(src, prefix)
	default:
		if spec.Commit != "" {
			return nil, fmt.Errorf("commit %q given, but %s is not a git checkout", spec.Commit, spec.Repo)
		}
		if err := copyTree(spec.Repo, src); err != nil {
			return nil, fmt.Errorf("copy %s: %w", spec.Repo, err)
		}
		w.Root = src
	}
	w.Dir = filepath.Join(w.Root, filepath.FromSlash(key.Dir))
	if fi, err := os.Stat(w.Dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("root module %s not found in the working copy", key.Dir)
	}
	log.Debug("working copy ready", "root", w.Root, "commit", w.Commit)

	rc, err := cliConfig(m.cfg.pluginCache, m.cfg.mirror, m.cfg.include)
	if err != nil {
		return nil, err
	}
	rcPath := filepath.Join(w.jobDir, "terraform.rc")
	if err := os.WriteFile(rcPath, []byte(rc), 0o644); err != nil {
		return nil, err
	}
	opts := append([]terraform.Option{terraform.Env(jobEnv(m.cfg.env, rcPath)), terraform.Logger(log)}, m.cfg.tfOpts...)
	opts = append(opts, spec.Terraform...)
	if w.runner, err = terraform.New(w.Dir, opts...); err != nil {
		return nil, err
	}
	var initOpts []terraform.InitOption
	for _, b := range spec.BackendConfig {
		initOpts = append(initOpts, terraform.BackendConfig(b))
	}
	if err := m.init(ctx, w.runner, initOpts...); err != nil {
		return nil, err
	}
	if !spec.AllowLocalState {
		p, err := localStatePath(w.Dir, filepath.Join(w.Dir, ".terraform"), key.Workspace)
		if err != nil {
			return nil, err
		}
		if p != "" && inside(p, w.jobDir) {
			return nil, &LocalStateError{Path: p}
		}
	}
	if key.Workspace != "default" {
		if err := w.runner.SelectWorkspace(ctx, key.Workspace, spec.CreateWorkspace); err != nil {
			return nil, err
		}
	}
	log.Info("workspace open", "dir", w.Dir, "commit", w.Commit)
	return w, nil
}

func (m *Manager) init(ctx context.Context, r *terraform.Runner, opts ...terraform.InitOption) error {
	if m.cfg.pluginCache != "" {
		m.initMu.Lock()
		defer m.initMu.Unlock()
	}
	return r.Init(ctx, opts...)
}

// Close removes the working copy (the git worktree, pruning the
// repository's worktree list, or the copy) and releases the lock. It is
// safe to call more than once; later calls return the first result.
func (w *Workspace) Close() error {
	w.once.Do(func() {
		var errs []error
		if w.gitTop != "" {
			if err := w.m.removeWorktree(w.gitTop, filepath.Join(w.jobDir, "src")); err != nil {
				errs = append(errs, err)
			}
		}
		if w.jobDir != "" {
			if err := os.RemoveAll(w.jobDir); err != nil {
				errs = append(errs, err)
			}
		}
		w.lock.Unlock()
		if err := errors.Join(errs...); err != nil {
			w.closeErr = fmt.Errorf("close workspace %s: %w", w.Key, err)
		}
	})
	return w.closeErr
}

// normalize checks spec and fills in its defaults.
func normalize(s Spec) (Spec, Key, error) {
	if s.Repo == "" {
		return s, Key{}, errors.New("workspace: no repository")
	}
	if s.Job == "" {
		return s, Key{}, errors.New("workspace: no job name (Spec.Job)")
	}
	if s.Snapshot && !isCommitSHA(s.Commit) {
		return s, Key{}, fmt.Errorf("workspace: snapshot of %s: Commit %q is not the full commit SHA the snapshot was taken at", s.Repo, s.Commit)
	}
	repo, err := filepath.Abs(s.Repo)
	if err != nil {
		return s, Key{}, fmt.Errorf("workspace: %w", err)
	}
	s.Repo = repo
	dir := filepath.Clean(filepath.FromSlash(s.Dir))
	if s.Dir == "" {
		dir = "."
	}
	if !filepath.IsLocal(dir) {
		return s, Key{}, fmt.Errorf("workspace: root module %q must be a relative path inside the repository", s.Dir)
	}
	if s.Workspace == "" {
		s.Workspace = "default"
	}
	// Terraform's own rule: a workspace name must be usable as a URL path
	// segment.
	if url.PathEscape(s.Workspace) != s.Workspace || strings.HasPrefix(s.Workspace, "-") {
		return s, Key{}, fmt.Errorf("workspace: invalid Terraform workspace name %q", s.Workspace)
	}
	id := s.RepoID
	if id == "" {
		id = repo
	}
	return s, Key{Repo: id, Dir: filepath.ToSlash(dir), Workspace: s.Workspace}, nil
}

// isCommitSHA reports whether s is a full SHA-1 or SHA-256 commit ID.
func isCommitSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// relInside returns repo's path relative to the checkout top, resolving
// symlinks (git reports the top with them resolved).
func relInside(top, repo string) (string, error) {
	realRepo, err := filepath.EvalSymlinks(repo)
	if err != nil {
		return "", err
	}
	realTop, err := filepath.EvalSymlinks(top)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(realTop, realRepo)
	if err != nil || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("repository %s is not inside its git checkout %s", repo, top)
	}
	return rel, nil
}

// jobEnv is the base environment with the job's CLI configuration.
func jobEnv(base []string, cliConfig string) []string {
	out := make([]string, 0, len(base)+1)
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "TF_CLI_CONFIG_FILE", "TERRAFORM_CONFIG", "TF_PLUGIN_CACHE_DIR", "TF_DATA_DIR":
			continue
		}
		out = append(out, kv)
	}
	return append(out, "TF_CLI_CONFIG_FILE="+cliConfig)
}
