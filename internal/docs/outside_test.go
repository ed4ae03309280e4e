package docs

import (
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// outsideDocs matches what a user's copy of tfdrift does not hold: the
// design notes and specification the project was written from (and its
// numbered use cases), and paths outside the repository.
var outsideDocs = regexp.MustCompile(`DESIGN\.md|STYLE\.md|use-cases\.md|(?i:\bseed\b|\buse cases? \d)|\.\./shared|/work/shared`)

// outsideGo is outsideDocs for Go comments and strings, where "seed" is
// also the ordinary word for a hash or fuzz seed.
var outsideGo = regexp.MustCompile(`DESIGN\.md|STYLE\.md|use-cases\.md|(?i:the seed\b|seed's|seed use case|seed file)|\.\./shared|/work/shared`)

// TestDocsNameOnlyWhatUsersHave: README.md, docs/*.md, the chart and the
// help texts and comments of the code never send a reader to a file they
// do not have.
func TestDocsNameOnlyWhatUsersHave(t *testing.T) {
	for _, file := range markdownFiles(t) {
		checkOutside(t, file, outsideDocs)
	}
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go"):
			found++
			checkGoText(t, path)
		case strings.HasSuffix(name, ".yaml"), strings.HasSuffix(name, ".tpl"), strings.HasSuffix(name, ".txt"), name == "Makefile", name == "Dockerfile":
			checkOutside(t, path, outsideDocs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 100 {
		t.Fatalf("walked %d Go files under %s, want the whole repository", found, root)
	}
}

func checkOutside(t *testing.T, path string, re *regexp.Regexp) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(data), "\n") {
		if m := re.FindString(line); m != "" {
			t.Errorf("%s:%d names %q, which users do not have: %s", relPath(path), i+1, m, strings.TrimSpace(line))
		}
	}
}

// checkGoText checks the comments and string literals of a Go file.
func checkGoText(t *testing.T, path string) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	file := fset.AddFile(path, -1, len(src))
	var s scanner.Scanner
	s.Init(file, src, nil, scanner.ScanComments)
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return
		}
		if tok != token.COMMENT && tok != token.STRING {
			continue
		}
		if m := outsideGo.FindString(lit); m != "" {
			t.Errorf("%s: names %q, which users do not have", fset.Position(pos), m)
		}
	}
}

func relPath(path string) string {
	if r, err := filepath.Rel(root, path); err == nil {
		return r
	}
	return path
}
