package jira_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/internal/golden"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
	"github.com/tfdrift/tfdrift/ticket/jira"
)

var link = ticket.CodeLink{Template: ticket.GitHubBlobTemplate, Owner: "acme", Repo: "infra", Ref: "main"}

// seedSpec is use case 8's create_ticket action.
var seedSpec = &ticket.TicketSpec{System: "jira", Project: "INFRA", IssueType: "Task", Summary: "Manual Infrastructure Change Detected"}

func cloudSink(t *testing.T, url string, mut ...func(*jira.Options)) *jira.Sink {
	t.Helper()
	o := jira.Options{
		URL: url, Email: "bot@example.com", APIToken: "api-token",
		Labels: []string{"drift"}, Components: []string{"platform"},
		CustomFields: map[string]any{"customfield_10010": map[string]any{"value": "High"}},
		CodeLink:     link,
	}
	for _, m := range mut {
		m(&o)
	}
	s, err := jira.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func notice(kind ticket.Kind, d *drift.Drift) *ticket.Notice {
	return &ticket.Notice{Sink: "jira", Kind: kind, Target: "INFRA", Ticket: seedSpec, Drift: d, Fingerprint: d.Fingerprint}
}

// The whole life of one resource's ticket, with redeliveries at every step.
func TestTicketLifecycle(t *testing.T) {
	fake := newFakeJira(t)
	fake.basic = "bot@example.com:api-token"
	srv := httptest.NewServer(fake)
	defer srv.Close()
	s := cloudSink(t, srv.URL)
	ctx := context.Background()
	send := func(n *ticket.Notice, wantKey string) {
		t.Helper()
		want := ticket.Receipt{System: "jira", ExternalID: wantKey, URL: srv.URL + "/browse/" + wantKey}
		for range 2 { // the outbox delivers at least once
			rc, err := s.Send(ctx, n)
			if err != nil {
				t.Fatalf("Send %s: %v", n.Kind, err)
			}
			if diff := cmp.Diff(want, rc); diff != "" {
				t.Errorf("Send %s: receipt (-want +got):\n%s", n.Kind, diff)
			}
		}
	}

	first := sample.SecurityGroup()
	send(notice(ticket.KindDrift, first), "INFRA-1")
	if len(fake.issues) != 1 {
		t.Fatalf("%d issues after the first drift, want 1", len(fake.issues))
	}
	is := fake.issues[0]
	want := &fakeIssue{
		Key: "INFRA-1", Project: "INFRA", IssueType: "Task", Status: "To Do",
		Summary:     "Manual Infrastructure Change Detected: module.network.aws_security_group.web_servers (sg-0123456789abcdef0)",
		Description: is.Description,
		Labels:      []string{"tfdrift", jira.MarkerLabel(first), "drift"},
		Components:  []string{"platform"},
		Custom:      map[string]any{"customfield_10010": map[string]any{"value": "High"}},
	}
	if diff := cmp.Diff(want, is); diff != "" {
		t.Errorf("created issue (-want +got):\n%s", diff)
	}
	golden.Check(t, filepath.Join("testdata", "description-security-group.txt"), []byte(is.Description))

	// Another change to the same resource: a comment, once.
	second := sample.SecurityGroup()
	second.Event.EventID = "another-event"
	second.ComputeEventID()
	send(notice(ticket.KindDrift, second), "INFRA-1")
	if len(fake.issues) != 1 || len(is.Comments) != 1 || !strings.Contains(is.Comments[0], "New drift on this resource") {
		t.Fatalf("after a second drift: %d issues, comments %q", len(fake.issues), is.Comments)
	}
	golden.Check(t, filepath.Join("testdata", "comment-drift.txt"), []byte(is.Comments[0]))

	// Resolution: a comment and the Done transition.
	// (The outbox hands a resolve the receipt its drift left; a redelivery
	// then still answers with it, though the ticket is done.)
	send(withRef(notice(ticket.KindResolved, second), ticket.Receipt{System: "jira", ExternalID: "INFRA-1", URL: srv.URL + "/browse/INFRA-1"}, first.Fingerprint), "INFRA-1")
	if is.Status != "Done" || len(is.Comments) != 2 {
		t.Fatalf("after resolution: status %q, %d comments", is.Status, len(is.Comments))
	}
	golden.Check(t, filepath.Join("testdata", "comment-resolved.txt"), []byte(is.Comments[1]))

	// A later drift opens a new ticket: the old one is done.
	third := sample.SecurityGroup()
	third.Event.EventID = "third-event"
	third.ComputeEventID()
	send(notice(ticket.KindDrift, third), "INFRA-2")
	if len(fake.issues) != 2 || fake.issues[1].Key != "INFRA-2" {
		t.Fatalf("after a drift on a resolved resource: %d issues", len(fake.issues))
	}
	// Cloud search: the /search/jql endpoint only.
	if fake.calls["GET /rest/api/2/search"] != 0 || fake.calls["GET /rest/api/2/search/jql"] == 0 {
		t.Errorf("calls %v: Jira Cloud must use /search/jql", fake.calls)
	}
	if got := fake.calls["POST /rest/api/2/issue"]; got != 2 {
		t.Errorf("%d creates, want 2", got)
	}
}

func TestServerPATAndGroups(t *testing.T) {
	fake := newFakeJira(t)
	fake.bearer = "pat-123"
	srv := httptest.NewServer(fake)
	defer srv.Close()
	s, err := jira.New(jira.Options{URL: srv.URL, PersonalAccessToken: "pat-123", Project: "SEC", IssueType: "Bug"})
	if err != nil {
		t.Fatal(err)
	}
	g := &ticket.Notice{Sink: "jira", Kind: ticket.KindGroup, Fingerprint: "grp_1", Group: &ticket.Group{
		Actor: "developer@example.com", First: sample.When, Last: sample.When, Window: time.Minute,
		Drifts: []*drift.Drift{sample.SecurityGroup(), sample.IAMPolicy(), sample.Unmanaged()},
	}}
	for range 2 {
		rc, err := s.Send(context.Background(), g)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{}
		for i, d := range g.Group.Drifts {
			want[d.Fingerprint] = fmt.Sprintf("SEC-%d %s/browse/SEC-%d", i+1, srv.URL, i+1)
		}
		got := map[string]string{}
		for fp, r := range rc.PerDrift {
			got[fp] = r.ExternalID + " " + r.URL
		}
		if diff := cmp.Diff(want, got); diff != "" || rc.ExternalID != "" {
			t.Errorf("group receipt %q; per drift (-want +got):\n%s", rc.ExternalID, diff)
		}
	}
	var keys []string
	for _, is := range fake.issues {
		keys = append(keys, is.Key+" "+is.IssueType+" "+is.Summary)
	}
	want := []string{
		"SEC-1 Bug Infrastructure drift detected: module.network.aws_security_group.web_servers (sg-0123456789abcdef0)",
		"SEC-2 Bug Infrastructure drift detected: module.iam.aws_iam_role_policy.app_policy (app_role:app_policy)",
		"SEC-3 Bug Infrastructure drift detected: aws_instance i-0fedcba9876543210",
	}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("issues (-want +got):\n%s", diff)
	}
	if fake.calls["GET /rest/api/2/search/jql"] != 0 || fake.calls["GET /rest/api/2/search"] == 0 {
		t.Errorf("calls %v: Server/DC must use /search", fake.calls)
	}
}

