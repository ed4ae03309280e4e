package ghissue_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/ghissue"
)

// BenchmarkDriftToIssueCreated is the time from a drift handed to the
// sink to its issue created on the fake GitHub (render, list the open
// issues, create), against the same-run baseline of a bare go-github
// Issues.Create of the same title, body and labels through the same
// client: what the sink adds to the one request it cannot avoid. Ten
// drift issues stay open, as in a repository in use. Reported: p50 of
// each, and the ratio.
func BenchmarkDriftToIssueCreated(b *testing.B) {
	f := newFixture(b, fixtureOptions{})
	ctx := ctxT(b)
	for i := range 10 {
		f.send(b, notice(ticket.KindDrift, sgDrift(100000+i, t0, drift.High, 22)))
	}
	gh := f.client.GitHub()
	var viaSink, bare []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := sgDrift(i, t0, drift.High, 22, 80)
		start := time.Now()
		rc, err := f.sink.Send(ctx, notice(ticket.KindDrift, d))
		viaSink = append(viaSink, time.Since(start))
		if err != nil || f.lastOutcome() != ghissue.Opened {
			b.Fatalf("send: %+v %v (%s)", rc, err, f.lastOutcome())
		}
		title, body, labels := ghissue.Title(d), ghissue.Body(d, ghissue.BodyOptions{HTMLURL: f.repo.HTMLURL(), Commands: true}), ghissue.Labels(d, []string{"infra"})
		start = time.Now()
		is, _, err := gh.Issues.Create(ctx, "acme", "infra", &github.IssueRequest{Title: &title, Body: &body, Labels: &labels})
		bare = append(bare, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		// Both closed, so the open list stays the same size.
		f.repo.SetIssueStateAs("alice", is.GetNumber(), "closed", "completed")
		f.repo.SetIssueStateAs("alice", issueNumber(b, rc), "closed", "completed")
		b.StartTimer()
	}
	b.StopTimer()
	p50 := func(ds []time.Duration) time.Duration { slices.Sort(ds); return ds[len(ds)/2] }
	s, r := p50(viaSink), p50(bare)
	b.ReportMetric(float64(s.Microseconds()), "µs-p50-sink")
	b.ReportMetric(float64(r.Microseconds()), "µs-p50-bare-create")
	b.ReportMetric(float64(s)/float64(r), "x-bare-create")
}

// BenchmarkRenderBody is the renderer alone: title, labels and body of a
// drift with a long value.
func BenchmarkRenderBody(b *testing.B) {
	d := longValues()
	o := ghissue.BodyOptions{HTMLURL: repoURL, Commands: true}
	for b.Loop() {
		_ = ghissue.Title(d)
		_ = ghissue.Labels(d, nil)
		_ = ghissue.Body(d, o)
	}
}

func issueNumber(b *testing.B, rc ticket.Receipt) int {
	var n int
	if _, err := fmt.Sscanf(rc.ExternalID, "acme/infra#%d", &n); err != nil {
		b.Fatalf("receipt %q: %v", rc.ExternalID, err)
	}
	return n
}
