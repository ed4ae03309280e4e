package main

import (
	"strings"
	"testing"
)

// TestCheckCommand: the flags reach the job (a bad --fail-on is refused by
// it, exit 1), --help teaches the exit status, stray arguments are refused.
func TestCheckCommand(t *testing.T) {
	for _, tt := range []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"check", "--help"}, 0, "Exit status: 0 no drift at or above --fail-on; 2 drift at or above --fail-on;", ""},
		{[]string{"check", "--repo", t.TempDir(), "--fail-on", "severe"}, 1, "", `tfdrift: --fail-on: "severe" is not none`},
		{[]string{"check", "--repo", t.TempDir(), "--dir", "../x"}, 1, "", `--dir "../x" is outside the repository`},
		{[]string{"check", "envs/prod"}, 1, "", `unexpected argument "envs/prod" (give root modules with --dir)`},
		{[]string{"check", "--parallel", "x"}, 1, "", "invalid value"},
	} {
		r := runCmd(t, "", tt.args...)
		if r.code != tt.code || !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(r.stderr, tt.stderr) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d, %q, %q", tt.args, r.code, r.stdout, r.stderr, tt.code, tt.stdout, tt.stderr)
		}
	}
}
