package workspace

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// FuzzNormalize: root module directories and workspace names come from
// users (PR comments, CLI flags). Whatever is accepted must stay inside
// the repository and be a plain workspace name.
func FuzzNormalize(f *testing.F) {
	for _, s := range [][2]string{{"envs/prod", "prod"}, {"../x", ""}, {"/etc", "a/b"}, {"a/./b/../c", "-w"}, {"", "default"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, dir, ws string) {
		_, key, err := normalize(Spec{Repo: "/repo", Dir: dir, Workspace: ws, Job: "fuzz"})
		if err != nil {
			return
		}
		if !filepath.IsLocal(filepath.FromSlash(key.Dir)) {
			t.Fatalf("dir %q accepted as %q", dir, key.Dir)
		}
		if !inside(filepath.Join("/repo", key.Dir), "/repo") {
			t.Fatalf("dir %q escapes the repository", dir)
		}
		if key.Workspace == "" || strings.ContainsAny(key.Workspace, "/\\ \n") || strings.HasPrefix(key.Workspace, "-") {
			t.Fatalf("workspace %q accepted as %q", ws, key.Workspace)
		}
	})
}

// FuzzHCLString: whatever hclString accepts is a plain quoted literal.
func FuzzHCLString(f *testing.F) {
	for _, s := range []string{"/opt/mirror", `a"b`, "${x}", "%{if}", "a\\b", "tab\there", "registry.terraform.io/hashicorp/*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := hclString(s)
		if err != nil {
			return
		}
		inner := strings.TrimSuffix(strings.TrimPrefix(q, `"`), `"`)
		if inner != s || strings.ContainsAny(inner, "\"\\") || strings.Contains(inner, "${") || strings.Contains(inner, "%{") ||
			strings.IndexFunc(inner, unicode.IsControl) >= 0 {
			t.Fatalf("hclString(%q) = %s", s, q)
		}
	})
}
