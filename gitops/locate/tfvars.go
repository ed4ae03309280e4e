package locate

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// loadTFVars reads the root's variable files, in ascending precedence:
// other *.tfvars (not loaded by Terraform unless named with -var-file, so
// never effective), terraform.tfvars, terraform.tfvars.json, *.auto.tfvars
// and *.auto.tfvars.json in lexical order, then varFiles in order.
func loadTFVars(fsys fs.FS, rootDir string, varFiles []string) (map[string][]TFVarDef, error) {
	entries, err := fs.ReadDir(fsys, rootDir)
	if err != nil {
		return nil, fmt.Errorf("root module %s: %w", rootDir, err)
	}
	explicit := map[string]bool{}
	var explicitFiles []string
	for _, vf := range varFiles {
		p := path.Join(rootDir, vf)
		if !fs.ValidPath(p) {
			return nil, fmt.Errorf("var file %s is outside the repository", vf)
		}
		explicit[p] = true
		explicitFiles = append(explicitFiles, p)
	}
	var other, defaults, auto []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || isIgnoredFile(name) {
			continue
		}
		p := path.Join(rootDir, name)
		switch {
		case explicit[p]:
		case name == "terraform.tfvars" || name == "terraform.tfvars.json":
			defaults = append(defaults, p)
		case strings.HasSuffix(name, ".auto.tfvars") || strings.HasSuffix(name, ".auto.tfvars.json"):
			auto = append(auto, p)
		case strings.HasSuffix(name, ".tfvars") || strings.HasSuffix(name, ".tfvars.json"):
			other = append(other, p)
		}
	}
	// "terraform.tfvars" sorts before "terraform.tfvars.json", which is
	// Terraform's order; ReadDir already sorted the rest lexically.
	sort.Strings(defaults)
	out := map[string][]TFVarDef{}
	read := func(files []string, autoLoaded bool) error {
		for _, f := range files {
			src, err := fs.ReadFile(fsys, f)
			if err != nil {
				return fmt.Errorf("var file %s: %w", f, err)
			}
			hf, err := parseHCL(f, src, strings.HasSuffix(f, ".json"))
			if err != nil {
				return err
			}
			attrs, diags := hf.Body.JustAttributes()
			if diags.HasErrors() {
				return diagError(diags)
			}
			names := make([]string, 0, len(attrs))
			for n := range attrs {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				a := attrs[n]
				out[n] = append(out[n], TFVarDef{
					Name:       n,
					File:       f,
					Range:      toRange(a.Range),
					Expr:       toRange(a.Expr.Range()),
					AutoLoaded: autoLoaded,
				})
			}
		}
		return nil
	}
	if err := read(other, false); err != nil {
		return nil, err
	}
	if err := read(defaults, true); err != nil {
		return nil, err
	}
	if err := read(auto, true); err != nil {
		return nil, err
	}
	if err := read(explicitFiles, true); err != nil {
		return nil, err
	}
	return out, nil
}

// TFVar returns the expression range of the value the root's tfvars give
// the variable name: the last definition Terraform would load. When no
// loaded file sets it but exactly one other *.tfvars file does (a file CI
// passes with -var-file that RootSpec did not name), that one is returned.
func (r *Repo) TFVar(name string) (Range, bool) {
	defs := r.tfvars[name]
	for i := len(defs) - 1; i >= 0; i-- {
		if defs[i].AutoLoaded {
			return defs[i].Expr, true
		}
	}
	if len(defs) == 1 {
		return defs[0].Expr, true
	}
	return Range{}, false
}

// TFVarDefs returns every assignment of name in the root's tfvars files,
// lowest precedence first.
func (r *Repo) TFVarDefs(name string) []TFVarDef {
	return append([]TFVarDef(nil), r.tfvars[name]...)
}
