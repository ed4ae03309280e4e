package githubapp

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

// issueMarker is the marker the issue sink writes.
const issueMarker = "<!-- tfdrift:resource=prod/aws_instance.app_server -->"

// trackedIssue records a drift, opens the App's issue for it (as the
// bot, with the marker) and leaves the receipt the sink would.
func (f *fixture) trackedIssue(address string) (number int, rec store.Record) {
	f.t.Helper()
	ctx := context.Background()
	d := driftIn(prodState, address, drift.High)
	d.Changes = map[string]drift.AttrChange{"instance_type": {Expected: "t3.micro", Actual: "m5.8xlarge", Diff: "t3.micro → m5.8xlarge"}}
	d.Event = &change.Change{Provider: change.AWS, Account: "123456789012", EventID: "ev-" + address, Time: time.Now()}
	d.ComputeFingerprint()
	d.ComputeEventID()
	rec, _, err := f.st.RecordDrift(ctx, d, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	number = f.repo.CreateIssueAs(f.ghApp.BotLogin(), "Drift: "+address+" modified", "summary\n\n"+issueMarker+"\n", "tfdrift")
	url := f.repo.HTMLURL() + "/issues/" + strconv.Itoa(number)
	err = f.st.PutReceipt(ctx, store.Receipt{Fingerprint: d.Fingerprint, Sink: ticket.TypeGitHub, ResourceKey: ticket.ResourceKey(d),
		System: ticket.TypeGitHub, ExternalID: strconv.Itoa(number), URL: url})
	if err != nil {
		f.t.Fatal(err)
	}
	return number, rec
}

func (f *fixture) status(fp string) store.Status {
	f.t.Helper()
	rec, err := f.st.Get(context.Background(), fp)
	if err != nil {
		f.t.Fatal(err)
	}
	return rec.Status
}

// TestIssueClosedAndReopened: a person closing the App's issue ignores
// its drift, reopening it opens it again; the App's own close (a
// resolve) and an issue the App did not open change nothing.
func TestIssueClosedAndReopened(t *testing.T) {
	f := newFixture(t, fixtureOptions{yml: tfdriftYML})
	n, rec := f.trackedIssue("aws_instance.app_server")
	bot := f.ghApp.BotLogin()

	f.repo.SetIssueStateAs("alice", n, "closed", "not_planned")
	if d := f.send("issues", f.repo.IssuesEvent("closed", n, "alice")); d.Status != 202 {
		t.Fatalf("closed: %d %s", d.Status, d.Response)
	}
	waitUntil(t, "the drift to be ignored", func() bool { return f.status(rec.Fingerprint) == store.StatusIgnored })
	h, _ := f.st.History(context.Background(), rec.Fingerprint)
	if last := h[len(h)-1]; last.Actor != "github:alice" || last.Note != "closed GitHub issue acme/infra#"+strconv.Itoa(n) {
		t.Errorf("history: %+v", last)
	}

	f.repo.SetIssueStateAs("alice", n, "open", "")
	f.send("issues", f.repo.IssuesEvent("reopened", n, "alice"))
	waitUntil(t, "the drift to be open again", func() bool { return f.status(rec.Fingerprint) == store.StatusOpen })

	// The App closing its own issue (the drift was resolved) is no
	// person's decision.
	f.repo.SetIssueStateAs(bot, n, "closed", "completed")
	if d := f.send("issues", f.repo.IssuesEvent("closed", n, bot)); d.Status != 204 {
		t.Errorf("the App's own close: %d", d.Status)
	}
	// Someone's own issue with a copied marker is not the App's.
	other := f.repo.CreateIssueAs("mallory", "fake", issueMarker, "tfdrift")
	f.repo.SetIssueStateAs("mallory", other, "closed", "completed")
	if d := f.send("issues", f.repo.IssuesEvent("closed", other, "mallory")); d.Status != 204 {
		t.Errorf("a person's issue: %d", d.Status)
	}
	if n := f.counter(f.a.m.lifecycle.WithLabelValues("ignored")); n != 1 {
		t.Errorf("ignored %v times, want once", n)
	}
	if st := f.status(rec.Fingerprint); st != store.StatusOpen {
		t.Errorf("status %s, want open", st)
	}
}
