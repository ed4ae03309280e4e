package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
)

func (s *sqlStore) RecordDrift(ctx context.Context, d *drift.Drift, notices []NewNotice) (Record, bool, error) {
	res, err := s.RecordDrifts(ctx, []DriftWrite{{Drift: d, Notices: notices}})
	if err != nil {
		return Record{}, false, err
	}
	return res[0].Record, res[0].Opened, nil
}

func (s *sqlStore) RecordDrifts(ctx context.Context, batch []DriftWrite) ([]DriftResult, error) {
	if len(batch) == 0 {
		return []DriftResult{}, nil
	}
	rows := make([]driftRow, len(batch))
	for i, w := range batch {
		r, err := newDriftRow(w)
		if err != nil {
			return nil, err
		}
		rows[i] = r
	}
	// Upsert in fingerprint order: two replicas writing overlapping
	// batches then lock rows in the same order and cannot deadlock.
	order := make([]int, len(batch))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rows[order[a]].fingerprint < rows[order[b]].fingerprint })

	now := s.now()
	out := make([]DriftResult, len(batch))
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var held []heldNotice
		for _, i := range order {
			res, h, err := s.recordOne(ctx, tx, rows[i], batch[i].Notices, now)
			if err != nil {
				return fmt.Errorf("record drift %s: %w", rows[i].fingerprint, err)
			}
			out[i] = res
			for _, n := range h {
				held = append(held, heldNotice{index: i, fingerprint: rows[i].fingerprint, episode: res.Record.ReopenedCount, n: n})
			}
		}
		if len(held) > 0 {
			return s.decideStorms(ctx, tx, held, now, out)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// driftRow is a drift ready for upsertDriftSQL.
type driftRow struct {
	fingerprint string
	args        []any // all but the times
	sev         drift.Severity
	record      string
	raw         []byte
}

func newDriftRow(w DriftWrite) (driftRow, error) {
	d := w.Drift
	if d == nil {
		return driftRow{}, errors.New("record drift: nil drift")
	}
	if d.Fingerprint == "" {
		return driftRow{}, fmt.Errorf("record drift %s %s: no fingerprint (call ComputeFingerprint)", d.ResourceType, d.ResourceID)
	}
	if err := checkNotices(w.Notices); err != nil {
		return driftRow{}, fmt.Errorf("record drift %s: %w", d.Fingerprint, err)
	}
	var buf bytes.Buffer
	if err := d.AppendNDJSON(&buf); err != nil {
		return driftRow{}, fmt.Errorf("record drift %s: encode: %w", d.Fingerprint, err)
	}
	r := driftRow{fingerprint: d.Fingerprint, record: strings.TrimSuffix(buf.String(), "\n"), sev: d.Severity}
	if d.Event != nil && len(d.Event.Raw) > 0 {
		r.raw = d.Event.Raw
	}
	// A drift that matched no rule is stored with the default severity,
	// so that severity filters see it.
	if r.sev.Rank() == 0 {
		r.sev = drift.DefaultSeverity
	}
	r.args = []any{d.Fingerprint, string(d.ChangeType), d.Provider(), d.Account(), d.Region(),
		d.ResourceType, d.ResourceID, d.ResourceAddress, string(r.sev), r.sev.Rank()}
	return r, nil
}

// recordOne upserts one drift inside tx and, when that opened the record,
// writes its history row and notices. The notices under storm control
// come back undecided, for decideStorms.
func (s *sqlStore) recordOne(ctx context.Context, tx *sql.Tx, r driftRow, notices []NewNotice, now time.Time) (DriftResult, []NewNotice, error) {
	nowArg := s.t(now)
	args := append(r.args[:len(r.args):len(r.args)], nowArg, nowArg, r.record, r.raw, nowArg)
	rec, err := scanRecord(s.queryRow(ctx, tx, s.q.upsertDrift, args...))
	if err != nil {
		return DriftResult{}, nil, err
	}
	if rec.SeenSinceOpened != 1 {
		// Not opened: nothing is enqueued, and storm control does not
		// count it (a redelivery or a repeat is not another drift).
		return DriftResult{Record: rec}, nil, nil
	}
	from, note := Status(""), "detected"
	if rec.ReopenedCount > 0 {
		from, note = StatusResolved, "detected again after resolution"
	}
	if _, err := s.exec(ctx, tx, s.q.insertHistory, r.fingerprint, nowArg, string(from), string(StatusOpen), "tfdrift", note); err != nil {
		return DriftResult{}, nil, fmt.Errorf("history: %w", err)
	}
	immediate, storm := notices, []NewNotice(nil)
	if slices.ContainsFunc(notices, func(n NewNotice) bool { return n.Storm != nil }) {
		immediate = nil
		for _, n := range notices {
			if n.Storm != nil {
				storm = append(storm, n)
			} else {
				immediate = append(immediate, n)
			}
		}
	}
	if _, err := s.insertNotices(ctx, tx, r.fingerprint, rec.ReopenedCount, immediate, now); err != nil {
		return DriftResult{}, nil, err
	}
	return DriftResult{Record: rec, Opened: true}, storm, nil
}

func (s *sqlStore) Transition(ctx context.Context, fingerprint string, to Status, actor, note string, notices ...NewNotice) (Record, error) {
	if !to.Valid() {
		return Record{}, fmt.Errorf("drift %s: unknown status %q", fingerprint, to)
	}
	if err := checkNotices(notices); err != nil {
		return Record{}, fmt.Errorf("drift %s: %w", fingerprint, err)
	}
	var rec Record
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var from Status
		var episode int
		if err := s.queryRow(ctx, tx, s.q.selectDriftStatus, fingerprint).Scan(&from, &episode); err != nil {
			return wrapNotFound(err, "drift "+fingerprint)
		}
		if !from.CanMoveTo(to) {
			return &TransitionError{Fingerprint: fingerprint, From: from, To: to}
		}
		clock := s.now()
		if _, err := s.insertNotices(ctx, tx, fingerprint, episode, notices, clock); err != nil {
			return fmt.Errorf("drift %s: %w", fingerprint, err)
		}
		now := s.t(clock)
		actor, note := cleanText(actor), cleanText(note)
		if _, err := s.exec(ctx, tx, s.q.updateStatus, string(to), now, actor, note, fingerprint); err != nil {
			return fmt.Errorf("drift %s: %w", fingerprint, err)
		}
		if _, err := s.exec(ctx, tx, s.q.insertHistory, fingerprint, now, string(from), string(to), actor, note); err != nil {
			return fmt.Errorf("drift %s: history: %w", fingerprint, err)
		}
		var err error
		rec, err = scanRecord(s.queryRow(ctx, tx, s.q.selectDrift, fingerprint))
		return err
	})
	return rec, err
}

