package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
	"gopkg.in/yaml.v3"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/internal/golden"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
	"github.com/tfdrift/tfdrift/ticket/slack"
)

var link = ticket.CodeLink{Template: ticket.GitHubBlobTemplate, Owner: "acme", Repo: "infra", Ref: "main"}

// seedMessageTemplate is use case 8's message_template, read from the
// configuration testdata that holds the seed's snippets verbatim.
func seedMessageTemplate(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("../../app/config/testdata/seed/uc08-gitops.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Notifications struct {
			Slack struct {
				MessageTemplate string `yaml:"message_template"`
			} `yaml:"slack"`
		} `yaml:"notifications"`
	}
	if err := yaml.Unmarshal(src, &cfg); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cfg.Notifications.Slack.MessageTemplate, "GitOps Violation") {
		t.Fatalf("use case 8's message_template not found: %q", cfg.Notifications.Slack.MessageTemplate)
	}
	return cfg.Notifications.Slack.MessageTemplate
}

func driftNotice(d *drift.Drift) *ticket.Notice {
	return &ticket.Notice{Sink: "slack", Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint}
}

func TestRenderGolden(t *testing.T) {
	plain, err := slack.NewRenderer("", link)
	if err != nil {
		t.Fatal(err)
	}
	templated, err := slack.NewRenderer(seedMessageTemplate(t), link)
	if err != nil {
		t.Fatal(err)
	}
	sg := sample.SecurityGroup()
	resolved := driftNotice(sg)
	resolved.Kind = ticket.KindResolved
	group := &ticket.Notice{Sink: "slack", Kind: ticket.KindGroup, Fingerprint: "grp_1", Group: &ticket.Group{
		Actor: "developer@example.com", First: sample.When, Last: sample.When.Add(4 * time.Minute), Window: 5 * time.Minute,
	}}
	for i := range 25 {
		d := sample.SecurityGroup()
		d.ResourceAddress = strings.Replace(d.ResourceAddress, "web_servers", "sg_"+string(rune('a'+i)), 1)
		group.Group.Drifts = append(group.Group.Drifts, d)
	}
	p1 := driftNotice(sample.IAMPolicy())
	p1.Priority = "p1"
	// A resolve of a resource with a GitHub issue links it.
	linked := driftNotice(sg)
	linked.Kind = ticket.KindResolved
	linked.Refs = []ticket.Ref{
		{Sink: "jira", ResourceKey: ticket.ResourceKey(sg), Receipt: ticket.Receipt{System: ticket.TypeJira, ExternalID: "INFRA-1", URL: "https://jira.example/browse/INFRA-1"}},
		{Sink: "github", ResourceKey: ticket.ResourceKey(sg), Receipt: ticket.Receipt{System: ticket.TypeGitHub, ExternalID: "12", URL: "https://github.com/acme/infra/issues/12?a=1&b=2"}},
	}
	// A URL that would end the link early is left out.
	broken := driftNotice(sample.IAMPolicy())
	broken.Refs = []ticket.Ref{{Sink: "github", ResourceKey: ticket.ResourceKey(broken.Drift),
		Receipt: ticket.Receipt{System: ticket.TypeGitHub, ExternalID: "13", URL: "https://github.com/x|<!channel>"}}}
	cases := []struct {
		name string
		r    *slack.Renderer
		n    *ticket.Notice
	}{
		{"security-group", plain, driftNotice(sg)},
		{"instance-type-cost", plain, driftNotice(sample.InstanceType())},
		{"ebs-cost", plain, driftNotice(sample.EBSVolume())},
		{"iam-policy-p1", plain, p1},
		{"gcp-firewall", plain, driftNotice(sample.GCPFirewall())},
		{"unmanaged", plain, driftNotice(sample.Unmanaged())},
		{"hostile", plain, driftNotice(sample.Hostile())},
		{"resolved", plain, resolved},
		{"group", plain, group},
		{"resolved-github-link", plain, linked},
		{"iam-policy-bad-link", plain, broken},
		{"uc08-template", templated, driftNotice(sample.SecurityGroup())},
		{"uc08-template-hostile", templated, driftNotice(sample.Hostile())},
	}
	for _, tt := range cases {
		m, err := tt.r.Render(tt.n)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(m.Webhook("")); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", tt.name+".json"), b.Bytes())
		if strings.Contains(b.String(), "<script>") || strings.Contains(b.String(), "<!channel>") {
			t.Errorf("%s: unescaped markup reached the message", tt.name)
		}
	}
}

