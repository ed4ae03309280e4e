package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"
)

func (s *sqlStore) EnqueueNotices(ctx context.Context, fingerprint string, notices []NewNotice) (int, error) {
	if err := checkNotices(notices); err != nil {
		return 0, fmt.Errorf("enqueue notices for %q: %w", fingerprint, err)
	}
	if len(notices) == 0 {
		return 0, nil
	}
	added := 0
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		episode := 0
		if fingerprint != "" {
			if err := s.queryRow(ctx, tx, s.q.episodeOf, fingerprint).Scan(&episode); err != nil {
				return wrapNotFound(err, "drift "+fingerprint)
			}
		}
		var err error
		added, err = s.insertNotices(ctx, tx, fingerprint, episode, notices, s.now())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue notices for %q: %w", fingerprint, err)
	}
	return added, nil
}

// checkClaim rejects the arguments of a claim (of notices or storm
// windows) that no worker means.
func checkClaim(what, owner string, limit int, lease time.Duration) error {
	switch {
	case owner == "":
		return fmt.Errorf("claim %s: empty owner", what)
	case limit <= 0 || limit > 1000:
		return fmt.Errorf("claim %s: limit %d out of 1..1000", what, limit)
	case lease <= 0:
		return fmt.Errorf("claim %s: lease %v must be positive", what, lease)
	}
	return nil
}

