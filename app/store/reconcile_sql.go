package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

func (s *sqlStore) TryLock(ctx context.Context, name, holder string, ttl time.Duration) (Lease, error) {
	if name == "" || ttl <= 0 {
		return Lease{}, fmt.Errorf("lock %q: a name and a positive ttl are required", name)
	}
	var tok [12]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return Lease{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	l := Lease{Name: name, Holder: cleanText(holder), Token: hex.EncodeToString(tok[:]), AcquiredAt: now, ExpiresAt: now.Add(ttl)}
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var got string
		err := s.queryRow(ctx, tx, s.q.tryLock, name, l.Token, l.Holder, s.t(l.AcquiredAt), s.t(l.ExpiresAt)).Scan(&got)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		le := &LockedError{Name: name}
		if err := s.queryRow(ctx, tx, s.q.lockHolder, name).Scan(&le.Holder, dbTime{&le.Since}, dbTime{&le.Until}); err != nil {
			return err
		}
		return le
	})
	if err != nil {
		var le *LockedError
		if errors.As(err, &le) {
			return Lease{}, le
		}
		return Lease{}, fmt.Errorf("lock %s: %w", name, err)
	}
	return l, nil
}

func (s *sqlStore) RenewLock(ctx context.Context, l Lease, ttl time.Duration) (Lease, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	until := now.Add(ttl)
	var acquired time.Time
	err := s.queryRow(ctx, nil, s.q.renewLock, s.t(until), l.Name, l.Token, s.t(now)).Scan(dbTime{&acquired})
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("lock %s: %w", l.Name, ErrLockLost)
	}
	if err != nil {
		return l, fmt.Errorf("lock %s: %w", l.Name, err)
	}
	l.ExpiresAt = until
	return l, nil
}

func (s *sqlStore) Unlock(ctx context.Context, l Lease) error {
	res, err := s.exec(ctx, nil, s.q.unlock, l.Name, l.Token)
	if err != nil {
		return fmt.Errorf("unlock %s: %w", l.Name, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("unlock %s: %w", l.Name, ErrLockLost)
	}
	return nil
}

func (s *sqlStore) AddIgnores(ctx context.Context, ignores ...Ignore) error {
	for _, ig := range ignores {
		if ig.ResourceKey == "" || ig.Attribute == "" || ig.ValueHash == "" {
			return fmt.Errorf("add ignore: resource key, attribute and value hash are all required (got %q, %q, %q)",
				ig.ResourceKey, ig.Attribute, ig.ValueHash)
		}
	}
	now := s.t(s.now())
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		for _, ig := range ignores {
			if _, err := s.exec(ctx, tx, s.q.addIgnore, storedKey(ig.ResourceKey), cleanKey(ig.Attribute), ig.ValueHash,
				cleanText(ig.Fingerprint), cleanText(ig.Actor), cleanText(ig.Note), now, s.t(ig.ExpiresAt)); err != nil {
				return fmt.Errorf("add ignore of %s: %w", ig.Attribute, err)
			}
		}
		return nil
	})
}

func (s *sqlStore) ActiveIgnores(ctx context.Context, resourceKey string) ([]Ignore, error) {
	rows, err := s.r.QueryContext(ctx, s.q.activeIgnores, storedKey(resourceKey), s.t(s.now()))
	if err != nil {
		return nil, fmt.Errorf("ignores: %w", err)
	}
	defer rows.Close()
	var out []Ignore
	for rows.Next() {
		var ig Ignore
		if err := rows.Scan(&ig.ID, &ig.ResourceKey, &ig.Attribute, &ig.ValueHash, &ig.Fingerprint, &ig.Actor, &ig.Note,
			dbTime{&ig.CreatedAt}, dbTime{&ig.ExpiresAt}); err != nil {
			return nil, fmt.Errorf("ignores: %w", err)
		}
		ig.ResourceKey = loadedKey(ig.ResourceKey)
		out = append(out, ig)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ignores: %w", err)
	}
	return out, nil
}

