package docs

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// tablePrefixes says, for each heading of docs/config.md, which key path
// each of its tables documents, in order. A table under a heading not
// listed here fails the test: a new table needs its prefix.
var tablePrefixes = map[string][]string{
	"Top level":                          {""},
	"providers.aws":                      {"providers.aws", "providers.aws.accounts[]"},
	"providers.gcp":                      {"providers.gcp"},
	"State sources":                      {"state"},
	"falco":                              {"falco"},
	"sqs":                                {"sqs"},
	"drift_rules":                        {"drift_rules[]", "drift_rules[].conditions[]"},
	"Actions":                            {"drift_rules[].actions[]"},
	"notifications":                      {"notifications"},
	"Filters":                            {"filter"},
	"notifications.slack":                {"notifications.slack"},
	"notifications.webhook and webhooks": {"notifications.webhooks[]"},
	"notifications.jira":                 {"notifications.jira"},
	"notifications.email":                {"notifications.email"},
	"notifications.pagerduty":            {"notifications.pagerduty"},
	"notifications.storm_control":        {"notifications.storm_control"},
	"terraform":                          {"terraform"},
	"github":                             {"github"},
	"output":                             {"output"},
}

var (
	tableKey  = regexp.MustCompile("`([a-z_][a-z0-9_.\\[\\]]*)`")
	yamlFence = regexp.MustCompile("^\\s*```ya?ml\\s*$")
)

// documentedKeys returns every configuration key docs/config.md and
// README.md document, in canonical form (see canonical), with where it
// was found.
func documentedKeys(t *testing.T) map[string]string {
	t.Helper()
	keys := map[string]string{}
	configMD := filepath.Join(root, "docs", "config.md")
	data, err := os.ReadFile(configMD)
	if err != nil {
		t.Fatal(err)
	}
	section, tables, inTable := "", 0, false
	for i, line := range proseLines(string(data)) {
		where := "docs/config.md:" + itoa(i+1)
		if m := heading.FindStringSubmatch(line); m != nil {
			section, tables = strings.Trim(m[1], "` "), 0
			continue
		}
		if !strings.HasPrefix(line, "|") {
			inTable = false
			continue
		}
		if !inTable { // the header row
			inTable = true
			tables++
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) < 3 || strings.HasPrefix(strings.TrimSpace(cells[1]), "---") {
			continue
		}
		prefixes, ok := tablePrefixes[section]
		if !ok || tables > len(prefixes) {
			t.Errorf("%s: a table under %q, which the test does not know: add its key prefix to tablePrefixes", where, section)
			continue
		}
		for _, m := range tableKey.FindAllStringSubmatch(cells[1], -1) {
			keys[canonical(join(prefixes[tables-1], m[1]))] = where
		}
	}
	for _, file := range []string{configMD, filepath.Join(root, "README.md")} {
		for where, block := range yamlBlocks(t, file) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(block), &doc); err != nil {
				t.Errorf("%s: a YAML example that does not parse: %v", where, err)
				continue
			}
			if isWorkflow(&doc) || isRepoConfig(&doc) {
				continue // a GitHub Actions workflow or steps, or a .tfdrift.yml: not tfdrift's config
			}
			walkYAML(&doc, "", func(path string) { keys[canonical(path)] = where })
		}
	}
	return keys
}

// isWorkflow reports whether a YAML example is a GitHub Actions workflow
// (top-level on/jobs) or a list of its steps (items with uses or run).
func isWorkflow(doc *yaml.Node) bool {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return false
	}
	top := doc.Content[0]
	keysOf := func(n *yaml.Node) map[string]bool {
		out := map[string]bool{}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				out[n.Content[i].Value] = true
			}
		}
		return out
	}
	switch top.Kind {
	case yaml.MappingNode:
		k := keysOf(top)
		return k["jobs"] && (k["on"] || k["true"])
	case yaml.SequenceNode:
		for _, item := range top.Content {
			if k := keysOf(item); k["uses"] || k["run"] {
				return true
			}
		}
	}
	return false
}

