package refresh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/state"
)

const corrupt = `{"version":4,"serial":9,"resources":[{"mode":`

func TestLoadAll(t *testing.T) {
	good := newMem("good.tfstate", stateJSON(3, "a", 2))
	broken := newMem("broken.tfstate", []byte(corrupt))
	down := newMem("s3://b/down.tfstate", nil)
	down.src.Workspace = "prod"
	down.fail(errors.New("connection refused"))
	r, ix, alerts := newTestRefresher(t, []state.Backend{good, broken, down})

	err := r.LoadAll(context.Background())
	wantErrs := []string{
		`state broken.tfstate: parse: invalid JSON at byte offset 45 (line 1, column 46): unexpected end of input, want string for "mode"`,
		`state s3://b/down.tfstate (workspace prod): fetch: connection refused`,
	}
	if err == nil {
		t.Fatal("LoadAll succeeded with a broken and an unreachable source")
	}
	if diff := cmp.Diff(strings.Join(wantErrs, "\n"), err.Error()); diff != "" {
		t.Errorf("LoadAll error (-want +got):\n%s", diff)
	}
	var se *SourceError
	if !errors.As(err, &se) || se.Source.Name != "broken.tfstate" || se.Op != "parse" {
		t.Errorf("errors.As(LoadAll error, *SourceError) = %+v, want the broken source's parse error", se)
	}
	wantAlerts := []string{
		"broken.tfstate[default]: " + wantErrs[0],
		"s3://b/down.tfstate[prod]: " + wantErrs[1],
	}
	if diff := cmp.Diff(wantAlerts, slices.Sorted(slices.Values(alerts.get()))); diff != "" {
		t.Errorf("OnError calls (-want +got):\n%s", diff)
	}

	want := []SourceStatus{
		{Name: "broken.tfstate", Workspace: "default", LastCheck: clock, LastError: wantErrs[0], Failures: 1},
		{Name: "good.tfstate", Workspace: "default", Version: "v1", Serial: 3, Resources: 2,
			LoadedAt: clock, LastCheck: clock, Healthy: true, Loads: 1},
		{Name: "s3://b/down.tfstate", Workspace: "prod", LastCheck: clock, LastError: wantErrs[1], Failures: 1},
	}
	if diff := cmp.Diff(want, r.Status()); diff != "" {
		t.Errorf("Status (-want +got):\n%s", diff)
	}
	if r.Ready() {
		t.Error("Ready with two sources never loaded")
	}
	if got := inputOf(t, ix, "good.tfstate", "terraform_data.x1"); got != "a" {
		t.Errorf("index: terraform_data.x1 input = %q, want %q", got, "a")
	}

	// Both come back: everything loads and the refresher is ready.
	broken.set(stateJSON(10, "b", 1))
	down.set(stateJSON(1, "d", 0))
	down.fail(nil)
	if err := r.LoadAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !r.Ready() {
		t.Errorf("not Ready after every source loaded: %+v", r.Status())
	}
	if n := ix.Len(); n != 2+1+0 {
		t.Errorf("index holds %d resources, want 3", n)
	}
}

// A broken state never replaces the last good one, is reported once per
// broken version, and is replaced by the next good version.
func TestBrokenStateKeepsLastGood(t *testing.T) {
	t.Run("bytes", func(t *testing.T) { testBrokenStateKeepsLastGood(t, false) })
	// The same through a backend that streams: a parse error mid-stream
	// records the version as seen and is reported once, like one of the
	// whole file.
	t.Run("stream", func(t *testing.T) { testBrokenStateKeepsLastGood(t, true) })
}

