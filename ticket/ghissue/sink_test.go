package ghissue_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/internal/githubfake"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/ghissue"
)

var t0 = time.Date(2025, 1, 20, 14, 0, 0, 0, time.UTC)

func labelNames(ls []githubfake.Label) map[string]string {
	out := map[string]string{}
	for _, l := range ls {
		out[l.Name] = l.Color
	}
	return out
}

// The first drift of a resource opens its issue: title, labels (created
// in their colours), assignees, the body the renderer gives, the marker.
// Redelivered, it writes nothing.
func TestFirstDriftOpensAnIssue(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	d := located()
	rc := f.send(t, notice(ticket.KindDrift, d))
	if want := f.receipt(1); !cmp.Equal(rc, want) {
		t.Errorf("receipt %+v, want %+v", rc, want)
	}
	issues := f.repo.Issues()
	if len(issues) != 1 {
		t.Fatalf("%d issues, want 1", len(issues))
	}
	is := issues[0]
	want := ghissue.Body(d, ghissue.BodyOptions{HTMLURL: f.repo.HTMLURL(), Commands: true})
	if is.Title != ghissue.Title(d) || is.Body != want || is.User != "tfdrift-bot" {
		t.Errorf("issue %q by %s, body:\n%s", is.Title, is.User, cmp.Diff(want, is.Body))
	}
	if diff := cmp.Diff([]string{"tfdrift", "severity:critical", "drift:modified", "infra"}, is.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if !slices.Equal(is.Assignees, []string{"alice"}) {
		t.Errorf("assignees %v", is.Assignees)
	}
	if !strings.Contains(is.Body, "<!-- tfdrift:resource=s3://prod-us-terraform-state/terraform.tfstate/module.network.aws_security_group.web_servers -->") ||
		!strings.Contains(is.Body, f.repo.HTMLURL()+"/blob/0123456789abcdef0123456789abcdef01234567/modules/network/sg.tf#L12-L30") {
		t.Errorf("body lacks the marker or the permalink:\n%s", is.Body)
	}
	if diff := cmp.Diff(map[string]string{"tfdrift": "5319e7", "severity:critical": "b60205", "drift:modified": "1d76db", "infra": "ededed"},
		labelNames(f.repo.Labels())); diff != "" {
		t.Errorf("labels created (-want +got):\n%s", diff)
	}
	if f.lastOutcome() != ghissue.Opened {
		t.Errorf("outcome %s", f.lastOutcome())
	}

	writes := len(f.gh.Writes())
	for range 2 { // the outbox delivers at least once
		if again := f.send(t, notice(ticket.KindDrift, d)); !cmp.Equal(again, rc) {
			t.Errorf("redelivery receipt %+v, want %+v", again, rc)
		}
	}
	if n := len(f.gh.Writes()); n != writes || len(f.repo.Issues()) != 1 || f.lastOutcome() != ghissue.Unchanged {
		t.Errorf("redelivery wrote %d times (%d issues, outcome %s)", n-writes, len(f.repo.Issues()), f.lastOutcome())
	}
}

// A later drift of the resource is a comment, and the body's table holds
// every attribute so far; the severity label follows the worst drift.
// It never opens a second issue.
func TestLaterDriftCommentsAndUpdatesTheTable(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	first := sgDrift(1, t0, drift.Medium, 22)
	f.send(t, notice(ticket.KindDrift, first))
	later := sgDrift(1, t0.Add(5*time.Minute), drift.Critical, 22, 3389)
	later.Changes["description"] = drift.AttrChange{Expected: "web", Actual: "temp"}
	later.ComputeFingerprint()
	for range 2 {
		if rc := f.send(t, notice(ticket.KindDrift, later)); !cmp.Equal(rc, f.receipt(1)) {
			t.Errorf("receipt %+v", rc)
		}
	}
	issues := f.repo.Issues()
	if len(issues) != 1 {
		t.Fatalf("%d issues, want 1", len(issues))
	}
	cs := f.repo.Comments(1)
	if len(cs) != 1 || cs[0].Body != ghissue.Comment(later, ghissue.BodyOptions{HTMLURL: f.repo.HTMLURL()}) {
		t.Fatalf("comments %+v; want the later drift's, once", cs)
	}
	h, ok := ghissue.ParseHistory(issues[0].Body)
	if !ok || h.Count != 2 || len(h.Attrs) != 2 || !h.Has(first) || !h.Has(later) {
		t.Fatalf("history %+v", h)
	}
	if !strings.Contains(issues[0].Body, "| `description` |") || !strings.Contains(issues[0].Body, "3389") {
		t.Errorf("table not updated:\n%s", issues[0].Body)
	}
	if diff := cmp.Diff([]string{"tfdrift", "drift:modified", "infra", "severity:critical"}, issues[0].Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	// A less severe drift keeps the label.
	calmer := sgDrift(1, t0.Add(10*time.Minute), drift.Low, 22)
	f.send(t, notice(ticket.KindDrift, calmer))
	is, _ := f.repo.Issue(1)
	if !slices.Contains(is.Labels, "severity:critical") || slices.Contains(is.Labels, "severity:low") || len(f.repo.Comments(1)) != 2 {
		t.Errorf("after a low drift: labels %v, %d comments", is.Labels, len(f.repo.Comments(1)))
	}
}

// A crash after GitHub created the issue but before the outbox settled:
// the retry finds the issue by its marker and opens no second one. The
// same holds for a comment, and between a comment and the body update.
func TestRetryAfterACrashWritesNothingTwice(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	d := sgDrift(1, t0, drift.High, 22)
	f.lose.loseNext("POST", "/repos/acme/infra/issues", 1)
	if _, err := f.sink.Send(ctxT(t), notice(ticket.KindDrift, d)); err == nil || ticket.IsPermanent(err) {
		t.Fatalf("a lost answer: %v, want a transient error", err)
	}
	if rc := f.send(t, notice(ticket.KindDrift, d)); !cmp.Equal(rc, f.receipt(1)) || len(f.repo.Issues()) != 1 {
		t.Fatalf("retry: %+v, %d issues", rc, len(f.repo.Issues()))
	}

	later := sgDrift(1, t0.Add(time.Minute), drift.High, 22, 80)
	f.lose.loseNext("POST", "/issues/1/comments", 1)
	if _, err := f.sink.Send(ctxT(t), notice(ticket.KindDrift, later)); err == nil {
		t.Fatal("a lost comment answer did not fail")
	}
	f.send(t, notice(ticket.KindDrift, later))
	if cs := f.repo.Comments(1); len(cs) != 1 {
		t.Fatalf("%d comments after a retried comment, want 1", len(cs))
	}

	third := sgDrift(1, t0.Add(2*time.Minute), drift.High, 22, 80, 443)
	f.lose.loseNext("PATCH", "/issues/1", 1)
	if _, err := f.sink.Send(ctxT(t), notice(ticket.KindDrift, third)); err == nil {
		t.Fatal("a lost update answer did not fail")
	}
	f.send(t, notice(ticket.KindDrift, third))
	is, _ := f.repo.Issue(1)
	h, _ := ghissue.ParseHistory(is.Body)
	if cs := f.repo.Comments(1); len(cs) != 2 || h.Count != 3 || len(f.repo.Issues()) != 1 {
		t.Errorf("after retries: %d comments, history count %d, %d issues; want 2, 3, 1", len(cs), h.Count, len(f.repo.Issues()))
	}
}

// Labels are created once per repository, in their colours; one listing
// of the repository's labels, on its first drift, and none after.
func TestLabelsCreatedOncePerRepository(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	f.repo.CreateIssueAs("alice", "a person's issue", "no marker", "tfdrift") // the label exists, grey
	for i, sev := range []drift.Severity{drift.High, drift.High, drift.Low, drift.Critical} {
		f.send(t, notice(ticket.KindDrift, sgDrift(i, t0, sev, 22)))
	}
	lists := 0
	for _, r := range f.gh.Requests() {
		if r.Method == "GET" && strings.HasSuffix(r.Path, "/labels") {
			lists++
		}
	}
	if lists != 1 {
		t.Errorf("labels listed %d times, want once", lists)
	}
	if n := f.writes("POST", "/labels"); n != 5 {
		t.Errorf("%d labels created, want 5 (3 severities, drift:modified, infra)", n)
	}
	if got := labelNames(f.repo.Labels()); got["tfdrift"] != "ededed" || got["severity:low"] != "0e8a16" || got["severity:high"] != "d93f0b" {
		t.Errorf("labels %v: an existing label must be left as it is", got)
	}
	if len(f.repo.Issues()) != 5 {
		t.Errorf("%d issues, want the person's and 4", len(f.repo.Issues()))
	}
}

// At max_open_issues no issue is opened: the overflow issue lists the
// drift, once per resource, and does not count toward the cap. Room made,
// a listed resource's next drift opens its issue and leaves the list.
func TestCapAndOverflowIssue(t *testing.T) {
	f := newFixture(t, fixtureOptions{target: func(tg *ghissue.Target) { tg.MaxOpen = 3 }})
	f.repo.CreateIssueAs("alice", "unrelated", "a person's issue", "tfdrift")
	for i := range 5 {
		f.send(t, notice(ticket.KindDrift, sgDrift(i, t0.Add(time.Duration(i)*time.Minute), drift.High, 22)))
	}
	f.send(t, notice(ticket.KindDrift, sgDrift(4, t0.Add(10*time.Minute), drift.Critical, 22, 23))) // listed resource drifts again
	var drifts, overflow []githubfake.Issue
	for _, is := range f.openIssues() {
		switch {
		case is.Title == ghissue.OverflowTitle:
			overflow = append(overflow, is)
		case strings.HasPrefix(is.Title, "Drift: "):
			drifts = append(drifts, is)
		}
	}
	if len(drifts) != 3 || len(overflow) != 1 {
		t.Fatalf("%d drift issues and %d overflow issues, want 3 and 1", len(drifts), len(overflow))
	}
	ov := overflow[0]
	if strings.Count(ov.Body, "| `aws_security_group.sg_3` |") != 1 || strings.Count(ov.Body, "| `aws_security_group.sg_4` |") != 1 ||
		!strings.Contains(ov.Body, "| `aws_security_group.sg_4` | modified | critical |") || !slices.Contains(ov.Labels, "tfdrift") {
		t.Errorf("overflow issue lists each resource once, the latest drift:\n%s", ov.Body)
	}
	if f.lastOutcome() != ghissue.Overflowed {
		t.Errorf("outcome %s", f.lastOutcome())
	}
	writes := len(f.gh.Writes())
	f.send(t, notice(ticket.KindDrift, sgDrift(4, t0.Add(10*time.Minute), drift.Critical, 22, 23)))
	if len(f.gh.Writes()) != writes {
		t.Errorf("a redelivered overflow drift wrote again")
	}

	// A person closes one issue: sg_3's next drift opens its own issue.
	f.repo.SetIssueStateAs("alice", drifts[0].Number, "closed", "completed")
	rc := f.send(t, notice(ticket.KindDrift, sgDrift(3, t0.Add(20*time.Minute), drift.High, 22, 8080)))
	if f.lastOutcome() != ghissue.Opened || rc.ExternalID == "acme/infra#"+strconv.Itoa(ov.Number) {
		t.Errorf("sg_3 after room was made: %s %+v", f.lastOutcome(), rc)
	}
	ovNow, _ := f.repo.Issue(ov.Number)
	if strings.Contains(ovNow.Body, "sg_3") || !strings.Contains(ovNow.Body, "sg_4") || ovNow.State != "open" {
		t.Errorf("overflow after sg_3 left it:\n%s", ovNow.Body)
	}
	// sg_4 resolved: the list is empty and the overflow issue closes.
	f.send(t, notice(ticket.KindResolved, sgDrift(4, t0.Add(10*time.Minute), drift.Critical, 22, 23)))
	ovNow, _ = f.repo.Issue(ov.Number)
	if ovNow.State != "closed" || strings.Contains(ovNow.Body, "sg_4") || f.lastOutcome() != ghissue.NotOpen {
		t.Errorf("overflow after its last entry was resolved: %s, %s\n%s", ovNow.State, f.lastOutcome(), ovNow.Body)
	}
}

// A resolution closes the issue as completed with a comment that says
// why; redelivered, or for an issue closed already, it does nothing.
func TestResolveClosesTheIssueWithTheReason(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	d := sgDrift(1, t0, drift.High, 22)
	opened := f.send(t, notice(ticket.KindDrift, d))
	n := notice(ticket.KindResolved, d)
	n.Reason = "accepted: the state now holds the cloud's values"
	if rc := f.send(t, n); !cmp.Equal(rc, opened) || f.lastOutcome() != ghissue.Closed {
		t.Errorf("resolve: %+v %s", rc, f.lastOutcome())
	}
	is, _ := f.repo.Issue(1)
	cs := f.repo.Comments(1)
	if is.State != "closed" || is.StateReason != "completed" || len(cs) != 1 || cs[0].Body != ghissue.ResolvedComment(d, n.Reason) {
		t.Fatalf("issue %s/%s, comments %+v", is.State, is.StateReason, cs)
	}
	if !strings.Contains(cs[0].Body, "accepted: the state now holds the cloud") {
		t.Errorf("the comment does not say why:\n%s", cs[0].Body)
	}
	// Redelivered: nothing open, nothing written; the receipt the outbox
	// kept still stands.
	writes := len(f.gh.Writes())
	n.Refs = []ticket.Ref{{Sink: ticket.TypeGitHub, Fingerprint: d.Fingerprint, ResourceKey: ticket.ResourceKey(d), Receipt: opened}}
	if rc := f.send(t, n); !cmp.Equal(rc, opened) || len(f.gh.Writes()) != writes || f.lastOutcome() != ghissue.NotOpen {
		t.Errorf("redelivered resolve: %+v, %d writes, %s", rc, len(f.gh.Writes())-writes, f.lastOutcome())
	}

	// The comment posted, the close lost: the retry closes, once commented.
	d2 := sgDrift(2, t0, drift.High, 22)
	f.send(t, notice(ticket.KindDrift, d2))
	f.lose.loseNext("POST", "/issues/2/comments", 1)
	if _, err := f.sink.Send(ctxT(t), notice(ticket.KindResolved, d2)); err == nil {
		t.Fatal("a lost comment answer did not fail")
	}
	f.send(t, notice(ticket.KindResolved, d2))
	if is, _ := f.repo.Issue(2); is.State != "closed" || len(f.repo.Comments(2)) != 1 {
		t.Errorf("issue 2: %s with %d comments", is.State, len(f.repo.Comments(2)))
	}
	if !strings.Contains(f.repo.Comments(2)[0].Body, ghissue.DefaultResolveReason) {
		t.Errorf("a resolution without a reason says: %s", f.repo.Comments(2)[0].Body)
	}

	// Closed by a person already: nothing to do.
	d3 := sgDrift(3, t0, drift.High, 22)
	f.send(t, notice(ticket.KindDrift, d3))
	f.repo.SetIssueStateAs("alice", 3, "closed", "not_planned")
	writes = len(f.gh.Writes())
	if rc := f.send(t, notice(ticket.KindResolved, d3)); !rc.IsZero() || len(f.gh.Writes()) != writes {
		t.Errorf("resolving a closed issue: %+v, %d writes", rc, len(f.gh.Writes())-writes)
	}
	if is, _ := f.repo.Issue(3); is.StateReason != "not_planned" {
		t.Errorf("a person's close was changed: %s", is.StateReason)
	}
}

// What GitHub answers decides what the outbox does.
func TestErrorsAreClassified(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(f *fixture)
		target    func(*ghissue.Target)
		permanent bool
		retry     time.Duration // a *ticket.RetryAfterError of about this
		reason    string        // in the error
	}{
		{name: "repository gone (404)", target: func(tg *ghissue.Target) { tg.Repo = "deleted" }, permanent: true, reason: "not found"},
		{name: "validation (422): a label GitHub refuses", target: func(tg *ghissue.Target) { tg.Labels = []string{strings.Repeat("l", 51)} },
			permanent: true, reason: "name is too long"},
		{name: "read-only token (403)", setup: func(f *fixture) {
			f.gh.AddToken(githubfake.TokenSpec{Token: "ro", ReadOnly: true})
			c, _ := ghapi.NewTokenClient("ro", ghapi.Options{APIURL: f.gh.URL, Pacing: &ghapi.Pacing{}})
			f.target.Client = c
		}, permanent: true, reason: "403"},
		{name: "502", setup: func(f *fixture) {
			f.gh.Fail(githubfake.Fault{Kind: githubfake.BadGateway, Method: "POST", Path: "/repos/acme/infra/issues"})
		}, reason: "502"},
		{name: "secondary limit with Retry-After", setup: func(f *fixture) {
			f.gh.Fail(githubfake.Fault{Kind: githubfake.SecondaryRetryAfter, Method: "POST", Path: "/repos/acme/infra/issues", RetryAfter: 90 * time.Second})
		}, retry: 90 * time.Second, reason: "secondary rate limit"},
		{name: "secondary limit (429) with Retry-After", setup: func(f *fixture) {
			f.gh.Fail(githubfake.Fault{Kind: githubfake.SecondaryRetryAfter429, Method: "POST", RetryAfter: 30 * time.Second})
		}, retry: 30 * time.Second, reason: "secondary rate limit"},
		{name: "secondary limit without Retry-After", setup: func(f *fixture) {
			f.gh.Fail(githubfake.Fault{Kind: githubfake.SecondaryNoRetryAfter, Method: "POST", Path: "/repos/acme/infra/issues"})
		}, retry: time.Minute, reason: "secondary rate limit"},
		{name: "primary limit", setup: func(f *fixture) {
			f.gh.Fail(githubfake.Fault{Kind: githubfake.PrimaryLimit, Method: "GET", Path: "/repos/acme/infra/issues", Reset: time.Now().Add(10 * time.Minute)})
		}, retry: 10 * time.Minute, reason: "primary rate limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{target: tt.target})
			if tt.setup != nil {
				tt.setup(f)
			}
			d := sgDrift(1, t0, drift.High, 22)
			_, err := f.sink.Send(ctxT(t), notice(ticket.KindDrift, d))
			if err == nil {
				t.Fatal("no error")
			}
			after, isRetry := ticket.RetryAfter(err)
			switch {
			case ticket.IsPermanent(err) != tt.permanent:
				t.Errorf("permanent = %v, want %v: %v", ticket.IsPermanent(err), tt.permanent, err)
			case tt.retry > 0 && (!isRetry || after < tt.retry-5*time.Second || after > tt.retry+2*time.Second):
				t.Errorf("retry after %v (%v), want about %v: %v", after, isRetry, tt.retry, err)
			case tt.retry == 0 && isRetry:
				t.Errorf("a retry-after for %v", err)
			}
			if !strings.Contains(err.Error(), tt.reason) || !strings.Contains(err.Error(), "acme/") {
				t.Errorf("error %q does not name the repository and say %q", err, tt.reason)
			}
			if tt.name == "502" {
				// Transient: the outbox retries, and the retry opens it once.
				f.send(t, notice(ticket.KindDrift, d))
				if len(f.repo.Issues()) != 1 {
					t.Errorf("%d issues after the retry", len(f.repo.Issues()))
				}
			}
		})
	}
}

