package workspace

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LocalStateError means the root module keeps its state in a local file
// inside the job's working copy (no backend block, or backend "local"
// with a relative path). The copy's state is not the real one: a revert
// there would apply against a fork of the state, or against none at all
// when the state file is not committed (re-creating everything). Configure
// a remote backend, or a local backend with an absolute path, or set
// Spec.AllowLocalState for a job that only reads.
type LocalStateError struct {
	// Path is where the state would be, inside the copy.
	Path string
}

func (e *LocalStateError) Error() string {
	return fmt.Sprintf("state would be read from %s inside the job's working copy (local backend): not the real state", e.Path)
}

// backendFile is the part of .terraform/terraform.tfstate (the backend
// configuration init records) read here.
type backendFile struct {
	Backend *struct {
		Type   string         `json:"type"`
		Config map[string]any `json:"config"`
	} `json:"backend"`
}

// localStatePath returns the state file a root module uses when its
// backend is local ("" for any other backend). dataDir is its .terraform
// directory after init.
func localStatePath(moduleDir, dataDir, workspace string) (string, error) {
	path, wsDir := "terraform.tfstate", "terraform.tfstate.d"
	b, err := os.ReadFile(filepath.Join(dataDir, "terraform.tfstate"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// No backend block: the implied local backend with its defaults.
	case err != nil:
		return "", fmt.Errorf("backend configuration: %w", err)
	default:
		var f backendFile
		if err := json.Unmarshal(b, &f); err != nil {
			return "", fmt.Errorf("backend configuration %s: %w", filepath.Join(dataDir, "terraform.tfstate"), err)
		}
		if f.Backend != nil && f.Backend.Type != "" && f.Backend.Type != "local" {
			return "", nil
		}
		if f.Backend != nil {
			if s, ok := f.Backend.Config["path"].(string); ok && s != "" {
				path = s
			}
			if s, ok := f.Backend.Config["workspace_dir"].(string); ok && s != "" {
				wsDir = s
			}
		}
	}
	if workspace != "default" {
		path = filepath.Join(wsDir, workspace, "terraform.tfstate")
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(moduleDir, path)
	}
	return filepath.Clean(path), nil
}

// inside reports whether path is dir or below it.
func inside(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