func testBrokenStateKeepsLastGood(t *testing.T, stream bool) {
	ctx := context.Background()
	b := newMem("app.tfstate", stateJSON(1, "v1", 1))
	var backend state.Backend = b
	if stream {
		backend = memStream{b}
	}
	r, ix, alerts := newTestRefresher(t, []state.Backend{backend})
	if err := r.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}

	const (
		parseErr   = `state app.tfstate: parse: invalid JSON at byte offset 45 (line 1, column 46): unexpected end of input, want string for "mode"`
		versionErr = "state app.tfstate: parse: unsupported state format version 3: tfdrift reads version 4, " +
			"written by Terraform 0.12 and later; any apply with a current Terraform upgrades the state"
	)
	steps := []struct {
		name       string
		write      []byte // nil: leave the object alone
		fetchErr   string // the backend fails with this during the step
		wantErr    string
		wantInput  string
		wantSerial int64
		wantAlerts int
		wantStatus SourceStatus
	}{
		{
			name:       "corrupt version",
			write:      []byte(corrupt),
			wantErr:    parseErr,
			wantInput:  "v1",
			wantSerial: 1,
			wantAlerts: 1,
			wantStatus: SourceStatus{Version: "v1", Serial: 1, Resources: 1, Loads: 1, Failures: 1,
				LastError: parseErr},
		},
		{
			name:       "same corrupt version again",
			wantErr:    parseErr,
			wantInput:  "v1",
			wantSerial: 1,
			wantAlerts: 1, // not reported again
			wantStatus: SourceStatus{Version: "v1", Serial: 1, Resources: 1, Loads: 1, Failures: 1,
				LastError: parseErr},
		},
		{
			name:       "fetch fails while broken",
			fetchErr:   "timeout",
			wantErr:    "state app.tfstate: fetch: timeout",
			wantInput:  "v1",
			wantSerial: 1,
			wantAlerts: 2,
			wantStatus: SourceStatus{Version: "v1", Serial: 1, Resources: 1, Loads: 1, Failures: 2,
				LastError: "state app.tfstate: fetch: timeout"},
		},
		{
			name:       "reachable, same corrupt version",
			wantErr:    parseErr,
			wantInput:  "v1",
			wantSerial: 1,
			wantAlerts: 2,
			wantStatus: SourceStatus{Version: "v1", Serial: 1, Resources: 1, Loads: 1, Failures: 2,
				LastError: parseErr},
		},
		{
			name:       "another corrupt version",
			write:      []byte(`{"version":3,"serial":2}`),
			wantErr:    versionErr,
			wantInput:  "v1",
			wantSerial: 1,
			wantAlerts: 3,
			wantStatus: SourceStatus{Version: "v1", Serial: 1, Resources: 1, Loads: 1, Failures: 3,
				LastError: versionErr},
		},
		{
			name:       "good again",
			write:      stateJSON(3, "v3", 1),
			wantInput:  "v3",
			wantSerial: 3,
			wantAlerts: 3,
			wantStatus: SourceStatus{Version: "v4", Serial: 3, Resources: 1, Loads: 2, Failures: 3, Healthy: true},
		},
	}
	for _, st := range steps {
		if st.write != nil {
			b.set(st.write)
		}
		b.fail(nil)
		if st.fetchErr != "" {
			b.fail(errors.New(st.fetchErr))
		}
		err := r.LoadAll(ctx)
		if gotErr := fmt.Sprint(err); err == nil && st.wantErr != "" || err != nil && gotErr != st.wantErr {
			t.Errorf("%s: LoadAll error = %v, want %q", st.name, err, st.wantErr)
		}
		if got := inputOf(t, ix, "app.tfstate", "terraform_data.x0"); got != st.wantInput {
			t.Errorf("%s: index input = %q, want %q", st.name, got, st.wantInput)
		}
		if got := serialOf(ix, "app.tfstate", "default"); got != st.wantSerial {
			t.Errorf("%s: index serial = %d, want %d", st.name, got, st.wantSerial)
		}
		if n := len(alerts.get()); n != st.wantAlerts {
			t.Errorf("%s: %d alerts, want %d: %q", st.name, n, st.wantAlerts, alerts.get())
		}
		want := st.wantStatus
		want.Name, want.Workspace, want.LoadedAt, want.LastCheck = "app.tfstate", "default", clock, clock
		if diff := cmp.Diff(want, r.Status()[0]); diff != "" {
			t.Errorf("%s: Status (-want +got):\n%s", st.name, diff)
		}
		if !r.Ready() {
			t.Errorf("%s: not Ready, though a snapshot is loaded", st.name)
		}
	}
}

