// Package scenario holds the embedded scenario of `tfdrift demo`: an
// example infra repository, its Terraform state, a config with typical
// drift rules, and a morning's audit events in three input formats. Tests
// of the daemon and the jobs use it as a realistic fixture.
//
// It imports only the standard library, so that any test may use it.
package scenario

import (
	"embed"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

//go:embed config.yaml terraform.tfstate events all:repo
var files embed.FS

// Scenario is the extracted scenario's paths.
type Scenario struct {
	Dir    string
	Repo   string
	State  string
	Config string
	Events []string
}

// Extract writes the scenario under dir.
func Extract(dir string) (*Scenario, error) {
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		return nil, err
	}
	s := &Scenario{
		Dir:    dir,
		Repo:   filepath.Join(dir, "repo"),
		State:  filepath.Join(dir, "terraform.tfstate"),
		Config: filepath.Join(dir, "config.yaml"),
	}
	events, err := filepath.Glob(filepath.Join(dir, "events", "*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(events)
	s.Events = events
	return s, nil
}
