package check

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tfdrift/tfdrift/app/config"
)

// root is one root module to check.
type root struct {
	// dir is relative to the repository, slash-separated, "." for its top.
	dir string
	// spec is the root's .tfdrift.yml entry; zero when it has none.
	spec config.RepoRoot
}

// stateName is what the drift records name as the root's state: the
// .tfdrift.yml entry's state, else the root's directory.
func (r root) stateName() string {
	if r.spec.State != "" {
		return r.spec.State
	}
	return r.dir
}

// resolveRoots turns --dir arguments (directories or globs relative to the
// repository) into roots, in the order given without duplicates; with no
// --dir, every root of .tfdrift.yml, else the repository itself. A root
// named in .tfdrift.yml gets that entry's workspace, var files and
// backend config.
func resolveRoots(repoDir string, dirs []string, rc *config.RepoConfig) ([]root, error) {
	entries := map[string]config.RepoRoot{}
	var listed []string
	if rc != nil {
		for _, r := range rc.Roots {
			entries[r.Dir] = r
			listed = append(listed, r.Dir)
		}
	}
	var names []string
	switch {
	case len(dirs) > 0:
		for _, d := range dirs {
			got, err := expandDir(repoDir, d)
			if err != nil {
				return nil, err
			}
			names = append(names, got...)
		}
	case len(listed) > 0:
		names = listed
	default:
		names = []string{"."}
	}
	var out []root
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, root{dir: n, spec: entries[n]})
	}
	return out, nil
}

// expandDir resolves one --dir: a glob selects the directories it matches
// (sorted), anything else is one directory. Either way the result is
// cleaned, relative to the repository and inside it.
func expandDir(repoDir, d string) ([]string, error) {
	if strings.TrimSpace(d) == "" {
		return nil, fmt.Errorf("--dir: empty directory")
	}
	rel, err := inRepo(repoDir, d)
	if err != nil {
		return nil, err
	}
	if !strings.ContainsAny(rel, "*?[") {
		return []string{rel}, nil
	}
	if _, err := path.Match(rel, ""); err != nil {
		return nil, fmt.Errorf("--dir %q: %w", d, err)
	}
	matches, err := fs.Glob(os.DirFS(repoDir), rel)
	if err != nil {
		return nil, fmt.Errorf("--dir %q: %w", d, err)
	}
	var out []string
	for _, m := range matches {
		if fi, err := os.Stat(filepath.Join(repoDir, filepath.FromSlash(m))); err == nil && fi.IsDir() && hasConfig(filepath.Join(repoDir, filepath.FromSlash(m))) {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--dir %q matches no directory with Terraform files in %s", d, repoDir)
	}
	slices.Sort(out)
	return out, nil
}

// inRepo makes d a clean slash path relative to repoDir, refusing one
// outside it.
func inRepo(repoDir, d string) (string, error) {
	p := d
	if filepath.IsAbs(p) {
		absRepo, err := filepath.Abs(repoDir)
		if err != nil {
			return "", err
		}
		if p, err = filepath.Rel(absRepo, p); err != nil {
			return "", fmt.Errorf("--dir %q: %w", d, err)
		}
	}
	p = path.Clean(filepath.ToSlash(p))
	if p == ".." || strings.HasPrefix(p, "../") || path.IsAbs(p) {
		return "", fmt.Errorf("--dir %q is outside the repository %s", d, repoDir)
	}
	return p, nil
}

// hasConfig reports whether dir holds Terraform configuration files.
func hasConfig(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".tf") || strings.HasSuffix(e.Name(), ".tf.json")) {
			return true
		}
	}
	return false
}
