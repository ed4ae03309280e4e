package deliver_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/deliver"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
)

// trackerSink stands for a ticket system (Jira, GitHub issues): one ticket
// per resource, whose key it returns as the receipt. It records the refs
// each notice arrived with, so tests can check what a later notice knew.
type trackerSink struct {
	name, system string

	mu      sync.Mutex
	tickets map[string]string // resource key → ticket key
	got     []seen
}

type seen struct {
	kind ticket.Kind
	refs []string // "sink:external id"
}

func newTracker(name, system string) *trackerSink {
	return &trackerSink{name: name, system: system, tickets: map[string]string{}}
}

func (s *trackerSink) Name() string { return s.name }

func (s *trackerSink) Send(_ context.Context, n *ticket.Notice) (ticket.Receipt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var refs []string
	for _, r := range n.Refs {
		refs = append(refs, r.Sink+":"+r.ExternalID)
	}
	s.got = append(s.got, seen{n.Kind, refs})
	ticketOf := func(d *drift.Drift) ticket.Receipt {
		rk := ticket.ResourceKey(d)
		key, ok := s.tickets[rk]
		if !ok {
			key = fmt.Sprintf("%s-%d", strings.ToUpper(s.name), len(s.tickets)+1)
			s.tickets[rk] = key
		}
		return ticket.Receipt{System: s.system, ExternalID: key, URL: "https://" + s.name + ".example/" + key}
	}
	switch n.Kind {
	case ticket.KindGroup:
		rc := ticket.Receipt{System: s.system, PerDrift: map[string]ticket.Receipt{}}
		for _, d := range n.Group.Drifts {
			rc.PerDrift[d.Fingerprint] = ticketOf(d)
		}
		return rc, nil
	case ticket.KindResolved:
		// A resolve must know the ticket its drift opened.
		ref, ok := n.RefFrom(s.name, n.Drift)
		if !ok {
			return ticket.Receipt{}, ticket.Permanentf("%s: resolve without a ticket key", s.name)
		}
		return ref.Receipt, nil
	}
	return ticketOf(n.Drift), nil
}

// A drift's receipt reaches its resolve, and a GitHub issue's receipt
// reaches another sink's notice about the same resource, even when all
// of them are claimed in one batch.
func TestReceiptsReachLaterNotices(t *testing.T) {
	jira := newTracker("jira", ticket.TypeJira)
	github := newTracker("github", ticket.TypeGitHub)
	var slackRefs []ticket.Ref
	slack := &funcSink{name: "slack", send: func(n *ticket.Notice) error {
		if ref, ok := n.SystemRef(ticket.TypeGitHub, n.Drift); ok {
			slackRefs = append(slackRefs, ref)
		}
		return nil
	}}
	h := newHarness(t, []ticket.Sink{jira, github, slack}, func(o *deliver.Options) { o.Concurrency = 8 })
	d := sample.SecurityGroup()
	again := sample.SecurityGroup() // the same resource, another value
	again.Changes["ingress"] = drift.AttrChange{Expected: "[]", Actual: "[22]"}
	again.ComputeFingerprint()
	resolved := noticeFor("jira", d)
	resolved.Kind = ticket.KindResolved
	ids := map[string]int64{}
	for name, n := range map[string]*ticket.Notice{"jira": noticeFor("jira", d), "github": noticeFor("github", d)} {
		ids[name], _ = h.q.Enqueue(n)
	}
	h.drain(t)
	ids["resolved"], _ = h.q.Enqueue(resolved)
	ids["slack"], _ = h.q.Enqueue(noticeFor("slack", again))
	h.drain(t)

	for name, id := range ids {
		if it, _ := h.q.Get(id); it.Status != deliver.StatusDelivered {
			t.Errorf("%s notice is %s: %s", name, it.Status, it.LastError)
		}
	}
	if it, _ := h.q.Get(ids["jira"]); len(it.Refs) != 1 || it.Refs[0].ExternalID != "JIRA-1" || it.Refs[0].ResourceKey != ticket.ResourceKey(d) || it.Refs[0].Fingerprint != d.Fingerprint {
		t.Errorf("the jira notice recorded %+v", it.Refs)
	}
	// The resolve arrived knowing both tickets of the resource.
	last := jira.got[len(jira.got)-1]
	if last.kind != ticket.KindResolved || !contains(last.refs, "jira:JIRA-1") || !contains(last.refs, "github:GITHUB-1") {
		t.Errorf("the resolve arrived with %+v", last)
	}
	// A drift of another fingerprint on the same resource links the issue.
	want := []ticket.Ref{{Sink: "github", Fingerprint: d.Fingerprint, ResourceKey: ticket.ResourceKey(d),
		Receipt: ticket.Receipt{System: ticket.TypeGitHub, ExternalID: "GITHUB-1", URL: "https://github.example/GITHUB-1"}, At: sample.When}}
	if diff := cmp.Diff(want, slackRefs); diff != "" {
		t.Errorf("slack saw (-want +got):\n%s", diff)
	}
}

