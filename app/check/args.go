package check

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// Args are the inputs of one check, as `tfdrift check` parses them.
type Args struct {
	// RepoDir is the repository: .tfdrift.yml and .tfdriftignore are read
	// there, and every path in the reports is relative to it. Default ".".
	RepoDir string
	// Dirs are the root modules to check: directories relative to RepoDir,
	// or globs ("envs/*") that select directories. Empty means every root
	// in .tfdrift.yml, or RepoDir itself when there is none.
	Dirs []string
	// ConfigFile is the tfdrift config whose drift_rules give severity and
	// tags (and whose ignore_file and terraform.binary are honoured); ""
	// means none: every drift gets the default severity, medium.
	ConfigFile string
	// FailOn is the lowest severity that fails the check (exit 2):
	// info, low, medium, high or critical; "none" never fails on drift.
	// Default DefaultFailOn.
	FailOn string
	// JSONFile and SARIFFile are written when set: the drift records one
	// per line, and SARIF 2.1.0.
	JSONFile, SARIFFile string
	// Binary is terraform or tofu, a name on PATH or a path. Default: the
	// config's terraform.binary, else "terraform".
	Binary string
	// Parallel bounds how many roots run at once; <= 0 means the number of
	// CPUs.
	Parallel int
	// BackendConfig are -backend-config values (KEY=VALUE or a file)
	// passed to every root's init, after those of its .tfdrift.yml entry.
	BackendConfig []string
	// TerraformEnv is Terraform's whole environment ("KEY=value"); nil
	// means Terraform inherits the process's.
	TerraformEnv []string
	// Version is tfdrift's version, written into the SARIF log.
	Version string
	// OpenIssues opens or updates one GitHub issue per drifted resource
	// in the repository being checked (GITHUB_REPOSITORY, with
	// GITHUB_TOKEN), through the GitHub App's issue sink: the same issue
	// and marker as the App's.
	OpenIssues bool
}

// DefaultFailOn is --fail-on's default, the GitHub Action's too.
const DefaultFailOn = "high"

// FailOnNone is the --fail-on value that never fails on drift.
const FailOnNone = "none"

// failOn parses --fail-on: a severity, or "" for none.
func failOn(s string) (drift.Severity, error) {
	if s == "" {
		s = DefaultFailOn
	}
	if strings.EqualFold(strings.TrimSpace(s), FailOnNone) {
		return "", nil
	}
	sev, err := drift.ParseSeverity(s)
	if err != nil {
		return "", fmt.Errorf("--fail-on: %q is not none, info, low, medium, high or critical", s)
	}
	return sev, nil
}

// Env is the process around the job: where it prints and what it reads
// from the environment. Nil functions read as an empty environment.
type Env struct {
	// Stdout gets the readable summary and, in GitHub Actions, the
	// annotations; Stderr gets progress and warnings.
	Stdout, Stderr io.Writer
	// Getenv reads GITHUB_ACTIONS, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT,
	// GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_SHA; with
	// OpenIssues also GITHUB_TOKEN and GITHUB_API_URL.
	Getenv func(string) string
	// LookupEnv expands ${VAR} in the config file.
	LookupEnv func(string) (string, bool)
	// Now stamps detected_at; nil means time.Now.
	Now func() time.Time
}

func (e Env) getenv(k string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(k)
}

func (e Env) lookupEnv(k string) (string, bool) {
	if e.LookupEnv == nil {
		return "", false
	}
	return e.LookupEnv(k)
}

func (e Env) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}
