package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Flags after a command's positional arguments work in the commands
// TestFlagsAfterArguments does not cover: accept, revert, drifts (issue 14,
// item 15). Each case shows the trailing flag took effect.
func TestFlagsAfterArgumentsMoreCommands(t *testing.T) {
	sc := extract(t)
	ct := filepath.Join(sc.Dir, "events", "cloudtrail-123456789012-us-east-1.json")
	sg, err := os.ReadFile(filepath.Join(sc.Repo, "modules", "network", "sg.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		ok   func(r result) bool
	}{
		{[]string{"accept", ct, "--repo", sc.Repo, "--state", sc.State, "--dry-run"}, func(r result) bool {
			return strings.Contains(r.stdout, "+++ ") && strings.Contains(r.stderr, "would edit")
		}},
		{[]string{"revert", "aws_instance.app_server", "module.network", "--repo", sc.Repo}, func(r result) bool {
			return r.code == 1 && strings.Contains(r.stderr, "module.network")
		}},
		{[]string{"drifts", "ack", "0123456789abcdef0123456789abcdef", "--database", filepath.Join(sc.Dir, "none.db")}, func(r result) bool {
			return r.code == 1 && strings.Contains(r.stderr, "none.db")
		}},
	} {
		r := runCmd(t, "", tt.args...)
		if !tt.ok(r) {
			t.Errorf("%v: exit %d\nstdout: %.300s\nstderr: %.600s", tt.args, r.code, r.stdout, r.stderr)
		}
	}
	if after, _ := os.ReadFile(filepath.Join(sc.Repo, "modules", "network", "sg.tf")); string(after) != string(sg) {
		t.Error("accept ... --dry-run edited the code: the trailing --dry-run was not honoured")
	}
}
