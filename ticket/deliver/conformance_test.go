package deliver_test

import (
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/ticket/deliver"
	"github.com/tfdrift/tfdrift/ticket/deliver/queuetest"
)

// The in-memory queue passes the conformance suite every Queue must pass
// (app runs it against the store).
func TestMemQueueConformance(t *testing.T) {
	queuetest.Run(t, func(t *testing.T, now func() time.Time) queuetest.Subject {
		q := deliver.NewMemQueue(now)
		return queuetest.Subject{Queue: q, Enqueue: func(sink string, payload []byte) (int64, error) {
			return q.EnqueueRaw(sink, payload), nil
		}}
	})
}