// A fetch failure is reported at every check (the outage goes on), and the
// source is healthy again once the unchanged object is reachable.
func TestFetchFailureThenUnchanged(t *testing.T) {
	ctx := context.Background()
	b := newMem("app.tfstate", stateJSON(1, "v1", 1))
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	}))
	r, ix, alerts := newTestRefresher(t, []state.Backend{b}, WithLogger(logger))
	if err := r.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	b.fail(errors.New("503 Slow Down"))
	for range 2 {
		if err := r.LoadAll(ctx); err == nil {
			t.Fatal("LoadAll succeeded while the backend fails")
		}
	}
	if n := len(alerts.get()); n != 2 {
		t.Errorf("%d alerts for 2 failed checks, want 2", n)
	}
	if st := r.Status()[0]; st.Healthy || st.Failures != 2 || st.LastError != "state app.tfstate: fetch: 503 Slow Down" {
		t.Errorf("Status during the outage = %+v", st)
	}
	b.fail(nil)
	if err := r.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	if st := r.Status()[0]; !st.Healthy || st.LastError != "" || st.Loads != 1 {
		t.Errorf("Status after the outage = %+v, want healthy with the one load", st)
	}
	if got := inputOf(t, ix, "app.tfstate", "terraform_data.x0"); got != "v1" {
		t.Errorf("index input = %q, want v1", got)
	}
	wantLogs := `level=INFO msg="state loaded" source=app.tfstate workspace=default version=v1 serial=1 resources=1
level=WARN msg="state check failed, keeping the last good state" source=app.tfstate workspace=default op=fetch err="503 Slow Down"
level=WARN msg="state check failed, keeping the last good state" source=app.tfstate workspace=default op=fetch err="503 Slow Down"
level=INFO msg="state reachable again" source=app.tfstate workspace=default
`
	if diff := cmp.Diff(wantLogs, logs.String()); diff != "" {
		t.Errorf("logs (-want +got):\n%s", diff)
	}
}

