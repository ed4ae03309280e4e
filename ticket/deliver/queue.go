package deliver

import (
	"context"
	"errors"
	"time"

	"github.com/tfdrift/tfdrift/ticket"
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
// holds it (its lease expired and another worker claimed it, or it was
// already settled). Every implementation must pass queuetest.Run.
//
// Delivered records refs, the receipts the sink returned, in the same step
// that settles the notice, so a notice is never delivered with its
// receipt lost; a lost lease records nothing.
type Queue interface {
	Claim(ctx context.Context, owner string, limit int, lease time.Duration) ([]Queued, error)
	Delivered(ctx context.Context, id int64, owner string, refs []ticket.Ref) error
	Failed(ctx context.Context, id int64, owner, errMsg string, retryAt time.Time) error
	Dead(ctx context.Context, id int64, owner, reason string) error
}

// RefFinder is what a Queue implements when it keeps receipts: Refs
// returns those recorded about any of resourceKeys (ticket.ResourceKey),
// newest first. The Deliverer then fills a notice's Refs just before
// sending it.
type RefFinder interface {
	Refs(ctx context.Context, resourceKeys []string) ([]ticket.Ref, error)
}

// ErrLeaseLost is what settling a notice the worker no longer holds wraps,
// in every Queue.
var ErrLeaseLost = errors.New("notice lease lost")
