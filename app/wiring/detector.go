package wiring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tfdrift/tfdrift/app/config"
	"github.com/tfdrift/tfdrift/detector"
	"github.com/tfdrift/tfdrift/detector/catalog"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/ignore"
	"github.com/tfdrift/tfdrift/detector/state"
	"github.com/tfdrift/tfdrift/gitops/locate"
)

// DetectorOptions say where the detector's inputs come from. Everything is
// optional but at least one state.
type DetectorOptions struct {
	// Config is the loaded config file, or nil.
	Config *config.Config
	// StateFiles are local state files given with --state.
	StateFiles []string
	// RepoDir is the infra repository (--repo); RootDir the root module
	// inside it (default: the repo root).
	RepoDir, RootDir string
	// IgnoreFile overrides the .tfdriftignore path. Default: the config's
	// ignore_file, resolved against RepoDir, else RepoDir/.tfdriftignore.
	IgnoreFile string
	// Catalog defaults to catalog.Default().
	Catalog *catalog.Catalog
	// Backends are extra state backends besides StateFiles and the
	// config's local, S3 and GCS sources.
	Backends []state.Backend
	// Code is consulted for a resource --repo does not declare: the
	// GitHub App's repositories (githubapp's Code).
	Code detector.CodeIndex
	// OnTrustedWrite is passed to the engine.
	OnTrustedWrite func(*change.Change)
	// Shadow is passed to the engine: serve's store-backed shadow, or
	// one in-memory shadow kept across reloads. Nil gives the engine an
	// in-memory shadow of its own (replay, accept).
	Shadow detector.Shadow
	// Index, when set, is used as it is: no state is loaded (the daemon's
	// refresher owns loading). StateFiles and config sources are ignored.
	Index *state.Index
	// Diag receives warnings.
	Diag io.Writer
}

// Detector is a ready engine with what it was built from.
type Detector struct {
	Engine *detector.Engine
	Index  *state.Index
	Repo   *locate.Repo // nil without --repo, or with several roots
	// Roots is set when the repo's .tfdrift.yml lists several root modules.
	Roots    *locate.MultiRepo
	Ignore   *ignore.Matcher
	Backends []state.Backend
}

// ErrNoState is returned when no state source was given.
var ErrNoState = errors.New("no Terraform state given: pass --state FILE (repeatable) or configure state sources in the config file")

// NewDetector loads every state, the code and the ignore file, and builds
// the engine.
func NewDetector(ctx context.Context, o DetectorOptions) (*Detector, error) {
	cat := o.Catalog
	if cat == nil {
		cat = catalog.Default()
	}
	diag := o.Diag
	if diag == nil {
		diag = io.Discard
	}
	if o.Index != nil {
		d := &Detector{Index: o.Index, Backends: o.Backends}
		if err := d.buildEngine(o, cat, diag); err != nil {
			return nil, err
		}
		return d, nil
	}
	ix := NewIndex(cat)
	d := &Detector{Index: ix}
	backends, err := LocalBackends(o.Config, o.StateFiles)
	if err != nil {
		return nil, err
	}
	// The config's S3 and GCS sources too: replay and accept read them
	// as serve does.
	remote, err := RemoteBackends(ctx, o.Config)
	if err != nil {
		return nil, err
	}
	backends = append(append(backends, remote...), o.Backends...)
	if len(backends) == 0 {
		return nil, ErrNoState
	}
	for _, b := range backends {
		snap, _, err := state.Load(ctx, b)
		if err != nil {
			return nil, PrefixOnce("state "+b.Source().Name, err)
		}
		ix.Replace(snap)
	}
	d.Backends = backends
	if err := d.buildEngine(o, cat, diag); err != nil {
		return nil, err
	}
	return d, nil
}

// NewIndex returns an empty state index keyed by everything the catalog
// looks resources up by.
func NewIndex(cat *catalog.Catalog) *state.Index {
	return state.NewIndex(state.KeySpec{ByType: cat.KeysByType(), Default: []string{"id", "arn"}})
}

// LocalBackends returns the local state files given with --state and the
// config's local state sources (relative paths resolve against the config
// file's directory).
func LocalBackends(cfg *config.Config, files []string) ([]state.Backend, error) {
	var backends []state.Backend
	for _, f := range files {
		backends = append(backends, state.NewLocal(f, state.Source{Name: f, Workspace: state.DefaultWorkspace}))
	}
	if cfg == nil {
		return backends, nil
	}
	base := filepath.Dir(cfg.File)
	for _, s := range cfg.StateSources() {
		if s.Backend != config.BackendLocal {
			continue // remote backends: see RemoteBackends
		}
		p := s.Path
		if !filepath.IsAbs(p) && cfg.File != "" {
			p = filepath.Join(base, p)
		}
		name := s.Name
		if name == "" {
			name = p
		}
		backends = append(backends, state.NewLocal(p, state.Source{
			Name: name, Workspace: state.DefaultWorkspace, Provider: s.Provider, Account: s.Account,
		}))
	}
	return backends, nil
}

