package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// migrateLockKey is the Postgres advisory lock that serialises migrations
// between replicas starting at once ("tfdrift" in ASCII).
const migrateLockKey int64 = 0x74666472696674

// migration is one versioned schema change: migrations/<engine>/NNNN_name.sql.
type migration struct {
	version  int
	name     string
	sql      string
	checksum string
}

// loadMigrations reads an engine's migrations, ordered by version.
func loadMigrations(dir string) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations %s: %w", dir, err)
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s/%s: name must be NNNN_description.sql", dir, name)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s: version %d used by both %s and %s", dir, v, prev, name)
		}
		seen[v] = name
		body, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("migration %s/%s: %w", dir, name, err)
		}
		sum := sha256.Sum256(body)
		ms = append(ms, migration{version: v, name: name, sql: string(body), checksum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate brings the schema up to date. Each migration runs in its own
// transaction together with its schema_migrations row, so a crash leaves
// the schema at a version boundary. Concurrent starts are safe: on
// Postgres every step takes a transaction-scoped advisory lock (released
// at commit, or when a dead replica's session ends); on SQLite the
// transactions are BEGIN IMMEDIATE, which serialises writers across
// processes. Either way a step re-checks whether another process already
// applied its version.
func migrate(ctx context.Context, db *sql.DB, d dialect, now time.Time) error {
	ms, err := loadMigrations(d.migrationsDir)
	if err != nil {
		return err
	}
	known := map[int]migration{}
	latest := 0
	for _, m := range ms {
		known[m.version] = m
		latest = max(latest, m.version)
	}

	applied := map[int]string{}
	err = migrationTx(ctx, db, d, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, d.migrationsTable); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		rows, err := tx.QueryContext(ctx, "SELECT version, checksum FROM schema_migrations")
		if err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var v int
			var sum string
			if err := rows.Scan(&v, &sum); err != nil {
				return fmt.Errorf("read schema_migrations: %w", err)
			}
			applied[v] = sum
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	for v, sum := range applied {
		m, ok := known[v]
		if !ok {
			if v > latest {
				return fmt.Errorf("database schema is at version %d, newer than this tfdrift knows (%d): upgrade tfdrift", v, latest)
			}
			return fmt.Errorf("database has migration %d, which this tfdrift does not know", v)
		}
		if sum != m.checksum {
			return fmt.Errorf("migration %s changed after it was applied (checksum %s, database has %s)", m.name, m.checksum[:12], sum[:min(12, len(sum))])
		}
	}

	for _, m := range ms {
		if _, ok := applied[m.version]; ok {
			continue
		}
		err := migrationTx(ctx, db, d, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, d.sql("SELECT COUNT(*) FROM schema_migrations WHERE version = ?"), m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil // another replica applied it while we waited
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx,
				d.sql("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)"),
				m.version, m.name, m.checksum, d.timeArg(now))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s/%s: %w", d.migrationsDir, m.name, err)
		}
	}
	return nil
}

// migrationTx runs fn in a transaction that, on Postgres, holds the
// migration advisory lock.
func migrationTx(ctx context.Context, db *sql.DB, d dialect, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if d.dollar {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockKey); err != nil {
			return fmt.Errorf("take migration lock: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