func (s *sqlStore) Get(ctx context.Context, fingerprint string) (Record, error) {
	rec, err := scanRecord(s.r.QueryRowContext(ctx, s.q.selectDrift, fingerprint))
	if err != nil {
		return Record{}, wrapNotFound(err, "drift "+fingerprint)
	}
	return rec, nil
}

func (s *sqlStore) List(ctx context.Context, f Filter) (Page, error) {
	var where []string
	var args []any
	if len(f.Status) > 0 {
		for _, st := range f.Status {
			if !st.Valid() {
				return Page{}, fmt.Errorf("list drifts: unknown status %q", st)
			}
			args = append(args, string(st))
		}
		where = append(where, "status IN ("+placeholders(len(f.Status))+")")
	}
	if f.ResourceType != "" {
		where = append(where, "resource_type = ?")
		args = append(args, f.ResourceType)
	}
	if f.ResourceAddress != "" {
		where = append(where, "resource_address = ?")
		args = append(args, f.ResourceAddress)
	}
	if f.Severity != "" {
		if f.Severity.Rank() == 0 {
			return Page{}, fmt.Errorf("list drifts: unknown severity %q", f.Severity)
		}
		where = append(where, "severity_rank >= ?")
		args = append(args, f.Severity.Rank())
	}
	if !f.Since.IsZero() {
		where = append(where, "last_seen >= ?")
		args = append(args, s.t(f.Since))
	}
	if f.Cursor != "" {
		before, err := strconv.ParseInt(f.Cursor, 10, 64)
		if err != nil || before <= 0 {
			return Page{}, fmt.Errorf("list drifts: invalid cursor %q", f.Cursor)
		}
		where = append(where, "id < ?")
		args = append(args, before)
	}
	n := limit(f.Limit)
	q := "SELECT " + driftCols + " FROM drifts"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	// One extra row tells whether there is a next page.
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, n+1)

	rows, err := s.r.QueryContext(ctx, s.d.sql(q), args...)
	if err != nil {
		return Page{}, fmt.Errorf("list drifts: %w", err)
	}
	defer rows.Close()
	var p Page
	for rows.Next() {
		rec, err := scanRecord(rows)
		if err != nil {
			return Page{}, fmt.Errorf("list drifts: %w", err)
		}
		p.Records = append(p.Records, rec)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("list drifts: %w", err)
	}
	if len(p.Records) > n {
		p.Records = p.Records[:n]
		p.Next = strconv.FormatInt(p.Records[n-1].ID, 10)
	}
	return p, nil
}

