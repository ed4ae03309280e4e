package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dialect is everything the two engines do differently. The SQL itself is
// shared (queries.go): it is written with ? placeholders and two markers,
// which newQueries rewrites once per Store.
type dialect struct {
	name string
	// dollar: Postgres numbers placeholders ($1, $2, …).
	dollar bool
	// lockRows replaces {{lock}} (row locks in a SELECT that precedes an
	// UPDATE) and skipLocked replaces {{skip_locked}}. SQLite has one
	// writer at a time, so both are empty there.
	lockRows   string
	skipLocked string
	// prepare: cache prepared statements on the writer (sqlStore.prepared).
	prepare bool
	// migrationsDir is the embedded directory of this engine's migrations.
	migrationsDir string
	// migrationsTable creates schema_migrations if it is missing.
	migrationsTable string
}

var sqliteDialect = dialect{
	name:          "sqlite",
	prepare:       true,
	migrationsDir: "migrations/sqlite",
	migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		checksum TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	)`,
}

var postgresDialect = dialect{
	name:          "postgres",
	dollar:        true,
	lockRows:      "FOR UPDATE",
	skipLocked:    "FOR UPDATE SKIP LOCKED",
	migrationsDir: "migrations/postgres",
	migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		checksum TEXT NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL
	)`,
}

// sql rewrites a shared query for this engine: the {{lock}} and
// {{skip_locked}} markers, then placeholders.
func (d dialect) sql(q string) string {
	q = strings.ReplaceAll(q, "{{lock}}", d.lockRows)
	q = strings.ReplaceAll(q, "{{skip_locked}}", d.skipLocked)
	if d.dollar {
		q = rebindDollar(q)
	}
	return q
}

// rebindDollar turns each ? outside a quoted string into $1, $2, ….
func rebindDollar(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte // the quote character we are inside, or 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// timeArg converts a time for a query argument. SQLite stores times as
// integer Unix microseconds (so comparisons are numeric, not string
// comparisons of varying formats); Postgres as timestamptz. Both keep
// microseconds. The zero time is NULL.
func (d dialect) timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Microsecond)
	if d.dollar {
		return t
	}
	return t.UnixMicro()
}

// dbTime scans either engine's time column into a UTC time.Time; NULL is
// the zero time.
type dbTime struct{ t *time.Time }

func (s dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*s.t = time.Time{}
	case int64:
		*s.t = time.UnixMicro(x).UTC()
	case time.Time:
		*s.t = x.UTC()
	default:
		return fmt.Errorf("time column: unexpected %T", v)
	}
	return nil
}
