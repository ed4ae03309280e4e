package locate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// maxModuleInstances bounds the module calls one root may expand to. Each
// directory is parsed once, but a tree where every module calls the next
// twice doubles per level; a real repo stays far below this.
const maxModuleInstances = 10000

// Repo is one root module and the local modules it calls, with every
// declaration's position. It is immutable after loading and safe for
// concurrent use; the Blocks and other values it returns are shared and
// must not be modified.
type Repo struct {
	rootDir   string
	workspace string
	stateKey  string

	blocks  map[string]*Block // config address → block
	sorted  []*Block
	calls   map[string]*ModuleCall // module address → call
	modules map[string]string      // loaded module address → dir ("" → root)
	vars    map[string]*VarDecl    // module address + "\x00" + name
	locals  map[string]*LocalDecl
	moves   []move // absolute addresses
	tfvars  map[string][]TFVarDef
	files   []string
	over    []string
}

// RootSpec names one root module of a repository.
type RootSpec struct {
	// Dir is the root module directory, relative to the repo root
	// ("" or "." for the repo root itself).
	Dir string
	// Workspace and StateKey identify the state this root writes; see
	// MultiRepo.ForState.
	Workspace string
	StateKey  string
	// VarFiles are the -var-file arguments the root is planned with,
	// relative to Dir; they take precedence over the automatic tfvars.
	VarFiles []string
}

// Load parses the root module at rootDir and every local module it calls.
// rootDir is absolute or relative to repoRoot (spelling it with repoRoot
// in front, as a caller holding two working-directory-relative paths
// would, works too). Paths in the results are relative to repoRoot.
// Reading goes through an os.Root, so nothing outside repoRoot is read.
func Load(repoRoot, rootDir string) (*Repo, error) {
	rel, err := relRootDir(repoRoot, rootDir)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(repoRoot)
	if err != nil {
		return nil, fmt.Errorf("repository: %w", err)
	}
	defer root.Close()
	return LoadFS(root.FS(), rel)
}

// LoadFS is Load over any file system (a checkout, a git tree, a test's
// fstest.MapFS). rootDir is a slash path inside fsys.
func LoadFS(fsys fs.FS, rootDir string) (*Repo, error) {
	return newLoader(fsys).load(RootSpec{Dir: rootDir})
}

// relRootDir turns Load's rootDir into a slash path relative to repoRoot.
func relRootDir(repoRoot, rootDir string) (string, error) {
	if rootDir == "" {
		return ".", nil
	}
	if filepath.IsAbs(rootDir) {
		absRepo, err := filepath.Abs(repoRoot)
		if err != nil {
			return "", fmt.Errorf("repository %s: %w", repoRoot, err)
		}
		rel, err := filepath.Rel(absRepo, rootDir)
		if err != nil {
			return "", fmt.Errorf("root module %s: %w", rootDir, err)
		}
		rootDir = rel
	} else {
		cleanRepo, cleanDir := filepath.Clean(repoRoot), filepath.Clean(rootDir)
		switch {
		case cleanDir == cleanRepo:
			rootDir = "."
		case cleanRepo != "." && strings.HasPrefix(cleanDir, cleanRepo+string(filepath.Separator)):
			rootDir = cleanDir[len(cleanRepo)+1:]
		}
	}
	slash := path.Clean(filepath.ToSlash(rootDir))
	if !fs.ValidPath(slash) {
		return "", fmt.Errorf("root module %s is outside the repository %s", rootDir, repoRoot)
	}
	return slash, nil
}

type loader struct {
	fsys fs.FS
	dirs map[string]*moduleDir
	errs map[string]error
}

func newLoader(fsys fs.FS) *loader {
	return &loader{fsys: fsys, dirs: map[string]*moduleDir{}, errs: map[string]error{}}
}

// dir parses a module directory once per loader, so that roots sharing
// modules (and modules called from several places) cost one parse.
func (l *loader) dir(d string) (*moduleDir, error) {
	if md, ok := l.dirs[d]; ok {
		return md, nil
	}
	if err, ok := l.errs[d]; ok {
		return nil, err
	}
	md, err := parseModuleDir(l.fsys, d)
	if err != nil {
		l.errs[d] = err
		return nil, err
	}
	l.dirs[d] = md
	return md, nil
}

