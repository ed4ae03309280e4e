package tftest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOnlyTestsImportTftest enforces the package's contract: tfdrift's own
// code must never depend on the test harness or the fake provider (the
// end-to-end helpers in internal/e2etest, themselves test-only, may).
func TestOnlyTestsImportTftest(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	const harness = "github.com/tfdrift/tfdrift/internal/tftest"
	own := filepath.Join(root, "internal", "tftest") + string(os.PathSeparator)
	// internal/e2etest is test infrastructure too: its helpers find the
	// tools directory through tftest.
	e2e := filepath.Join(root, "internal", "e2etest") + string(os.PathSeparator)
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || strings.HasPrefix(p, own) || strings.HasPrefix(p, e2e) {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			// Another package mid-edit; the compiler reports that, not us.
			return nil
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == harness || strings.HasPrefix(path, harness+"/") {
				rel, _ := filepath.Rel(root, p)
				t.Errorf("%s imports %s; only _test.go files may", rel, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatalf("no Go files checked under %s", root)
	}
}