func (s *sqlStore) ClaimNotices(ctx context.Context, owner string, limit int, lease time.Duration) ([]Notice, error) {
	if err := checkClaim("notices", owner, limit, lease); err != nil {
		return nil, err
	}
	now := s.now()
	rows, err := s.query(ctx, nil, s.q.claim,
		owner, s.t(now.Add(lease)), s.t(now), s.t(now), s.t(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim notices for %s: %w", owner, err)
	}
	ns, err := scanNotices(rows)
	if err != nil {
		return nil, fmt.Errorf("claim notices for %s: %w", owner, err)
	}
	// RETURNING has no order; deliver oldest first.
	sort.Slice(ns, func(i, j int) bool { return ns[i].ID < ns[j].ID })
	return ns, nil
}

func (s *sqlStore) MarkDelivered(ctx context.Context, id int64, owner string, receipts ...Receipt) error {
	if len(receipts) > 0 {
		return s.markDeliveredWith(ctx, id, owner, receipts)
	}
	// Without receipts one statement does it, as fast as before receipts.
	now := s.t(s.now())
	return s.settle(ctx, "mark delivered", id, owner, s.q.markDelivered, now, now, id, owner)
}

func (s *sqlStore) MarkFailed(ctx context.Context, id int64, owner, errMsg string, retryAt time.Time) error {
	now := s.now()
	if retryAt.IsZero() {
		retryAt = now
	}
	return s.settle(ctx, "mark failed", id, owner, s.q.markFailed, s.t(retryAt), cleanText(errMsg), s.t(now), id, owner)
}

func (s *sqlStore) MarkDead(ctx context.Context, id int64, owner, reason string) error {
	return s.settle(ctx, "mark dead", id, owner, s.q.markDead, cleanText(reason), s.t(s.now()), id, owner)
}

// settle runs one of the mark statements and explains a miss.
func (s *sqlStore) settle(ctx context.Context, op string, id int64, owner, q string, args ...any) error {
	res, err := s.exec(ctx, nil, q, args...)
	if err != nil {
		return fmt.Errorf("%s notice %d: %w", op, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s notice %d: %w", op, id, err)
	}
	if n == 1 {
		return nil
	}
	return s.explainLost(ctx, op, id, owner)
}

// explainLost says why a settle of notice id by owner touched nothing:
// ErrNotFound, or ErrLeaseLost with what the notice is now.
func (s *sqlStore) explainLost(ctx context.Context, op string, id int64, owner string) error {
	var status NoticeStatus
	var holder string
	if err := s.queryRow(ctx, nil, s.q.noticeState, id).Scan(&status, &holder); err != nil {
		return fmt.Errorf("%s notice %d: %w", op, id, wrapNotFound(err, "notice"))
	}
	return fmt.Errorf("%s notice %d by %s: it is %s (last held by %s): %w", op, id, owner, status, holder, ErrLeaseLost)
}

func (s *sqlStore) ListNotices(ctx context.Context, f NoticeFilter) ([]Notice, error) {
	var where []string
	var args []any
	if len(f.Status) > 0 {
		for _, st := range f.Status {
			if !st.Valid() {
				return nil, fmt.Errorf("list notices: unknown status %q", st)
			}
			args = append(args, string(st))
		}
		where = append(where, "status IN ("+placeholders(len(f.Status))+")")
	}
	if f.Sink != "" {
		where = append(where, "sink = ?")
		args = append(args, f.Sink)
	}
	if f.Fingerprint != "" {
		where = append(where, "fingerprint = ?")
		args = append(args, f.Fingerprint)
	}
	q := "SELECT " + noticeCols + " FROM notices"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit(f.Limit))
	rows, err := s.r.QueryContext(ctx, s.d.sql(q), args...)
	if err != nil {
		return nil, fmt.Errorf("list notices: %w", err)
	}
	ns, err := scanNotices(rows)
	if err != nil {
		return nil, fmt.Errorf("list notices: %w", err)
	}
	return ns, nil
}

func (s *sqlStore) RetryNotice(ctx context.Context, id int64) (Notice, error) {
	now := s.t(s.now())
	rows, err := s.query(ctx, nil, s.q.retryNotice, now, now, id)
	if err != nil {
		return Notice{}, fmt.Errorf("retry notice %d: %w", id, err)
	}
	ns, err := scanNotices(rows)
	if err != nil {
		return Notice{}, fmt.Errorf("retry notice %d: %w", id, err)
	}
	if len(ns) == 1 {
		return ns[0], nil
	}
	var status NoticeStatus
	var holder string
	if err := s.queryRow(ctx, nil, s.q.noticeState, id).Scan(&status, &holder); err != nil {
		return Notice{}, fmt.Errorf("retry notice %d: %w", id, wrapNotFound(err, "notice"))
	}
	return Notice{}, fmt.Errorf("retry notice %d: it is %s: %w", id, status, ErrNotRetryable)
}

func (s *sqlStore) RetryDead(ctx context.Context, sink string) (int, error) {
	now := s.t(s.now())
	var res sql.Result
	var err error
	if sink == "" {
		res, err = s.exec(ctx, nil, s.q.retryDead, now, now)
	} else {
		res, err = s.exec(ctx, nil, s.q.retryDeadSink, now, now, sink)
	}
	if err != nil {
		return 0, fmt.Errorf("retry dead notices of %q: %w", sink, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("retry dead notices of %q: %w", sink, err)
	}
	return int(n), nil
}

func (s *sqlStore) CountNotices(ctx context.Context) ([]NoticeCount, error) {
	rows, err := s.r.QueryContext(ctx, s.q.countNotices)
	if err != nil {
		return nil, fmt.Errorf("count notices: %w", err)
	}
	defer rows.Close()
	var out []NoticeCount
	for rows.Next() {
		var c NoticeCount
		if err := rows.Scan(&c.Sink, &c.Status, &c.Count); err != nil {
			return nil, fmt.Errorf("count notices: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count notices: %w", err)
	}
	return out, nil
}

func (s *sqlStore) PruneNotices(ctx context.Context, olderThan time.Time) (int64, error) {
	before := s.t(olderThan)
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, s.q.pruneNotices, before)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		// Flushed storm windows are history too, and arrivals that old
		// count towards no window any more.
		for _, q := range []string{s.q.pruneStormMembers, s.q.pruneStormWindows, s.q.pruneStormArrivals} {
			if _, err := s.exec(ctx, tx, q, before); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune notices: %w", err)
	}
	return n, nil
}

// scanNotices reads noticeCols rows and closes them.
func scanNotices(rows *sql.Rows) ([]Notice, error) {
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		var n Notice
		err := rows.Scan(&n.ID, &n.Fingerprint, &n.Episode, &n.Sink, &n.Key, &n.Payload, &n.Status,
			&n.Attempts, dbTime{&n.NextAttemptAt}, &n.LastError, &n.LeaseOwner, dbTime{&n.LeaseUntil},
			dbTime{&n.CreatedAt}, dbTime{&n.UpdatedAt}, dbTime{&n.DeliveredAt})
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
