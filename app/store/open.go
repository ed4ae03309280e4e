package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	// Postgres through database/sql (pgx's stdlib adapter) rather than
	// pgxpool: both engines then share one implementation over *sql.DB.
	_ "github.com/jackc/pgx/v5/stdlib"
	// SQLite in pure Go: no cgo, so the binary stays static.
	_ "modernc.org/sqlite"
)

// Option tunes Open.
type Option func(*options)

type options struct {
	now         func() time.Time
	maxConns    int
	busyTimeout time.Duration
	synchronous string
	readerConns int
	mustExist   bool
}

// WithClock replaces time.Now for every time the store writes (seen
// times, leases, retry times). Replicas compare leases with their own
// clocks, so keep them NTP-synced; a skew well below the lease length is
// harmless.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithMaxConns caps the Postgres connection pool (default 8). SQLite
// always has one writer connection.
func WithMaxConns(n int) Option { return func(o *options) { o.maxConns = n } }

// DefaultDSN is where serve keeps its store unless --database says
// otherwise (a SQLite file in the working directory), and so where drifts
// and notices look by default: run from serve's directory, they need no
// --database.
const DefaultDSN = "sqlite://tfdrift.db"

// MustExist makes Open refuse a store that is not there, with an error
// wrapping ErrNoStore, instead of creating an empty one: a SQLite file
// that does not exist (or holds no tfdrift schema), a Postgres database
// without tfdrift's tables. Commands that administer an existing store
// (tfdrift drifts, tfdrift notices) use it, so a mistyped --database is
// an error rather than an empty table. An existing store is still
// migrated.
func MustExist() Option { return func(o *options) { o.mustExist = true } }

func defaultOptions() options {
	return options{
		now:         time.Now,
		maxConns:    8,
		busyTimeout: 10 * time.Second,
		synchronous: "FULL",
		readerConns: 4,
	}
}

// Open connects to the store named by dsn and applies pending migrations.
//
//   - "postgres://…" or "postgresql://…": Postgres, for several replicas
//     (any libpq URL pgx accepts, e.g. ?sslmode=verify-full).
//   - "sqlite:///abs/path.db", "sqlite://rel/path.db", "sqlite:path.db" or a
//     plain path: SQLite on that file, created if missing (its directory
//     must exist). SQLite takes two query options:
//     busy_timeout=DURATION (default 10s: how long to wait for another
//     process holding the write lock) and synchronous=full|normal (default
//     full: each commit is fsynced, so a recorded drift survives power
//     loss; normal survives process crashes only, and is faster).
func Open(ctx context.Context, dsn string, opts ...Option) (Store, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	switch {
	case dsn == "":
		return nil, errors.New("store: empty database DSN (want a file path, sqlite:///path or postgres://…)")
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn, o)
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, dsn, o)
	case strings.Contains(dsn, "://"):
		return nil, fmt.Errorf("store: unsupported database %q (want a file path, sqlite:///path or postgres://…)", RedactDSN(dsn))
	default:
		return openSQLite(ctx, dsn, o)
	}
}

func openPostgres(ctx context.Context, dsn string, o options) (Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", RedactDSN(dsn), err)
	}
	if o.maxConns > 0 {
		db.SetMaxOpenConns(o.maxConns)
		db.SetMaxIdleConns(o.maxConns)
	}
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect %s: %w", RedactDSN(dsn), err)
	}
	if o.mustExist {
		if err := hasSchema(ctx, db, postgresDialect, RedactDSN(dsn)); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := migrate(ctx, db, postgresDialect, o.now()); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", RedactDSN(dsn), err)
	}
	return newSQLStore(postgresDialect, db, db, o), nil
}

// parseSQLiteDSN splits a SQLite DSN into the file path and its options.
func parseSQLiteDSN(dsn string, o *options) (string, error) {
	p := dsn
	if rest, ok := strings.CutPrefix(p, "sqlite:"); ok {
		// sqlite:///abs → /abs, sqlite://rel → rel, sqlite:rel → rel.
		if after, ok := strings.CutPrefix(rest, "//"); ok {
			rest = after
		}
		p = rest
	}
	p, query, _ := strings.Cut(p, "?")
	if p == "" {
		return "", fmt.Errorf("store: %q names no database file", dsn)
	}
	if p == ":memory:" || strings.HasPrefix(p, "file:") {
		return "", fmt.Errorf("store: %q: want a plain file path (the store needs a file: WAL mode, and the daemon and CLI share it)", dsn)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", fmt.Errorf("store: %q: %w", dsn, err)
	}
	for k, vs := range q {
		v := vs[len(vs)-1]
		switch k {
		case "busy_timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return "", fmt.Errorf("store: %q: busy_timeout %q is not a duration like 10s", dsn, v)
			}
			o.busyTimeout = d
		case "synchronous":
			switch strings.ToLower(v) {
			case "full", "normal":
				o.synchronous = strings.ToUpper(v)
			default:
				return "", fmt.Errorf("store: %q: synchronous %q (want full or normal)", dsn, v)
			}
		default:
			return "", fmt.Errorf("store: %q: unknown option %q (SQLite takes busy_timeout and synchronous)", dsn, k)
		}
	}
	return p, nil
}

