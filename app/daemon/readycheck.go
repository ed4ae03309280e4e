package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// ReadyCheck is one more condition of /readyz: the store is sound, for
// one. See Options.ReadyChecks.
type ReadyCheck struct {
	// Name labels the check in /readyz's report and in the log.
	Name string
	// Check returns nil when ready. It is run at most every
	// readyCheckEvery (results are cached between) and bounded by
	// readyCheckTimeout.
	Check func(ctx context.Context) error
}

var (
	readyCheckEvery   = 5 * time.Second
	readyCheckTimeout = 10 * time.Second
)

// readyChecks runs the checks for /readyz, caching each result for
// readyCheckEvery so that probes cannot make the daemon run them back to
// back, and logging each change of outcome.
type readyChecks struct {
	checks []ReadyCheck
	log    *slog.Logger

	mu   sync.Mutex // one run at a time; guards the fields below
	at   time.Time
	errs []error
}

// report runs the checks if the cached results are stale and returns
// whether all pass, with one line per check.
func (r *readyChecks) report(ctx context.Context) (bool, string) {
	if r == nil || len(r.checks) == 0 {
		return true, ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.errs == nil || time.Since(r.at) >= readyCheckEvery {
		errs := make([]error, len(r.checks))
		for i, c := range r.checks {
			cctx, cancel := context.WithTimeout(ctx, readyCheckTimeout)
			errs[i] = c.Check(cctx)
			cancel()
			was := error(nil)
			if r.errs != nil {
				was = r.errs[i]
			}
			switch {
			case errs[i] != nil && (r.errs == nil || was == nil):
				r.log.Error("readiness check failed: not ready", "check", c.Name, "err", errs[i])
			case errs[i] == nil && was != nil:
				r.log.Info("readiness check passes again", "check", c.Name)
			}
		}
		r.errs, r.at = errs, time.Now()
	}
	ok := true
	var b strings.Builder
	for i, c := range r.checks {
		if r.errs[i] != nil {
			ok = false
			fmt.Fprintf(&b, "%s: %s\n", c.Name, r.errs[i])
		} else {
			fmt.Fprintf(&b, "%s: ok\n", c.Name)
		}
	}
	return ok, b.String()
}
