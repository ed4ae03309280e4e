// Package actionyml reads a GitHub Actions metadata file (action.yml) into
// what tfdrift's tests and docs need from it: the inputs and outputs in
// file order, the composite steps, and every expression in them. It also
// renders the inputs and outputs as Markdown tables (make docs).
//
// It imports yaml.v3 and the standard library. Only the action's own tests
// and the docs generator use it.
package actionyml

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Action is an action.yml.
type Action struct {
	Name, Description string
	Inputs            []Input
	Outputs           []Output
	Using             string
	Steps             []Step
}

// Input is one entry of inputs:, in file order.
type Input struct {
	Name, Description, Default string
	Required                   bool
}

// Output is one entry of outputs:, in file order.
type Output struct {
	Name, Description, Value string
}

// Step is one step of runs.steps.
type Step struct {
	ID, Name, If, Uses, Run, Shell, WorkingDirectory string
	Env                                              map[string]string
	With                                             map[string]string
}

type rawAction struct {
	Name        string    `yaml:"name"`
	Description string    `yaml:"description"`
	Author      string    `yaml:"author"`
	Branding    yaml.Node `yaml:"branding"`
	Inputs      yaml.Node `yaml:"inputs"`
	Outputs     yaml.Node `yaml:"outputs"`
	Runs        struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID               string            `yaml:"id"`
			Name             string            `yaml:"name"`
			If               string            `yaml:"if"`
			Uses             string            `yaml:"uses"`
			Run              string            `yaml:"run"`
			Shell            string            `yaml:"shell"`
			WorkingDirectory string            `yaml:"working-directory"`
			Env              map[string]string `yaml:"env"`
			With             map[string]string `yaml:"with"`
			ContinueOnError  string            `yaml:"continue-on-error"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// Load reads and parses an action.yml.
func Load(path string) (*Action, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(b)
}

// Parse parses action.yml text strictly: an unknown key is an error.
func Parse(data []byte) (*Action, error) {
	var raw rawAction
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("action.yml: %w", err)
	}
	a := &Action{Name: raw.Name, Description: raw.Description, Using: raw.Runs.Using}
	err := eachEntry(&raw.Inputs, "inputs", func(name string, n *yaml.Node) error {
		var in struct {
			Description string `yaml:"description"`
			Required    bool   `yaml:"required"`
			Default     string `yaml:"default"`
		}
		if err := decodeStrict(n, &in); err != nil {
			return fmt.Errorf("inputs.%s: %w", name, err)
		}
		a.Inputs = append(a.Inputs, Input{Name: name, Description: in.Description, Default: in.Default, Required: in.Required})
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachEntry(&raw.Outputs, "outputs", func(name string, n *yaml.Node) error {
		var out struct {
			Description string `yaml:"description"`
			Value       string `yaml:"value"`
		}
		if err := decodeStrict(n, &out); err != nil {
			return fmt.Errorf("outputs.%s: %w", name, err)
		}
		a.Outputs = append(a.Outputs, Output{Name: name, Description: out.Description, Value: out.Value})
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, s := range raw.Runs.Steps {
		a.Steps = append(a.Steps, Step{ID: s.ID, Name: s.Name, If: s.If, Uses: s.Uses, Run: s.Run, Shell: s.Shell,
			WorkingDirectory: s.WorkingDirectory, Env: s.Env, With: s.With})
	}
	return a, nil
}

// eachEntry calls fn for every key of a mapping node, in order.
func eachEntry(n *yaml.Node, what string, fn func(name string, v *yaml.Node) error) error {
	if n.Kind == 0 {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: line %d: want a mapping", what, n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if err := fn(n.Content[i].Value, n.Content[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func decodeStrict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

var (
	exprRE     = regexp.MustCompile(`\$\{\{(.*?)\}\}`)
	inputRefRE = regexp.MustCompile(`\binputs\.([A-Za-z_][A-Za-z0-9_-]*)|\binputs\[\s*'([^']+)'\s*\]`)
	stepsOutRE = regexp.MustCompile(`\bsteps\.([A-Za-z_][A-Za-z0-9_-]*)\.outputs\.([A-Za-z_][A-Za-z0-9_-]*)`)
)

// Expressions returns the text inside every ${{ }} of the action's
// evaluated fields (input defaults, output values, step ids aside), plus
// every step's if: condition, which may be written without ${{ }}.
func (a *Action) Expressions() []string {
	var texts []string
	for _, in := range a.Inputs {
		texts = append(texts, in.Default)
	}
	for _, o := range a.Outputs {
		texts = append(texts, o.Value)
	}
	var out []string
	for _, s := range a.Steps {
		texts = append(texts, s.Name, s.Uses, s.Run, s.Shell, s.WorkingDirectory)
		for _, v := range s.Env {
			texts = append(texts, v)
		}
		for _, v := range s.With {
			texts = append(texts, v)
		}
		if s.If != "" {
			out = append(out, s.If)
		}
	}
	for _, t := range texts {
		for _, m := range exprRE.FindAllStringSubmatch(t, -1) {
			out = append(out, strings.TrimSpace(m[1]))
		}
	}
	return out
}

// InputRefs returns every input name the expressions read
// (inputs.NAME or inputs['NAME']), with duplicates.
func (a *Action) InputRefs() []string {
	var out []string
	for _, e := range a.Expressions() {
		for _, m := range inputRefRE.FindAllStringSubmatch(e, -1) {
			if m[1] != "" {
				out = append(out, m[1])
			} else {
				out = append(out, m[2])
			}
		}
	}
	return out
}

// StepOutputRef is one steps.ID.outputs.NAME in an expression.
type StepOutputRef struct{ Step, Output string }

// StepOutputRefs parses the steps.ID.outputs.NAME references of text.
func StepOutputRefs(text string) []StepOutputRef {
	var out []StepOutputRef
	for _, m := range stepsOutRE.FindAllStringSubmatch(text, -1) {
		out = append(out, StepOutputRef{m[1], m[2]})
	}
	return out
}

// Step returns the step with an id.
func (a *Action) Step(id string) (Step, bool) {
	for _, s := range a.Steps {
		if s.ID == id {
			return s, true
		}
	}
	return Step{}, false
}

// Tables renders the inputs and outputs as Markdown tables.
func (a *Action) Tables() string {
	var b strings.Builder
	b.WriteString("| Input | Default | What it is |\n|---|---|---|\n")
	for _, in := range a.Inputs {
		def := "`" + in.Default + "`"
		if in.Default == "" {
			def = "(empty)"
		}
		if in.Required {
			def = "required"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", in.Name, cell(def), cell(in.Description))
	}
	b.WriteString("\n| Output | What it is |\n|---|---|\n")
	for _, o := range a.Outputs {
		fmt.Fprintf(&b, "| `%s` | %s |\n", o.Name, cell(o.Description))
	}
	return b.String()
}

func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// Replace puts generated text between the marker comments
// <!-- NAME:start --> and <!-- NAME:end --> of doc, keeping the markers.
func Replace(doc, name, generated string) (string, error) {
	start, end := "<!-- "+name+":start -->", "<!-- "+name+":end -->"
	i, j := strings.Index(doc, start), strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("markers %s … %s not found", start, end)
	}
	return doc[:i+len(start)] + "\n<!-- Generated by `make docs` from action.yml. Do not edit. -->\n" + generated + doc[j:], nil
}
