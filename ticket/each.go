package ticket

import (
	"errors"
	"fmt"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// SendEach delivers a storm group's drifts one by one with send, for the
// sinks that keep one ticket per resource whatever the storm (Jira, GitHub
// issues). The receipt's PerDrift holds each drift's non-zero receipt by
// fingerprint. A rate limit (*RetryAfterError) stops it at once: the rest
// would be refused too. Otherwise every drift is tried, and the error is
// transient when any drift failed transiently (the retry redoes only what
// is missing, since such sinks find their earlier writes), permanent when
// every failure is. what names the sink in the error ("jira main").
func SendEach(ds []*drift.Drift, system, what string, send func(d *drift.Drift) (Receipt, error)) (Receipt, error) {
	rc := Receipt{System: system, PerDrift: map[string]Receipt{}}
	var errs []error
	allPermanent := true
	for _, d := range ds {
		r, err := send(d)
		if err == nil {
			if !r.IsZero() {
				rc.PerDrift[d.Fingerprint] = r
			}
			continue
		}
		if _, ok := RetryAfter(err); ok {
			return Receipt{}, err
		}
		allPermanent = allPermanent && IsPermanent(err)
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return rc, nil
	}
	joined := errors.Join(errs...)
	if allPermanent {
		return Receipt{}, Permanent("", fmt.Errorf("%s: %d of %d drifts failed: %w", what, len(errs), len(ds), joined))
	}
	// The permanent failures are named, not wrapped: errors.As finds a
	// *PermanentError anywhere in a joined chain, and the outbox would
	// dead-letter a group that a retry can still finish.
	return Receipt{}, fmt.Errorf("%s: %d of %d drifts failed: %s", what, len(errs), len(ds), joined.Error())
}
