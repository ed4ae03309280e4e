package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tfdrift/tfdrift/detector/ignore"
)

// RepoFileName is the infra repository's own tfdrift file.
const RepoFileName = ".tfdrift.yml"

// RepoConfig is .tfdrift.yml: which root modules a repository holds and
// which state each writes, so a drift is mapped to the right root's code,
// how `tfdrift check` initialises each, and which drifted attributes the
// repository ignores.
//
//	version: 1                  # optional; the only version there is
//	roots:
//	  - dir: envs/prod
//	    state: s3://acme-tf/prod/terraform.tfstate   # a state source's name
//	    workspace: default
//	    var_files: [prod.tfvars]
//	    backend_config: [prod.s3.tfbackend, "key=prod/terraform.tfstate"]
//	    mode: pr                  # accept pull requests opened on drift (default: issue)
//	    reviewers: [alice, acme/platform]
//	    labels: [infra]
//	  - dir: envs/staging
//	    state: s3://acme-tf/staging/terraform.tfstate
//	revert_permission: write    # who may /tfdrift revert (default: maintain)
//	ignore:                     # .tfdriftignore lines, read before that file
//	  - aws_autoscaling_group.*.desired_capacity
//	  - "**.tags_all"
type RepoConfig struct {
	File string
	// Version is the file format's version: RepoVersion, also when the
	// file does not say.
	Version int
	Roots   []RepoRoot
	// RevertPermission is the repository role a commenter needs for
	// "/tfdrift revert": write, maintain (the default) or admin.
	RevertPermission string
	// Ignore holds the ignore: lines, with this file's name and line
	// numbers; nil when there are none. The lines come before the
	// repository's .tfdriftignore: see IgnoreChain.
	Ignore *ignore.Matcher
}

// RepoVersion is the only .tfdrift.yml format version.
const RepoVersion = 1

// RepoRoot is one root module.
type RepoRoot struct {
	// Dir is relative to the repository root.
	Dir string
	// State is the name of the state source the root writes (a config
	// state's name, s3://bucket/key, gs://bucket/prefix, or the --state
	// path as given).
	State     string
	Workspace string
	VarFiles  []string
	// BackendConfig are the -backend-config arguments `terraform init`
	// gets for this root (KEY=VALUE pairs or files relative to Dir), in
	// order, for a partial backend configuration.
	BackendConfig []string
	// Mode says what the GitHub App does when a resource of this root
	// drifts: ModeIssue opens an issue and waits for a command; ModePR
	// also opens the accept pull request at once, where the edit is
	// possible.
	Mode RootMode
	// Reviewers are asked to review the root's accept pull requests:
	// logins, and teams as "org/team-slug".
	Reviewers []string
	// Labels go on the root's drift issues and accept pull requests.
	Labels []string
}

// goTypes strips yaml.v3's rendering of Go types from its messages.
var goTypes = regexp.MustCompile(` (into|in type) (\[\])?(struct \{.*\}|[a-z]\w*\.\w+)`)

type rawRepo struct {
	Version *int `yaml:"version"`
	Roots   []struct {
		Dir           string   `yaml:"dir"`
		State         string   `yaml:"state"`
		Workspace     string   `yaml:"workspace"`
		VarFiles      []string `yaml:"var_files"`
		BackendConfig []string `yaml:"backend_config"`
		Mode          string   `yaml:"mode"`
		Reviewers     []string `yaml:"reviewers"`
		Labels        []string `yaml:"labels"`
	} `yaml:"roots"`
	RevertPermission string `yaml:"revert_permission"`
	// Ignore is a node so that each line keeps its position.
	Ignore yaml.Node `yaml:"ignore"`
}

// LoadRepo reads dir/.tfdrift.yml. A repository without one gives nil, nil.
func LoadRepo(dir string) (*RepoConfig, error) {
	p := path.Join(dir, RepoFileName)
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseRepo(p, data)
}