// A group handled drift by drift leaves one receipt per drift, found by
// each drift's resource.
func TestGroupReceiptsPerDrift(t *testing.T) {
	jira := newTracker("jira", ticket.TypeJira)
	h := newHarness(t, []ticket.Sink{jira})
	a, b := sample.SecurityGroup(), sample.IAMPolicy()
	g := &ticket.Notice{Sink: "jira", Kind: ticket.KindGroup, Fingerprint: "grp_x",
		Group: &ticket.Group{Actor: "alice", First: sample.When, Last: sample.When, Drifts: []*drift.Drift{a, b}}}
	id, _ := h.q.Enqueue(g)
	h.drain(t)
	it, _ := h.q.Get(id)
	var got []string
	for _, r := range it.Refs {
		got = append(got, r.Fingerprint+"="+r.ExternalID+"@"+r.System)
	}
	if diff := cmp.Diff([]string{a.Fingerprint + "=JIRA-1@jira", b.Fingerprint + "=JIRA-2@jira"}, got); diff != "" {
		t.Errorf("group receipts (-want +got):\n%s", diff)
	}
	refs, _ := h.q.Refs(context.Background(), []string{ticket.ResourceKey(b)})
	if len(refs) != 1 || refs[0].ExternalID != "JIRA-2" {
		t.Errorf("refs of b's resource: %+v", refs)
	}
}

// failingRefs is a queue whose receipt look-up fails.
type failingRefs struct{ *deliver.MemQueue }

func (failingRefs) Refs(context.Context, []string) ([]ticket.Ref, error) {
	return nil, errors.New("database is locked")
}

// A notice whose receipts cannot be read is retried, not sent without
// them: a resolve must not go out lacking its ticket key.
func TestRefLookupFailureRetries(t *testing.T) {
	jira := newTracker("jira", ticket.TypeJira)
	clk := &clock{t: sample.When}
	q := deliver.NewMemQueue(clk.Now)
	id, _ := q.Enqueue(noticeFor("jira", sample.SecurityGroup()))
	var results []deliver.Result
	d, err := deliver.New(failingRefs{q}, []ticket.Sink{jira}, deliver.Options{Owner: "w", Now: clk.Now, Rand: func() float64 { return 0 },
		OnResult: func(r deliver.Result) { results = append(results, r) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if it, _ := q.Get(id); it.Status != deliver.StatusPending || !strings.Contains(it.LastError, "database is locked") || len(jira.got) != 0 {
		t.Errorf("notice %s %q after a failed look-up; sink saw %d sends", it.Status, it.LastError, len(jira.got))
	}
	if len(results) != 1 || results[0].Outcome != deliver.Retrying {
		t.Errorf("results %+v", results)
	}
}

// RefsOf ties receipts to what the notice is about.
func TestRefsOf(t *testing.T) {
	d := sample.SecurityGroup()
	e := sample.IAMPolicy()
	rc := ticket.Receipt{System: "jira", ExternalID: "INFRA-1", URL: "https://jira/browse/INFRA-1"}
	tests := []struct {
		name string
		n    *ticket.Notice
		rc   ticket.Receipt
		want []ticket.Ref
	}{
		{"none", noticeFor("webhook", d), ticket.Receipt{}, nil},
		{"a group without a key", &ticket.Notice{Sink: "slack", Kind: ticket.KindGroup, Group: &ticket.Group{Drifts: []*drift.Drift{d}}},
			ticket.Receipt{System: "slack", ExternalID: "C1/1.2"}, nil},
		{"drift", &ticket.Notice{Sink: "jira", Target: "INFRA", Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint}, rc,
			[]ticket.Ref{{Sink: "jira", Target: "INFRA", Fingerprint: d.Fingerprint, ResourceKey: ticket.ResourceKey(d), Receipt: rc}}},
		{"group as a whole", &ticket.Notice{Sink: "slack", Kind: ticket.KindGroup, Fingerprint: "grp_1", Group: &ticket.Group{Drifts: []*drift.Drift{d, e}}},
			ticket.Receipt{System: "slack", ExternalID: "C1/1.2"},
			[]ticket.Ref{{Sink: "slack", Fingerprint: "grp_1", Receipt: ticket.Receipt{System: "slack", ExternalID: "C1/1.2"}}}},
		{"group per drift", &ticket.Notice{Sink: "jira", Kind: ticket.KindGroup, Fingerprint: "grp_1", Group: &ticket.Group{Drifts: []*drift.Drift{d, e}}},
			ticket.Receipt{System: "jira", PerDrift: map[string]ticket.Receipt{e.Fingerprint: {ExternalID: "INFRA-2"}, "unknown": {ExternalID: "INFRA-9"}}},
			[]ticket.Ref{{Sink: "jira", Fingerprint: e.Fingerprint, ResourceKey: ticket.ResourceKey(e), Receipt: ticket.Receipt{System: "jira", ExternalID: "INFRA-2"}}}},
	}
	for _, tt := range tests {
		got := deliver.RefsOf(tt.n, tt.rc)
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