// isRepoConfig reports whether a YAML example is a repository's
// .tfdrift.yml (top-level roots, with version, revert_permission and
// ignore at most), whose
// keys app/config's ParseRepo checks and the GitHub App's tests prove.
func isRepoConfig(doc *yaml.Node) bool {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return false
	}
	top := doc.Content[0]
	roots := false
	for i := 0; i+1 < len(top.Content); i += 2 {
		switch top.Content[i].Value {
		case "roots":
			roots = true
		case "version", "revert_permission", "ignore":
		default:
			return false
		}
	}
	return roots
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// yamlBlocks returns the ```yaml blocks of a Markdown file by where they
// start.
func yamlBlocks(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var cur []string
	start := -1
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case start < 0 && yamlFence.MatchString(line):
			start, cur = i+1, nil
		case start >= 0 && strings.HasPrefix(strings.TrimSpace(line), "```"):
			out[filepath.Base(path)+":"+itoa(start)] = strings.Join(cur, "\n")
			start = -1
		case start >= 0:
			cur = append(cur, line)
		}
	}
	return out
}

// freeForm are mappings whose keys are data, not configuration keys.
var freeForm = map[string]bool{"headers": true, "custom_fields": true, "severity_map": true}

// walkYAML calls fn with the path of every mapping key in n: list items
// are "[]".
func walkYAML(n *yaml.Node, path string, fn func(string)) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			walkYAML(c, path, fn)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			walkYAML(c, path+"[]", fn)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := join(path, n.Content[i].Value)
			fn(p)
			if !freeForm[n.Content[i].Value] {
				walkYAML(n.Content[i+1], p, fn)
			}
		}
	}
}

var (
	stateKey  = regexp.MustCompile(`^providers\.(aws|gcp)(\.accounts\[\])?\.(state|states\[\])\.`)
	filterKey = regexp.MustCompile(`^notifications\.(slack\.channels\[\]|webhooks\[\])\.filter\.`)
)

// canonical names a key the way the rows of keyRows do: a state source's
// keys as "state.KEY" wherever the source is, a filter's as "filter.KEY",
// the single notifications.webhook as an entry of webhooks.
func canonical(path string) string {
	path = strings.Replace(path, "notifications.webhook.", "notifications.webhooks[].", 1)
	if m := stateKey.FindString(path); m != "" {
		return "state." + path[len(m):]
	}
	if m := filterKey.FindString(path); m != "" {
		return "filter." + path[len(m):]
	}
	return path
}

// TestDocumentedKeysChangeBehaviour walks every key that docs/config.md
// and the README document and proves, row by row of keyRows, that it
// changes what tfdrift does. A documented key without a row fails, and so
// does a row for a key the docs do not list: a key that does nothing is
// to be removed from the docs (and refused by the config), not kept.
func TestDocumentedKeysChangeBehaviour(t *testing.T) {
	keys := documentedKeys(t)
	w := newWorld(t)
	rows := keyRows(w)
	proved := map[string]bool{}
	for _, r := range rows {
		for _, k := range r.keys {
			if _, ok := keys[k]; !ok {
				t.Errorf("a row proves %q, which docs/config.md and the README do not document", k)
			}
			proved[k] = true
		}
	}
	var missing []string
	for k, where := range keys {
		if !proved[k] {
			missing = append(missing, k+" ("+where+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("documented key %s has no row proving it changes behaviour", m)
	}
	for i, r := range rows {
		if r.observe == nil {
			// A terraform.* row built without -tags e2e (make
			// test-short): make test runs it (world_terraform_test.go).
			continue
		}
		name := strings.Join(r.keys, "+")
		t.Run(name, func(t *testing.T) {
			w.t = t
			defer func() { w.t = w.root }()
			// The expected outcome first, with the full deadlines; the
			// other run then waits about three times as long as that took.
			first, second := r.on, r.off
			if r.gone != "" {
				first, second = r.off, r.on
			}
			start := time.Now()
			a := r.observe(w, w.config(fmt.Sprintf("row%03d-a", i), first))
			w.patience = min(max(3*time.Since(start), 2*time.Second), 20*time.Second)
			b := r.observe(w, w.config(fmt.Sprintf("row%03d-b", i), second))
			w.patience = 0
			on, off := a, b
			if r.gone != "" {
				on, off = b, a
			}
			switch {
			case r.want != "" && (!strings.Contains(on, r.want) || strings.Contains(off, r.want)):
				t.Errorf("want %q with the key and not without it\nwithout (%q):\n%s\nwith (%q):\n%s", r.want, r.off, clip(off), r.on, clip(on))
			case r.gone != "" && (strings.Contains(on, r.gone) || !strings.Contains(off, r.gone)):
				t.Errorf("want %q gone with the key, and there without it\nwithout (%q):\n%s\nwith (%q):\n%s", r.gone, r.off, clip(off), r.on, clip(on))
			case r.want == "" && r.gone == "":
				t.Error("a row needs want or gone")
			}
		})
	}
}

// clip keeps a failure message readable.
func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}
