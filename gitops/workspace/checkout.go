package workspace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// git runs the git binary in dir and returns its trimmed stdout. Hooks are
// disabled for every command: a job's checkout must not run code from the
// repository it checks out.
func (m *Manager) git(ctx context.Context, dir string, args ...string) (string, error) {
	full := append([]string{"-C", dir, "-c", "core.hooksPath=" + os.DevNull}, args...)
	cmd := exec.CommandContext(ctx, m.cfg.git, full...)
	cmd.Env = gitEnv(os.Environ())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// gitEnv is the inherited environment without the variables that would
// point git at another repository (set when tfdrift itself runs inside a
// git hook), and with prompts off: there is no one to answer them.
func gitEnv(env []string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_TERMINAL_PROMPT":
			continue
		}
		out = append(out, kv)
	}
	return append(out, "GIT_TERMINAL_PROMPT=0")
}

// gitTop returns the top of the git checkout holding repo, or "" when
// repo is not inside one.
func (m *Manager) gitTop(ctx context.Context, repo string) (string, error) {
	if _, err := os.Stat(repo); err != nil {
		return "", fmt.Errorf("repository: %w", err)
	}
	out, err := m.git(ctx, repo, "rev-parse", "--show-toplevel")
	if err != nil {
		// Not a git checkout (or git cannot read it): fall back to a copy.
		// A repository that is a checkout but unreadable by git would be
		// copied with its uncommitted changes; ask git why, once, and
		// refuse when .git exists.
		if _, statErr := os.Stat(filepath.Join(repo, ".git")); statErr == nil {
			return "", fmt.Errorf("repository %s has .git but git cannot read it: %w", repo, err)
		}
		return "", nil
	}
	return out, nil
}

// worktree checks out commit (a commit-ish) of the checkout at top into
// dst, detached, and returns the full commit hash.
func (m *Manager) worktree(ctx context.Context, top, commit, dst string) (string, error) {
	if commit == "" {
		commit = "HEAD"
	}
	if strings.HasPrefix(commit, "-") {
		return "", fmt.Errorf("commit %q: must not start with '-'", commit)
	}
	hash, err := m.git(ctx, top, "rev-parse", "--verify", "--end-of-options", commit+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("commit %q in %s: %w", commit, top, err)
	}
	// git writes the worktree list in the repository; two jobs adding
	// worktrees to one repository at once can collide on its lock files.
	m.gitMu.Lock()
	defer m.gitMu.Unlock()
	if _, err := m.git(ctx, top, "worktree", "add", "--detach", "--quiet", dst, hash); err != nil {
		return "", err
	}
	return hash, nil
}

// removeWorktree removes the worktree at dir and prunes the repository's
// worktree list. It runs without the job's context: cleanup must happen
// even when the job was cancelled.
func (m *Manager) removeWorktree(top, dir string) error {
	m.gitMu.Lock()
	defer m.gitMu.Unlock()
	ctx := context.Background()
	_, rmErr := m.git(ctx, top, "worktree", "remove", "--force", dir)
	var errs []error
	if rmErr != nil {
		// Remove the files ourselves; prune then drops the entry.
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, rmErr, err)
		}
	}
	if _, err := m.git(ctx, top, "worktree", "prune"); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// copyTree copies the directory src into dst (which must not exist),
// keeping file modes and symlinks, and leaving out .terraform directories:
// they hold another checkout's providers, modules and workspace choice.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if d.Name() == ".terraform" && p != src {
				return filepath.SkipDir
			}
			return os.Mkdir(target, info.Mode().Perm()|0o700)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			return copyFile(p, target, info.Mode().Perm())
		}
		// Sockets, devices and pipes have no place in a root module.
		return nil
	})
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
