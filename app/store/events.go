package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

func (s *sqlStore) RecordEvent(ctx context.Context, source, eventID string) (bool, error) {
	if source == "" || eventID == "" {
		return false, errors.New("record event: empty source or event ID")
	}
	res, err := s.w.ExecContext(ctx, s.q.recordEvent, source, eventID, s.t(s.now()))
	if err != nil {
		return false, fmt.Errorf("record event %s/%s: %w", source, eventID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record event %s/%s: %w", source, eventID, err)
	}
	return n == 1, nil
}

func (s *sqlStore) PruneEvents(ctx context.Context, olderThan time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, s.q.pruneEvents, s.t(olderThan))
	if err != nil {
		return 0, fmt.Errorf("prune events: %w", err)
	}
	return res.RowsAffected()
}
