package ghissue_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/githubfake"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/deliver"
	"github.com/tfdrift/tfdrift/ticket/ghissue"
)

// outbox runs the sink behind the outbox's real workers on a virtual
// clock: the fake GitHub, the pacer and the queue all read it, and an idle
// queue moves it to the next retry.
type outbox struct {
	f     *fixture
	clock *ghapi.VirtualClock
	q     *deliver.MemQueue
	d     *deliver.Deliverer
}

func newOutbox(t *testing.T, pacing ghapi.Pacing, target func(*ghissue.Target)) *outbox {
	t.Helper()
	clock := ghapi.NewVirtualClock(time.Now().UTC().Truncate(time.Second))
	f := newFixture(t, fixtureOptions{fake: githubfake.Options{Now: clock.Now}, client: ghapi.Options{Clock: clock, Pacing: &pacing}, target: target})
	q := deliver.NewMemQueue(clock.Now)
	d, err := deliver.New(q, []ticket.Sink{f.sink}, deliver.Options{Owner: "test", Concurrency: 4, Now: clock.Now, Rand: func() float64 { return 0.5 }})
	if err != nil {
		t.Fatal(err)
	}
	return &outbox{f: f, clock: clock, q: q, d: d}
}

func (o *outbox) enqueue(t *testing.T, n *ticket.Notice) {
	t.Helper()
	if _, err := o.q.Enqueue(n); err != nil {
		t.Fatal(err)
	}
}

// drain delivers until nothing is pending or in flight.
func (o *outbox) drain(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for {
		n, err := o.d.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			continue
		}
		next, ok := o.q.NextDue()
		if !ok {
			return
		}
		if wait := next.Sub(o.clock.Now()); wait > 0 {
			o.clock.Advance(wait)
		}
		if ctx.Err() != nil {
			t.Fatalf("the queue did not drain: %v", o.q.Count())
		}
	}
}

// 300 drifts in one minute on one repository: 50 issues (the cap), the
// rest in the overflow issue, every write through the pacer: never more
// than 80 content writes in any minute (GitHub's secondary limit), at
// least a second apart, and none refused.
func TestStormOf300DriftsIsCappedAndPaced(t *testing.T) {
	o := newOutbox(t, ghapi.DefaultPacing(), nil)
	start := o.clock.Now()
	for i := range 300 {
		d := sgDrift(i, start.Add(time.Duration(i)*200*time.Millisecond), drift.High, 22)
		o.enqueue(t, notice(ticket.KindDrift, d))
	}
	o.drain(t)
	if c := o.q.Count(); c[deliver.StatusDelivered] != 300 {
		t.Fatalf("queue %v, want 300 delivered", c)
	}
	var issues, overflow int
	var ov githubfake.Issue
	for _, is := range o.f.openIssues() {
		if is.Title == ghissue.OverflowTitle {
			overflow++
			ov = is
		} else {
			issues++
		}
	}
	if issues != ghissue.DefaultMaxOpen || overflow != 1 {
		t.Fatalf("%d drift issues and %d overflow issues, want %d and 1", issues, overflow, ghissue.DefaultMaxOpen)
	}
	if rows := strings.Count(ov.Body, "| `aws_security_group.sg_"); rows != 250 {
		t.Errorf("the overflow issue lists %d drifts, want 250", rows)
	}

	writes := o.f.gh.Writes()
	for i, w := range writes {
		in := 0
		for _, x := range writes[i:] {
			if x.Time.Sub(w.Time) < time.Minute {
				in++
			}
		}
		if in > 80 {
			t.Fatalf("%d writes in the minute from %s: over GitHub's 80", in, w.Time)
		}
		if in > ghapi.DefaultPacing().PerMinute {
			t.Errorf("%d writes in the minute from %s: over the pacer's %d", in, w.Time, ghapi.DefaultPacing().PerMinute)
		}
		if i > 0 && w.Time.Sub(writes[i-1].Time) < time.Second {
			t.Errorf("writes %d and %d only %s apart", i-1, i, w.Time.Sub(writes[i-1].Time))
		}
	}
	st := o.f.client.Pacer().Stats()
	if st.Writes != len(writes) || st.Refused != 0 {
		t.Errorf("pacer %+v, fake %d writes", st, len(writes))
	}
	took := writes[len(writes)-1].Time.Sub(start)
	t.Logf("300 drifts: %d writes (%d issues, 1 overflow issue, %d overflow updates, %d labels) over %s of GitHub's time, the pacer waited %s",
		len(writes), issues, o.f.writes("PATCH", ""), o.f.writes("POST", "/labels"), took.Round(time.Second), st.Waited.Round(time.Second))
}