func TestErrors(t *testing.T) {
	fake := newFakeJira(t)
	fake.basic = "bot@example.com:api-token"
	srv := httptest.NewServer(fake)
	defer srv.Close()
	ctx := context.Background()
	d := sample.SecurityGroup()

	wrong := cloudSink(t, srv.URL, func(o *jira.Options) { o.APIToken = "wrong" })
	if _, err := wrong.Send(ctx, notice(ticket.KindDrift, d)); !ticket.IsPermanent(err) || !strings.Contains(err.Error(), "401") {
		t.Errorf("bad credentials: %v; want permanent 401", err)
	}

	s := cloudSink(t, srv.URL)
	fake.failNext["POST /rest/api/2/issue"] = fault{status: 500, times: 1}
	if _, err := s.Send(ctx, notice(ticket.KindDrift, d)); err == nil || ticket.IsPermanent(err) {
		t.Errorf("500 on create: %v; want transient", err)
	}
	fake.failNext["GET /rest/api/2/search/jql"] = fault{status: 429, retryAfter: "12", times: 1}
	if _, err := s.Send(ctx, notice(ticket.KindDrift, d)); !retriesAfter(err, 12*time.Second) {
		t.Errorf("429 on search: %v", err)
	}
	if _, err := s.Send(ctx, notice(ticket.KindDrift, d)); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
	bad := notice(ticket.KindDrift, sample.IAMPolicy())
	bad.Ticket = &ticket.TicketSpec{Project: "NOPE"}
	if _, err := s.Send(ctx, bad); !ticket.IsPermanent(err) || !strings.Contains(err.Error(), "valid project is required") {
		t.Errorf("unknown project: %v; want permanent with Jira's reason", err)
	}

	closed := cloudSink(t, srv.URL, func(o *jira.Options) { o.DoneTransition = "Closed" })
	_, err := closed.Send(ctx, notice(ticket.KindResolved, d))
	if !ticket.IsPermanent(err) || !strings.Contains(err.Error(), "available: To Do, Start Progress, Done") {
		t.Errorf("missing transition: %v", err)
	}
	// By target status name works too.
	byStatus := cloudSink(t, srv.URL, func(o *jira.Options) { o.DoneTransition = "in progress" })
	if _, err := byStatus.Send(ctx, notice(ticket.KindResolved, d)); err != nil || fake.issues[0].Status != "In Progress" {
		t.Errorf("transition by status: %v, status %q", err, fake.issues[0].Status)
	}
	// Nothing open: a resolution is a no-op, with no receipt.
	if rc, err := s.Send(ctx, notice(ticket.KindResolved, sample.EBSVolume())); err != nil || !rc.IsZero() {
		t.Errorf("resolution without a ticket: %+v, %v", rc, err)
	}
}

