package store

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/app/store/storetest"
)

// These tests see the store's insides (schema_migrations); the contract
// suite is in package store_test. One TestMain (main_test.go) serves both.

// internalEngines are storetest.Engines: Postgres only under -tags e2e.
var internalEngines = func() []struct {
	name string
	dsn  func(testing.TB) string
} {
	var out []struct {
		name string
		dsn  func(testing.TB) string
	}
	for _, e := range storetest.Engines() {
		out = append(out, struct {
			name string
			dsn  func(testing.TB) string
		}{e.Name, e.DSN})
	}
	return out
}()

func TestLoadMigrations(t *testing.T) {
	versions := map[string][]int{}
	for _, d := range []dialect{sqliteDialect, postgresDialect} {
		ms, err := loadMigrations(d.migrationsDir)
		if err != nil {
			t.Fatalf("%s: %v", d.name, err)
		}
		// Versions are handed out in blocks to changes made side by side
		// (0004–0009, 0010–0014), so a gap is a block whose change has not
		// landed yet: migrate applies every known version a database lacks,
		// in order, gaps filled later included. What must hold is order.
		for i, m := range ms {
			if i > 0 && m.version <= ms[i-1].version {
				t.Errorf("%s: migration %s has version %d, after %d", d.name, m.name, m.version, ms[i-1].version)
			}
			versions[d.name] = append(versions[d.name], m.version)
		}
	}
	// The engines share their SQL, so their schemas move in step.
	if diff := cmp.Diff(versions["sqlite"], versions["postgres"]); diff != "" {
		t.Errorf("migration versions differ between engines (-sqlite +postgres):\n%s", diff)
	}
}

func appliedVersions(t *testing.T, s Store) []int {
	t.Helper()
	rows, err := s.(*sqlStore).r.Query("SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

func wantVersions(t *testing.T) []int {
	ms, err := loadMigrations(sqliteDialect.migrationsDir)
	if err != nil {
		t.Fatal(err)
	}
	var vs []int
	for _, m := range ms {
		vs = append(vs, m.version)
	}
	return vs
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	for _, e := range internalEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Run("idempotent", func(t *testing.T) {
				dsn := e.dsn(t)
				for i := range 3 {
					s, err := Open(ctx, dsn)
					if err != nil {
						t.Fatalf("Open #%d: %v", i+1, err)
					}
					got := appliedVersions(t, s)
					s.Close()
					if diff := cmp.Diff(wantVersions(t), got); diff != "" {
						t.Fatalf("Open #%d: versions (-want +got):\n%s", i+1, diff)
					}
				}
			})

			t.Run("replicas starting at once", func(t *testing.T) {
				dsn := e.dsn(t)
				const replicas = 4
				var wg sync.WaitGroup
				stores := make([]Store, replicas)
				errs := make([]error, replicas)
				for i := range replicas {
					wg.Go(func() { stores[i], errs[i] = Open(ctx, dsn) })
				}
				wg.Wait()
				for i, err := range errs {
					if err != nil {
						t.Errorf("replica %d: Open: %v", i, err)
						continue
					}
					defer stores[i].Close()
				}
				if t.Failed() {
					return
				}
				if diff := cmp.Diff(wantVersions(t), appliedVersions(t, stores[0])); diff != "" {
					t.Errorf("versions (-want +got):\n%s", diff)
				}
			})

			refusals := []struct {
				name    string
				tamper  string
				wantErr string
			}{
				{"schema newer than the binary",
					"INSERT INTO schema_migrations (version, name, checksum, applied_at) SELECT 9999, 'future.sql', 'x', applied_at FROM schema_migrations WHERE version = 1",
					"newer than this tfdrift knows"},
				{"applied migration edited",
					"UPDATE schema_migrations SET checksum = 'deadbeefdeadbeef' WHERE version = 1",
					"changed after it was applied"},
			}
			for _, tc := range refusals {
				t.Run(tc.name, func(t *testing.T) {
					dsn := e.dsn(t)
					s, err := Open(ctx, dsn)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := s.(*sqlStore).w.Exec(tc.tamper); err != nil {
						t.Fatal(err)
					}
					s.Close()
					s, err = Open(ctx, dsn)
					if err == nil {
						s.Close()
						t.Fatal("Open succeeded")
					}
					if !strings.Contains(err.Error(), tc.wantErr) {
						t.Errorf("Open error = %v, want it to say %q", err, tc.wantErr)
					}
				})
			}
		})
	}
}
