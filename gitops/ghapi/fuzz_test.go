package ghapi

import (
	"path"
	"strings"
	"testing"
)

// The permission endpoint's fields are GitHub's to choose: whatever they
// hold, the answer is a known role, and a known role_name decides.
func FuzzPermissionOf(f *testing.F) {
	f.Add("write", "maintain")
	f.Add("write", "security-manager")
	f.Add("", "")
	f.Add("ADMIN", " admin ")
	f.Fuzz(func(t *testing.T, permission, roleName string) {
		p := permissionOf(permission, roleName)
		if p < PermissionNone || p > PermissionAdmin {
			t.Fatalf("permission %d", p)
		}
		if r, err := ParsePermission(roleName); err == nil && r != p {
			t.Fatalf("role_name %q gave %v, want %v", roleName, p, r)
		}
	})
}

// Entry names and link targets come from the archive: whatever they
// are, an accepted path is clean and below the top directory, and an
// accepted link resolves inside the tree. (FuzzExtractTar runs the whole
// extraction on disk, which is slow to fuzz; this is the fast half.)
func FuzzEntryPathAndLink(f *testing.F) {
	f.Add("o-r-abc/a/b.tf", "../x")
	f.Add("o-r-abc/../../etc/passwd", "/etc/passwd")
	f.Add("/abs", "a/../../b")
	f.Add("o-r-abc/./x", "")
	f.Fuzz(func(t *testing.T, raw, target string) {
		top := "o-r-abc"
		name, err := entryPath(raw, &top)
		if err != nil || name == "" {
			return
		}
		if path.IsAbs(name) || path.Clean(name) != name || name == ".." || strings.HasPrefix(name, "../") || strings.ContainsRune(name, 0) {
			t.Fatalf("entry %q accepted as %q", raw, name)
		}
		if !strings.HasPrefix(raw, top+"/") {
			t.Fatalf("entry %q outside %q accepted", raw, top)
		}
		if linkStaysInside(name, target) {
			p := path.Join(path.Dir(name), target)
			if path.IsAbs(target) || p == ".." || strings.HasPrefix(p, "../") {
				t.Fatalf("link %q -> %q leaves the tree", name, target)
			}
		}
	})
}