func retriesAfter(err error, want time.Duration) bool {
	after, ok := ticket.RetryAfter(err)
	return ok && after == want
}

// withRef is n carrying the receipt an earlier delivery left.
func withRef(n *ticket.Notice, rc ticket.Receipt, fp string) *ticket.Notice {
	n.Refs = append(n.Refs, ticket.Ref{Sink: "jira", Target: "INFRA", Fingerprint: fp, ResourceKey: ticket.ResourceKey(n.Drift), Receipt: rc})
	return n
}

// With the receipt of the drift's ticket, the sink works on that ticket
// by key: Jira Cloud's search lags behind a create by seconds, and a
// search would then neither find the ticket to resolve nor stop a second
// drift from opening a duplicate.
func TestReceiptNamesTheTicket(t *testing.T) {
	fake := newFakeJira(t)
	fake.basic = "bot@example.com:api-token"
	srv := httptest.NewServer(fake)
	defer srv.Close()
	s := cloudSink(t, srv.URL)
	ctx := context.Background()
	fake.searchLag = true

	first := sample.SecurityGroup()
	rc, err := s.Send(ctx, notice(ticket.KindDrift, first))
	if err != nil || rc.ExternalID != "INFRA-1" {
		t.Fatalf("first drift: %+v, %v", rc, err)
	}
	// Another drift on the resource, knowing the ticket: a comment on it.
	second := sample.SecurityGroup()
	second.Event.EventID = "another-event"
	second.ComputeEventID()
	second.Changes["description"] = drift.AttrChange{Expected: "web", Actual: "changed"}
	second.ComputeFingerprint()
	searches := fake.calls["GET /rest/api/2/search/jql"]
	if rc2, err := s.Send(ctx, withRef(notice(ticket.KindDrift, second), rc, first.Fingerprint)); err != nil || !cmp.Equal(rc2, rc) {
		t.Fatalf("second drift: %+v, %v; want %+v", rc2, err, rc)
	}
	if len(fake.issues) != 1 || len(fake.issues[0].Comments) != 1 {
		t.Fatalf("%d issues, %d comments: the known ticket was not used", len(fake.issues), len(fake.issues[0].Comments))
	}
	// The resolve transitions exactly that ticket.
	if rc3, err := s.Send(ctx, withRef(notice(ticket.KindResolved, first), rc, first.Fingerprint)); err != nil || !cmp.Equal(rc3, rc) {
		t.Fatalf("resolve: %+v, %v", rc3, err)
	}
	if is := fake.issues[0]; is.Status != "Done" || !strings.Contains(is.Comments[1], "Drift resolved") {
		t.Errorf("after the resolve: %s, comments %q", is.Status, is.Comments)
	}
	if got := fake.calls["GET /rest/api/2/search/jql"]; got != searches {
		t.Errorf("%d searches with the key known", got-searches)
	}
	// A redelivered resolve: the ticket is done, nothing more happens,
	// and the receipt still stands.
	comments := len(fake.issues[0].Comments)
	if rc4, err := s.Send(ctx, withRef(notice(ticket.KindResolved, first), rc, first.Fingerprint)); err != nil || !cmp.Equal(rc4, rc) || len(fake.issues[0].Comments) != comments {
		t.Errorf("redelivered resolve: %+v, %v, %d comments", rc4, err, len(fake.issues[0].Comments))
	}
	// A receipt whose ticket is done no longer takes new drifts: a
	// new ticket opens.
	fake.searchLag = false
	third := sample.SecurityGroup()
	third.Event.EventID = "third-event"
	third.ComputeEventID()
	if rc5, err := s.Send(ctx, withRef(notice(ticket.KindDrift, third), rc, first.Fingerprint)); err != nil || rc5.ExternalID != "INFRA-2" {
		t.Errorf("drift after the resolve: %+v, %v; want INFRA-2", rc5, err)
	}
}

