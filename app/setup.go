package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

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
	// Backends are extra state backends (S3, GCS) built by the caller.
	Backends []state.Backend
	// OnTrustedWrite is passed to the engine.
	OnTrustedWrite func(*change.Change)
	// Diag receives warnings.
	Diag io.Writer
}

// Detector is a ready engine with what it was built from.
type Detector struct {
	Engine   *detector.Engine
	Index    *state.Index
	Repo     *locate.Repo // nil without --repo
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
	ix := state.NewIndex(state.KeySpec{ByType: cat.KeysByType(), Default: []string{"id", "arn"}})
	d := &Detector{Index: ix}

	backends := append([]state.Backend{}, o.Backends...)
	for _, f := range o.StateFiles {
		backends = append(backends, state.NewLocal(f, state.Source{Name: f, Workspace: state.DefaultWorkspace}))
	}
	if o.Config != nil {
		base := filepath.Dir(o.Config.File)
		for _, s := range o.Config.StateSources() {
			if s.Backend != config.BackendLocal {
				continue // remote backends are built by the caller (serve)
			}
			p := s.Path
			if !filepath.IsAbs(p) && o.Config.File != "" {
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
	}
	if len(backends) == 0 {
		return nil, ErrNoState
	}
	for _, b := range backends {
		snap, _, err := state.Load(ctx, b)
		if err != nil {
			return nil, fmt.Errorf("state %s: %w", b.Source().Name, err)
		}
		ix.Replace(snap)
	}
	d.Backends = backends

	opts := detector.Options{Catalog: cat, Index: ix, OnTrustedWrite: o.OnTrustedWrite}
	if o.RepoDir != "" {
		repo, err := locate.Load(o.RepoDir, o.RootDir)
		if err != nil {
			return nil, fmt.Errorf("repo %s: %w", o.RepoDir, err)
		}
		d.Repo = repo
		opts.Code = repo
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
			return nil, err
		}
		if m.Len() > 0 {
			d.Ignore = m
			opts.Ignore = m
		}
	} else if _, err := os.Stat(ignore.FileName); err == nil {
		fmt.Fprintf(diag, "tfdrift: %s found in the working directory but not used: pass --repo or --ignore-file\n", ignore.FileName)
	}
	if o.Config != nil {
		opts.Rules = o.Config.RuleSet()
		opts.TrustedActors = o.Config.TrustedActors
	}
	d.Engine = detector.New(opts)
	return d, nil
}
