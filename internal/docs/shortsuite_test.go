package docs

import (
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// toolUse is what a test file that make test-short builds must not hold:
// each needs a tool that the short suite runs without (terraform, helm,
// act, actionlint, Postgres, Chromium).
var toolUse = []struct {
	re   *regexp.Regexp
	tool string
}{
	{regexp.MustCompile(`\bstoretest\.(Postgres|Databases|StartServer)\(`), "Postgres (range over storetest.Engines instead)"},
	{regexp.MustCompile(`exec\.LookPath\("(terraform|helm|act|actionlint|initdb|postgres|pg_ctl|psql|chromium|chromium-browser|google-chrome)"\)`), "a tool from PATH"},
	{regexp.MustCompile(`\bchromedp\.`), "Chromium"},
}

// toolImports are the packages whose use means a real tool.
var toolImports = map[string]string{
	modulePath + "/internal/tftest":  "Terraform",
	modulePath + "/internal/e2etest": "the end-to-end helpers",
	"github.com/chromedp/chromedp":   "Chromium",
}

// TestShortSuiteNeedsNoTools keeps make test-short free of outside tools:
// a test file it builds (every _test.go outside internal/e2etest, without
// -tags e2e) must not import the Terraform harness, the end-to-end helpers
// or chromedp, nor ask for Postgres or look a tool up in PATH. Such a test
// belongs in internal/e2etest/<area>, or, when it needs a package's
// unexported internals, in a file tagged e2e (docs/ARCHITECTURE.md,
// Testing).
func TestShortSuiteNeedsNoTools(t *testing.T) {
	e2eDir := filepath.Join(root, "internal", "e2etest")
	fset := token.NewFileSet()
	checked, tagged := 0, 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p == e2eDir || (p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, p, src, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		if !builtShort(f.Comments, f.Package) {
			tagged++
			return nil
		}
		checked++
		rel, _ := filepath.Rel(root, p)
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if tool, ok := toolImports[path]; ok {
				t.Errorf("%s imports %s, which needs %s: move the test to internal/e2etest or tag its file e2e", rel, path, tool)
			}
		}
		for _, u := range toolUse {
			if loc := u.re.FindIndex(src); loc != nil {
				line := 1 + strings.Count(string(src[:loc[0]]), "\n")
				t.Errorf("%s:%d: %s needs %s: move the test to internal/e2etest or tag its file e2e", rel, line, src[loc[0]:loc[1]], u.tool)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 || tagged == 0 {
		t.Fatalf("checked %d test files, %d tagged e2e: the walk missed the module", checked, tagged)
	}

	// And make test-short is that suite: internal/e2etest left out, no e2e tag.
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	_, recipe, ok := strings.Cut(string(mk), "\ntest-short:\n")
	recipe, _, _ = strings.Cut(recipe, "\n\n")
	if !ok || !strings.Contains(recipe, "grep -v '/internal/e2etest'") || strings.Contains(recipe, "-tags") || !strings.Contains(recipe, "-short") {
		t.Errorf("Makefile's test-short recipe must run go test -short without -tags and without internal/e2etest:\n%s", recipe)
	}
}

// builtShort says whether a file's build constraint (a //go:build line
// before the package clause) holds without the e2e tag, on this machine.
func builtShort(comments []*ast.CommentGroup, pkg token.Pos) bool {
	for _, g := range comments {
		if g.Pos() >= pkg {
			break
		}
		for _, c := range g.List {
			if !constraint.IsGoBuild(c.Text) {
				continue
			}
			expr, err := constraint.Parse(c.Text)
			if err != nil {
				return true
			}
			return expr.Eval(func(tag string) bool { return tag == runtime.GOOS || tag == runtime.GOARCH || tag == "unix" })
		}
	}
	return true
}
