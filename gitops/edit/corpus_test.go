package edit

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/locate"
	"github.com/tfdrift/tfdrift/internal/golden"
)

// corpusCase is a case's request.json: the root module (relative to the
// case's repo directory) and the drift to accept.
type corpusCase struct {
	Root     string          `json:"root"`
	Requests []corpusRequest `json:"requests"`
}

type corpusRequest struct {
	Address string                      `json:"address"`
	Changes map[string]drift.AttrChange `json:"changes"`
}

func loadCase(t *testing.T, dir string) (string, *locate.Repo, []Request) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "request.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var c corpusCase
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("%s/request.json: %v", dir, err)
	}
	repoDir := filepath.Join(dir, "repo")
	repo, err := locate.Load(repoDir, c.Root)
	if err != nil {
		t.Fatalf("load %s: %v", repoDir, err)
	}
	var reqs []Request
	for _, r := range c.Requests {
		reqs = append(reqs, Request(r))
	}
	return repoDir, repo, reqs
}

func renderNotes(p *Plan) string {
	var sb strings.Builder
	for _, e := range p.Edits {
		for _, n := range e.Notes {
			sb.WriteString(e.File + ":" + strconv.Itoa(n.Line) + ": " + n.Address + " " + n.Attribute + ": " + n.Text + "\n")
		}
	}
	return sb.String()
}

func renderRefusals(p *Plan) string {
	var sb strings.Builder
	for _, r := range p.Refusals {
		sb.WriteString(r.Address + " " + r.Attribute + "\n  " + r.String() + "\n")
		if r.Expr != "" {
			sb.WriteString("  expr: " + r.Expr + "\n")
		}
	}
	return sb.String()
}

// checkGolden compares got with the file, or rewrites it with -update. An
// absent file means empty output.
func checkGolden(t *testing.T, file, got string) {
	t.Helper()
	if golden.Update() {
		if got == "" {
			if err := os.Remove(file); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			return
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", file, diff)
	}
}

func corpusDirs(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob("testdata/corpus/*")
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestCorpus runs Accept over real-world layouts and compares the diff,
// the notes and the refusals with golden files. Every case also checks
// the invariants: edited files parse, Format-clean files stay
// Format-clean, and accepting the same drift again on the edited repo
// finds nothing left to edit.
func TestCorpus(t *testing.T) {
	dirs := corpusDirs(t)
	if len(dirs) < 25 {
		t.Errorf("corpus has %d cases, want at least 25", len(dirs))
	}
	var withEdits, withRefusals, edits, refusals int
	var attrEdited, attrRefused, attrNoop int
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			repoDir, repo, reqs := loadCase(t, dir)
			plan, err := Accept(repo, repoDir, reqs)
			if err != nil {
				t.Fatalf("Accept: %v", err)
			}
			checkGolden(t, filepath.Join(dir, "want.diff"), plan.Diff())
			checkGolden(t, filepath.Join(dir, "want.notes"), renderNotes(plan))
			checkGolden(t, filepath.Join(dir, "want.refusals"), renderRefusals(plan))
			edited := map[string]bool{}
			for _, e := range plan.Edits {
				for _, n := range e.Notes {
					edited[n.Address+" "+n.Attribute] = true
				}
			}
			refused := map[string]bool{}
			for _, r := range plan.Refusals {
				refused[r.Address+" "+r.Attribute] = true
			}
			for _, r := range reqs {
				for a := range r.Changes {
					k := r.Address + " " + a
					switch {
					case edited[k] && refused[k]:
						t.Errorf("%s is both edited and refused", k)
					case edited[k]:
						attrEdited++
					case refused[k]:
						attrRefused++
					default:
						attrNoop++
					}
				}
			}
			if len(plan.Edits) > 0 {
				withEdits++
			}
			if len(plan.Refusals) > 0 {
				withRefusals++
			}
			edits += len(plan.Edits)
			refusals += len(plan.Refusals)

			again, err := Accept(repo, repoDir, reqs)
			if err != nil {
				t.Fatal(err)
			}
			if again.Diff() != plan.Diff() || renderRefusals(again) != renderRefusals(plan) {
				t.Errorf("Accept is not deterministic")
			}
			for _, e := range plan.Edits {
				if isJSONFile(e.File) {
					continue
				}
				if bytes.Equal(hclwrite.Format(e.Before), e.Before) && !bytes.Equal(hclwrite.Format(e.After), e.After) {
					t.Errorf("%s was Format-clean and is not after the edit:\n%s", e.File, UnifiedDiff("after", "formatted", e.After, hclwrite.Format(e.After)))
				}
			}
			checkIdempotent(t, repoDir, plan, reqs)
		})
	}
	t.Logf("corpus: %d cases; %d with edits (%d files), %d with refusals (%d refusals); attributes: %d edited, %d refused with a reason, %d already matching",
		len(dirs), withEdits, edits, withRefusals, refusals, attrEdited, attrRefused, attrNoop)
}

// checkIdempotent applies the plan to a copy of the repo and accepts the
// same drift again: the code now produces the cloud's values, so there
// must be nothing left to edit.
func checkIdempotent(t *testing.T, repoDir string, plan *Plan, reqs []Request) {
	t.Helper()
	if len(plan.Edits) == 0 {
		return
	}
	tmp := t.TempDir()
	if err := os.CopyFS(tmp, os.DirFS(repoDir)); err != nil {
		t.Fatal(err)
	}
	if err := plan.Apply(tmp); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	root := "."
	if raw, err := os.ReadFile(filepath.Join(filepath.Dir(repoDir), "request.json")); err == nil {
		var c corpusCase
		_ = json.Unmarshal(raw, &c)
		if c.Root != "" {
			root = c.Root
		}
	}
	repo, err := locate.Load(tmp, root)
	if err != nil {
		t.Fatalf("load the edited repo: %v", err)
	}
	// After accepting, state holds the cloud's values.
	var refreshed []Request
	for _, r := range reqs {
		nr := Request{Address: r.Address, Changes: map[string]drift.AttrChange{}}
		for k, c := range r.Changes {
			nr.Changes[k] = drift.AttrChange{Expected: c.Actual, Actual: c.Actual}
		}
		refreshed = append(refreshed, nr)
	}
	second, err := Accept(repo, tmp, refreshed)
	if err != nil {
		t.Fatalf("Accept on the edited repo: %v", err)
	}
	if d := second.Diff(); d != "" {
		t.Errorf("accepting again on the edited repo still edits:\n%s", d)
	}
}