// Template actions are escaped; the template's literal text is not.
func TestTemplateEscapesValuesOnly(t *testing.T) {
	r, err := slack.NewRenderer("<!here> {{ .User }} changed <https://x.example|{{ .ResourceType }}>", ticket.CodeLink{})
	if err != nil {
		t.Fatal(err)
	}
	d := sample.SecurityGroup()
	d.Event.Actor.UserName = "<!channel> & co"
	m, err := r.Render(driftNotice(d))
	if err != nil {
		t.Fatal(err)
	}
	if want := "<!here> &lt;!channel&gt; &amp; co changed <https://x.example|aws_security_group>"; m.Text != want {
		t.Errorf("text = %q, want %q", m.Text, want)
	}
	for _, bad := range []string{"{{ .Nope }}", "{{ template \"x\" }}", "{{ .User "} {
		if _, err := slack.NewRenderer(bad, ticket.CodeLink{}); err == nil {
			t.Errorf("NewRenderer(%q) accepted it", bad)
		}
	}
}

// fakeWebhook is a stateful incoming webhook: it checks the body's shape
// and keeps the messages it accepted.
type fakeWebhook struct {
	mu       sync.Mutex
	messages []slackapi.WebhookMessage
	status   int // non-zero: answer this instead, with body "reason"
	reason   string
}

