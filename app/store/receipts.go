package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

func (s *sqlStore) PutReceipt(ctx context.Context, r Receipt) error {
	if err := checkReceipt(r); err != nil {
		return err
	}
	if _, err := s.exec(ctx, nil, s.q.upsertReceipt, s.receiptArgs(r)...); err != nil {
		return fmt.Errorf("put receipt %s/%s: %w", r.Fingerprint, r.Sink, err)
	}
	return nil
}

func checkReceipt(r Receipt) error {
	if r.Fingerprint == "" || r.Sink == "" {
		return fmt.Errorf("put receipt: fingerprint %q and sink %q are both required", r.Fingerprint, r.Sink)
	}
	return nil
}

// receiptArgs are upsertReceiptSQL's arguments, the times from the
// store's clock.
func (s *sqlStore) receiptArgs(r Receipt) []any {
	now := s.t(s.now())
	var notice any
	if r.NoticeID != 0 {
		notice = r.NoticeID
	}
	return []any{cleanText(r.Fingerprint), cleanText(r.Sink), cleanText(r.Target), storedKey(r.ResourceKey),
		cleanText(r.System), cleanText(r.ExternalID), cleanText(r.URL), notice, now, now}
}

// storedKey makes a resource key storable: ticket.ResourceKey separates
// its parts with NUL, which Postgres text cannot hold, so NUL is stored
// as U+001F (the unit separator, which no part holds) and turned back on
// reading. Look-ups convert the same way, so they match.
func storedKey(k string) string { return strings.ReplaceAll(cleanKey(k), "\x00", "\x1f") }

// cleanKey is cleanText without the length cap, which would make two
// long keys equal.
func cleanKey(k string) string { return strings.ToValidUTF8(k, "\uFFFD") }

func loadedKey(k string) string { return strings.ReplaceAll(k, "\x1f", "\x00") }

func (s *sqlStore) ReceiptsFor(ctx context.Context, fingerprint string) ([]Receipt, error) {
	rows, err := s.r.QueryContext(ctx, s.q.receiptsFor, fingerprint)
	if err != nil {
		return nil, fmt.Errorf("receipts of %s: %w", fingerprint, err)
	}
	out, err := scanReceipts(rows)
	if err != nil {
		return nil, fmt.Errorf("receipts of %s: %w", fingerprint, err)
	}
	return out, nil
}

// maxReceiptKeys bounds one ReceiptsForResource: both engines take far
// more placeholders, but a look-up for more resources than a notice
// shows is a mistake.
const maxReceiptKeys = 500

func (s *sqlStore) ReceiptsForResource(ctx context.Context, resourceKeys ...string) ([]Receipt, error) {
	var args []any
	seen := map[string]bool{}
	for _, k := range resourceKeys {
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		args = append(args, storedKey(k))
	}
	if len(args) == 0 {
		return nil, nil
	}
	if len(args) > maxReceiptKeys {
		return nil, fmt.Errorf("receipts of %d resources: at most %d at once", len(args), maxReceiptKeys)
	}
	q := s.d.sql(`SELECT ` + receiptCols + ` FROM receipts WHERE resource_key IN (` + placeholders(len(args)) +
		`) ORDER BY updated_at DESC, id DESC LIMIT 1000`)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("receipts of %d resources: %w", len(args), err)
	}
	out, err := scanReceipts(rows)
	if err != nil {
		return nil, fmt.Errorf("receipts of %d resources: %w", len(args), err)
	}
	return out, nil
}

func (s *sqlStore) ReceiptsByExternalID(ctx context.Context, system, externalID string) ([]Receipt, error) {
	if externalID == "" {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, s.q.receiptsByExternal, cleanText(system), cleanText(externalID))
	if err != nil {
		return nil, fmt.Errorf("receipts of %s %s: %w", system, externalID, err)
	}
	out, err := scanReceipts(rows)
	if err != nil {
		return nil, fmt.Errorf("receipts of %s %s: %w", system, externalID, err)
	}
	return out, nil
}

// scanReceipts reads receiptCols rows and closes them.
func scanReceipts(rows *sql.Rows) ([]Receipt, error) {
	defer rows.Close()
	var out []Receipt
	for rows.Next() {
		var r Receipt
		if err := rows.Scan(&r.Fingerprint, &r.Sink, &r.Target, &r.ResourceKey, &r.System, &r.ExternalID, &r.URL,
			&r.NoticeID, dbTime{&r.CreatedAt}, dbTime{&r.UpdatedAt}); err != nil {
			return nil, err
		}
		r.ResourceKey = loadedKey(r.ResourceKey)
		out = append(out, r)
	}
	return out, rows.Err()
}

// markDeliveredWith is MarkDelivered with receipts: the settle and the
// receipts in one transaction.
func (s *sqlStore) markDeliveredWith(ctx context.Context, id int64, owner string, receipts []Receipt) error {
	for _, r := range receipts {
		if err := checkReceipt(r); err != nil {
			return fmt.Errorf("mark delivered notice %d: %w", id, err)
		}
	}
	now := s.t(s.now())
	lost, err := s.settleTx(ctx, s.q.markDelivered, []any{now, now, id, owner}, func(tx *sql.Tx) error {
		for _, r := range receipts {
			r.NoticeID = id
			if _, err := s.exec(ctx, tx, s.q.upsertReceipt, s.receiptArgs(r)...); err != nil {
				return fmt.Errorf("receipt %s/%s: %w", r.Fingerprint, r.Sink, err)
			}
		}
		return nil
	})
	if lost {
		return s.explainLost(ctx, "mark delivered", id, owner)
	}
	if err != nil {
		return fmt.Errorf("mark delivered notice %d: %w", id, err)
	}
	return nil
}

// settleTx runs settle, an UPDATE that touches the one row the caller
// holds under its lease, and then, in the same transaction, then. lost
// reports that settle touched nothing (the lease is gone): the
// transaction is rolled back and then never runs.
func (s *sqlStore) settleTx(ctx context.Context, settle string, args []any, then func(*sql.Tx) error) (lost bool, err error) {
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, settle, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			lost = true
			return errLost
		}
		return then(tx)
	})
	return lost, err
}

// errLost rolls back a transaction whose lease check failed.
var errLost = errors.New("lease lost")
