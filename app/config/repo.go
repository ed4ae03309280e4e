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
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/detector/ignore"
)

// RepoFileName is the infra repository's own tfdrift file.
const RepoFileName = ".tfdrift.yml"

// RepoConfig is .tfdrift.yml: which root modules a repository holds and
// which state each writes, so a drift is mapped to the right root's code,
// how `tfdrift check` initialises each, which drifted attributes the
// repository ignores, and how the GitHub App files each root's drifts.
//
//	version: 1                  # optional; the only version there is
//	roots:
//	  - dir: envs/prod
//	    state: s3://acme-tf/prod/terraform.tfstate   # a state source's name
//	    workspace: default
//	    var_files: [prod.tfvars]
//	    backend_config: [prod.s3.tfbackend, "key=prod/terraform.tfstate"]
//	    issues: true            # the GitHub App opens an issue per drift (default)
//	    labels: [team:platform] # on the root's issues and accept pull requests
//	    assignees: [alice]
//	    min_severity: medium    # the lowest severity that opens an issue (default low)
//	    mode: pr                # accept pull requests opened on drift (default: issue)
//	    reviewers: [alice, acme/platform]
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

// DefaultRepoMinSeverity is the lowest severity that opens a GitHub issue
// when a root does not say.
const DefaultRepoMinSeverity = drift.Low

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
	// Issues says whether the GitHub App opens an issue for a drift of
	// this root's state (default true).
	Issues bool
	// Labels go on the root's drift issues and accept pull requests,
	// beside the App's own; Assignees are assigned to its issues.
	Labels    []string
	Assignees []string
	// Mode says what the GitHub App does when a resource of this root
	// drifts: ModeIssue opens an issue and waits for a command; ModePR
	// also opens the accept pull request at once, where the edit is
	// possible.
	Mode RootMode
	// Reviewers are asked to review the root's accept pull requests:
	// logins, and teams as "org/team-slug".
	Reviewers []string
	// MinSeverity is the lowest severity that opens an issue by itself
	// (a create_ticket action with system: github opens one below it).
	MinSeverity drift.Severity
	// Line is where the root's entry starts in the file.
	Line int
}

// RepoProblem is one problem in a .tfdrift.yml, with the line it is on
// (0 when the file as a whole is at fault), for a check run's annotation.
type RepoProblem struct {
	File string
	Line int
	// Msg is the problem as RepoError prints it, without the file name.
	Msg string
}

func (p RepoProblem) String() string { return p.File + ": " + p.Msg }

// RepoError is a .tfdrift.yml that is not valid: every problem found,
// each with its line.
type RepoError struct {
	Problems []RepoProblem
}

