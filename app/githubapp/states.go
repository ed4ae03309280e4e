package githubapp

import (
	"path/filepath"
	"strings"

	"github.com/tfdrift/tfdrift/app/config"
)

// StateSource is one state source of the server config, as a root's
// state: in .tfdrift.yml may name it.
type StateSource struct {
	// Name is what drifts carry (drift.Location.State): the configured
	// name, s3://bucket/key, gs://bucket/prefix, or the path.
	Name string
	// Aliases are its other spellings a root may use: the bucket URL of
	// a named S3 or GCS source, the path of a named local one.
	Aliases []string
}

// StateSources lists the state sources of cfg (nil is none) and the
// local state files given with --state, as roots may name them.
func StateSources(cfg *config.Config, files []string) []StateSource {
	var out []StateSource
	for _, f := range files {
		out = append(out, StateSource{Name: f, Aliases: absAlias(f)})
	}
	if cfg == nil {
		return out
	}
	base := filepath.Dir(cfg.File)
	for _, s := range cfg.StateSources() {
		src := StateSource{Name: s.Name}
		switch s.Backend {
		case config.BackendLocal:
			src.Aliases = append(src.Aliases, s.Path)
			if !filepath.IsAbs(s.Path) && cfg.File != "" {
				src.Aliases = append(src.Aliases, filepath.Join(base, s.Path))
			}
		case config.BackendS3:
			src.Aliases = append(src.Aliases, "s3://"+s.S3Bucket+"/"+s.S3Key)
		case config.BackendGCS:
			src.Aliases = append(src.Aliases, strings.TrimSuffix("gs://"+s.GCSBucket+"/"+s.GCSPrefix, "/"))
		}
		out = append(out, src)
	}
	return out
}

func absAlias(p string) []string {
	if abs, err := filepath.Abs(p); err == nil && abs != p {
		return []string{abs}
	}
	return nil
}

// stateNames resolves what roots write in state: to the name drifts carry.
type stateNames map[string]string

func newStateNames(sources []StateSource) stateNames {
	m := stateNames{}
	// Names first, so that a name another source uses as an alias still
	// means its own source.
	for _, s := range sources {
		m[s.Name] = s.Name
	}
	for _, s := range sources {
		for _, a := range s.Aliases {
			if _, taken := m[a]; !taken && a != "" {
				m[a] = s.Name
			}
		}
	}
	return m
}

// resolve returns the source name a root's state: means, and whether a
// configured source has that name or alias. An unknown value still
// claims drifts whose state is spelled exactly so.
func (n stateNames) resolve(state string) (string, bool) {
	if name, ok := n[state]; ok {
		return name, true
	}
	return state, false
}
