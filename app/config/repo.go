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
)

// RepoFileName is the infra repository's own tfdrift file.
const RepoFileName = ".tfdrift.yml"

// RepoConfig is .tfdrift.yml: which root modules a repository holds and
// which state each writes, so a drift is mapped to the right root's code.
//
//	roots:
//	  - dir: envs/prod
//	    state: s3://acme-tf/prod/terraform.tfstate   # a state source's name
//	    workspace: default
//	    var_files: [prod.tfvars]
//	  - dir: envs/staging
//	    state: s3://acme-tf/staging/terraform.tfstate
type RepoConfig struct {
	File  string
	Roots []RepoRoot
}

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
}

// goTypes strips yaml.v3's rendering of Go types from its messages.
var goTypes = regexp.MustCompile(` (into|in type) (\[\])?(struct \{.*\}|[a-z]\w*\.\w+)`)

type rawRepo struct {
	Roots []struct {
		Dir       string   `yaml:"dir"`
		State     string   `yaml:"state"`
		Workspace string   `yaml:"workspace"`
		VarFiles  []string `yaml:"var_files"`
	} `yaml:"roots"`
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
	rc := &RepoConfig{File: name}
	var problems []string
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
		rc.Roots = append(rc.Roots, RepoRoot{Dir: dir, State: r.State, Workspace: r.Workspace, VarFiles: r.VarFiles})
	}
	if len(raw.Roots) == 0 {
		problems = append(problems, name+": roots: list the repository's root modules")
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return rc, nil
}
