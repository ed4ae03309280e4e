package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"
)

func (s *sqlStore) RecordEvent(ctx context.Context, source, eventID string) (bool, error) {
	first, err := s.RecordEvents(ctx, source, []string{eventID})
	if err != nil {
		return false, err
	}
	return first[0], nil
}

func (s *sqlStore) RecordEvents(ctx context.Context, source string, eventIDs []string) ([]bool, error) {
	if source == "" {
		return nil, errors.New("record events: empty source")
	}
	for i, id := range eventIDs {
		if id == "" {
			return nil, fmt.Errorf("record events from %s: event %d has an empty ID", source, i)
		}
	}
	if len(eventIDs) == 0 {
		return []bool{}, nil
	}
	// Insert in ID order so that replicas inserting overlapping batches
	// wait for each other on the unique index instead of deadlocking.
	order := make([]int, len(eventIDs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return eventIDs[order[a]] < eventIDs[order[b]] })
	first := make([]bool, len(eventIDs))
	now := s.t(s.now())
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		for _, i := range order {
			res, err := s.exec(ctx, tx, s.q.recordEvent, source, eventIDs[i], now)
			if err != nil {
				return fmt.Errorf("record event %s/%s: %w", source, eventIDs[i], err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("record event %s/%s: %w", source, eventIDs[i], err)
			}
			first[i] = n == 1
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return first, nil
}

func (s *sqlStore) PruneEvents(ctx context.Context, olderThan time.Time) (int64, error) {
	res, err := s.exec(ctx, nil, s.q.pruneEvents, s.t(olderThan))
	if err != nil {
		return 0, fmt.Errorf("prune events: %w", err)
	}
	return res.RowsAffected()
}