// An assignee GitHub refuses does not keep the drift from its issue.
func TestRefusedAssigneeStillOpensTheIssue(t *testing.T) {
	f := newFixture(t, fixtureOptions{target: func(tg *ghissue.Target) { tg.Assignees = []string{"alice", "not-a-collaborator"} }})
	f.send(t, notice(ticket.KindDrift, sgDrift(1, t0, drift.High, 22)))
	if is := f.repo.Issues(); len(is) != 1 || len(is[0].Assignees) != 0 {
		t.Errorf("issues %+v", is)
	}
}

// A drift no repository claims opens nothing and is counted.
func TestUnroutedDriftOpensNothing(t *testing.T) {
	f := newFixture(t, fixtureOptions{route: func(d *drift.Drift) bool { return d.ResourceID != "sg-0007" }})
	rc, err := f.sink.Send(ctxT(t), notice(ticket.KindDrift, sgDrift(7, t0, drift.High, 22)))
	if err != nil || !rc.IsZero() || f.unrouted != 1 || len(f.gh.Requests()) != 0 || f.lastOutcome() != ghissue.Unrouted {
		t.Errorf("unrouted: %+v %v, %d counted, %d requests", rc, err, f.unrouted, len(f.gh.Requests()))
	}
}

// A storm group (not expected: the App exempts this sink from storm
// control) still gets one issue per resource.
func TestGroupSendsEachDrift(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	ds := []*drift.Drift{sgDrift(1, t0, drift.High, 22), sgDrift(2, t0, drift.High, 22), sgDrift(1, t0.Add(time.Minute), drift.High, 22, 80)}
	n := &ticket.Notice{Sink: ticket.TypeGitHub, Kind: ticket.KindGroup, Fingerprint: "grp", Group: &ticket.Group{Actor: "dev@example.com", Drifts: ds}}
	rc, err := f.sink.Send(ctxT(t), n)
	if err != nil || len(rc.PerDrift) != 3 || !cmp.Equal(rc.PerDrift[ds[0].Fingerprint], f.receipt(1)) || !cmp.Equal(rc.PerDrift[ds[1].Fingerprint], f.receipt(2)) {
		t.Fatalf("group: %+v %v", rc, err)
	}
	if len(f.repo.Issues()) != 2 || len(f.repo.Comments(1)) != 1 {
		t.Errorf("%d issues, %d comments on #1", len(f.repo.Issues()), len(f.repo.Comments(1)))
	}
}

