package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// sqlStore implements Store for both engines over database/sql.
type sqlStore struct {
	d dialect
	q queries
	// w takes every write. r serves reads: on SQLite a read-only pool
	// beside the single writer connection, on Postgres the same pool as w.
	w, r *sql.DB
	now  func() time.Time
	// path is the SQLite file ("" on Postgres), for Check's errors;
	// checkDSN opens it read-only for Check.
	path, checkDSN string

	// stmts caches the writer's prepared statements (dialect.prepare),
	// filled by prepareAll.
	mu    sync.Mutex
	stmts map[string]*sql.Stmt

	// shadow is the detector's shadow kept in this store (shadow.go).
	shadow *sqlShadow
}

func newSQLStore(d dialect, w, r *sql.DB, o options) *sqlStore {
	s := &sqlStore{d: d, q: newQueries(d), w: w, r: r, now: o.now, stmts: map[string]*sql.Stmt{}}
	s.shadow = &sqlShadow{s: s}
	return s
}

func (s *sqlStore) Close() error {
	var err error
	s.mu.Lock()
	for _, st := range s.stmts {
		err = errors.Join(err, st.Close())
	}
	s.stmts = map[string]*sql.Stmt{}
	s.mu.Unlock()
	err = errors.Join(err, s.shadow.close())
	err = errors.Join(err, s.w.Close())
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

func (s *sqlStore) Check(ctx context.Context) error {
	if s.d.dollar {
		if err := s.r.PingContext(ctx); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	}
	// A connection of its own, opened for this check: the pool's
	// connections keep the pages they read cached, and WAL mode trusts
	// that cache while no writer commits, so a page damaged on disk would
	// go unseen by them until the next write.
	db, err := sql.Open("sqlite", s.checkDSN)
	if err != nil {
		return fmt.Errorf("store: check %s: %w", s.path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	return quickCheck(ctx, db, s.path)
}

// prepareAll fills the statement cache. modernc's driver parses the SQL
// on every call otherwise, which was about 40% of RecordDrift's CPU time
// (pgx caches prepared statements by itself). It runs at Open, before
// any transaction: preparing on the writer needs its only connection,
// which a running transaction holds.
func (s *sqlStore) prepareAll(ctx context.Context) error {
	if !s.d.prepare {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.q.all() {
		if _, ok := s.stmts[q]; ok {
			continue
		}
		st, err := s.w.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", firstLine(q), err)
		}
		s.stmts[q] = st
	}
	return nil
}

// prepared returns q's cached statement, or nil.
func (s *sqlStore) prepared(q string) *sql.Stmt {
	if !s.d.prepare {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stmts[q]
}

func firstLine(q string) string {
	line, _, _ := strings.Cut(q, "\n")
	return line
}

// exec runs a write statement in tx, or on its own when tx is nil.
func (s *sqlStore) exec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	st := s.prepared(q)
	if st == nil {
		if tx != nil {
			return tx.ExecContext(ctx, q, args...)
		}
		return s.w.ExecContext(ctx, q, args...)
	}
	if tx != nil {
		st = tx.StmtContext(ctx, st)
	}
	return st.ExecContext(ctx, args...)
}

// query runs a statement that returns rows (RETURNING) on the writer.
func (s *sqlStore) query(ctx context.Context, tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	st := s.prepared(q)
	if st == nil {
		if tx != nil {
			return tx.QueryContext(ctx, q, args...)
		}
		return s.w.QueryContext(ctx, q, args...)
	}
	if tx != nil {
		st = tx.StmtContext(ctx, st)
	}
	return st.QueryContext(ctx, args...)
}

// queryRow is query for one row.
func (s *sqlStore) queryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) rowScanner {
	st := s.prepared(q)
	if st == nil {
		if tx != nil {
			return tx.QueryRowContext(ctx, q, args...)
		}
		return s.w.QueryRowContext(ctx, q, args...)
	}
	if tx != nil {
		st = tx.StmtContext(ctx, st)
	}
	return st.QueryRowContext(ctx, args...)
}

// writeTx runs fn in a write transaction and commits it.
func (s *sqlStore) writeTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// t converts a time for a query argument.
func (s *sqlStore) t(t time.Time) any { return s.d.timeArg(t) }

// maxErrorLen bounds stored error messages: a sink may answer with a whole
// HTML page.
const maxErrorLen = 2048

// cleanText makes s storable in a text column on both engines: valid
// UTF-8, no NUL (Postgres rejects it), at most maxErrorLen bytes.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) <= maxErrorLen {
		return s
	}
	cut := maxErrorLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// limit applies the page-size default and cap shared by List and
// ListNotices.
func limit(n int) int {
	switch {
	case n <= 0:
		return 100
	case n > 1000:
		return 1000
	}
	return n
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func wrapNotFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return err
}
