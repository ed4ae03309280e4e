package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fakeTerraform writes a stand-in terraform that logs its working
// directory and arguments, fails every command but fmt, and for fmt
// fails, as terraform does, on a file it cannot find.
func fakeTerraform(t *testing.T) (bin, log string) {
	t.Helper()
	dir := t.TempDir()
	bin, log = filepath.Join(dir, "terraform"), filepath.Join(dir, "calls")
	script := `#!/bin/sh
echo "$(pwd) $*" >> ` + log + `
if [ "$1" = fmt ]; then
  shift 3
  for f in "$@"; do [ -f "$f" ] || { echo "no file $f" >&2; exit 2; }; done
  exit 0
fi
echo "fake terraform: $1 is not supported" >&2
exit 1
`
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, log
}

// Every command that takes paths works with relative and absolute ones
// alike (issue 14, item 11: accept with a relative --repo wrote the edit,
// then failed in terraform fmt, the path joined twice). Each command runs
// from the scenario's parent directory with relative paths and from
// elsewhere with absolute ones; the outcomes must be the same.
func TestRelativeAndAbsolutePaths(t *testing.T) {
	bin, calls := fakeTerraform(t)
	type run struct {
		code           int
		stdout, stderr string
	}
	do := func(t *testing.T, relative bool, args func(p func(string) string) []string) (run, string) {
		sc := extract(t)
		p := func(rel string) string { return filepath.Join(sc.Dir, filepath.FromSlash(rel)) }
		if relative {
			t.Chdir(sc.Dir)
			p = func(rel string) string { return filepath.FromSlash(rel) }
		} else {
			t.Chdir(t.TempDir())
		}
		os.Remove(calls)
		r := runCmd(t, "", args(p)...)
		// The fingerprint hashes the state's name as given, and
		// detected_at is the clock.
		norm := func(s string) string {
			s = strings.ReplaceAll(s, sc.Dir+string(filepath.Separator), "")
			s = regexp.MustCompile(`"detected_at":"[^"]*"`).ReplaceAllString(s, `"detected_at":"$$NOW"`)
			return regexp.MustCompile(`"fingerprint":"[0-9a-f]*"`).ReplaceAllString(s, `"fingerprint":"$$FP"`)
		}
		return run{r.code, norm(r.stdout), norm(r.stderr)}, sc.Dir
	}
	const ct = "events/cloudtrail-123456789012-us-east-1.json"
	tests := []struct {
		name  string
		args  func(p func(string) string) []string
		check func(t *testing.T, r run, dir string)
	}{
		{"replay", func(p func(string) string) []string {
			return []string{"replay", "--config", p("config.yaml"), "--state", p("terraform.tfstate"), "--repo", p("repo"), "--format", "json", p(ct)}
		}, func(t *testing.T, r run, _ string) {
			if r.code != 0 || !strings.Contains(r.stdout, `"file":"modules/network/sg.tf"`) {
				t.Errorf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
		}},
		{"config validate", func(p func(string) string) []string {
			return []string{"config", "validate", p("config.yaml")}
		}, func(t *testing.T, r run, _ string) {
			if r.code != 0 || !strings.Contains(r.stdout, "valid") {
				t.Errorf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
		}},
		{"locate", func(p func(string) string) []string {
			return []string{"locate", "--repo", p("repo"), "aws_instance.app_server"}
		}, func(t *testing.T, r run, _ string) {
			if r.code != 0 || !strings.Contains(r.stdout, "main.tf:27") {
				t.Errorf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
		}},
		{"accept", func(p func(string) string) []string {
			return []string{"accept", "--repo", p("repo"), "--state", p("terraform.tfstate"), "--terraform", bin, p(ct)}
		}, func(t *testing.T, r run, dir string) {
			if r.code != 3 || !strings.Contains(r.stderr, "edited 3 files") || strings.Contains(r.stderr, "terraform fmt") {
				t.Errorf("exit %d, want 3 (all edits written and formatted, one drift refused)\n%s", r.code, r.stderr)
			}
			b, err := os.ReadFile(filepath.Join(dir, "repo", "modules", "network", "sg.tf"))
			if err != nil || !strings.Contains(string(b), "temp ssh for debugging") {
				t.Errorf("sg.tf not edited: %v\n%s", err, b)
			}
			if log, err := os.ReadFile(calls); err != nil || !strings.Contains(string(log), " fmt ") {
				t.Errorf("terraform fmt did not run: %v %s", err, log)
			}
		}},
		{"check --dir", func(p func(string) string) []string {
			return []string{"check", "--repo", p("."), "--dir", "repo", "--binary", bin}
		}, func(t *testing.T, r run, _ string) {
			// The fake terraform refuses to run; what matters is that both
			// forms reach it for the same root.
			if r.code != 1 {
				t.Errorf("exit %d\n%s", r.code, r.stderr)
			}
		}},
		{"revert", func(p func(string) string) []string {
			return []string{"revert", "--repo", p("repo"), "--binary", bin, "--dry-run", "aws_instance.app_server"}
		}, func(t *testing.T, r run, _ string) {
			if r.code != 6 && r.code != 1 {
				t.Errorf("exit %d\n%s", r.code, r.stderr)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [2]run
			for i, relative := range []bool{false, true} {
				r, dir := do(t, relative, tt.args)
				tt.check(t, r, dir)
				got[i] = r
			}
			if got[0].code != got[1].code || got[0].stdout != got[1].stdout {
				t.Errorf("absolute and relative paths differ:\nabsolute: exit %d\n%s\nrelative: exit %d\n%s", got[0].code, got[0].stdout, got[1].code, got[1].stdout)
			}
		})
	}
}

// Mistakes that passed silently (issue 14, item 19): a --terraform that
// does not exist skipped terraform fmt without a word (now: an error, and
// nothing edited); --repo at a folder without .tf files (now: a warning).
func TestSilentMistakesAreReported(t *testing.T) {
	sc := extract(t)
	ct := filepath.Join(sc.Dir, "events", "cloudtrail-123456789012-us-east-1.json")
	before, err := os.ReadFile(filepath.Join(sc.Repo, "modules", "network", "sg.tf"))
	if err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, "", "accept", "--repo", sc.Repo, "--state", sc.State, "--terraform", "/nonexistent/terraform", ct)
	if r.code != 1 || !strings.Contains(r.stderr, `terraform binary "/nonexistent/terraform"`) || !strings.Contains(r.stderr, "nothing was edited") {
		t.Errorf("--terraform /nonexistent: exit %d\n%s", r.code, r.stderr)
	}
	if after, _ := os.ReadFile(filepath.Join(sc.Repo, "modules", "network", "sg.tf")); string(after) != string(before) {
		t.Error("accept edited the code although its terraform binary does not exist")
	}
	empty := t.TempDir()
	for _, args := range [][]string{
		{"replay", "--repo", empty, "--state", sc.State, ct},
		{"accept", "--repo", empty, "--state", sc.State, "--dry-run", ct},
	} {
		r := runCmd(t, "", args...)
		if !strings.Contains(r.stderr, "warning: repo "+empty+": no .tf files") {
			t.Errorf("%v: no warning about the empty repo (exit %d)\n%s", args[0], r.code, r.stderr)
		}
	}
}
