package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Commands that administer a store refuse one that does not exist, rather
// than create an empty database and print an empty table (issue 14, item
// 16).
func TestStoreCommandsRefuseMissingStore(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "tfdirft.db")
	for _, args := range [][]string{
		{"drifts", "list", "--database", "/wrong/path/tfdrift.db"},
		{"drifts", "list", "--database", typo},
		{"drifts", "ack", "--database", "sqlite://" + typo, "0123456789abcdef0123456789abcdef"},
		{"notices", "list", "--database", typo},
	} {
		r := runCmd(t, "", args...)
		if r.code != 1 || !strings.Contains(r.stderr, "no tfdrift store there") || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 saying there is no store", args, r.code, r.stdout, r.stderr)
		}
	}
	if _, err := os.Stat(typo); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a command created %s: %v", typo, err)
	}
}
