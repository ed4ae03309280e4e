package action_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/action"
	"github.com/tfdrift/tfdrift/action/internal/actionyml"
)

func loadAction(t *testing.T) *actionyml.Action {
	t.Helper()
	a, err := actionyml.Load(filepath.Join(moduleRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestActionContract(t *testing.T) {
	for _, p := range contractProblems(loadAction(t), moduleRoot(t)) {
		t.Error(p)
	}
}

// TestActionContractCatches: the contract check finds each kind of
// mismatch in a broken copy of action.yml.
func TestActionContractCatches(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(moduleRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, old, new, want string
	}{
		{"undeclared input", "${{ inputs.fail-on }}", "${{ inputs.fail_on }}", "reads inputs.fail_on, which is not declared"},
		{"unread input", "INPUT_SARIF: ${{ inputs.sarif }}", "INPUT_SARIF: \"\"", `input "sarif" is declared but nothing reads it`},
		{"output of a missing step", "${{ steps.run.outputs.drift-count }}", "${{ steps.check.outputs.drift-count }}", "reads step \"check\", which does not exist"},
		{"output never written", "${{ steps.run.outputs.max-severity }}", "${{ steps.run.outputs.severity }}", "reads severity, which tfdrift check never sets"},
		{"env name mismatch", "INPUT_CONFIG: ${{ inputs.config }}", "INPUT_CONFIG_FILE: ${{ inputs.config }}", "env INPUT_CONFIG_FILE carries inputs.config"},
		{"nested uses", "    - name: Run tfdrift\n", "    - uses: actions/setup-go@v5\n    - name: Run tfdrift\n", "uses actions/setup-go@v5"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(string(good), tt.old) {
				t.Fatalf("action.yml has no %q", tt.old)
			}
			a, err := actionyml.Parse([]byte(strings.Replace(string(good), tt.old, tt.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			problems := strings.Join(contractProblems(a, moduleRoot(t)), "\n")
			if !strings.Contains(problems, tt.want) {
				t.Errorf("problems:\n%s\nwant one with %q", problems, tt.want)
			}
		})
	}
}

// contractProblems lists the mismatches that make an action silently
// ignore what a user wrote: an expression reading an input that is not
// declared (it reads as empty), a declared input nothing reads, an output
// whose step or step output does not exist, an environment variable whose
// name disagrees with its input or that nothing reads, and a nested uses:
// (the action must run where actions cannot be downloaded).
func contractProblems(a *actionyml.Action, root string) []string {
	var out []string
	errorf := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if a.Using != "composite" {
		errorf("runs.using = %q, want composite", a.Using)
	}
	declared := map[string]bool{}
	for _, in := range a.Inputs {
		declared[in.Name] = true
		if in.Name != strings.ToLower(in.Name) || strings.Contains(in.Name, "_") {
			errorf("input %q is not kebab-case", in.Name)
		}
		if strings.TrimSpace(in.Description) == "" {
			errorf("input %q has no description", in.Name)
		}
	}
	read := map[string]bool{}
	for _, name := range a.InputRefs() {
		read[name] = true
		if !declared[name] {
			errorf("action.yml reads inputs.%s, which is not declared: it would always be empty", name)
		}
	}
	for _, in := range a.Inputs {
		if !read[in.Name] {
			errorf("input %q is declared but nothing reads it", in.Name)
		}
	}
	want := []string{"working-directory", "config", "fail-on", "terraform-binary", "sarif", "open-issues", "github-token", "version", "install", "mode", "address"}
	for _, name := range want {
		if !declared[name] {
			errorf("input %q is missing", name)
		}
	}

	// Every step runs a script of this repository; none uses another
	// action.
	for i, s := range a.Steps {
		if s.Uses != "" {
			errorf("step %d (%s) uses %s: the composite must have only run: steps", i, s.Name, s.Uses)
		}
		if s.Run == "" || s.Shell != "bash" {
			errorf("step %d (%s): run %q, shell %q; want a bash run: step", i, s.Name, s.Run, s.Shell)
		}
		m := regexp.MustCompile(`action/scripts/[a-z-]+\.sh`).FindString(s.Run)
		script, err := os.ReadFile(filepath.Join(root, m))
		if m == "" || err != nil {
			errorf("step %d (%s) runs %q: not a script of action/scripts (%v)", i, s.Name, s.Run, err)
			continue
		}
		// Each input handed to the script is read by it, under the same
		// name: INPUT_FAIL_ON carries inputs.fail-on.
		for k, v := range s.Env {
			refs := regexp.MustCompile(`^\$\{\{ inputs\.([a-z-]+) \}\}$`).FindStringSubmatch(v)
			if refs != nil && strings.HasPrefix(k, "INPUT_") && k != "INPUT_"+strings.ToUpper(strings.ReplaceAll(refs[1], "-", "_")) {
				errorf("step %d: env %s carries inputs.%s: the names disagree", i, k, refs[1])
			}
			if !strings.Contains(string(script), k) && !strings.Contains(s.Run, "$"+k) {
				errorf("step %d: env %s is set but neither the step nor %s reads it", i, k, m)
			}
		}
	}

	// Every output is set: it reads an output of an existing step, and
	// that step runs tfdrift check, which writes exactly action.OutputNames
	// (TestActionUnderAct and app/check's tests prove it writes them).
	var outputs []string
	for _, o := range a.Outputs {
		outputs = append(outputs, o.Name)
		refs := actionyml.StepOutputRefs(o.Value)
		if len(refs) != 1 {
			errorf("output %s = %q: want one steps.ID.outputs.NAME", o.Name, o.Value)
			continue
		}
		if _, ok := a.Step(refs[0].Step); !ok {
			errorf("output %s reads step %q, which does not exist", o.Name, refs[0].Step)
		}
		if refs[0].Output != o.Name || !slices.Contains(action.OutputNames, refs[0].Output) {
			errorf("output %s reads %s, which tfdrift check never sets (it sets %v)", o.Name, refs[0].Output, action.OutputNames)
		}
	}
	if !slices.Equal(outputs, action.OutputNames) {
		errorf("outputs = %v, want %v", outputs, action.OutputNames)
	}
	return out
}

// TestDocsTablesCurrent: the inputs and outputs tables in README.md and
// docs/action.md are what make docs generates from action.yml.
func TestDocsTablesCurrent(t *testing.T) {
	a := loadAction(t)
	for _, f := range []string{"README.md", "docs/action.md"} {
		b, err := os.ReadFile(filepath.Join(moduleRoot(t), f))
		if err != nil {
			t.Fatal(err)
		}
		want, err := actionyml.Replace(string(b), "action-io", a.Tables())
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if want != string(b) {
			t.Errorf("%s: the action's inputs and outputs table is out of date: run make docs", f)
		}
	}
}