func (l *loader) load(spec RootSpec) (*Repo, error) {
	rootDir := path.Clean(strings.TrimPrefix(filepath.ToSlash(spec.Dir), "/"))
	if rootDir == "" || !fs.ValidPath(rootDir) {
		return nil, fmt.Errorf("root module %q: not a path inside the repository", spec.Dir)
	}
	st, err := fs.Stat(l.fsys, rootDir)
	if err != nil {
		return nil, fmt.Errorf("root module: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("root module %s is not a directory", rootDir)
	}
	md, err := l.dir(rootDir)
	if err != nil {
		return nil, err
	}
	r := &Repo{
		rootDir:   rootDir,
		workspace: spec.Workspace,
		stateKey:  spec.StateKey,
		blocks:    map[string]*Block{},
		calls:     map[string]*ModuleCall{},
		modules:   map[string]string{},
		vars:      map[string]*VarDecl{},
		locals:    map[string]*LocalDecl{},
	}
	inst := &instantiator{l: l, r: r}
	if err := inst.module(nil, md, []string{rootDir}); err != nil {
		return nil, err
	}
	if r.tfvars, err = loadTFVars(l.fsys, rootDir, spec.VarFiles); err != nil {
		return nil, err
	}
	r.sorted = make([]*Block, 0, len(r.blocks))
	for _, b := range r.blocks {
		r.sorted = append(r.sorted, b)
	}
	sort.Slice(r.sorted, func(i, j int) bool { return r.sorted[i].Address < r.sorted[j].Address })
	sort.Strings(r.files)
	sort.Strings(r.over)
	return r, nil
}

// instantiator expands the module tree of one root into absolute
// addresses.
type instantiator struct {
	l         *loader
	r         *Repo
	instances int
	seenDir   map[string]bool
}

func (in *instantiator) module(prefix []string, md *moduleDir, chain []string) error {
	r := in.r
	modAddr := addr{modules: prefix, isModule: true}.module()
	r.modules[modAddr] = md.dir
	if in.seenDir == nil {
		in.seenDir = map[string]bool{}
	}
	if !in.seenDir[md.dir] {
		in.seenDir[md.dir] = true
		r.files = append(r.files, md.files...)
		r.over = append(r.over, md.overrides...)
	}
	for _, tmpl := range md.resources {
		b := *tmpl
		b.Module = modAddr
		b.ModuleDir = md.dir
		if modAddr != "" {
			b.Address = modAddr + "." + tmpl.Address
		}
		r.blocks[b.Address] = &b
	}
	for name, tmpl := range md.vars {
		v := *tmpl
		v.Module, v.ModuleDir = modAddr, md.dir
		r.vars[modAddr+"\x00"+name] = &v
	}
	for name, tmpl := range md.locals {
		lc := *tmpl
		lc.Module, lc.ModuleDir = modAddr, md.dir
		r.locals[modAddr+"\x00"+name] = &lc
	}
	for _, m := range md.moves {
		r.moves = append(r.moves, move{from: m.from.under(prefix), to: m.to.under(prefix), rng: m.rng})
	}
	var errs []error
	for _, tmpl := range md.calls {
		c := *tmpl
		childPrefix := append(append([]string(nil), prefix...), c.Name)
		c.Address = addr{modules: childPrefix, isModule: true}.module()
		c.Parent = modAddr
		r.calls[c.Address] = &c
		if !isLocalSource(c.Source) {
			c.Remote = true
			continue
		}
		callPos := c.Exprs["source"]
		in.instances++
		if in.instances > maxModuleInstances {
			return &ConfigError{File: c.File, Line: callPos.Start.Line, Column: callPos.Start.Column,
				Msg: fmt.Sprintf("more than %d module instances: the module tree is too large to load", maxModuleInstances)}
		}
		dir := path.Join(md.dir, c.Source)
		if !fs.ValidPath(dir) {
			errs = append(errs, &ConfigError{File: c.File, Line: callPos.Start.Line, Column: callPos.Start.Column,
				Msg: fmt.Sprintf("module %q: source %q is outside the repository", c.Name, c.Source)})
			continue
		}
		for i, d := range chain {
			if d == dir {
				cycle := strings.Join(append(append([]string(nil), chain[i:]...), dir), " → ")
				return &ConfigError{File: c.File, Line: callPos.Start.Line, Column: callPos.Start.Column,
					Msg: fmt.Sprintf("module cycle: %s calls %s again (%s)", c.Address, d, cycle)}
			}
		}
		c.Dir = dir
		child, err := in.l.dir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, &ConfigError{File: c.File, Line: callPos.Start.Line, Column: callPos.Start.Column,
				Msg: fmt.Sprintf("module %q: source directory %s does not exist", c.Name, dir)})
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := in.module(childPrefix, child, append(chain, dir)); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

// isLocalSource is Terraform's rule: only ./ and ../ prefixes are local
// paths; everything else is fetched (registry, git, http, s3, ...).
func isLocalSource(src string) bool {
	return strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../")
}

// RootDir is the root module's directory relative to the repo root.
func (r *Repo) RootDir() string { return r.rootDir }

// Workspace and StateKey echo the RootSpec the repo was loaded for.
func (r *Repo) Workspace() string { return r.workspace }

// StateKey echoes RootSpec.StateKey.
func (r *Repo) StateKey() string { return r.stateKey }

// Files lists every configuration file read, relative to the repo root.
func (r *Repo) Files() []string { return append([]string(nil), r.files...) }

// Overrides lists the override files that were skipped (see the package
// doc): a caller may warn that positions in their modules can be stale.
func (r *Repo) Overrides() []string { return append([]string(nil), r.over...) }

// Blocks returns every resource and data source, sorted by address.
func (r *Repo) Blocks() []*Block { return append([]*Block(nil), r.sorted...) }

// ModuleCall returns the module block for a module address
// ("module.net.module.sg"; instance keys are ignored).
func (r *Repo) ModuleCall(moduleAddr string) (*ModuleCall, bool) {
	a, err := parseAddr(moduleAddr)
	if err != nil || !a.isModule {
		return nil, false
	}
	c, ok := r.calls[a.module()]
	return c, ok
}

// CallChain returns the module calls from the root down to moduleAddr,
// outermost first; nil for the root or an unknown module.
func (r *Repo) CallChain(moduleAddr string) []*ModuleCall {
	a, err := parseAddr(moduleAddr)
	if err != nil || !a.isModule {
		return nil
	}
	var chain []*ModuleCall
	for i := range a.modules {
		c, ok := r.calls[addr{modules: a.modules[:i+1], isModule: true}.module()]
		if !ok {
			return nil
		}
		chain = append(chain, c)
	}
	return chain
}

// normModule turns a module address ("", "module.a[0].module.b") into the
// key used internally.
func normModule(module string) (string, bool) {
	if module == "" {
		return "", true
	}
	a, err := parseAddr(module)
	if err != nil || !a.isModule {
		return "", false
	}
	return a.module(), true
}

// ModuleDir returns the directory (relative to the repo root) of the local
// module at the module address; "" and false for remote or unknown ones.
func (r *Repo) ModuleDir(module string) (string, bool) {
	m, ok := normModule(module)
	if !ok {
		return "", false
	}
	d, ok := r.modules[m]
	return d, ok
}

// Variable returns the variable block name in the module at the module
// address ("" for the root).
func (r *Repo) Variable(module, name string) (*VarDecl, bool) {
	m, ok := normModule(module)
	if !ok {
		return nil, false
	}
	v, ok := r.vars[m+"\x00"+name]
	return v, ok
}

// Local returns the local value name in the module at the module address.
func (r *Repo) Local(module, name string) (*LocalDecl, bool) {
	m, ok := normModule(module)
	if !ok {
		return nil, false
	}
	lc, ok := r.locals[m+"\x00"+name]
	return lc, ok
}
