package jira_test

import (
	"context"
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
	send := func(n *ticket.Notice) {
		t.Helper()
		for range 2 { // the outbox delivers at least once
			if err := s.Send(ctx, n); err != nil {
				t.Fatalf("Send %s: %v", n.Kind, err)
			}
		}
	}

	first := sample.SecurityGroup()
	send(notice(ticket.KindDrift, first))
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
	send(notice(ticket.KindDrift, second))
	if len(fake.issues) != 1 || len(is.Comments) != 1 || !strings.Contains(is.Comments[0], "New drift on this resource") {
		t.Fatalf("after a second drift: %d issues, comments %q", len(fake.issues), is.Comments)
	}
	golden.Check(t, filepath.Join("testdata", "comment-drift.txt"), []byte(is.Comments[0]))

	// Resolution: a comment and the Done transition.
	send(notice(ticket.KindResolved, second))
	if is.Status != "Done" || len(is.Comments) != 2 {
		t.Fatalf("after resolution: status %q, %d comments", is.Status, len(is.Comments))
	}
	golden.Check(t, filepath.Join("testdata", "comment-resolved.txt"), []byte(is.Comments[1]))

	// A later drift opens a new ticket: the old one is done.
	third := sample.SecurityGroup()
	third.Event.EventID = "third-event"
	third.ComputeEventID()
	send(notice(ticket.KindDrift, third))
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
		if err := s.Send(context.Background(), g); err != nil {
			t.Fatal(err)
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
	if err := wrong.Send(ctx, notice(ticket.KindDrift, d)); !ticket.IsPermanent(err) || !strings.Contains(err.Error(), "401") {
		t.Errorf("bad credentials: %v; want permanent 401", err)
	}

	s := cloudSink(t, srv.URL)
	fake.failNext["POST /rest/api/2/issue"] = fault{status: 500, times: 1}
	if err := s.Send(ctx, notice(ticket.KindDrift, d)); err == nil || ticket.IsPermanent(err) {
		t.Errorf("500 on create: %v; want transient", err)
	}
	fake.failNext["GET /rest/api/2/search/jql"] = fault{status: 429, retryAfter: "12", times: 1}
	if after, ok := ticket.RetryAfter(s.Send(ctx, notice(ticket.KindDrift, d))); !ok || after != 12*time.Second {
		t.Errorf("429 on search: %v %v", after, ok)
	}
	if err := s.Send(ctx, notice(ticket.KindDrift, d)); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
	bad := notice(ticket.KindDrift, sample.IAMPolicy())
	bad.Ticket = &ticket.TicketSpec{Project: "NOPE"}
	if err := s.Send(ctx, bad); !ticket.IsPermanent(err) || !strings.Contains(err.Error(), "valid project is required") {
		t.Errorf("unknown project: %v; want permanent with Jira's reason", err)
	}

	closed := cloudSink(t, srv.URL, func(o *jira.Options) { o.DoneTransition = "Closed" })
	err := closed.Send(ctx, notice(ticket.KindResolved, d))
	if !ticket.IsPermanent(err) || !strings.Contains(err.Error(), "available: To Do, Start Progress, Done") {
		t.Errorf("missing transition: %v", err)
	}
	// By target status name works too.
	byStatus := cloudSink(t, srv.URL, func(o *jira.Options) { o.DoneTransition = "in progress" })
	if err := byStatus.Send(ctx, notice(ticket.KindResolved, d)); err != nil || fake.issues[0].Status != "In Progress" {
		t.Errorf("transition by status: %v, status %q", err, fake.issues[0].Status)
	}
	// Nothing open: a resolution is a no-op.
	if err := s.Send(ctx, notice(ticket.KindResolved, sample.EBSVolume())); err != nil {
		t.Errorf("resolution without a ticket: %v", err)
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