// GitHub down for a while: every notice is retried by the outbox, and
// when GitHub returns each issue is created once, the later drift a
// comment; a crash after one create (the answer lost) duplicates nothing.
func TestGitHubDownThenBack(t *testing.T) {
	o := newOutbox(t, ghapi.Pacing{MinGap: time.Second, PerMinute: 70, PerHour: 450, MaxWait: time.Minute}, nil)
	o.f.gh.Fail(githubfake.Fault{Kind: githubfake.BadGateway, Times: 25})
	start := o.clock.Now()
	for i := range 5 {
		o.enqueue(t, notice(ticket.KindDrift, sgDrift(i, start, drift.High, 22)))
	}
	o.enqueue(t, notice(ticket.KindDrift, sgDrift(0, start.Add(time.Minute), drift.High, 22, 80)))
	o.drain(t)
	if c := o.q.Count(); c[deliver.StatusDelivered] != 6 {
		t.Fatalf("queue %v, want 6 delivered", c)
	}
	if o.f.gh.PendingFaults() != 0 {
		t.Fatalf("GitHub was never down: %d faults left", o.f.gh.PendingFaults())
	}
	if n := o.f.writes("POST", "/repos/acme/infra/issues"); n != 5 || len(o.f.repo.Issues()) != 5 {
		t.Errorf("%d issues created (%d in the repository), want 5 once each", n, len(o.f.repo.Issues()))
	}
	for _, is := range o.f.repo.Issues() {
		want := 0
		if strings.Contains(is.Title, "aws_security_group.sg_0 ") {
			want = 1
		}
		if cs := o.f.repo.Comments(is.Number); len(cs) != want {
			t.Errorf("%q has %d comments, want %d", is.Title, len(cs), want)
		}
	}

	// A worker dies between GitHub's create and the settle.
	o.f.lose.loseNext("POST", "/repos/acme/infra/issues", 1)
	o.enqueue(t, notice(ticket.KindDrift, sgDrift(9, start.Add(2*time.Minute), drift.High, 22)))
	o.drain(t)
	if n := o.f.writes("POST", "/repos/acme/infra/issues"); n != 6 || len(o.f.repo.Issues()) != 6 {
		t.Errorf("after a lost create: %d creates, %d issues; want 6 and 6", n, len(o.f.repo.Issues()))
	}
}

// A primary rate limit: the outbox waits until the reset GitHub gave,
// then delivers.
func TestPrimaryRateLimitWaitsForTheReset(t *testing.T) {
	o := newOutbox(t, ghapi.Pacing{}, nil)
	reset := o.clock.Now().Add(17 * time.Minute)
	o.f.gh.Fail(githubfake.Fault{Kind: githubfake.PrimaryLimit, Reset: reset})
	var results []deliver.Result
	d, err := deliver.New(o.q, []ticket.Sink{o.f.sink}, deliver.Options{Owner: "test", Now: o.clock.Now,
		OnResult: func(r deliver.Result) { results = append(results, r) }})
	if err != nil {
		t.Fatal(err)
	}
	o.d = d
	o.enqueue(t, notice(ticket.KindDrift, sgDrift(1, o.clock.Now(), drift.High, 22)))
	o.drain(t)
	if len(results) != 2 || results[0].Outcome != deliver.Retrying || results[1].Outcome != deliver.Delivered {
		t.Fatalf("results %+v", results)
	}
	if got := results[0].RetryAt; got.Before(reset) || got.After(reset.Add(2*time.Second)) {
		t.Errorf("retried at %s, want the reset %s", got, reset)
	}
	if len(o.f.repo.Issues()) != 1 {
		t.Errorf("%d issues", len(o.f.repo.Issues()))
	}
}
