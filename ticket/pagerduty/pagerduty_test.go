package pagerduty_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/internal/golden"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
	"github.com/tfdrift/tfdrift/ticket/pagerduty"
)

const routingKey = "R0UT1NGKEY0000000000000000000000"

// fakePD is a stateful Events API v2: it validates each event as
// PagerDuty does and keeps one incident per dedup_key.
type fakePD struct {
	mu        sync.Mutex
	incidents map[string]*incident
	events    int
	failNext  int // answer 500 this many times first
}

type incident struct {
	Status   string // triggered | resolved
	Triggers int
	Summary  string
	Severity string
}

func newFakePD() *fakePD { return &fakePD{incidents: map[string]*incident{}} }

func (f *fakePD) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	reject := func(msg string) {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"status": "invalid event", "message": "Event object is invalid", "errors": []string{msg}})
	}
	if r.URL.Path != "/v2/enqueue" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	if f.failNext > 0 {
		f.failNext--
		http.Error(w, "upstream", http.StatusInternalServerError)
		return
	}
	if r.Header.Get("Content-Type") != "application/json" {
		reject("content type")
		return
	}
	var ev pagerduty.Event
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		reject(err.Error())
		return
	}
	if ev.RoutingKey != routingKey {
		reject("'routing_key' is invalid")
		return
	}
	if ev.DedupKey == "" {
		reject("dedup_key is required by this fake")
		return
	}
	f.events++
	inc := f.incidents[ev.DedupKey]
	switch ev.EventAction {
	case "trigger":
		p := ev.Payload
		if p == nil || p.Summary == "" || p.Source == "" || len(p.Summary) > 1024 {
			reject("payload.summary and payload.source are required")
			return
		}
		switch p.Severity {
		case "critical", "error", "warning", "info":
		default:
			reject("payload.severity is invalid")
			return
		}
		if inc == nil || inc.Status == "resolved" {
			inc = &incident{}
			f.incidents[ev.DedupKey] = inc
		}
		inc.Status, inc.Summary, inc.Severity = "triggered", p.Summary, p.Severity
		inc.Triggers++
	case "resolve":
		if ev.Payload != nil {
			reject("resolve takes no payload")
			return
		}
		if inc != nil {
			inc.Status = "resolved"
		}
	default:
		reject("event_action is invalid")
		return
	}
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(map[string]string{"status": "success", "message": "Event processed", "dedup_key": ev.DedupKey})
}

func newSink(t *testing.T, url string) *pagerduty.Sink {
	t.Helper()
	s, err := pagerduty.New(pagerduty.Options{RoutingKey: routingKey, BaseURL: url, CodeLink: ticket.CodeLink{Template: ticket.GitHubBlobTemplate, Owner: "acme", Repo: "infra", Ref: "main"}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTriggerRedeliverResolve(t *testing.T) {
	fake := newFakePD()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	s := newSink(t, srv.URL)
	d := sample.SecurityGroup()
	n := &ticket.Notice{Sink: "pagerduty", Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint}
	ctx := context.Background()
	// The outbox may deliver twice: one incident, one receipt.
	want := ticket.Receipt{System: "pagerduty", ExternalID: d.Fingerprint}
	for range 2 {
		rc, err := s.Send(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, rc); diff != "" {
			t.Errorf("receipt (-want +got):\n%s", diff)
		}
	}
	resolved := *n
	resolved.Kind = ticket.KindResolved
	if rc, err := s.Send(ctx, &resolved); err != nil || !cmp.Equal(rc, want) {
		t.Fatalf("resolve: %+v, %v", rc, err)
	}
	wantIncidents := map[string]*incident{d.Fingerprint: {Status: "resolved", Triggers: 2, Severity: "critical",
		Summary: "CRITICAL drift: module.network.aws_security_group.web_servers (sg-0123456789abcdef0) by developer@example.com (AuthorizeSecurityGroupIngress)"}}
	if diff := cmp.Diff(wantIncidents, fake.incidents); diff != "" {
		t.Errorf("incidents (-want +got):\n%s", diff)
	}
}

func TestSendErrors(t *testing.T) {
	fake := newFakePD()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	d := sample.SecurityGroup()
	n := &ticket.Notice{Sink: "pagerduty", Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint}
	bad, err := pagerduty.New(pagerduty.Options{RoutingKey: "wrong", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if rc, err := bad.Send(context.Background(), n); !ticket.IsPermanent(err) || !rc.IsZero() {
		t.Errorf("wrong routing key: %v, want permanent", err)
	}
	fake.failNext = 1
	s := newSink(t, srv.URL)
	if rc, err := s.Send(context.Background(), n); err == nil || ticket.IsPermanent(err) || !rc.IsZero() {
		t.Errorf("500: %+v, %v; want transient, no receipt", rc, err)
	}
	if rc, err := s.Send(context.Background(), n); err != nil || rc.ExternalID != d.Fingerprint {
		t.Errorf("after recovery: %+v, %v", rc, err)
	}
	for _, o := range []pagerduty.Options{{}, {RoutingKey: "k", BaseURL: "nope"}, {RoutingKey: "k", Severities: map[drift.Severity]string{drift.High: "urgent"}}} {
		if _, err := pagerduty.New(o); err == nil {
			t.Errorf("New(%+v) accepted it", o)
		}
	}
}

func TestRenderGolden(t *testing.T) {
	s := newSink(t, "https://events.example.com")
	sg := sample.SecurityGroup()
	group := &ticket.Notice{Sink: "pagerduty", Kind: ticket.KindGroup, Fingerprint: "grp_0123", Group: &ticket.Group{
		Actor: "developer@example.com", First: sample.When, Last: sample.When.Add(3 * time.Minute), Window: 5 * time.Minute,
		Drifts: []*drift.Drift{sample.SecurityGroup(), sample.IAMPolicy(), sample.EBSVolume()},
	}}
	cases := map[string]*ticket.Notice{
		"drift":    {Sink: "pagerduty", Kind: ticket.KindDrift, Drift: sg, Fingerprint: sg.Fingerprint, Priority: "p1"},
		"cost":     {Sink: "pagerduty", Kind: ticket.KindDrift, Drift: sample.InstanceType(), Fingerprint: "fp-cost"},
		"hostile":  {Sink: "pagerduty", Kind: ticket.KindDrift, Drift: sample.Hostile(), Fingerprint: "fp-hostile"},
		"resolved": {Sink: "pagerduty", Kind: ticket.KindResolved, Drift: sg, Fingerprint: sg.Fingerprint},
		"group":    group,
	}
	for name, n := range cases {
		ev, err := s.Render(n)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, err := json.MarshalIndent(ev, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", name+".json"), append(b, '\n'))
	}
	if _, err := s.Render(&ticket.Notice{Kind: ticket.KindDrift}); err == nil {
		t.Error("Render accepted a notice without a drift or fingerprint")
	}
}
