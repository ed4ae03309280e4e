package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
	"github.com/tfdrift/tfdrift/ticket/webhook"
)

// receiver is a stateful fake endpoint: it checks what arrives (method,
// auth, content type, signature, JSON body) and keeps what it accepted.
type receiver struct {
	t      *testing.T
	token  string
	secret string

	mu       sync.Mutex
	accepted []map[string]any
	keys     []string
	paths    []string
	// reply, when set, answers instead of 202 (fault injection).
	reply func(w http.ResponseWriter) bool
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	switch {
	case r.Method != http.MethodPost:
		http.Error(w, "method", http.StatusMethodNotAllowed)
	case r.Header.Get("Authorization") != "Bearer "+rc.token:
		http.Error(w, `{"error":"bad token"}`, http.StatusUnauthorized)
	case r.Header.Get("Content-Type") != "application/json":
		http.Error(w, "content type", http.StatusUnsupportedMediaType)
	case rc.secret != "" && r.Header.Get(webhook.SignatureHeader) != webhook.Sign(rc.secret, body):
		http.Error(w, "signature", http.StatusForbidden)
	case !json.Valid(body):
		http.Error(w, "invalid JSON", http.StatusBadRequest)
	default:
		if rc.reply != nil && rc.reply(w) {
			return
		}
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			http.Error(w, "not an object", http.StatusBadRequest)
			return
		}
		rc.accepted = append(rc.accepted, doc)
		rc.keys = append(rc.keys, r.Header.Get(webhook.IdempotencyHeader))
		rc.paths = append(rc.paths, r.URL.Path)
		w.WriteHeader(http.StatusAccepted)
	}
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.accepted)
}

// send is Send for the webhook sink, whose answer names nothing to refer
// to later: a receipt coming back fails the test.
func send(t *testing.T, s *webhook.Sink, n *ticket.Notice) error {
	t.Helper()
	rc, err := s.Send(context.Background(), n)
	if !rc.IsZero() {
		t.Errorf("webhook %s returned a receipt %+v", s.Name(), rc)
	}
	return err
}

