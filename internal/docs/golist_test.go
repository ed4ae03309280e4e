package docs

import (
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// modulePath is the module's import path; package names below are
// relative to it.
const modulePath = "github.com/tfdrift/tfdrift"

// root is the module's directory, relative to this package.
var root = filepath.Join("..", "..")

// pkg is one package of the module as `go list` sees it.
type pkg struct {
	Path    string   // relative to the module: "app/daemon"
	Doc     string   // the package doc comment's first sentence
	Imports []string // module packages it imports (not its tests), relative
}

var (
	listOnce sync.Once
	listed   []pkg
	listErr  error
)

// packages runs `go list` once for the whole module.
func packages(t *testing.T) []pkg {
	t.Helper()
	listOnce.Do(func() {
		cmd := exec.Command("go", "list", "-f", "{{.ImportPath}}\t{{.Doc}}\t{{join .Imports \" \"}}", "./...")
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				err = &listError{err, string(ee.Stderr)}
			}
			listErr = err
			return
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.SplitN(line, "\t", 3)
			p := pkg{Path: rel(f[0]), Doc: f[1]}
			for _, imp := range strings.Fields(f[2]) {
				if r := rel(imp); r != imp {
					p.Imports = append(p.Imports, r)
				}
			}
			sort.Strings(p.Imports)
			listed = append(listed, p)
		}
		sort.Slice(listed, func(i, j int) bool { return listed[i].Path < listed[j].Path })
	})
	if listErr != nil {
		t.Fatalf("go list: %v", listErr)
	}
	return listed
}

type listError struct {
	err    error
	stderr string
}

func (e *listError) Error() string { return e.err.Error() + ": " + e.stderr }

// rel strips the module path; a path outside the module is returned as
// it is.
func rel(importPath string) string {
	if importPath == modulePath {
		return "."
	}
	if r, ok := strings.CutPrefix(importPath, modulePath+"/"); ok {
		return r
	}
	return importPath
}

// TestEveryPackageHasADocComment: a package says what it is for.
func TestEveryPackageHasADocComment(t *testing.T) {
	for _, p := range packages(t) {
		if strings.TrimSpace(p.Doc) == "" {
			t.Errorf("%s has no package doc comment (a doc.go that says what it is for and what it must not import)", p.Path)
		}
	}
}
