package ghapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/eventually"
	"github.com/tfdrift/tfdrift/internal/githubfake"
)

// checkBudget fails when the start times break the pacing.
func checkBudget(t *testing.T, times []time.Time, p ghapi.Pacing) {
	t.Helper()
	for i := range times {
		if i > 0 && times[i].Sub(times[i-1]) < p.MinGap {
			t.Fatalf("writes %d and %d are %v apart", i-1, i, times[i].Sub(times[i-1]))
		}
		if p.PerMinute > 0 && i >= p.PerMinute && times[i].Sub(times[i-p.PerMinute]) < time.Minute {
			t.Fatalf("%d writes within a minute ending at write %d", p.PerMinute+1, i)
		}
		if p.PerHour > 0 && i >= p.PerHour && times[i].Sub(times[i-p.PerHour]) < time.Hour {
			t.Fatalf("%d writes within an hour ending at write %d", p.PerHour+1, i)
		}
	}
}

func TestDefaultPacingStaysBelowGitHubsBudget(t *testing.T) {
	p := ghapi.DefaultPacing()
	if p.MinGap < time.Second || p.PerMinute >= 80 || p.PerHour >= 500 {
		t.Fatalf("default pacing %+v is not below GitHub's 80/min, 500/h, 1 s apart", p)
	}
	p.MaxWait = 2 * time.Hour // this test wants every write through
	clock := ghapi.NewVirtualClock(time.Unix(1_700_000_000, 0))
	pacer := ghapi.NewPacer(p, clock)
	var times []time.Time
	for range 1000 {
		release, err := pacer.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		times = append(times, clock.Now())
		release()
	}
	checkBudget(t, times, p)
	// 450 an hour: the 1000th write starts in the third hour.
	if d := times[999].Sub(times[0]); d < 2*time.Hour || d > 2*time.Hour+10*time.Minute {
		t.Fatalf("1000 writes took %v", d)
	}
	// The 80-a-minute rule, checked on its own with no gap.
	clock = ghapi.NewVirtualClock(time.Unix(1_700_000_000, 0))
	burst := ghapi.Pacing{PerMinute: 80, PerHour: 500, MaxWait: 2 * time.Hour}
	pacer = ghapi.NewPacer(burst, clock)
	times = nil
	for range 600 {
		release, err := pacer.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		times = append(times, clock.Now())
		release()
	}
	checkBudget(t, times, burst)
	if !times[79].Equal(times[0]) || times[80].Sub(times[0]) != time.Minute {
		t.Fatalf("burst: write 80 at %v, write 81 at %v", times[79].Sub(times[0]), times[80].Sub(times[0]))
	}
}

