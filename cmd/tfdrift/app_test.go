package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAppCommand: `tfdrift app` dispatches to its subcommands, each with
// a help that teaches; the manifest is JSON with the webhook URL.
func TestAppCommand(t *testing.T) {
	for _, sub := range []string{"manifest", "setup", "status"} {
		r := runCmd(t, "", "app", sub, "--help")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: tfdrift app "+sub) || !strings.Contains(r.stdout, "Exit status:") || !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("app %s --help: exit %d\n%s", sub, r.code, r.stdout)
		}
	}
	r := runCmd(t, "", "app", "manifest", "--url", "https://tfdrift.example.com")
	var m struct {
		Hook struct{ URL string } `json:"hook_attributes"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &m) != nil || m.Hook.URL != "https://tfdrift.example.com/webhooks/github" {
		t.Errorf("app manifest: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{{"app"}, {"app", "bogus"}, {"app", "manifest"}, {"app", "status"}} {
		if r := runCmd(t, "", args...); r.code != 2 {
			t.Errorf("tfdrift %s: exit %d, want 2 (usage)\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
}
