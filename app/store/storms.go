package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"
)

// heldNotice is a notice under storm control of a record that this
// transaction opened, decided after every drift of the batch is upserted
// (decideStorms).
type heldNotice struct {
	index       int // into the batch, for DriftResult.Held
	fingerprint string
	episode     int
	n           NewNotice
}

// decideStorms applies storm control to the notices of the records a
// RecordDrifts call opened, inside its transaction. They are decided in
// storm-key order after all drift upserts, so every transaction takes its
// locks in the same global order (drift rows by fingerprint, then storm
// keys) and two replicas cannot deadlock.
func (s *sqlStore) decideStorms(ctx context.Context, tx *sql.Tx, hs []heldNotice, now time.Time, out []DriftResult) error {
	sort.SliceStable(hs, func(i, j int) bool { return hs[i].n.Storm.Key < hs[j].n.Storm.Key })
	for _, h := range hs {
		held, err := s.decideStorm(ctx, tx, h, now)
		if err != nil {
			return fmt.Errorf("record drift %s: storm control: %w", h.fingerprint, err)
		}
		if held {
			out[h.index].Held++
		}
	}
	return nil
}

// decideStorm counts h towards its storm key and either holds it in the
// key's open window (opening one at the threshold) or enqueues it now.
func (s *sqlStore) decideStorm(ctx context.Context, tx *sql.Tx, h heldNotice, now time.Time) (bool, error) {
	rule := h.n.Storm
	nowArg := s.t(now)
	since := s.t(now.Add(-rule.Window))
	if _, err := s.exec(ctx, tx, s.q.stormLock, rule.Key, nowArg); err != nil {
		return false, err
	}
	if _, err := s.exec(ctx, tx, s.q.stormPrune, rule.Key, since); err != nil {
		return false, err
	}
	if _, err := s.exec(ctx, tx, s.q.stormArrive, rule.Key, nowArg, h.fingerprint); err != nil {
		return false, err
	}
	var window int64
	err := s.queryRow(ctx, tx, s.q.stormOpenWindow, rule.Key, nowArg).Scan(&window)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		window = 0
	case err != nil:
		return false, err
	default:
		res, err := s.exec(ctx, tx, s.q.stormJoin, nowArg, window, nowArg)
		if err != nil {
			return false, err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			window = 0 // claimed meanwhile: the storm goes on in a new window
		}
	}
	if window == 0 {
		var count int
		if err := s.queryRow(ctx, tx, s.q.stormCount, rule.Key, since).Scan(&count); err != nil {
			return false, err
		}
		if count < rule.Threshold {
			_, err := s.insertNotices(ctx, tx, h.fingerprint, h.episode, []NewNotice{h.n}, now)
			return false, err
		}
		if err := s.queryRow(ctx, tx, s.q.stormOpen, rule.Key, h.n.Sink, nowArg, s.t(now.Add(rule.Window)), nowArg).Scan(&window); err != nil {
			return false, err
		}
	}
	payload := h.n.Payload
	if payload == nil {
		payload = []byte{}
	}
	_, err = s.exec(ctx, tx, s.q.stormAddMember, window, h.fingerprint, h.episode, nowArg, h.n.Sink, h.n.Key, payload)
	return true, err
}

func checkStormRule(r *StormRule) error {
	if r == nil {
		return nil
	}
	if r.Key == "" || r.Threshold < 2 || r.Window <= 0 {
		return fmt.Errorf("storm rule %+v: want a key, a threshold of at least 2 and a positive window", *r)
	}
	return nil
}

func (s *sqlStore) ClaimStorms(ctx context.Context, owner string, limit int, lease time.Duration) ([]StormWindow, error) {
	if err := checkClaim("storm windows", owner, limit, lease); err != nil {
		return nil, err
	}
	now := s.now()
	rows, err := s.query(ctx, nil, s.q.stormClaim, owner, s.t(now.Add(lease)), s.t(now), s.t(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim storm windows for %s: %w", owner, err)
	}
	var ws []StormWindow
	func() {
		defer rows.Close()
		for rows.Next() {
			var w StormWindow
			if err = rows.Scan(&w.ID, &w.Key, &w.Sink, dbTime{&w.OpenedAt}, dbTime{&w.DueAt}, &w.Attempts); err != nil {
				return
			}
			ws = append(ws, w)
		}
		err = rows.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("claim storm windows for %s: %w", owner, err)
	}
	if len(ws) == 0 {
		return nil, nil
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].ID < ws[j].ID })
	if err := s.loadMembers(ctx, ws); err != nil {
		return nil, fmt.Errorf("claim storm windows for %s: members: %w", owner, err)
	}
	return ws, nil
}

// loadMembers fills the members of claimed windows. The claim is
// committed, so no drift can join them any more (joining needs an open
// window): the list is final.
func (s *sqlStore) loadMembers(ctx context.Context, ws []StormWindow) error {
	byID := map[int64]*StormWindow{}
	args := make([]any, len(ws))
	for i := range ws {
		byID[ws[i].ID] = &ws[i]
		args[i] = ws[i].ID
	}
	q := s.d.sql(`SELECT m.window_id, m.fingerprint, m.episode, m.at, m.sink, m.idempotency_key, m.payload,
	COALESCE(d.status, ''), COALESCE(d.reopened_count, -1)
FROM storm_members m LEFT JOIN drifts d ON d.fingerprint = m.fingerprint
WHERE m.window_id IN (` + placeholders(len(args)) + `)
ORDER BY m.window_id, m.at, m.id`)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var m StormMember
		var status Status
		var episode int
		if err := rows.Scan(&id, &m.Fingerprint, &m.Episode, dbTime{&m.At}, &m.Notice.Sink, &m.Notice.Key, &m.Notice.Payload,
			&status, &episode); err != nil {
			return err
		}
		m.Live = episode == m.Episode && (status == StatusOpen || status == StatusAcknowledged)
		w := byID[id]
		w.Members = append(w.Members, m)
	}
	return rows.Err()
}

func (s *sqlStore) FlushStorm(ctx context.Context, id int64, owner string, out []Release) error {
	for i, r := range out {
		if err := checkNotices([]NewNotice{r.Notice}); err != nil {
			return fmt.Errorf("flush storm window %d: release %d: %w", id, i, err)
		}
	}
	clock := s.now()
	lost, err := s.settleTx(ctx, s.q.stormFlush, []any{s.t(clock), len(out), id, owner}, func(tx *sql.Tx) error {
		for _, r := range out {
			r.Notice.Storm = nil
			if _, err := s.insertNotices(ctx, tx, r.Fingerprint, r.Episode, []NewNotice{r.Notice}, clock); err != nil {
				return err
			}
		}
		// The released notices carry the drifts now; keep only who was
		// in the window.
		_, err := s.exec(ctx, tx, s.q.stormEmptyMembers, []byte{}, id)
		return err
	})
	if lost {
		var status, holder string
		if err := s.queryRow(ctx, nil, s.q.stormState, id).Scan(&status, &holder); err != nil {
			return fmt.Errorf("flush storm window %d: %w", id, wrapNotFound(err, "storm window"))
		}
		return fmt.Errorf("flush storm window %d by %s: it is %s (last held by %s): %w", id, owner, status, holder, ErrLeaseLost)
	}
	if err != nil {
		return fmt.Errorf("flush storm window %d: %w", id, err)
	}
	return nil
}