func (d *Detector) buildEngine(o DetectorOptions, cat *catalog.Catalog, diag io.Writer) error {
	ix := d.Index
	opts := detector.Options{Catalog: cat, Index: ix, OnTrustedWrite: o.OnTrustedWrite, Shadow: o.Shadow}
	var repoIgnore *ignore.Matcher // .tfdrift.yml's ignore: lines
	if o.RepoDir != "" {
		rc, err := config.LoadRepo(o.RepoDir)
		if err != nil {
			return err
		}
		if rc != nil {
			repoIgnore = rc.Ignore
		}
		if rc != nil && o.RootDir == "" {
			// Several root modules: each drift goes to the root that
			// writes its state.
			specs := make([]locate.RootSpec, len(rc.Roots))
			for i, r := range rc.Roots {
				specs[i] = locate.RootSpec{Dir: r.Dir, Workspace: r.Workspace, StateKey: r.State, VarFiles: r.VarFiles}
			}
			multi, err := locate.LoadMulti(o.RepoDir, specs)
			if err != nil {
				return fmt.Errorf("repo %s (%s): %w", o.RepoDir, config.RepoFileName, err)
			}
			d.Roots = multi
			if repos := multi.Repos(); len(repos) == 1 {
				d.Repo = repos[0]
			}
			opts.Code = multiRoot{multi}
		} else {
			repo, err := locate.Load(o.RepoDir, o.RootDir)
			if err != nil {
				return fmt.Errorf("repo %s: %w", o.RepoDir, err)
			}
			if len(repo.Files()) == 0 {
				dir := o.RepoDir
				if o.RootDir != "" {
					dir = filepath.Join(o.RepoDir, o.RootDir)
				}
				fmt.Fprintf(diag, "tfdrift: warning: repo %s: no .tf files in %s, so drifts have no file, line or module and ignore_changes is not read (is --repo or --dir the right folder?)\n", o.RepoDir, dir)
			}
			d.Repo = repo
			opts.Code = singleRoot{repo}
		}
	}
	ignorePath := o.IgnoreFile
	if ignorePath == "" {
		name := ignore.FileName
		if o.Config != nil && o.Config.IgnoreFile != "" {
			name = o.Config.IgnoreFile
		}
		if filepath.IsAbs(name) {
			ignorePath = name
		} else if o.RepoDir != "" {
			ignorePath = filepath.Join(o.RepoDir, name)
		}
	}
	if ignorePath != "" {
		m, err := ignore.Load(ignorePath)
		if err != nil {
			return err
		}
		if m.Len() > 0 {
			d.Ignore = m
			opts.Ignore = m
		}
	} else if _, err := os.Stat(ignore.FileName); err == nil {
		fmt.Fprintf(diag, "tfdrift: %s found in the working directory but not used: pass --repo or --ignore-file\n", ignore.FileName)
	}
	if repoIgnore != nil {
		opts.Ignore = config.IgnoreChain{repoIgnore, d.Ignore}
	}
	switch {
	case o.Code == nil:
	case opts.Code == nil:
		opts.Code = o.Code
	default:
		opts.Code = codeChain{opts.Code, o.Code}
	}
	if o.Config != nil {
		opts.Rules = o.Config.RuleSet()
		opts.TrustedActors = o.Config.TrustedActors
	}
	d.Engine = detector.New(opts)
	return nil
}

// NewEngine is NewDetector for a caller that needs only the engine: the
// daemon's Build, which is handed the index the refresher keeps.
func NewEngine(ctx context.Context, o DetectorOptions) (*detector.Engine, error) {
	d, err := NewDetector(ctx, o)
	if err != nil {
		return nil, err
	}
	return d.Engine, nil
}

// PrefixOnce wraps err as "prefix: err" unless its message already starts
// with that prefix, so that a layer that names what failed does not repeat
// what the layer below already said ("state x: state x: open …").
func PrefixOnce(prefix string, err error) error {
	if err == nil {
		return nil
	}
	if msg := err.Error(); msg == prefix || strings.HasPrefix(msg, prefix+": ") {
		return err
	}
	return fmt.Errorf("%s: %w", prefix, err)
}
