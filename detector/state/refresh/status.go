package refresh

import "time"

// SourceStatus is what the Refresher knows of one source, for /readyz and
// metrics.
type SourceStatus struct {
	Name      string
	Workspace string
	// Version, Serial and Resources describe the snapshot in the index:
	// the last one that loaded, even if later checks failed.
	Version   string
	Serial    int64
	Resources int
	// LoadedAt is when that snapshot was loaded; zero if none ever was.
	LoadedAt time.Time
	// LastCheck is when the latest check, of any outcome, started.
	LastCheck time.Time
	// LastError is the latest check's error, "" if it succeeded.
	LastError string
	// Healthy means a snapshot is loaded and the latest check succeeded.
	Healthy bool
	// Loads counts snapshots loaded; Failures counts failed checks,
	// except re-checks that found an already reported broken version
	// unchanged.
	Loads    uint64
	Failures uint64
}

// Status returns every source's status, ordered by name and workspace.
func (r *Refresher) Status() []SourceStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]SourceStatus, len(r.sources))
	for i, s := range r.sources {
		out[i] = s.status
	}
	return out
}

// Ready reports whether every source has been loaded at least once, so
// that every event can be compared with state. A source that fails later
// keeps its last snapshot and stays ready (Status shows it unhealthy).
// With no sources, it is trivially true.
func (r *Refresher) Ready() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.sources {
		if s.status.LoadedAt.IsZero() {
			return false
		}
	}
	return true
}