func (s *sqlStore) History(ctx context.Context, fingerprint string) ([]HistoryEntry, error) {
	rows, err := s.r.QueryContext(ctx, s.q.history, fingerprint)
	if err != nil {
		return nil, fmt.Errorf("drift %s: history: %w", fingerprint, err)
	}
	defer rows.Close()
	var out []HistoryEntry
	for rows.Next() {
		var h HistoryEntry
		if err := rows.Scan(dbTime{&h.At}, &h.From, &h.To, &h.Actor, &h.Note); err != nil {
			return nil, fmt.Errorf("drift %s: history: %w", fingerprint, err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("drift %s: history: %w", fingerprint, err)
	}
	if len(out) == 0 {
		if _, err := s.Get(ctx, fingerprint); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanRecord reads driftCols.
func scanRecord(sc rowScanner) (Record, error) {
	var r Record
	var recJSON, raw []byte
	err := sc.Scan(&r.ID, &r.Fingerprint, &r.Status, &r.ChangeType, &r.Provider, &r.AccountID, &r.Region,
		&r.ResourceType, &r.ResourceID, &r.ResourceAddress, &r.Severity, dbTime{&r.FirstSeen}, dbTime{&r.LastSeen},
		&r.Count, &r.SeenSinceOpened, &r.ReopenedCount, &recJSON, &raw,
		dbTime{&r.StatusChangedAt}, &r.StatusActor, &r.StatusNote)
	if err != nil {
		return Record{}, err
	}
	if err := json.Unmarshal(recJSON, &r.Drift); err != nil {
		return Record{}, fmt.Errorf("drift %s: stored record: %w", r.Fingerprint, err)
	}
	if len(raw) > 0 {
		r.RawEvent = json.RawMessage(raw)
	}
	return r, nil
}

// checkNotices rejects notices the outbox could not deliver or dedup.
func checkNotices(ns []NewNotice) error {
	for i, n := range ns {
		if n.Sink == "" {
			return fmt.Errorf("notice %d: empty sink", i)
		}
		if n.Key == "" {
			return fmt.Errorf("notice %d (%s): empty idempotency key", i, n.Sink)
		}
		if err := checkStormRule(n.Storm); err != nil {
			return fmt.Errorf("notice %d (%s): %w", i, n.Sink, err)
		}
	}
	return nil
}

// insertNotices enqueues ns for (fingerprint, episode) inside tx and
// returns how many were new.
func (s *sqlStore) insertNotices(ctx context.Context, tx *sql.Tx, fingerprint string, episode int, ns []NewNotice, now time.Time) (int, error) {
	added := 0
	for _, n := range ns {
		due := n.NotBefore
		if due.IsZero() || due.Before(now) {
			due = now
		}
		payload := n.Payload
		if payload == nil {
			payload = []byte{}
		}
		res, err := s.exec(ctx, tx, s.q.insertNotice, fingerprint, episode, n.Sink, n.Key, payload,
			s.t(due), s.t(now), s.t(now))
		if err != nil {
			return added, fmt.Errorf("enqueue notice %s for %s: %w", n.Key, n.Sink, err)
		}
		if k, err := res.RowsAffected(); err == nil {
			added += int(k)
		}
	}
	return added, nil
}