// openSQLite opens one writer connection, so that the process's writes
// queue in database/sql instead of failing with SQLITE_BUSY, and a small
// pool of read-only connections, which WAL lets run beside the writer.
// Every write transaction is BEGIN IMMEDIATE: it takes the file's write
// lock up front, so a read-then-write transaction never fails half way
// when another process (the CLI, a second serve) writes too.
func openSQLite(ctx context.Context, dsn string, o options) (Store, error) {
	path, err := parseSQLiteDSN(dsn, &o)
	if err != nil {
		return nil, err
	}
	// The store holds who changed what, from where: create it private.
	// SQLite gives its -wal and -shm files the database file's mode.
	flags := os.O_RDWR | os.O_CREATE
	if o.mustExist {
		flags = os.O_RDWR
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if errors.Is(err, fs.ErrNotExist) && o.mustExist {
		return nil, fmt.Errorf("store: %s: %w (the file does not exist; serve creates the store)", path, ErrNoStore)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	f.Close()
	common := "?_busy_timeout=" + strconv.FormatInt(o.busyTimeout.Milliseconds(), 10) +
		"&_journal_mode=WAL&_synchronous=" + o.synchronous
	w, err := sql.Open("sqlite", path+common+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// Two processes opening a new file at once race to switch it to WAL,
	// and SQLite answers that race with SQLITE_BUSY without calling the
	// busy handler. It settles within milliseconds: retry, bounded.
	for attempt := 0; ; attempt++ {
		err := w.PingContext(ctx)
		if err == nil {
			// Before anything writes: a damaged file must not be written
			// on (issue: serve reported ready and kept writing while every
			// read failed with "malformed").
			err = quickCheck(ctx, w, path)
		}
		if err == nil && o.mustExist {
			err = hasSchema(ctx, w, sqliteDialect, path)
		}
		if err == nil {
			err = migrate(ctx, w, sqliteDialect, o.now())
		}
		if err == nil {
			break
		}
		if attempt >= 50 || !strings.Contains(err.Error(), "SQLITE_BUSY") || ctx.Err() != nil {
			w.Close()
			if errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNoStore) {
				return nil, err
			}
			if corrupt(err) {
				return nil, &CorruptError{Path: path, Problems: []string{err.Error()}}
			}
			return nil, fmt.Errorf("store: open %s: %w", path, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r, err := sql.Open("sqlite", path+common+"&_query_only=1")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(o.readerConns)
	r.SetMaxIdleConns(o.readerConns)
	s := newSQLStore(sqliteDialect, w, r, o)
	s.path, s.checkDSN = path, path+common+"&_query_only=1"
	if err := s.prepareAll(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	return s, nil
}

// maxProblems bounds the findings a CorruptError carries.
const maxProblems = 10

// quickCheck runs PRAGMA quick_check on db: O(pages), much cheaper than
// integrity_check, and it finds damaged pages and broken b-trees.
func quickCheck(ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, path string) error {
	rows, err := db.QueryContext(ctx, "PRAGMA quick_check("+strconv.Itoa(maxProblems)+")")
	if err != nil {
		if corrupt(err) {
			return &CorruptError{Path: path, Problems: []string{err.Error()}}
		}
		return fmt.Errorf("quick_check: %w", err)
	}
	defer rows.Close()
	var problems []string
	damaged := false
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("quick_check: %w", err)
		}
		if line == "ok" {
			continue
		}
		damaged = true
		// A finding may span lines, under a "*** in database main ***"
		// heading that says nothing.
		for _, l := range strings.Split(line, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "*** in database") && len(problems) < maxProblems {
				problems = append(problems, l)
			}
		}
	}
	if err := rows.Err(); err != nil {
		if corrupt(err) {
			return &CorruptError{Path: path, Problems: append(problems, err.Error())}
		}
		return fmt.Errorf("quick_check: %w", err)
	}
	if damaged {
		return &CorruptError{Path: path, Problems: problems}
	}
	return nil
}

// corrupt reports whether err is SQLite's SQLITE_CORRUPT or SQLITE_NOTADB
// (a damaged file, or one that is not a database at all).
func corrupt(err error) bool {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff {
		case 11, 26: // SQLITE_CORRUPT, SQLITE_NOTADB
			return true
		}
	}
	return false
}

// hasSchema fails with ErrNoStore unless db holds tfdrift's schema.
func hasSchema(ctx context.Context, db *sql.DB, d dialect, name string) error {
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if d.dollar {
		q = `SELECT COUNT(*) FROM pg_tables WHERE tablename = 'schema_migrations' AND schemaname = current_schema()`
	}
	var n int
	if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return fmt.Errorf("store: %s: %w", name, err)
	}
	if n == 0 {
		return fmt.Errorf("store: %s: %w (it holds no tfdrift schema; serve creates the store)", name, ErrNoStore)
	}
	return nil
}

// RedactDSN hides the password of a database URL, for logs and errors.
// SQLite DSNs carry no secret and come back unchanged.
func RedactDSN(dsn string) string {
	scheme, _, ok := strings.Cut(dsn, "://")
	if !ok || scheme == "sqlite" {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		// Never echo a DSN we cannot parse: its password may be in it.
		return scheme + "://(unparsable DSN)"
	}
	return u.Redacted()
}
