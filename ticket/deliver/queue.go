package deliver

import (
	"context"
	"errors"
	"time"
)

// Queued is one claimed outbox row.
type Queued struct {
	ID int64
	// Sink is the row's sink column, for messages; the notice in Payload
	// names the sink that delivers it.
	Sink string
	// Payload is ticket.EncodeNotice's output.
	Payload []byte
	// Attempts counts the claims of this row, this one included.
	Attempts int
}

// Queue is the durable outbox as the workers see it. Claim leases up to
// limit due notices to owner for lease; the other methods settle a claimed
// notice and fail with an error wrapping ErrLeaseLost when owner no longer
// holds it (its lease expired and another worker claimed it).
type Queue interface {
	Claim(ctx context.Context, owner string, limit int, lease time.Duration) ([]Queued, error)
	Delivered(ctx context.Context, id int64, owner string) error
	Failed(ctx context.Context, id int64, owner, errMsg string, retryAt time.Time) error
	Dead(ctx context.Context, id int64, owner, reason string) error
}

// ErrLeaseLost is what MemQueue wraps when a worker settles a notice it no
// longer holds.
var ErrLeaseLost = errors.New("notice lease lost")
