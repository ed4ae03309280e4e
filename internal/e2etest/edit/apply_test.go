package edit_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tfdrift/tfdrift/gitops/edit"
	"github.com/tfdrift/tfdrift/internal/e2etest"
	"github.com/tfdrift/tfdrift/internal/tftest"
)

// TestApplyTerraformFmt: Apply formats edited .tf files with a real
// `terraform fmt` (FmtWith), and Verbatim keeps them as written; .tf.json
// files are never formatted.
func TestApplyTerraformFmt(t *testing.T) {
	const before = "resource \"a\" \"b\" {\n  x = 1\n}\n"
	const after = "resource \"a\" \"b\" {\n  x   =   2\n}\n"
	const jsonAfter = "{\"x\":   2}\n"
	terraform := tftest.TerraformPath(t)
	tests := []struct {
		name   string
		opts   []edit.ApplyOption
		wantTF string
	}{
		{"terraform fmt", []edit.ApplyOption{edit.FmtWith(terraform)}, "resource \"a\" \"b\" {\n  x = 2\n}\n"},
		{"verbatim", []edit.ApplyOption{edit.Verbatim(), edit.FmtWith(terraform)}, after},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			e2etest.Write(t, filepath.Join(dir, "mod", "main.tf"), before)
			e2etest.Write(t, filepath.Join(dir, "x.tf.json"), "{\"x\": 1}\n")
			p := &edit.Plan{Edits: []edit.FileEdit{
				{File: "mod/main.tf", Before: []byte(before), After: []byte(after)},
				{File: "x.tf.json", Before: []byte("{\"x\": 1}\n"), After: []byte(jsonAfter)},
			}}
			if err := p.Apply(dir, tt.opts...); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if got := e2etest.ReadFile(t, filepath.Join(dir, "mod", "main.tf")); got != tt.wantTF {
				t.Errorf("main.tf = %q, want %q", got, tt.wantTF)
			}
			if got := e2etest.ReadFile(t, filepath.Join(dir, "x.tf.json")); got != jsonAfter {
				t.Errorf("x.tf.json = %q, want %q (JSON is not formatted)", got, jsonAfter)
			}
			entries, _ := os.ReadDir(filepath.Join(dir, "mod"))
			if len(entries) != 1 {
				t.Errorf("mod/ holds %d entries after Apply, want only main.tf (no temporary files)", len(entries))
			}
		})
	}
}
