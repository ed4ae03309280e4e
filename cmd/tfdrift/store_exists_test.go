package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/app/store"
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
		{"drifts", "resolve", "0123456789abcdef0123456789abcdef", "--database", typo, "--note", "fixed"},
		{"drifts", "ignore", "--database", "sqlite:///wrong/path/tfdrift.db", "0123456789abcdef0123456789abcdef"},
		{"notices", "list", "--database", typo},
		{"notices", "retry", "--database", typo, "--dead"},
		{"notices", "retry", "1", "--database", typo},
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

// app status reads the store too; a missing one is refused, not created.
func TestAppStatusRefusesMissingStore(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "tfdirft.db")
	cfg := filepath.Join(dir, "tfdrift.yaml")
	if err := os.WriteFile(cfg, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, "", "app", "status", "--config", cfg, "--database", typo)
	if r.code == 0 {
		t.Errorf("app status with a missing store: exit 0\n%s", r.stdout)
	}
	if _, err := os.Stat(typo); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("app status created %s: %v", typo, err)
	}
}

// Without --database, drifts and notices read serve's default store
// (tfdrift.db in the working directory): the quick start's `tfdrift serve`
// then `tfdrift drifts list` needs no flag, and a directory without it is
// refused, not given an empty store.
func TestStoreCommandsDefaultToServesStore(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, args := range [][]string{{"drifts", "list"}, {"notices", "list"}} {
		r := runCmd(t, "", args...)
		if r.code != 1 || !strings.Contains(r.stderr, "tfdrift.db") || !strings.Contains(r.stderr, "no tfdrift store there") {
			t.Errorf("%v without a store: exit %d, stderr %q; want exit 1 naming tfdrift.db", args, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "tfdrift.db")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a command created tfdrift.db: %v", err)
	}
	st, err := store.Open(t.Context(), store.DefaultDSN)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, args := range [][]string{{"drifts", "list"}, {"notices", "list"}} {
		if r := runCmd(t, "", args...); r.code != 0 {
			t.Errorf("%v with serve's default store: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}
