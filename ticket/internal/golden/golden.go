package golden

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

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
	if string(want) != string(got) {
		t.Errorf("%s differs from the rendered output (run with -update to accept):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// Name turns a label into a file name.
func Name(parts ...string) string {
	r := strings.NewReplacer("/", "_", " ", "_", ":", "_", "\"", "", "#", "")
	for i, p := range parts {
		parts[i] = r.Replace(p)
	}
	return strings.Join(parts, "-")
}