func TestNewRejects(t *testing.T) {
	ix := state.NewIndex(testKeys)
	a, a2 := newMem("a", nil), newMem("a", nil)
	ws := newMem("a", nil)
	ws.src.Workspace = "prod"
	tests := []struct {
		name     string
		ix       *state.Index
		backends []state.Backend
		opts     []Option
		want     string
	}{
		{"nil index", nil, nil, nil, "state refresher: index is nil"},
		{"duplicate source", ix, []state.Backend{a, ws, a2}, nil, "state refresher: state a: two backends for the same source"},
		{"nil backend", ix, []state.Backend{nil}, nil, "state refresher: backend 0 is nil"},
		{"interval", ix, nil, []Option{WithInterval(0)}, "state refresher: interval 0s must be positive"},
		{"concurrency", ix, nil, []Option{WithConcurrency(-1)}, "state refresher: concurrency -1 must be positive"},
		{"timeout", ix, nil, []Option{WithCheckTimeout(-time.Second)}, "state refresher: check timeout -1s must be positive"},
		{"follow-up", ix, nil, []Option{WithNudgeFollowUps(time.Second, 0)}, "state refresher: nudge follow-up 0s must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.ix, tt.backends, tt.opts...)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("New: err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestReadyWithoutSources(t *testing.T) {
	r, _, _ := newTestRefresher(t, nil)
	if !r.Ready() || len(r.Status()) != 0 {
		t.Errorf("Ready() = %v, Status() = %v; want true and none", r.Ready(), r.Status())
	}
}

// newRunRefresher is newTestRefresher on real time, for tests of Run.
func newRunRefresher(t testing.TB, backends []state.Backend, opts ...Option) (*Refresher, *state.Index, *alerts) {
	t.Helper()
	r, ix, a := newTestRefresher(t, backends, opts...)
	r.opt.now = time.Now
	return r, ix, a
}

// runRefresher starts Run and stops it when the test ends.
func runRefresher(t *testing.T, r *Refresher) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

func TestNudge(t *testing.T) {
	a := newMem("a.tfstate", stateJSON(1, "a1", 1))
	b := newMem("b.tfstate", stateJSON(1, "b1", 1))
	// An hour between polls and no follow-ups: only nudges cause checks.
	r, ix, _ := newRunRefresher(t, []state.Backend{a, b}, WithInterval(time.Hour), WithNudgeFollowUps())
	if err := r.LoadAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	runRefresher(t, r)

	a.set(stateJSON(2, "a2", 1))
	b.set(stateJSON(2, "b2", 1))
	if !r.Nudge("a.tfstate") {
		t.Fatal("Nudge(a.tfstate) found no source")
	}
	waitFor(t, "a's new state", func() bool { return serialOf(ix, "a.tfstate", "default") == 2 })
	if got := inputOf(t, ix, "a.tfstate", "terraform_data.x0"); got != "a2" {
		t.Errorf("a: input %q, want a2", got)
	}
	if got := serialOf(ix, "b.tfstate", "default"); got != 1 {
		t.Errorf("b was not nudged but its serial is %d", got)
	}

	if r.Nudge("unknown.tfstate") {
		t.Error("Nudge of an unknown source reported a match")
	}
	if !r.Nudge("") {
		t.Fatal("Nudge(\"\") found no source")
	}
	waitFor(t, "b's new state", func() bool { return serialOf(ix, "b.tfstate", "default") == 2 })
}

func TestPoll(t *testing.T) {
	b := newMem("app.tfstate", stateJSON(1, "v1", 1))
	r, ix, _ := newRunRefresher(t, []state.Backend{b}, WithInterval(5*time.Millisecond))
	// No LoadAll: Run loads sources it has never loaded at once.
	runRefresher(t, r)
	waitFor(t, "the first load", r.Ready)
	b.set(stateJSON(2, "v2", 1))
	waitFor(t, "the new state", func() bool { return serialOf(ix, "app.tfstate", "default") == 2 })
	if got := inputOf(t, ix, "app.tfstate", "terraform_data.x0"); got != "v2" {
		t.Errorf("input %q, want v2", got)
	}
}

// Terraform writes state after the resources: a nudge's immediate check
// can come too early, and a follow-up picks the write up.
func TestNudgeFollowUp(t *testing.T) {
	b := newMem("app.tfstate", stateJSON(1, "v1", 1))
	r, ix, _ := newRunRefresher(t, []state.Backend{b}, WithInterval(time.Hour), WithNudgeFollowUps(time.Millisecond))
	if err := r.LoadAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The write lands just after the nudge's immediate check has fetched.
	b.afterFetch = func() {
		b.mu.Lock()
		b.afterFetch = nil
		b.mu.Unlock()
		b.set(stateJSON(2, "v2", 1))
	}
	runRefresher(t, r)
	r.Nudge("app.tfstate")
	waitFor(t, "the follow-up's load", func() bool { return serialOf(ix, "app.tfstate", "default") == 2 })
	if n := b.fetchCount(); n < 3 {
		t.Errorf("%d fetches; want LoadAll's, the nudge's and a follow-up's", n)
	}
}

// A nudge that arrives while its source is being checked causes another
// check afterwards: the running one may have fetched before the write.
func TestNudgeDuringCheck(t *testing.T) {
	b := newMem("app.tfstate", stateJSON(1, "v1", 1))
	r, ix, _ := newRunRefresher(t, []state.Backend{b}, WithInterval(time.Hour), WithNudgeFollowUps())
	if err := r.LoadAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	inFetch, release := make(chan struct{}), make(chan struct{})
	b.onFetch = func(context.Context) {
		b.mu.Lock()
		b.onFetch = nil
		b.mu.Unlock()
		close(inFetch)
		<-release
	}
	runRefresher(t, r)
	r.Nudge("app.tfstate")
	<-inFetch
	b.set(stateJSON(2, "v2", 1)) // too late for the check under way...
	r.Nudge("app.tfstate")       // ...so the engine's next nudge must cause another
	close(release)
	waitFor(t, "the second check's load", func() bool { return serialOf(ix, "app.tfstate", "default") == 2 })
}

func TestRunTwice(t *testing.T) {
	r, _, _ := newRunRefresher(t, nil)
	runRefresher(t, r)
	waitFor(t, "Run to start", r.running.Load)
	if err := r.Run(context.Background()); !errors.Is(err, ErrRunning) {
		t.Errorf("second Run = %v, want ErrRunning", err)
	}
}

// Stopping Run waits for the checks under way and reports nothing: a
// cancelled fetch is not the source's failure.
func TestRunStopsCleanly(t *testing.T) {
	b := newMem("app.tfstate", stateJSON(1, "v1", 1))
	r, _, alerts := newRunRefresher(t, []state.Backend{b})
	inFetch := make(chan struct{})
	b.onFetch = func(ctx context.Context) {
		close(inFetch)
		<-ctx.Done()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	<-inFetch
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil after cancel", err)
	}
	if b.fetchCount() != 1 {
		t.Errorf("Run returned before its check did")
	}
	if got := alerts.get(); len(got) != 0 {
		t.Errorf("alerts on shutdown: %q", got)
	}
	if st := r.Status()[0]; st.Failures != 0 || st.LastError != "" {
		t.Errorf("Status after shutdown = %+v, want no failure recorded", st)
	}
}
