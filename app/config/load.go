package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"text/template"

	"gopkg.in/yaml.v3"
)

// Option changes how a file is read.
type Option func(*options)

type options struct {
	lookup          func(string) (string, bool)
	allowMissingEnv bool
	funcs           template.FuncMap
	templateData    any
	execTemplates   bool
	checkTemplate   TemplateCheck
}

// TemplateCheck checks one message or payload template the way the
// notices layer will use it: path is its key (notifications.webhook.
// payload_template, notifications.slack.message_template), name the
// template name to parse it under (errors that name it at a line are
// reported at that line of the file), text the template.
type TemplateCheck func(path, name, text string) error

// WithTemplateCheck replaces the built-in check of templates (parse with
// WithTemplateFuncs, run against WithTemplateData) with check, so that a
// config validates exactly when the runtime can render it: its escaping,
// its data, its size limits. app/wiring passes the notices layer's.
func WithTemplateCheck(check TemplateCheck) Option {
	return func(o *options) { o.checkTemplate = check }
}

// WithEnv sets the environment that ${NAME} references read. Load uses
// the process environment unless given this; Parse uses an empty one.
func WithEnv(lookup func(string) (string, bool)) Option {
	return func(o *options) { o.lookup = lookup }
}

// AllowMissingEnv turns a reference to an unset variable (with no
// default) from an error into a warning in Config.Warnings; the value
// becomes empty and the checks that need it are skipped. It is for
// "tfdrift config validate" on a machine without the secrets.
func AllowMissingEnv() Option {
	return func(o *options) { o.allowMissingEnv = true }
}

// WithTemplateFuncs gives message and payload templates the functions the
// notices layer will give them, so templates using them validate.
func WithTemplateFuncs(funcs template.FuncMap) Option {
	return func(o *options) { o.funcs = funcs }
}

// WithTemplateData sets the value templates are test-run against, which
// catches misspelt fields ({{ .ResourceId }}) at load time. The default
// is a sample *drift.Drift; pass the type the notices layer really
// renders if it differs.
func WithTemplateData(sample any) Option {
	return func(o *options) { o.templateData = sample }
}

// withoutTemplateRuns makes validation only parse templates. The fuzz
// target uses it: a template may legally range over a huge number.
func withoutTemplateRuns() Option {
	return func(o *options) { o.execTemplates = false }
}

// Load reads and validates the configuration file at path. ${NAME}
// references read the process environment unless WithEnv says otherwise.
// Problems in the file come back as a *ValidationError listing them all.
func Load(path string, opts ...Option) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data, append([]Option{WithEnv(os.LookupEnv)}, opts...)...)
}

// Parse validates a configuration held in memory; name is used in
// messages as the file name. ${NAME} references see an empty environment
// unless WithEnv is given.
func Parse(name string, data []byte, opts ...Option) (*Config, error) {
	o := options{lookup: noEnv, execTemplates: true}
	for _, opt := range opts {
		opt(&o)
	}
	if o.templateData == nil {
		o.templateData = sampleDrift()
	}
	d := newDecoder(name, o)

	root, err := parseYAML(name, data)
	if err != nil {
		return nil, err
	}
	var raw rawConfig
	if root != nil {
		if root.Kind != yaml.MappingNode && !isNull(root) {
			d.errNode(root, "", "the file must be a mapping of keys (providers, drift_rules, notifications, …), not %s", describe(root))
		} else {
			d.decode(root, reflect.ValueOf(&raw).Elem(), "")
		}
	}
	cfg := (&validator{decoder: d, opts: o}).validate(&raw)

	d.scrub(d.problems)
	d.scrub(d.warnings)
	d.problems = dedupe(d.problems)
	if len(d.problems) > 0 {
		sortProblems(d.problems)
		return nil, &ValidationError{Problems: d.problems}
	}
	cfg.File = name
	sortProblems(d.warnings)
	cfg.Warnings = dedupe(d.warnings)
	return cfg, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML reads the single document of a file into a node tree (nil for
// an empty file). Syntax errors come back as a *ValidationError naming
// the line.
func parseYAML(name string, data []byte) (root *yaml.Node, err error) {
	syntax := func(e error) error {
		p := Problem{File: name, Msg: e.Error()}
		if m := yamlLine.FindStringSubmatch(e.Error()); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Msg = "YAML syntax: " + m[2]
		}
		return &ValidationError{Problems: []Problem{p}}
	}
	// yaml.v3 has panicked on malformed input in the past; a config
	// file must never crash the program that reads it.
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, syntax(fmt.Errorf("yaml: the parser failed: %v", r))
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, syntax(err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, &ValidationError{Problems: []Problem{{File: name, Line: next.Line, Msg: "only one YAML document is allowed (found a second after ---)"}}}
	case !errors.Is(err, io.EOF):
		return nil, syntax(err)
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		return doc.Content[0], nil
	}
	return nil, nil
}

func dedupe(ps []Problem) []Problem {
	seen := make(map[Problem]bool, len(ps))
	out := ps[:0]
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
