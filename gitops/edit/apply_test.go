package edit

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func writeRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestApply(t *testing.T) {
	const before = "resource \"a\" \"b\" {\n  x = 1\n}\n"
	const after = "resource \"a\" \"b\" {\n  x   =   2\n}\n"
	const jsonAfter = "{\"x\":   2}\n"
	tests := []struct {
		name     string
		opts     func(t *testing.T) []ApplyOption
		wantTF   string
		wantJSON string
	}{
		{"hclwrite format", func(*testing.T) []ApplyOption { return nil },
			"resource \"a\" \"b\" {\n  x = 2\n}\n", jsonAfter},
		// FmtWith and Verbatim with a real terraform fmt are tested in
		// internal/e2etest/edit (TestApplyTerraformFmt).
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeRepo(t, map[string]string{"mod/main.tf": before, "x.tf.json": "{\"x\": 1}\n"})
			p := &Plan{Edits: []FileEdit{
				{File: "mod/main.tf", Before: []byte(before), After: []byte(after)},
				{File: "x.tf.json", Before: []byte("{\"x\": 1}\n"), After: []byte(jsonAfter)},
			}}
			if err := p.Apply(dir, tt.opts(t)...); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if got := readFile(t, filepath.Join(dir, "mod", "main.tf")); got != tt.wantTF {
				t.Errorf("main.tf = %q, want %q", got, tt.wantTF)
			}
			if got := readFile(t, filepath.Join(dir, "x.tf.json")); got != tt.wantJSON {
				t.Errorf("x.tf.json = %q, want %q (JSON is not formatted)", got, tt.wantJSON)
			}
			st, err := os.Stat(filepath.Join(dir, "mod", "main.tf"))
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("mode = %v, want 0600 kept", st.Mode().Perm())
			}
			entries, _ := os.ReadDir(filepath.Join(dir, "mod"))
			if len(entries) != 1 {
				t.Errorf("mod/ holds %d entries after Apply, want only main.tf (no temporary files)", len(entries))
			}
		})
	}
}

func TestApplyRefusesChangedFile(t *testing.T) {
	dir := writeRepo(t, map[string]string{"a.tf": "a = 1\n", "b.tf": "b = 1\n"})
	p := &Plan{Edits: []FileEdit{
		{File: "a.tf", Before: []byte("a = 1\n"), After: []byte("a = 2\n")},
		{File: "b.tf", Before: []byte("b = 0\n"), After: []byte("b = 2\n")},
	}}
	err := p.Apply(dir)
	if !errors.Is(err, ErrChanged) {
		t.Fatalf("Apply = %v, want ErrChanged", err)
	}
	if got := readFile(t, filepath.Join(dir, "a.tf")); got != "a = 1\n" {
		t.Errorf("a.tf was written (%q) although b.tf had changed", got)
	}
}

func TestApplyFmtFailure(t *testing.T) {
	dir := writeRepo(t, map[string]string{"a.tf": "a = 1\n"})
	p := &Plan{Edits: []FileEdit{{File: "a.tf", Before: []byte("a = 1\n"), After: []byte("a = 2\n")}}}
	err := p.Apply(dir, FmtWith(filepath.Join(dir, "no-such-terraform")))
	if err == nil {
		t.Fatalf("Apply with a missing terraform binary succeeded")
	}
}

// fakeFmt writes a stand-in for terraform that fails, like terraform fmt,
// when a file it is given does not exist from its working directory.
func fakeFmt(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "terraform")
	script := "#!/bin/sh\nshift 3\nfor f in \"$@\"; do [ -f \"$f\" ] || { echo \"no file $f\" >&2; exit 2; }; done\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// A relative repoRoot used to be joined twice (once in the file names,
// once as terraform's working directory), so terraform fmt failed after
// the edit was written (issue 14, item 11).
func TestApplyFmtRelativeRepo(t *testing.T) {
	bin := fakeFmt(t)
	for _, relative := range []bool{false, true} {
		dir := writeRepo(t, map[string]string{"mod/a.tf": "a = 1\n"})
		root := dir
		if relative {
			t.Chdir(filepath.Dir(dir))
			root = filepath.Base(dir)
		}
		p := &Plan{Edits: []FileEdit{{File: "mod/a.tf", Before: []byte("a = 1\n"), After: []byte("a = 2\n")}}}
		if err := p.Apply(root, FmtWith(bin)); err != nil {
			t.Errorf("relative=%v: Apply(%q) = %v", relative, root, err)
		}
		if got := readFile(t, filepath.Join(dir, "mod", "a.tf")); got != "a = 2\n" {
			t.Errorf("relative=%v: a.tf = %q", relative, got)
		}
	}
}

// A failing terraform fmt is an error of tfdrift's own: terraform's exit
// status (2 here) must not become tfdrift's, where 2 means drift.
func TestApplyFmtExitStatusNotPassedOn(t *testing.T) {
	dir := writeRepo(t, map[string]string{"a.tf": "a = 1\n"})
	bin := filepath.Join(t.TempDir(), "terraform")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nexit 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := &Plan{Edits: []FileEdit{{File: "a.tf", Before: []byte("a = 1\n"), After: []byte("a = 2\n")}}}
	err := p.Apply(dir, FmtWith(bin))
	var ec interface{ ExitCode() int }
	if err == nil || errors.As(err, &ec) {
		t.Errorf("Apply = %v; want an error without terraform's exit code", err)
	}
}
