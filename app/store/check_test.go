package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/app/store/storetest"
)

// MustExist refuses what is not a store, instead of creating an empty
// one: a missing file, an empty file, a database without the schema.
func TestMustExist(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := filepath.Join(dir, "wrong", "path.db")
	notThere := filepath.Join(dir, "typo.db")
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dsns := []string{missing, notThere, "sqlite://" + notThere, empty}
	for _, e := range storetest.Engines() {
		if e.Name != "sqlite" { // Postgres, under -tags e2e: a database without the schema
			dsns = append(dsns, e.DSN(t))
		}
	}
	for _, dsn := range dsns {
		st, err := store.Open(ctx, dsn, store.MustExist())
		if err == nil {
			st.Close()
			t.Errorf("Open(%s, MustExist) opened it", store.RedactDSN(dsn))
			continue
		}
		if !errors.Is(err, store.ErrNoStore) || !strings.Contains(err.Error(), "serve creates the store") {
			t.Errorf("Open(%s, MustExist) = %v, want ErrNoStore with a hint", store.RedactDSN(dsn), err)
		}
	}
	if _, err := os.Stat(notThere); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("MustExist created %s: %v", notThere, err)
	}
	// A real store of either engine opens, and its data is there.
	forEachEngine(t, func(t *testing.T, dsn string) {
		setup := open(t, dsn, nil)
		d := sampleDrift("exists", "v")
		if _, _, err := setup.RecordDrift(ctx, d, nil); err != nil {
			t.Fatal(err)
		}
		setup.Close()
		st, err := store.Open(ctx, dsn, store.MustExist())
		if err != nil {
			t.Fatalf("Open(existing, MustExist): %v", err)
		}
		defer st.Close()
		if _, err := st.Get(ctx, d.Fingerprint); err != nil {
			t.Errorf("Get: %v", err)
		}
		if err := st.Check(ctx); err != nil {
			t.Errorf("Check on a sound store: %v", err)
		}
	})
}

// A SQLite store with a damaged page is refused at Open with a
// *CorruptError (errors.Is ErrCorrupt), before anything writes to it.
func TestOpenCorruptSQLite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tfdrift.db")
	st := open(t, path, nil)
	for i := range 300 {
		d := sampleDrift(fmt.Sprintf("c%d", i), strings.Repeat("x", 200))
		if _, _, err := st.RecordDrift(ctx, d, noticesFor(d, "slack")); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Check(ctx); err != nil {
		t.Fatalf("Check before the damage: %v", err)
	}
	st.Close()

	// Find the drifts table's root page, then overwrite it with junk, as
	// a bad sector or a torn copy would.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	var root, pageSize int64
	if _, err := raw.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow("SELECT rootpage FROM sqlite_master WHERE name = 'drifts'").Scan(&root); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow("PRAGMA page_size").Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := bytes.Repeat([]byte{0x0d, 0xff, 0x00, 0x7f}, int(pageSize)/4)
	if _, err := f.WriteAt(junk, (root-1)*pageSize); err != nil {
		t.Fatal(err)
	}
	f.Close()
	before, _ := os.ReadFile(path)

	_, err = store.Open(ctx, path)
	var ce *store.CorruptError
	if !errors.As(err, &ce) || !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("Open(damaged) = %v, want a *CorruptError", err)
	}
	if ce.Path != path || len(ce.Problems) == 0 || !strings.Contains(err.Error(), ".recover") {
		t.Errorf("CorruptError %+v: %v", ce, err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("Open wrote to the damaged file")
	}
	if _, err := store.Open(ctx, path, store.MustExist()); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Open(damaged, MustExist) = %v, want ErrCorrupt", err)
	}
}

// A file that is not a database at all is damaged too, not "unsupported".
func TestOpenNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tfdrift.db")
	if err := os.WriteFile(path, bytes.Repeat([]byte("not a database "), 400), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(context.Background(), path); !errors.Is(err, store.ErrCorrupt) {
		t.Errorf("Open(junk) = %v, want ErrCorrupt", err)
	}
}