func (s *sqlStore) PruneIgnores(ctx context.Context, olderThan time.Time) (int64, error) {
	res, err := s.exec(ctx, nil, s.q.pruneIgnores, s.t(olderThan))
	if err != nil {
		return 0, fmt.Errorf("prune ignores: %w", err)
	}
	return res.RowsAffected()
}

// pullRepo is how a repository name is stored and looked up: GitHub's
// names are case-insensitive.
func pullRepo(repo string) string { return strings.ToLower(cleanKey(repo)) }

func (s *sqlStore) PutPull(ctx context.Context, p PullRecord) error {
	switch {
	case p.Repo == "" || p.Number <= 0 || p.Branch == "" || p.Address == "":
		return fmt.Errorf("put pull %s#%d: repo, number, branch and address are required", p.Repo, p.Number)
	case p.Status != PullOpen && p.Status != PullMerged && p.Status != PullClosed:
		return fmt.Errorf("put pull %s#%d: unknown status %q", p.Repo, p.Number, p.Status)
	}
	fps := p.Fingerprints
	if fps == nil {
		fps = []string{}
	}
	fpJSON, err := json.Marshal(fps)
	if err != nil {
		return err
	}
	now := s.t(s.now())
	if _, err := s.exec(ctx, nil, s.q.upsertPull, pullRepo(p.Repo), p.Number, cleanKey(p.Branch), cleanKey(p.StateKey),
		cleanKey(p.Address), cleanKey(p.Root), p.Issue, p.BaseSHA, p.HeadSHA, string(fpJSON), string(p.Status), now, now); err != nil {
		return fmt.Errorf("put pull %s#%d: %w", p.Repo, p.Number, err)
	}
	return nil
}

func (s *sqlStore) GetPull(ctx context.Context, repo string, number int) (PullRecord, error) {
	p, err := scanPull(s.r.QueryRowContext(ctx, s.q.getPull, pullRepo(repo), number))
	if err != nil {
		return PullRecord{}, wrapNotFound(err, fmt.Sprintf("pull %s#%d", repo, number))
	}
	return p, nil
}

func (s *sqlStore) OpenPullFor(ctx context.Context, repo, stateKey, address string) (PullRecord, error) {
	p, err := scanPull(s.r.QueryRowContext(ctx, s.q.openPullFor, pullRepo(repo), cleanKey(stateKey), cleanKey(address)))
	if err != nil {
		return PullRecord{}, wrapNotFound(err, fmt.Sprintf("open pull of %s in %s", address, repo))
	}
	return p, nil
}

func (s *sqlStore) OpenPulls(ctx context.Context, repo string) ([]PullRecord, error) {
	rows, err := s.r.QueryContext(ctx, s.q.openPulls, pullRepo(repo))
	if err != nil {
		return nil, fmt.Errorf("open pulls of %s: %w", repo, err)
	}
	defer rows.Close()
	var out []PullRecord
	for rows.Next() {
		p, err := scanPull(rows)
		if err != nil {
			return nil, fmt.Errorf("open pulls of %s: %w", repo, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func scanPull(sc rowScanner) (PullRecord, error) {
	var p PullRecord
	var fps, status string
	if err := sc.Scan(&p.Repo, &p.Number, &p.Branch, &p.StateKey, &p.Address, &p.Root, &p.Issue, &p.BaseSHA, &p.HeadSHA,
		&fps, &status, dbTime{&p.CreatedAt}, dbTime{&p.UpdatedAt}); err != nil {
		return PullRecord{}, err
	}
	p.Status = PullStatus(status)
	if err := json.Unmarshal([]byte(fps), &p.Fingerprints); err != nil {
		return PullRecord{}, fmt.Errorf("pull %s#%d: fingerprints: %w", p.Repo, p.Number, err)
	}
	return p, nil
}