func (e *RepoError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// goTypes strips yaml.v3's rendering of Go types from its messages.
var goTypes = regexp.MustCompile(` (into|in type) (\[\])?(struct \{.*\}|[a-z]\w*\.\w+)`)

// repoYAMLLine finds the line a yaml.v3 message names ("line 3: …").
var repoYAMLLine = regexp.MustCompile(`^line (\d+): `)

type rawRepoRoot struct {
	Dir           string   `yaml:"dir"`
	State         string   `yaml:"state"`
	Workspace     string   `yaml:"workspace"`
	VarFiles      []string `yaml:"var_files"`
	BackendConfig []string `yaml:"backend_config"`
	Issues        *bool    `yaml:"issues"`
	Labels        []string `yaml:"labels"`
	Assignees     []string `yaml:"assignees"`
	MinSeverity   string   `yaml:"min_severity"`
	Mode          string   `yaml:"mode"`
	Reviewers     []string `yaml:"reviewers"`
}

type rawRepo struct {
	Version          *int          `yaml:"version"`
	Roots            []rawRepoRoot `yaml:"roots"`
	RevertPermission string        `yaml:"revert_permission"`
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

// GitHub's limits: a label name has at most 50 characters; a login is
// letters, digits and single hyphens, at most 39 characters.
var (
	maxLabelLen = 50
	githubLogin = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}$`)
)

// ParseRepo validates a .tfdrift.yml strictly: unknown keys and wrong
// types are errors naming the file and line; every root needs a dir, dirs
// are unique and stay inside the repository, and with several roots each
// needs a state or workspace to tell them apart. The error is a
// *RepoError with every problem and its line.
func ParseRepo(name string, data []byte) (*RepoConfig, error) {
	var raw rawRepo
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
		msg = goTypes.ReplaceAllString(msg, "")
		re := &RepoError{}
		for _, l := range strings.Split(msg, "\n") {
			l = strings.TrimSpace(l)
			p := RepoProblem{File: name, Msg: l}
			if m := repoYAMLLine.FindStringSubmatch(l); m != nil {
				p.Line, _ = strconv.Atoi(m[1])
			}
			re.Problems = append(re.Problems, p)
		}
		return nil, re
	}
	lines := repoLines(data)
	rc := &RepoConfig{File: name, Version: RepoVersion}
	re := &RepoError{}
	problem := func(at, format string, args ...any) {
		re.Problems = append(re.Problems, RepoProblem{File: name, Line: lines.at(at), Msg: fmt.Sprintf(format, args...)})
	}
	if raw.Version != nil && *raw.Version != RepoVersion {
		problem("version", "version: %d is not supported (the only version is %d)", *raw.Version, RepoVersion)
	}
	seen := map[string]int{}
	for i, r := range raw.Roots {
		where := fmt.Sprintf("roots[%d]", i)
		dir := path.Clean(strings.TrimSuffix(r.Dir, "/"))
		switch {
		case r.Dir == "":
			problem(where, "%s.dir: missing: the root module's directory, relative to the repository", where)
			continue
		case path.IsAbs(dir) || dir == ".." || strings.HasPrefix(dir, "../"):
			problem(where+".dir", "%s.dir: %q is outside the repository", where, r.Dir)
			continue
		}
		if j, dup := seen[dir]; dup {
			problem(where+".dir", "%s.dir: %q is already roots[%d]", where, r.Dir, j)
		}
		seen[dir] = i
		if len(raw.Roots) > 1 && r.State == "" && r.Workspace == "" {
			problem(where, "%s: set state (or workspace): with several roots tfdrift must know which state each writes", where)
		}
		for j, b := range r.BackendConfig {
			if strings.TrimSpace(b) == "" {
				problem(fmt.Sprintf("%s.backend_config[%d]", where, j), "%s.backend_config[%d]: empty: give KEY=VALUE or a backend configuration file", where, j)
			}
		}
		root := RepoRoot{Dir: dir, State: r.State, Workspace: r.Workspace, VarFiles: r.VarFiles, BackendConfig: r.BackendConfig,
			Issues: r.Issues == nil || *r.Issues, MinSeverity: DefaultRepoMinSeverity, Line: lines.at(where)}
		for _, p := range root.reconcileKeys(where, r.Mode, r.Reviewers, nil) {
			at, _, _ := strings.Cut(p, ":")
			problem(at, "%s", p)
		}
		if r.MinSeverity != "" {
			sev, err := drift.ParseSeverity(r.MinSeverity)
			if err != nil {
				problem(where+".min_severity", "%s.min_severity: %q is not a severity (want info, low, medium, high or critical)", where, truncate(r.MinSeverity, 40))
			}
			root.MinSeverity = sev
		}
		for j, l := range r.Labels {
			at := fmt.Sprintf("%s.labels[%d]", where, j)
			switch l = strings.TrimSpace(l); {
			case l == "":
				problem(at, "%s: empty label", at)
			case utf8.RuneCountInString(l) > maxLabelLen:
				problem(at, "%s: %q is longer than GitHub's %d characters", at, truncate(l, 60), maxLabelLen)
			default:
				root.Labels = append(root.Labels, l)
			}
		}
		for j, a := range r.Assignees {
			at := fmt.Sprintf("%s.assignees[%d]", where, j)
			a = strings.TrimPrefix(strings.TrimSpace(a), "@")
			if !githubLogin.MatchString(a) {
				problem(at, "%s: %q is not a GitHub login", at, truncate(a, 60))
				continue
			}
			root.Assignees = append(root.Assignees, a)
		}
		rc.Roots = append(rc.Roots, root)
	}
	for _, p := range rc.revertPermission(name, raw.RevertPermission) {
		problem("revert_permission", "%s", strings.TrimPrefix(p, name+": "))
	}
	m, err := repoIgnore(name, &raw.Ignore)
	if err != nil {
		for _, l := range strings.Split(err.Error(), "\n") {
			re.Problems = append(re.Problems, ignoreProblem(name, l, raw.Ignore.Line))
		}
	}
	rc.Ignore = m
	if len(raw.Roots) == 0 {
		problem("roots", "roots: list the repository's root modules")
	}
	if len(re.Problems) > 0 {
		return nil, re
	}
	return rc, nil
}

// ignoreProblem reads one line of repoIgnore's error: its own "name:
// line N: msg", or the .tfdriftignore parser's "ignore: name:N: msg".
func ignoreProblem(name, l string, line int) RepoProblem {
	p := RepoProblem{File: name, Line: line, Msg: strings.TrimPrefix(l, name+": ")}
	if m := repoYAMLLine.FindStringSubmatch(p.Msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
	}
	if rest, ok := strings.CutPrefix(l, "ignore: "+name+":"); ok {
		if n, msg, ok := strings.Cut(rest, ": "); ok {
			if v, err := strconv.Atoi(n); err == nil {
				p.Line, p.Msg = v, "line "+n+": ignore: "+msg
			}
		}
	}
	return p
}

// repoPositions maps a key path ("roots[1].labels[0]") to the line it is
// on.
type repoPositions map[string]int

// at returns the line of path, or of its nearest ancestor that has one;
// 0 when none does.
func (p repoPositions) at(path string) int {
	for {
		if l, ok := p[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return 0
		}
		path = path[:i]
	}
}

// repoLines reads the positions of a file that decoded: every mapping key
// and list item by its path.
func repoLines(data []byte) repoPositions {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil {
		return nil
	}
	out := repoPositions{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := path + "[" + strconv.Itoa(i) + "]"
				out[p] = c.Line
				walk(c, p)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				p := n.Content[i].Value
				if path != "" {
					p = path + "." + p
				}
				out[p] = n.Content[i].Line
				walk(n.Content[i+1], p)
			}
		}
	}
	walk(&doc, "")
	return out
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
