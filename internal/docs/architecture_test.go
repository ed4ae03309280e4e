package docs

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/internal/golden"
)

const (
	tableStart = "<!-- packages:start -->"
	tableEnd   = "<!-- packages:end -->"
)

var archRow = regexp.MustCompile("^\\| `([^`]+)` \\| (.*) \\| (.*) \\|$")

// TestArchitectureTable keeps docs/ARCHITECTURE.md's package table equal
// to `go list`: one row per package, its direct imports within the
// module. `go test ./internal/docs -run TestArchitectureTable -update`
// rewrites the imports column and drops packages that are gone; a new
// package needs its "what it is for" written by hand.
func TestArchitectureTable(t *testing.T) {
	path := filepath.Join(root, "docs", "ARCHITECTURE.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	start, end := strings.Index(doc, tableStart), strings.Index(doc, tableEnd)
	if start < 0 || end < start {
		t.Fatalf("%s has no %s … %s section", path, tableStart, tableEnd)
	}
	jobs := map[string]string{}
	for _, line := range strings.Split(doc[start+len(tableStart):end], "\n") {
		if m := archRow.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			jobs[m[1]] = m[2]
		}
	}
	var b strings.Builder
	b.WriteString(tableStart + "\n<!-- Imports generated from `go list` by TestArchitectureTable (-update); the middle column is written by hand. -->\n")
	b.WriteString("| package | what it is for | imports (module packages, tests excluded) |\n|---|---|---|\n")
	for _, p := range packages(t) {
		job, ok := jobs[p.Path]
		if !ok || strings.TrimSpace(job) == "" {
			t.Errorf("package %s has no row in %s: add one saying what it is for", p.Path, path)
			job = "(to describe)"
		}
		imports := "—"
		if len(p.Imports) > 0 {
			imports = strings.Join(p.Imports, ", ")
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", p.Path, job, imports)
	}
	b.WriteString(tableEnd)
	got := doc[:start] + b.String() + doc[end+len(tableEnd):]
	if golden.Update() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != doc {
		t.Errorf("%s's package table is stale: run go test ./internal/docs -run TestArchitectureTable -update\n%s", path, lineDiff(doc, got))
	}
}

// lineDiff lists the lines that differ, for a short failure message.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for _, l := range al {
		if !slices.Contains(bl, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range bl {
		if !slices.Contains(al, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// jobPackages are the job packages under app: one room per job. The check
// job of the GitHub Action joins them as app/check.
var jobPackages = []string{"app/accept", "app/catalog", "app/check", "app/demo", "app/drifts", "app/falcorules",
	"app/ghappcmd", "app/locate", "app/notices", "app/replay", "app/revert", "app/serve", "app/validate"}

// TestImportDirection checks the rules docs/ARCHITECTURE.md states:
// cmd → app jobs → app/wiring → {gitops, ticket, detector}; no job
// imports another; the daemon and the wiring import no job and not the
// app root; below app nothing imports app; detector imports neither
// gitops nor ticket; nothing imports cmd.
func TestImportDirection(t *testing.T) {
	under := func(p, prefix string) bool { return p == prefix || strings.HasPrefix(p, prefix+"/") }
	isJob := func(p string) bool { return slices.Contains(jobPackages, p) }
	for _, p := range packages(t) {
		for _, imp := range p.Imports {
			var rule string
			switch {
			case under(imp, "cmd"):
				rule = "nothing imports cmd"
			case imp == "app":
				rule = "the app root holds no code; nothing imports it"
			case (under(p.Path, "detector") || under(p.Path, "gitops") || under(p.Path, "ticket")) && under(imp, "app"):
				rule = "detector, gitops and ticket never import app"
			case under(p.Path, "detector") && (under(imp, "gitops") || under(imp, "ticket")):
				rule = "detector imports neither gitops nor ticket"
			case isJob(p.Path) && isJob(imp):
				rule = "a job never imports another job"
			case (under(p.Path, "app/daemon") || under(p.Path, "app/wiring")) && isJob(imp):
				rule = "the daemon and the wiring import no job"
			case under(p.Path, "app/daemon") && under(imp, "app/wiring"):
				rule = "the daemon is handed what the wiring built; it does not import it"
			}
			if rule != "" {
				t.Errorf("%s imports %s: %s", p.Path, imp, rule)
			}
		}
	}
}
