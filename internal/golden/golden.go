package golden

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files (testdata) from the current output")

// Update reports whether the tests run with -update: golden files are to be
// rewritten rather than compared. Tests with their own file layout (a
// want section inside a case file) use it; the rest call Check.
func Update() bool { return *update }

// Check compares got with the file at path (relative to the package
// directory), or writes it under -update.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (run the tests with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the output (-want +got; run with -update to accept):\n%s", path, diff)
	}
}

// CheckString is Check for text.
func CheckString(t testing.TB, path, got string) {
	t.Helper()
	Check(t, path, []byte(got))
}

// Name turns a label into a file name.
func Name(parts ...string) string {
	r := strings.NewReplacer("/", "_", " ", "_", ":", "_", "\"", "", "#", "")
	for i, p := range parts {
		parts[i] = r.Replace(p)
	}
	return strings.Join(parts, "-")
}