func TestSendSIEMWebhook(t *testing.T) {
	rc := &receiver{t: t, token: "siem-token", secret: "s3cret"}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	// Seed use case 9's SIEM webhook: headers, no template.
	s, err := webhook.New(webhook.Options{
		Name: "siem", URL: srv.URL + "/api/security-events", Secret: "s3cret",
		Headers: map[string]string{"Authorization": "Bearer siem-token", "X-Event-Category": "infrastructure-security"},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := sample.Hostile()
	n := &ticket.Notice{Sink: "siem", Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint}
	for range 2 { // a redelivery carries the same idempotency key
		if err := send(t, s, n); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	if rc.count() != 2 || rc.keys[0] == "" || rc.keys[0] != rc.keys[1] {
		t.Fatalf("accepted %d, keys %q", rc.count(), rc.keys)
	}
	got := rc.accepted[0]
	if got["user"] != d.User() || got["resource_id"] != d.ResourceID || got["event_type"] != drift.EventType {
		t.Errorf("body lost values: user %q resource %q", got["user"], got["resource_id"])
	}
	if rc.paths[0] != "/api/security-events" {
		t.Errorf("path %q", rc.paths[0])
	}
}

func TestSendErrors(t *testing.T) {
	rc := &receiver{t: t, token: "right"}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	d := sample.SecurityGroup()
	n := &ticket.Notice{Sink: "w", Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint}

	wrong, _ := webhook.New(webhook.Options{URL: srv.URL + "/?token=secret-in-query", Headers: map[string]string{"Authorization": "Bearer wrong"}})
	err := send(t, wrong, n)
	if !ticket.IsPermanent(err) {
		t.Errorf("401: %v, want permanent", err)
	}
	if strings.Contains(err.Error(), "secret-in-query") {
		t.Errorf("the error leaks the URL's query: %v", err)
	}

	rc.reply = func(w http.ResponseWriter) bool {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	}
	right, _ := webhook.New(webhook.Options{URL: srv.URL, Headers: map[string]string{"Authorization": "Bearer right"}})
	if after, ok := ticket.RetryAfter(send(t, right, n)); !ok || after.Seconds() != 7 {
		t.Errorf("429: retry after %v, %v", after, ok)
	}
	rc.reply = func(w http.ResponseWriter) bool { w.WriteHeader(http.StatusBadGateway); return true }
	if err := send(t, right, n); err == nil || ticket.IsPermanent(err) {
		t.Errorf("502: %v, want transient", err)
	}
	rc.reply = nil

	srv.Close()
	if err := send(t, right, n); err == nil || ticket.IsPermanent(err) {
		t.Errorf("connection refused: %v, want transient", err)
	}
	noURL, _ := webhook.New(webhook.Options{Name: "action-webhook"})
	if err := send(t, noURL, n); !ticket.IsPermanent(err) {
		t.Errorf("no URL: %v, want permanent", err)
	}
}

// A rule's webhook action: the notice carries the URL.
func TestSendActionURL(t *testing.T) {
	rc := &receiver{t: t, token: "t"}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	s, _ := webhook.New(webhook.Options{Name: ticket.DefaultActionWebhookSink, Headers: map[string]string{"Authorization": "Bearer t"}})
	d := sample.SecurityGroup()
	n := &ticket.Notice{Sink: s.Name(), Kind: ticket.KindDrift, URL: srv.URL + "/trigger", Drift: d, Fingerprint: d.Fingerprint}
	if err := send(t, s, n); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"/trigger"}, rc.paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
}

// A template that renders invalid JSON for one drift: nothing is sent,
// the error is permanent, and the sink counts it.
func TestSendRefusesInvalidJSON(t *testing.T) {
	rc := &receiver{t: t, token: "t"}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	s, err := webhook.New(webhook.Options{
		URL: srv.URL, Headers: map[string]string{"Authorization": "Bearer t"},
		// Valid for the sample drift (an instance), not for a security group.
		PayloadTemplate: `{"a": {{ if eq .ResourceType "aws_security_group" }}1,{{ else }}2{{ end }}}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	d := sample.SecurityGroup()
	err = send(t, s, &ticket.Notice{Sink: "webhook", Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint})
	if !ticket.IsPermanent(err) || !strings.Contains(err.Error(), "invalid JSON") {
		t.Errorf("Send = %v, want a permanent invalid-JSON error", err)
	}
	if rc.count() != 0 || s.InvalidPayloads() != 1 {
		t.Errorf("sent %d, counted %d invalid; want 0 sent, 1 counted", rc.count(), s.InvalidPayloads())
	}
	if err := send(t, s, &ticket.Notice{Sink: "webhook", Kind: ticket.KindDrift, Drift: sample.InstanceType()}); err != nil {
		t.Errorf("a valid render failed: %v", err)
	}
}

func BenchmarkRenderSeedTemplate(b *testing.B) {
	tmpl := seedTemplates(b)
	var text string
	for _, st := range tmpl {
		if strings.HasPrefix(st.name, "uc09-incident-response-webhooks") {
			text = st.text
		}
	}
	s, err := webhook.New(webhook.Options{URL: "https://x.example", PayloadTemplate: text})
	if err != nil {
		b.Fatal(err)
	}
	n := notice(sample.Hostile())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Render(n); err != nil {
			b.Fatal(err)
		}
	}
}

// A drift whose resource has a GitHub issue carries the link: in the
// default body as github_issue, and in templates as .GitHubIssue and
// .GitHubIssueURL, escaped like every other value.
func TestGitHubIssueLink(t *testing.T) {
	rc := &receiver{t: t, token: "t"}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	d := sample.SecurityGroup()
	issue := ticket.Ref{Sink: "github", Fingerprint: "another", ResourceKey: ticket.ResourceKey(d),
		Receipt: ticket.Receipt{System: ticket.TypeGitHub, ExternalID: "12", URL: `https://github.com/acme/infra/issues/12?q="x"`}}
	jiraRef := ticket.Ref{Sink: "jira", Fingerprint: d.Fingerprint, ResourceKey: ticket.ResourceKey(d),
		Receipt: ticket.Receipt{System: ticket.TypeJira, ExternalID: "INFRA-1", URL: "https://jira.example/browse/INFRA-1"}}
	n := &ticket.Notice{Sink: "webhook", Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint, Refs: []ticket.Ref{jiraRef, issue}}

	plain, _ := webhook.New(webhook.Options{URL: srv.URL, Headers: map[string]string{"Authorization": "Bearer t"}})
	if err := send(t, plain, n); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": "12", "url": `https://github.com/acme/infra/issues/12?q="x"`}
	if diff := cmp.Diff(want, rc.accepted[0]["github_issue"]); diff != "" {
		t.Errorf("github_issue (-want +got):\n%s", diff)
	}
	tmpl, err := webhook.New(webhook.Options{URL: srv.URL, Headers: map[string]string{"Authorization": "Bearer t"},
		PayloadTemplate: `{"issue": {{ .GitHubIssue }}, "link": "{{ .GitHubIssueURL }}", "refs": {{ len .Refs }}}`})
	if err != nil {
		t.Fatal(err)
	}
	if err := send(t, tmpl, n); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"issue": "12", "link": want["url"], "refs": 2.0}, rc.accepted[1]); diff != "" {
		t.Errorf("templated body (-want +got):\n%s", diff)
	}
	// Without a GitHub receipt: no github_issue key, empty template values.
	n.Refs = []ticket.Ref{jiraRef}
	if err := send(t, plain, n); err != nil {
		t.Fatal(err)
	}
	if _, ok := rc.accepted[2]["github_issue"]; ok {
		t.Errorf("github_issue without a GitHub receipt: %v", rc.accepted[2])
	}
	if err := send(t, tmpl, n); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"issue": "", "link": "", "refs": 1.0}, rc.accepted[3]); diff != "" {
		t.Errorf("templated body without an issue (-want +got):\n%s", diff)
	}
}