func (f *fakeWebhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.status != 0 {
		w.Header().Set("Retry-After", "3")
		http.Error(w, f.reason, f.status)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var m slackapi.WebhookMessage
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &m) != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	if m.Text == "" || len(m.Attachments) != 1 || m.Attachments[0].Color == "" || len(m.Attachments[0].Blocks.BlockSet) == 0 {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	f.messages = append(f.messages, m)
	io.WriteString(w, "ok")
}

func TestSendIncomingWebhooks(t *testing.T) {
	main, prod := &fakeWebhook{}, &fakeWebhook{}
	mainSrv, prodSrv := httptest.NewServer(main), httptest.NewServer(prod)
	defer mainSrv.Close()
	defer prodSrv.Close()
	s, err := slack.New(slack.Options{
		WebhookURL: mainSrv.URL + "/services/T/B/secret", Channel: "#security-alerts",
		ChannelWebhooks: map[string]string{"#prod-critical": prodSrv.URL + "/services/T/B/prod"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d := sample.SecurityGroup()
	toProd := driftNotice(d)
	toProd.Target = "#prod-critical"
	for _, n := range []*ticket.Notice{driftNotice(d), toProd} {
		rc, err := s.Send(ctx, n)
		if err != nil {
			t.Fatalf("Send to %q: %v", n.Target, err)
		}
		if !rc.IsZero() {
			t.Errorf("an incoming webhook answers only ok, yet the receipt is %+v", rc)
		}
	}
	if len(main.messages) != 1 || len(prod.messages) != 1 {
		t.Fatalf("main got %d, prod got %d; want 1 each", len(main.messages), len(prod.messages))
	}
	if got := main.messages[0].Channel; got != "#security-alerts" {
		t.Errorf("default channel = %q", got)
	}
	if got := prod.messages[0].Channel; got != "" {
		t.Errorf("a channel's own webhook needs no channel field, got %q", got)
	}

	main.status, main.reason = http.StatusNotFound, "no_service"
	err = errOf(s.Send(ctx, driftNotice(d)))
	if !ticket.IsPermanent(err) || !strings.Contains(err.Error(), "no_service") || strings.Contains(err.Error(), "secret") {
		t.Errorf("404 no_service: %v; want permanent, with the reason, without the URL", err)
	}
	main.status = http.StatusTooManyRequests
	if after, ok := ticket.RetryAfter(errOf(s.Send(ctx, driftNotice(d)))); !ok || after != 3*time.Second {
		t.Errorf("429: %v, %v", after, ok)
	}
	main.status = http.StatusInternalServerError
	if err := errOf(s.Send(ctx, driftNotice(d))); err == nil || ticket.IsPermanent(err) {
		t.Errorf("500: %v; want transient", err)
	}
}

// postMessage records chat.postMessage calls on the slacktest server,
// which on its own only relays them to its RTM websocket.
type postMessage struct {
	mu       sync.Mutex
	calls    []url2form
	failWith string
	limited  bool
}

type url2form struct {
	Channel     string
	Text        string
	Attachments []slackapi.Attachment
}

func (p *postMessage) handle(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if err := r.ParseForm(); err != nil {
		io.WriteString(w, `{"ok":false,"error":"invalid_form_data"}`)
		return
	}
	// slack-go sends the token as a form field; Slack also takes the
	// Authorization header.
	if r.Header.Get("Authorization") != "Bearer xoxb-test-token" && r.PostForm.Get("token") != "xoxb-test-token" {
		io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
		return
	}
	if p.limited {
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	var atts []slackapi.Attachment
	if err := json.Unmarshal([]byte(r.Form.Get("attachments")), &atts); err != nil {
		io.WriteString(w, `{"ok":false,"error":"invalid_attachments"}`)
		return
	}
	if p.failWith != "" {
		io.WriteString(w, `{"ok":false,"error":"`+p.failWith+`"}`)
		return
	}
	p.calls = append(p.calls, url2form{Channel: r.Form.Get("channel"), Text: r.Form.Get("text"), Attachments: atts})
	fmt.Fprintf(w, `{"ok":true,"channel":"C0123","ts":"1737383535.%06d"}`, len(p.calls))
}

func TestSendBotToken(t *testing.T) {
	pm := &postMessage{}
	srv := slacktest.NewTestServer(func(c slacktest.Customize) { c.Handle("/chat.postMessage", pm.handle) })
	srv.Start()
	defer srv.Stop()
	s, err := slack.New(slack.Options{Token: "xoxb-test-token", Channel: "#drift", APIURL: srv.GetAPIURL(), MessageTemplate: seedMessageTemplate(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d := sample.SecurityGroup()
	n := driftNotice(d)
	n.Target = "#multi-cloud-security"
	var receipts []ticket.Receipt
	for _, n := range []*ticket.Notice{n, driftNotice(d)} {
		rc, err := s.Send(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		receipts = append(receipts, rc)
	}
	wantReceipts := []ticket.Receipt{{System: "slack", ExternalID: "C0123/1737383535.000001"}, {System: "slack", ExternalID: "C0123/1737383535.000002"}}
	if diff := cmp.Diff(wantReceipts, receipts); diff != "" {
		t.Errorf("receipts (-want +got):\n%s", diff)
	}
	var channels []string
	for _, c := range pm.calls {
		channels = append(channels, c.Channel)
	}
	if diff := cmp.Diff([]string{"#multi-cloud-security", "#drift"}, channels); diff != "" {
		t.Errorf("channels (-want +got):\n%s", diff)
	}
	c := pm.calls[0]
	if !strings.HasPrefix(c.Text, "⛔ GitOps Violation Detected\n\nUser developer@example.com made manual change to aws_security_group") {
		t.Errorf("text = %q", c.Text)
	}
	if len(c.Attachments) != 1 || c.Attachments[0].Color != "#D00000" {
		t.Errorf("attachments = %+v", c.Attachments)
	}

	pm.failWith = "channel_not_found"
	if err := errOf(s.Send(ctx, n)); !ticket.IsPermanent(err) || !strings.Contains(err.Error(), "channel_not_found") {
		t.Errorf("channel_not_found: %v; want permanent", err)
	}
	pm.failWith = "internal_error"
	if err := errOf(s.Send(ctx, n)); err == nil || ticket.IsPermanent(err) {
		t.Errorf("internal_error: %v; want transient", err)
	}
	pm.failWith, pm.limited = "", true
	if after, ok := ticket.RetryAfter(errOf(s.Send(ctx, n))); !ok || after != 5*time.Second {
		t.Errorf("rate limited: %v, %v", after, ok)
	}
	pm.limited = false

	wrong, _ := slack.New(slack.Options{Token: "xoxb-wrong", Channel: "#drift", APIURL: srv.GetAPIURL()})
	if err := errOf(wrong.Send(ctx, n)); !ticket.IsPermanent(err) {
		t.Errorf("invalid_auth: %v; want permanent", err)
	}
	noChannel, _ := slack.New(slack.Options{Token: "xoxb-test-token", APIURL: srv.GetAPIURL()})
	if err := errOf(noChannel.Send(ctx, driftNotice(d))); !ticket.IsPermanent(err) {
		t.Errorf("no channel: %v; want permanent", err)
	}
}

func TestNewRejects(t *testing.T) {
	for _, o := range []slack.Options{
		{},
		{WebhookURL: "not a url"},
		{Token: "x", ChannelWebhooks: map[string]string{"#a": "ftp://x"}},
		{Token: "x", MessageTemplate: "{{ .Nope }}"},
	} {
		if _, err := slack.New(o); err == nil {
			t.Errorf("New(%+v) accepted it", o)
		}
	}
}

// errOf drops a Send's receipt, for the cases that test its error.
func errOf(_ ticket.Receipt, err error) error { return err }
