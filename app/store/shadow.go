package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/tfdrift/tfdrift/detector"
)

// Shadows hands out the detector's shadow kept in the store.
type Shadows interface {
	// Shadow returns a detector.Shadow whose values live in the store's
	// shadow_values table: serve passes it to the engine so that a
	// restart, and every replica on the same database, build the next
	// write's drift on the same view of the cloud. It is safe for
	// concurrent use and valid until the store is closed.
	//
	// Each Get is one indexed SELECT (on SQLite's read pool, beside the
	// writer), each Put one write transaction, each Drop one DELETE. The
	// engine calls Get and Put only for writes to a resource state
	// manages, so reads, unmapped calls and unmanaged resources cost no
	// round trip.
	//
	// Get and Put are separate round trips: two replicas handling writes
	// to the same resource at the same instant may each build on the
	// value before the other's write, and the later Put wins. The engine
	// serialises them within one process.
	Shadow() detector.Shadow
}

// The shadow's statements (queries.go rewrites them per engine). A value
// is replaced whatever serial it had: Put records what the cloud holds now.
const (
	shadowGetSQL = `SELECT attribute, value FROM shadow_values
WHERE state_source = ? AND workspace = ? AND address = ? AND serial >= ?`
	shadowPutSQL = `INSERT INTO shadow_values (state_source, workspace, address, attribute, value, serial, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (state_source, workspace, address, attribute) DO UPDATE SET
	value = excluded.value,
	serial = excluded.serial,
	updated_at = excluded.updated_at`
	shadowForgetSQL = `DELETE FROM shadow_values
WHERE state_source = ? AND workspace = ? AND address = ? AND attribute = ?`
	shadowDropSQL = `DELETE FROM shadow_values WHERE state_source = ? AND workspace = ? AND serial < ?`
)

// sqlShadow implements detector.Shadow over the store's tables.
type sqlShadow struct {
	s *sqlStore
	// get is shadowGetSQL prepared on the read pool, once: modernc's
	// driver would parse it on every call otherwise (pgx caches
	// statements by itself, but preparing costs it nothing either).
	once   sync.Once
	get    *sql.Stmt
	getErr error
}

var _ detector.Shadow = (*sqlShadow)(nil)

func (s *sqlStore) Shadow() detector.Shadow { return s.shadow }

func (sh *sqlShadow) close() error {
	if sh.get != nil {
		return sh.get.Close()
	}
	return nil
}

func (sh *sqlShadow) prepareGet(ctx context.Context) (*sql.Stmt, error) {
	sh.once.Do(func() {
		sh.get, sh.getErr = sh.s.r.PrepareContext(ctx, sh.s.q.shadowGet)
	})
	if sh.getErr != nil {
		return nil, fmt.Errorf("prepare: %w", sh.getErr)
	}
	return sh.get, nil
}

// shadowKey is a ref's columns, storable on both engines (see storedKey).
func shadowKey(r detector.ShadowRef) (source, workspace, address string) {
	return storedKey(r.Source), storedKey(r.Workspace), storedKey(r.Address)
}

// Get implements detector.Shadow.
func (sh *sqlShadow) Get(ctx context.Context, r detector.ShadowRef, serial int64) (map[string]json.RawMessage, error) {
	st, err := sh.prepareGet(ctx)
	if err != nil {
		return nil, fmt.Errorf("shadow %s: get: %w", r.Address, err)
	}
	src, ws, addr := shadowKey(r)
	rows, err := st.QueryContext(ctx, src, ws, addr, serial)
	if err != nil {
		return nil, fmt.Errorf("shadow %s: get: %w", r.Address, err)
	}
	defer rows.Close()
	var out map[string]json.RawMessage
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, fmt.Errorf("shadow %s: get: %w", r.Address, err)
		}
		if out == nil {
			out = map[string]json.RawMessage{}
		}
		out[name] = json.RawMessage(value)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("shadow %s: get: %w", r.Address, err)
	}
	return out, nil
}

// Put implements detector.Shadow: the attributes in name order (so that
// two replicas writing one resource lock its rows in the same order), in
// one transaction when there are several.
func (sh *sqlShadow) Put(ctx context.Context, r detector.ShadowRef, serial int64, values map[string]json.RawMessage) error {
	if len(values) == 0 {
		return nil
	}
	names := make([]string, 0, len(values))
	for name, raw := range values {
		if len(raw) > 0 && !(utf8.Valid(raw) && json.Valid(raw)) {
			return fmt.Errorf("shadow %s: put %s: %w", r.Address, name, errNotJSON)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	src, ws, addr := shadowKey(r)
	now := sh.s.t(sh.s.now())
	put := func(tx *sql.Tx, name string) error {
		var err error
		if raw := values[name]; len(raw) == 0 {
			_, err = sh.s.exec(ctx, tx, sh.s.q.shadowForget, src, ws, addr, cleanKey(name))
		} else {
			_, err = sh.s.exec(ctx, tx, sh.s.q.shadowPut, src, ws, addr, cleanKey(name), string(raw), serial, now)
		}
		if err != nil {
			return fmt.Errorf("shadow %s: put %s: %w", r.Address, name, err)
		}
		return nil
	}
	if len(names) == 1 {
		return put(nil, names[0]) // one statement is its own transaction
	}
	return sh.s.writeTx(ctx, func(tx *sql.Tx) error {
		for _, name := range names {
			if err := put(tx, name); err != nil {
				return err
			}
		}
		return nil
	})
}

var errNotJSON = errors.New("value is not one JSON document in UTF-8")

// Drop implements detector.Shadow.
func (sh *sqlShadow) Drop(ctx context.Context, source, workspace string, before int64) error {
	if _, err := sh.s.exec(ctx, nil, sh.s.q.shadowDrop, storedKey(source), storedKey(workspace), before); err != nil {
		return fmt.Errorf("shadow of state %s (%s): drop values before serial %d: %w", source, workspace, before, err)
	}
	return nil
}