// ParseRepo validates a .tfdrift.yml strictly: unknown keys and wrong
// types are errors naming the file and line; every root needs a dir, dirs
// are unique and stay inside the repository, and with several roots each
// needs a state or workspace to tell them apart.
func ParseRepo(name string, data []byte) (*RepoConfig, error) {
	var raw rawRepo
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
		msg = goTypes.ReplaceAllString(msg, "")
		var lines []string
		for _, l := range strings.Split(msg, "\n") {
			lines = append(lines, name+": "+strings.TrimSpace(l))
		}
		return nil, errors.New(strings.Join(lines, "\n"))
	}
	rc := &RepoConfig{File: name, Version: RepoVersion}
	var problems []string
	if raw.Version != nil && *raw.Version != RepoVersion {
		problems = append(problems, fmt.Sprintf("%s: version: %d is not supported (the only version is %d)", name, *raw.Version, RepoVersion))
	}
	seen := map[string]int{}
	for i, r := range raw.Roots {
		where := fmt.Sprintf("%s: roots[%d]", name, i)
		dir := path.Clean(strings.TrimSuffix(r.Dir, "/"))
		switch {
		case r.Dir == "":
			problems = append(problems, where+".dir: missing: the root module's directory, relative to the repository")
			continue
		case path.IsAbs(dir) || dir == ".." || strings.HasPrefix(dir, "../"):
			problems = append(problems, fmt.Sprintf("%s.dir: %q is outside the repository", where, r.Dir))
			continue
		}
		if j, dup := seen[dir]; dup {
			problems = append(problems, fmt.Sprintf("%s.dir: %q is already roots[%d]", where, r.Dir, j))
		}
		seen[dir] = i
		if len(raw.Roots) > 1 && r.State == "" && r.Workspace == "" {
			problems = append(problems, where+": set state (or workspace): with several roots tfdrift must know which state each writes")
		}
		for j, b := range r.BackendConfig {
			if strings.TrimSpace(b) == "" {
				problems = append(problems, fmt.Sprintf("%s.backend_config[%d]: empty: give KEY=VALUE or a backend configuration file", where, j))
			}
		}
		root := RepoRoot{Dir: dir, State: r.State, Workspace: r.Workspace, VarFiles: r.VarFiles, BackendConfig: r.BackendConfig}
		problems = append(problems, root.reconcileKeys(where, r.Mode, r.Reviewers, r.Labels)...)
		rc.Roots = append(rc.Roots, root)
	}
	problems = append(problems, rc.revertPermission(name, raw.RevertPermission)...)
	m, err := repoIgnore(name, &raw.Ignore)
	if err != nil {
		problems = append(problems, err.Error())
	}
	rc.Ignore = m
	if len(raw.Roots) == 0 {
		problems = append(problems, name+": roots: list the repository's root modules")
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return rc, nil
}

// repoIgnore compiles the ignore: list with the .tfdriftignore parser. Each
// entry is placed on its own YAML line of the text the parser reads, so
// errors and Rule.Line point into .tfdrift.yml.
func repoIgnore(name string, n *yaml.Node) (*ignore.Matcher, error) {
	if n.Kind == 0 || isNullNode(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s: line %d: ignore: want a list of patterns, one a line as in %s", name, n.Line, ignore.FileName)
	}
	if len(n.Content) == 0 {
		return nil, nil
	}
	var lines []string
	var problems []string
	for i, e := range n.Content {
		if e.Kind != yaml.ScalarNode || e.Tag != "!!str" && e.Tag != "" {
			problems = append(problems, fmt.Sprintf("%s: line %d: ignore[%d]: want a pattern string", name, e.Line, i))
			continue
		}
		if strings.ContainsAny(e.Value, "\r\n") {
			problems = append(problems, fmt.Sprintf("%s: line %d: ignore[%d]: one pattern per entry", name, e.Line, i))
			continue
		}
		for len(lines) < e.Line {
			lines = append(lines, "")
		}
		lines[e.Line-1] = e.Value
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	m, err := ignore.Parse(name, strings.NewReader(strings.Join(lines, "\n")))
	if err != nil {
		return nil, fmt.Errorf("ignore: %w", err)
	}
	return m, nil
}

func isNullNode(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// IgnoreChain reads several ignore matchers as one file, in order: the last
// line that matches, in any of them, decides. tfdrift puts the ignore:
// lines of .tfdrift.yml before the repository's .tfdriftignore, so that
// the file can re-include ('!') what the YAML ignores. Nil entries are
// skipped.
type IgnoreChain []*ignore.Matcher

// Ignored implements detector.Ignorer.
func (c IgnoreChain) Ignored(address, attribute string) bool {
	for i := len(c) - 1; i >= 0; i-- {
		if r, ok := c[i].Match(address, attribute); ok {
			return !r.Negate
		}
	}
	return false
}

// Len is the number of pattern lines in the chain.
func (c IgnoreChain) Len() int {
	n := 0
	for _, m := range c {
		n += m.Len()
	}
	return n
}
