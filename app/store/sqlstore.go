package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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
}

func newSQLStore(d dialect, w, r *sql.DB, o options) *sqlStore {
	return &sqlStore{d: d, q: newQueries(d), w: w, r: r, now: o.now}
}

func (s *sqlStore) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
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