// A write that would wait longer than MaxWait, or past its deadline, is
// refused at once with the wait, for the outbox to reschedule.
func TestPacerRefusesLongWaits(t *testing.T) {
	clock := ghapi.NewVirtualClock(time.Unix(1_700_000_000, 0))
	pacer := ghapi.NewPacer(ghapi.Pacing{MinGap: time.Second, PerHour: 3, MaxWait: time.Minute}, clock)
	for range 3 {
		release, err := pacer.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
	start := clock.Now()
	_, err := pacer.Acquire(context.Background())
	var rl *ghapi.RateLimitError
	if !errors.As(err, &rl) || rl.Kind != ghapi.Paced || rl.Wait != time.Hour-2*time.Second || clock.Now() != start {
		t.Fatalf("err %v (slept until %v)", err, clock.Now().Sub(start))
	}
	if st := pacer.Stats(); st.Refused != 1 || st.Writes != 3 || st.Waited != 2*time.Second {
		t.Fatalf("stats %+v", st)
	}
	// The gap alone (1 s) is waited, unless the deadline is sooner.
	p2 := ghapi.NewPacer(ghapi.Pacing{MinGap: 10 * time.Second, MaxWait: time.Minute}, ghapi.RealClock())
	release, _ := p2.Acquire(context.Background())
	release()
	c, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := p2.Acquire(c); !errors.As(err, &rl) || rl.Kind != ghapi.Paced {
		t.Fatalf("write past its deadline: %v", err)
	}
}

// countingTransport records concurrency and the virtual time of writes.
type countingTransport struct {
	clock    ghapi.Clock
	inFlight atomic.Int32
	maxSeen  atomic.Int32
	mu       sync.Mutex
	times    []time.Time
	gate     chan struct{} // when set, writes wait for it to close
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	n := c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	for {
		m := c.maxSeen.Load()
		if n <= m || c.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	if req.Method == http.MethodPost {
		c.mu.Lock()
		c.times = append(c.times, c.clock.Now())
		gate := c.gate
		c.mu.Unlock()
		if gate != nil {
			<-gate
		}
	}
	time.Sleep(time.Millisecond)
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody, Request: req}, nil
}

// Writes of one installation go one at a time even from many
// goroutines; reads are not held behind them.
func TestWritesAreSerialisedPerInstallation(t *testing.T) {
	clock := ghapi.NewVirtualClock(time.Unix(1_700_000_000, 0))
	p := ghapi.Pacing{MinGap: time.Second, PerMinute: 70, PerHour: 450, MaxWait: 2 * time.Hour}
	rec := &countingTransport{clock: clock}
	c, err := ghapi.NewTokenClient("t", ghapi.Options{APIURL: "http://fake.invalid/", Transport: rec, Pacing: &p, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			req, _ := c.GitHub().NewRequest("POST", fmt.Sprintf("repos/acme/infra/issues/%d/comments", i), map[string]string{"body": "x"})
			if _, err := c.GitHub().Client().Do(req); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if rec.maxSeen.Load() != 1 {
		t.Fatalf("%d writes at once", rec.maxSeen.Load())
	}
	checkBudget(t, rec.times, p)
	if st := c.Pacer().Stats(); st.Writes != 40 {
		t.Fatalf("stats %+v", st)
	}
	// A read is not held behind a write in flight.
	gate := make(chan struct{})
	rec.mu.Lock()
	rec.gate = gate
	rec.mu.Unlock()
	done := make(chan error, 1)
	go func() {
		req, _ := c.GitHub().NewRequest("POST", "repos/acme/infra/issues", map[string]string{"title": "x"})
		_, err := c.GitHub().Client().Do(req)
		done <- err
	}()
	eventually.True(t, "the write to start", func() bool { return rec.inFlight.Load() != 0 })
	req, _ := c.GitHub().NewRequest("GET", "repos/acme/infra", nil)
	if _, err := c.GitHub().Client().Do(req); err != nil {
		t.Fatal(err)
	}
	if rec.inFlight.Load() != 1 {
		t.Fatal("the write finished before the read: nothing was shown")
	}
	close(gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// 300 drifts' issues in a burst against the fake: each created once, the
// pacer's clock shows the budget kept, nothing refused.
func TestIssueStormIsPaced(t *testing.T) {
	clock := ghapi.NewVirtualClock(time.Now())
	p := ghapi.DefaultPacing()
	p.MaxWait = time.Hour
	f := newFixture(t, githubfake.Options{}, ghapi.Options{Pacing: &p, Clock: clock})
	var wg sync.WaitGroup
	for i := range 300 {
		wg.Go(func() {
			_, _, err := f.inst.GitHub().Issues.Create(ctx(t), "acme", "infra", &github.IssueRequest{Title: github.String(fmt.Sprintf("Drift %d", i))})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(f.repo.Issues()); n != 300 {
		t.Fatalf("%d issues", n)
	}
	st := f.inst.Pacer().Stats()
	if st.Writes != 300 || st.Refused != 0 || st.Waited < 299*time.Second {
		t.Fatalf("pacer %+v: 300 writes a second apart wait at least 299 s", st)
	}
}
