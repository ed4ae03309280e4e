package refresh

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/tfdrift/tfdrift/detector/state"
)

// SourceError is a failed check of one source: its state could not be
// fetched (Op "fetch") or parsed (Op "parse").
type SourceError struct {
	Source state.Source
	Op     string
	Err    error
}

func (e *SourceError) Error() string {
	return fmt.Sprintf("state %s: %s: %v", label(e.Source), e.Op, e.Err)
}

func (e *SourceError) Unwrap() error { return e.Err }

// LoadAll checks every source once, now, and returns when all are done.
// The error joins one *SourceError per source that could not be loaded
// (or whose current version is one already known to be broken); sources
// that failed keep whatever the index held before.
func (r *Refresher) LoadAll(ctx context.Context) error {
	errs := make([]error, len(r.sources))
	sem := make(chan struct{}, r.opt.concurrency)
	var wg sync.WaitGroup
	for i, s := range r.sources {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = &SourceError{Source: s.src, Op: "fetch", Err: ctx.Err()}
				return
			}
			defer func() { <-sem }()
			errs[i] = r.check(ctx, s)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// check fetches s if its version changed, parses it and swaps it into the
// index. It returns the source's error, if it is in error after the check.
func (r *Refresher) check(ctx context.Context, s *source) error {
	s.checking.Lock()
	defer s.checking.Unlock()

	r.mu.Lock()
	ifVersion := s.seen
	r.mu.Unlock()

	start := r.opt.now()
	cctx, cancel := context.WithTimeout(ctx, r.opt.checkTimeout)
	defer cancel()
	prev := r.ix.Previous(s.src.Name, s.src.Workspace)
	snap, version, size, err := r.fetchParse(cctx, s, ifVersion, prev)
	if err != nil && ctx.Err() != nil {
		// Shutting down: the source did nothing wrong, so nothing is
		// recorded or reported.
		return &SourceError{Source: s.src, Op: "fetch", Err: ctx.Err()}
	}
	var se *SourceError
	switch {
	case errors.Is(err, state.ErrNotModified) && ifVersion != "":
		return r.unchanged(s, start)
	case errors.Is(err, state.ErrNotModified):
		return r.fail(s, start, "", false, &SourceError{Source: s.src, Op: "fetch",
			Err: errors.New("backend reported the state not modified although no version was known")})
	case errors.As(err, &se):
		return r.fail(s, start, version, se.Op == "parse", se)
	case err != nil:
		return r.fail(s, start, "", false, &SourceError{Source: s.src, Op: "fetch", Err: err})
	}
	r.ix.Replace(snap)
	if size >= releaseAfter {
		// The file's bytes and the replaced version are garbage now. Go
		// would keep their pages, and pace its next collection from a
		// heap that held both versions, until the heap held three; give
		// them back at once instead (one collection per new version of
		// a large state).
		debug.FreeOSMemory()
	}
	r.loaded(s, start, version, snap)
	if r.opt.shadow != nil {
		if err := r.opt.shadow.Drop(cctx, s.src.Name, s.src.Workspace, snap.Serial); err != nil {
			r.opt.log.Warn("could not forget what the new state accounts for; the detector ignores it anyway",
				"source", s.src.Name, "workspace", s.src.Workspace, "serial", snap.Serial, "err", err)
		}
	}
	return nil
}

// fetchParse fetches and parses s's state if its version is not
// ifVersion. A failure to parse comes back as a *SourceError with Op
// "parse"; any other error is the fetch's.
//
// A backend that can stream its state (state.StreamBackend) is parsed as
// it arrives, so the new version's bytes are never all in memory beside
// the loaded version. Either way, the new version shares the attributes
// of every resource it did not change with the loaded one (prev), so that
// the two versions the index holds around the swap cost one copy of the
// attributes, not two.
func (r *Refresher) fetchParse(ctx context.Context, s *source, ifVersion string, prev *state.Previous) (*state.Snapshot, string, int64, error) {
	if sb, ok := s.b.(state.StreamBackend); ok {
		snap, version, size, err := state.LoadStream(ctx, sb, ifVersion, prev)
		var re *state.ReadError
		switch {
		case err == nil || errors.Is(err, state.ErrNotModified):
			return snap, version, size, err
		case errors.As(err, &re) || version == "":
			// Opening or reading failed: nothing says what the
			// version holds.
			return nil, "", size, &SourceError{Source: s.src, Op: "fetch", Err: withoutName(err, s.src)}
		}
		return nil, version, size, &SourceError{Source: s.src, Op: "parse", Err: withoutName(err, s.src)}
	}
	data, version, err := s.b.Fetch(ctx, ifVersion)
	if err != nil {
		return nil, version, 0, err
	}
	snap, err := state.ParseFrom(data, s.src, prev)
	if err != nil {
		return nil, version, 0, &SourceError{Source: s.src, Op: "parse", Err: withoutName(err, s.src)}
	}
	return snap, version, int64(len(data)), nil
}

// releaseAfter is the size of state file after whose load the memory of
// the version it replaced is returned to the operating system.
const releaseAfter = 16 << 20

// withoutName drops the "state NAME: " that Parse puts before its errors,
// since SourceError names the source (with its workspace) itself.
func withoutName(err error, src state.Source) error {
	inner := errors.Unwrap(err)
	if inner != nil && err.Error() == "state "+src.Name+": "+inner.Error() {
		return inner
	}
	return err
}

func (r *Refresher) unchanged(s *source, start time.Time) error {
	r.mu.Lock()
	s.status.LastCheck = start
	s.nextPoll = start.Add(r.opt.interval)
	if s.seenErr != nil {
		// Still the version that failed to parse: already reported. A
		// fetch error since then is over, and the parse error is again
		// what is wrong. Retried with backoff, as any failure.
		err := s.seenErr
		s.failedInARow++
		s.nextPoll = r.retryAt(s, start)
		s.lastErr = err
		s.status.LastError = err.Error()
		r.mu.Unlock()
		return err
	}
	recovered := s.lastErr != nil
	if recovered {
		// A fetch failed since the last load, and the object is back,
		// unchanged: the index already holds it.
		s.lastErr = nil
		s.status.LastError = ""
		s.status.Healthy = !s.status.LoadedAt.IsZero()
	}
	s.failedInARow = 0
	r.mu.Unlock()
	if recovered {
		r.opt.log.Info("state reachable again", "source", s.src.Name, "workspace", s.src.Workspace)
	}
	return nil
}

// fail records a failed check and reports it. A version that failed to
// parse becomes the version checked against next, so the same broken
// object is reported once; after a failed fetch the previous version is
// kept.
func (r *Refresher) fail(s *source, start time.Time, version string, parseFailed bool, err *SourceError) error {
	r.mu.Lock()
	s.status.LastCheck = start
	s.status.LastError = err.Error()
	s.status.Healthy = false
	s.status.Failures++
	s.failedInARow++
	s.nextPoll = r.retryAt(s, start)
	s.lastErr = err
	if parseFailed {
		s.seen, s.seenErr = version, err
	}
	r.mu.Unlock()

	r.opt.log.Warn("state check failed, keeping the last good state",
		"source", s.src.Name, "workspace", s.src.Workspace, "op", err.Op, "err", err.Err)
	if r.opt.onError != nil {
		r.opt.onError(s.src, err)
	}
	return err
}

func (r *Refresher) loaded(s *source, start time.Time, version string, snap *state.Snapshot) {
	now := r.opt.now()
	r.mu.Lock()
	s.seen, s.seenErr, s.lastErr = version, nil, nil
	s.failedInARow = 0
	s.nextPoll = start.Add(r.opt.interval)
	st := &s.status
	st.Version = version
	st.Serial = snap.Serial
	st.Resources = len(snap.Resources)
	st.LoadedAt = now
	st.LastCheck = start
	st.LastError = ""
	st.Healthy = true
	st.Loads++
	all := true
	for _, o := range r.sources {
		all = all && !o.status.LoadedAt.IsZero()
	}
	r.mu.Unlock()
	if all {
		r.markLoaded()
	}

	r.opt.log.Info("state loaded", "source", s.src.Name, "workspace", s.src.Workspace,
		"version", version, "serial", snap.Serial, "resources", len(snap.Resources),
		"duration", now.Sub(start))
}