// The App's installation client works the same; its writes are the
// App's bot's.
func TestInstallationClient(t *testing.T) {
	gh := githubfake.New(t, githubfake.Options{})
	app := gh.AddApp(githubfake.AppSpec{ID: 42, Slug: "tfdrift"})
	repo := gh.AddRepo(githubfake.RepoSpec{Owner: "acme", Name: "infra"})
	gh.AddInstallation(githubfake.InstallationSpec{ID: 7, Repos: []string{"acme/infra"}})
	a, err := ghapi.NewApp(app.ID, app.PrivateKeyPEM(), ghapi.Options{APIURL: gh.URL, Pacing: &ghapi.Pacing{MinGap: 10 * time.Millisecond, PerMinute: 70, MaxWait: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	tg := ghissue.Target{Client: a.Installation(7), Owner: "acme", Repo: "infra", HTMLURL: repo.HTMLURL(), Commands: true}
	s, err := ghissue.New(ghissue.Options{Resolver: ghissue.Fixed(tg)})
	if err != nil {
		t.Fatal(err)
	}
	d := located()
	if _, err := s.Send(ctxT(t), notice(ticket.KindDrift, d)); err != nil {
		t.Fatal(err)
	}
	if is := repo.Issues(); len(is) != 1 || is[0].User != app.BotLogin() || !strings.Contains(is[0].Body, "/tfdrift accept") {
		t.Errorf("issues %+v", is)
	}
	if st := a.Installation(7).Pacer().Stats(); st.Writes != 4 {
		t.Errorf("pacer saw %d writes, want 4 (3 labels and the issue)", st.Writes)
	}
}

func TestNewNeedsAResolver(t *testing.T) {
	if _, err := ghissue.New(ghissue.Options{}); err == nil {
		t.Error("New without a Resolver succeeded")
	}
	s, _ := ghissue.New(ghissue.Options{Resolver: ghissue.Fixed(ghissue.Target{})})
	if s.Name() != ticket.TypeGitHub {
		t.Errorf("name %q", s.Name())
	}
	_, err := s.Send(ctxT(t), notice(ticket.KindDrift, sgDrift(1, t0, drift.High, 22)))
	if !ticket.IsPermanent(err) {
		t.Errorf("a target without a client: %v", err)
	}
	_, err = s.Send(ctxT(t), &ticket.Notice{Kind: ticket.KindDrift})
	if !ticket.IsPermanent(err) {
		t.Errorf("a notice without a drift: %v", err)
	}
	var rerr error = errors.New("discovery not done")
	s, _ = ghissue.New(ghissue.Options{Resolver: resolverFunc(func(_ context.Context, _ *drift.Drift) (ghissue.Target, bool, error) {
		return ghissue.Target{}, false, rerr
	})})
	if _, err := s.Send(ctxT(t), notice(ticket.KindDrift, sgDrift(1, t0, drift.High, 22))); err == nil || ticket.IsPermanent(err) || !errors.Is(err, rerr) {
		t.Errorf("a resolver error: %v, want it transient and wrapped", err)
	}
}

// A drift without a detection time still finds its own comment on retry:
// the sink's clock dates the search.
func TestUndatedDriftFindsItsCommentOnRetry(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	f.send(t, notice(ticket.KindDrift, sgDrift(1, time.Now(), drift.High, 22)))
	undated := sgDrift(1, time.Time{}, drift.High, 22, 80)
	f.lose.loseNext("POST", "/issues/1/comments", 1)
	if _, err := f.sink.Send(ctxT(t), notice(ticket.KindDrift, undated)); err == nil {
		t.Fatal("a lost comment answer did not fail")
	}
	f.send(t, notice(ticket.KindDrift, undated))
	if cs := f.repo.Comments(1); len(cs) != 1 {
		t.Errorf("%d comments, want 1", len(cs))
	}
	var since string
	for _, r := range f.gh.Requests() {
		if strings.HasSuffix(r.Path, "/issues/1/comments") && r.Method == "GET" {
			since = r.Query
		}
	}
	if !strings.Contains(since, "since=") {
		t.Errorf("comments listed without since: %q", since)
	}
}

// Pipeline runs (drifts without an audit event, whose event ID names only
// the resource): the same values found again write nothing; new values
// comment; values seen before that come back after others comment too,
// and the table shows them.
func TestCheckRunsOfOneResource(t *testing.T) {
	f := newFixture(t, fixtureOptions{target: func(tg *ghissue.Target) { tg.Commands = false }})
	run := func(at time.Time, desc string) *drift.Drift {
		d := checked()
		d.DetectedAt = at
		d.Changes = map[string]drift.AttrChange{"description": {Expected: "Web tier", Actual: desc}}
		d.ComputeFingerprint()
		d.ComputeEventID()
		f.send(t, notice(ticket.KindDrift, d))
		return d
	}
	run(t0, "temp")
	run(t0.Add(time.Hour), "temp")
	if f.lastOutcome() != ghissue.Unchanged || len(f.repo.Comments(1)) != 0 {
		t.Fatalf("the same drift again: %s, %d comments", f.lastOutcome(), len(f.repo.Comments(1)))
	}
	run(t0.Add(2*time.Hour), "debugging")
	run(t0.Add(3*time.Hour), "temp")
	is, _ := f.repo.Issue(1)
	h, _ := ghissue.ParseHistory(is.Body)
	if f.lastOutcome() != ghissue.Commented || len(f.repo.Comments(1)) != 2 || h.Attrs["description"].Actual != "temp" || h.Count != 3 {
		t.Errorf("values back to the first run's: %s, %d comments, history %+v", f.lastOutcome(), len(f.repo.Comments(1)), h)
	}
	run(t0.Add(4*time.Hour), "temp")
	if f.lastOutcome() != ghissue.Unchanged || len(f.repo.Issues()) != 1 {
		t.Errorf("then the same again: %s, %d issues", f.lastOutcome(), len(f.repo.Issues()))
	}
}

// A drift far larger than an issue holds (GitHub refuses a body over
// 65,536 characters) still opens its issue and comments: long values are
// shortened until it fits.
func TestHugeDriftFitsGitHubsLimit(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	huge := func(at time.Time, seed string) *drift.Drift {
		d := sgDrift(1, at, drift.High, 22)
		for i := range 12 {
			d.Changes[fmt.Sprintf("policy_%02d", i)] = drift.AttrChange{Expected: strings.Repeat("e", 40000), Actual: strings.Repeat(seed, 40000)}
		}
		d.ComputeFingerprint()
		return d
	}
	f.send(t, notice(ticket.KindDrift, huge(t0, "a")))
	f.send(t, notice(ticket.KindDrift, huge(t0.Add(time.Minute), "b")))
	is, _ := f.repo.Issue(1)
	if n := len([]rune(is.Body)); n > ghissue.MaxBody || len(f.repo.Comments(1)) != 1 {
		t.Fatalf("body of %d characters, %d comments", n, len(f.repo.Comments(1)))
	}
	h, ok := ghissue.ParseHistory(is.Body)
	if !ok || h.Count != 2 || len(h.Attrs) != 13 || !h.Attrs["policy_03"].Cut {
		t.Errorf("history of a huge drift: %v %+v", ok, h.Attrs["policy_03"].Cut)
	}
}

// A person who may label issues copies a drift issue's marker into an
// issue of their own: tfdrift never writes there, and opens its own.
func TestMarkerInAPersonsIssueIsNotTrusted(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	d := located()
	spoof := f.repo.CreateIssueAs("mallory", "look here", "please comment\n"+ghissue.Marker(d), "tfdrift")
	rc := f.send(t, notice(ticket.KindDrift, d))
	if rc.ExternalID == fmt.Sprintf("acme/infra#%d", spoof) {
		t.Fatalf("the drift went to the person's issue #%d", spoof)
	}
	if n := len(f.repo.Comments(spoof)); n != 0 {
		t.Errorf("%d comments written on the person's issue", n)
	}
	if is, _ := f.repo.Issue(spoof); is.Body != "please comment\n"+ghissue.Marker(d) || is.State != "open" {
		t.Errorf("the person's issue was changed: %+v", is)
	}
	if len(f.repo.Issues()) != 2 || f.lastOutcome() != ghissue.Opened {
		t.Errorf("%d issues, outcome %s; want tfdrift's own issue opened", len(f.repo.Issues()), f.lastOutcome())
	}
}
