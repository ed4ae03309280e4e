package locate

import (
	"fmt"
	"io/fs"
	"os"
)

// MultiRepo is a repository with several root modules (one per
// environment or workspace), each loaded as its own Repo.
type MultiRepo struct {
	repos []*Repo
}

// LoadMulti loads every root in roots from the repository at repoRoot.
// Modules shared between roots are parsed once. StateKeys must be unique
// when set.
func LoadMulti(repoRoot string, roots []RootSpec) (*MultiRepo, error) {
	root, err := os.OpenRoot(repoRoot)
	if err != nil {
		return nil, fmt.Errorf("repository: %w", err)
	}
	defer root.Close()
	specs := make([]RootSpec, len(roots))
	for i, s := range roots {
		rel, err := relRootDir(repoRoot, s.Dir)
		if err != nil {
			return nil, err
		}
		s.Dir = rel
		specs[i] = s
	}
	return LoadMultiFS(root.FS(), specs)
}

// LoadMultiFS is LoadMulti over any file system; RootSpec.Dir values are
// slash paths inside fsys.
func LoadMultiFS(fsys fs.FS, roots []RootSpec) (*MultiRepo, error) {
	if len(roots) == 0 {
		return nil, fmt.Errorf("no root modules given")
	}
	keys := map[string]int{}
	for i, s := range roots {
		if s.StateKey == "" {
			continue
		}
		if j, dup := keys[s.StateKey]; dup {
			return nil, fmt.Errorf("roots %d (%s) and %d (%s) both use state key %q", j, roots[j].Dir, i, s.Dir, s.StateKey)
		}
		keys[s.StateKey] = i
	}
	l := newLoader(fsys)
	m := &MultiRepo{}
	for _, s := range roots {
		r, err := l.load(s)
		if err != nil {
			return nil, fmt.Errorf("root %s: %w", s.Dir, err)
		}
		m.repos = append(m.repos, r)
	}
	return m, nil
}

// ForState returns the root that writes the given state: the root whose
// StateKey equals key, else the only root whose Workspace equals key,
// else the only root whose directory equals key. It returns nil when no
// root matches, or when several do and nothing tells them apart: guessing
// would point a drift at the wrong environment's code.
func (m *MultiRepo) ForState(key string) *Repo {
	if m == nil || key == "" {
		return nil
	}
	for _, r := range m.repos {
		if r.stateKey == key {
			return r
		}
	}
	if r := m.only(func(r *Repo) bool { return r.workspace == key }); r != nil {
		return r
	}
	return m.only(func(r *Repo) bool { return r.rootDir == key })
}

func (m *MultiRepo) only(match func(*Repo) bool) *Repo {
	var found *Repo
	for _, r := range m.repos {
		if match(r) {
			if found != nil {
				return nil
			}
			found = r
		}
	}
	return found
}

// Repos returns the roots in the order they were given.
func (m *MultiRepo) Repos() []*Repo { return append([]*Repo(nil), m.repos...) }