// A receipt naming a ticket that was deleted, or belongs to another
// project, falls back to the search by marker label.
func TestStaleReceiptFallsBackToSearch(t *testing.T) {
	fake := newFakeJira(t)
	fake.basic = "bot@example.com:api-token"
	srv := httptest.NewServer(fake)
	defer srv.Close()
	s := cloudSink(t, srv.URL)
	ctx := context.Background()
	d := sample.SecurityGroup()
	if _, err := s.Send(ctx, notice(ticket.KindDrift, d)); err != nil {
		t.Fatal(err)
	}
	for _, stale := range []string{"INFRA-99", "OTHER-1"} {
		n := withRef(notice(ticket.KindResolved, d), ticket.Receipt{System: "jira", ExternalID: stale}, d.Fingerprint)
		fake.issues[0].Status = "To Do"
		rc, err := s.Send(ctx, n)
		if err != nil || rc.ExternalID != "INFRA-1" || fake.issues[0].Status != "Done" {
			t.Errorf("resolve with a receipt for %s: %+v, %v, status %s", stale, rc, err, fake.issues[0].Status)
		}
	}
	if fake.calls["GET /rest/api/2/issue/{key}"] != 1 {
		t.Errorf("%d gets: only INFRA-99 is in the project", fake.calls["GET /rest/api/2/issue/{key}"])
	}
}

// A ticket shows the GitHub issue of its resource, when one is known.
func TestGitHubIssueLink(t *testing.T) {
	fake := newFakeJira(t)
	fake.basic = "bot@example.com:api-token"
	srv := httptest.NewServer(fake)
	defer srv.Close()
	s := cloudSink(t, srv.URL)
	d := sample.SecurityGroup()
	n := notice(ticket.KindDrift, d)
	n.Refs = []ticket.Ref{{Sink: "github", ResourceKey: ticket.ResourceKey(d), Fingerprint: "other",
		Receipt: ticket.Receipt{System: ticket.TypeGitHub, ExternalID: "12", URL: "https://github.com/acme/infra/issues/12"}}}
	if _, err := s.Send(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "description-github-link.txt"), []byte(fake.issues[0].Description))
	if !strings.Contains(fake.issues[0].Description, "||GitHub issue|[\\#12|https://github.com/acme/infra/issues/12]|") {
		t.Errorf("no GitHub issue row in:\n%s", fake.issues[0].Description)
	}
	// A URL that could break out of the link markup is left out.
	r := &jira.Renderer{}
	bad := ticket.Ref{Receipt: ticket.Receipt{System: ticket.TypeGitHub, ExternalID: "1", URL: "https://x|y]"}}
	if desc := r.Description(d, bad); strings.Contains(desc, "GitHub issue") {
		t.Errorf("unsafe link rendered:\n%s", desc)
	}
}

func TestNewRejects(t *testing.T) {
	for _, o := range []jira.Options{
		{},
		{URL: "jira.example.com", PersonalAccessToken: "x"},
		{URL: "https://x.example"},
		{URL: "https://x.example", Email: "a@b"},
		{URL: "https://x.example", Email: "a@b", APIToken: "t", PersonalAccessToken: "p"},
		{URL: "https://x.example", PersonalAccessToken: "p", Labels: []string{"has space"}},
		{URL: "https://x.example", PersonalAccessToken: "p", Search: "magic"},
	} {
		if _, err := jira.New(o); err == nil {
			t.Errorf("New(%+v) accepted it", o)
		}
	}
}

func TestRenderGolden(t *testing.T) {
	r := &jira.Renderer{CodeLink: link}
	for _, sm := range sample.All() {
		golden.Check(t, filepath.Join("testdata", "description-"+sm.Name+".txt"), []byte(r.Description(sm.Drift)))
	}
	if got := r.Summary(strings.Repeat("x", 300), sample.SecurityGroup()); len(got) > 255 {
		t.Errorf("summary is %d bytes", len(got))
	}
	if got := r.Summary("", sample.Hostile()); strings.Contains(got, "\n") {
		t.Errorf("summary spans lines: %q", got)
	}
}
