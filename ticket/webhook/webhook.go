package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

// Defaults.
const (
	DefaultName    = "webhook"
	DefaultMethod  = http.MethodPost
	DefaultTimeout = 10 * time.Second
)

// Header names the sink sets.
const (
	// SignatureHeader carries "sha256=" + hex HMAC-SHA256 of the body
	// keyed with Options.Secret, as GitHub signs its webhooks.
	SignatureHeader = "X-Tfdrift-Signature-256"
	// IdempotencyHeader is the same for every delivery of one notice, so
	// a receiver can drop the duplicates an at-least-once outbox sends.
	IdempotencyHeader = "Idempotency-Key"
)

// Options configure one webhook sink.
type Options struct {
	// Name is the sink's name in routes and the outbox; default "webhook".
	Name string
	// URL receives the payloads. It may be empty for the sink that serves
	// rules' webhook actions, whose notices carry their own URL.
	URL string
	// Method is POST (default), PUT or PATCH.
	Method string
	// Headers are sent with every request, values already expanded
	// (${ENV} is the configuration's job). Content-Type defaults to
	// application/json.
	Headers map[string]string
	// PayloadTemplate renders the body (see the package documentation);
	// empty sends the drift's JSON record.
	PayloadTemplate string
	// Secret, when set, signs each body (SignatureHeader).
	Secret string
	// Timeout bounds each request; default 10s.
	Timeout time.Duration
	// CodeLink fills .CodeURL in templates.
	CodeLink ticket.CodeLink
	// HTTPClient defaults to a client with no overall timeout (Timeout
	// applies per request).
	HTTPClient *http.Client
	// Now reads the clock for Retry-After dates; default time.Now.
	Now func() time.Time
}

// Sink posts notices to an HTTP endpoint.
type Sink struct {
	o       Options
	tmpl    *Template
	invalid atomic.Uint64
}

// New checks o and returns the sink. A payload template is parsed and
// test-run against ticket.SampleNotice, so a template that cannot produce
// JSON fails here, at start-up, rather than at the first drift.
func New(o Options) (*Sink, error) {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if o.Method == "" {
		o.Method = DefaultMethod
	}
	o.Method = strings.ToUpper(o.Method)
	switch o.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return nil, fmt.Errorf("webhook %s: method %q (want POST, PUT or PATCH)", o.Name, o.Method)
	}
	if o.URL != "" {
		if err := checkURL(o.URL); err != nil {
			return nil, fmt.Errorf("webhook %s: %w", o.Name, err)
		}
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Sink{o: o}
	if o.PayloadTemplate != "" {
		t, err := ParseTemplate(o.Name+".payload_template", o.PayloadTemplate)
		if err != nil {
			return nil, fmt.Errorf("webhook %s: %w", o.Name, err)
		}
		if _, err := t.Render(ticket.NewTemplateData(ticket.SampleNotice(), o.CodeLink)); err != nil {
			return nil, fmt.Errorf("webhook %s: with a sample drift: %w", o.Name, err)
		}
		s.tmpl = t
	}
	return s, nil
}

// Name is the sink's name.
func (s *Sink) Name() string { return s.o.Name }

// InvalidPayloads counts the notices not sent because their payload was
// not valid JSON.
func (s *Sink) InvalidPayloads() uint64 { return s.invalid.Load() }

// Render returns the body Send would post for n. It is pure: no I/O.
func (s *Sink) Render(n *ticket.Notice) ([]byte, error) {
	if s.tmpl != nil {
		return s.tmpl.Render(ticket.NewTemplateData(n, s.o.CodeLink))
	}
	return DefaultPayload(n)
}

// Event types of the default payloads besides drift.EventType.
const (
	EventTypeResolved = "terraform_drift_resolved"
	EventTypeGroup    = "terraform_drift_group"
)

// groupPayload is the default body of a group notice.
type groupPayload struct {
	EventType   string         `json:"event_type"`
	Fingerprint string         `json:"fingerprint"`
	Actor       string         `json:"actor"`
	Count       int            `json:"count"`
	First       string         `json:"first_detected_at"`
	Last        string         `json:"last_detected_at"`
	Window      string         `json:"window"`
	Drifts      []drift.Record `json:"drifts"`
}

// driftPayload is the default body of a drift or resolved notice: the
// drift's record, plus a link to the resource's GitHub issue when one is
// known.
type driftPayload struct {
	drift.Record
	GitHubIssue *Link `json:"github_issue,omitempty"`
}

// Link is a receipt another sink left about the same resource.
type Link struct {
	ID  string `json:"id,omitempty"`
	URL string `json:"url"`
}

// DefaultPayload is the body without a template: the drift's record (with
// event_type terraform_drift_resolved for a resolution, and github_issue
// {id, url} when the resource has a GitHub issue), or for a group the
// records under one terraform_drift_group object.
func DefaultPayload(n *ticket.Notice) ([]byte, error) {
	switch {
	case n.Kind == ticket.KindGroup && n.Group != nil:
		g := groupPayload{
			EventType: EventTypeGroup, Fingerprint: n.Fingerprint, Actor: n.Group.Actor, Count: len(n.Group.Drifts),
			First: n.Group.First.UTC().Format(time.RFC3339), Last: n.Group.Last.UTC().Format(time.RFC3339), Window: n.Group.Window.String(),
		}
		for _, d := range n.Group.Drifts {
			g.Drifts = append(g.Drifts, d.ToRecord())
		}
		return ticket.MarshalJSON(g)
	case n.Drift != nil:
		p := driftPayload{Record: n.Drift.ToRecord()}
		if n.Kind == ticket.KindResolved {
			p.EventType = EventTypeResolved
		}
		if ref, ok := n.SystemRef(ticket.TypeGitHub, n.Drift); ok {
			p.GitHubIssue = &Link{ID: ref.ExternalID, URL: ref.URL}
		}
		return ticket.MarshalJSON(p)
	}
	return nil, fmt.Errorf("%s notice without a drift", n.Kind)
}

// Send renders and posts n. An invalid payload is never sent. A webhook
// answer names nothing tfdrift could refer to later: the receipt is
// empty.
func (s *Sink) Send(ctx context.Context, n *ticket.Notice) (ticket.Receipt, error) {
	return ticket.Receipt{}, s.send(ctx, n)
}

func (s *Sink) send(ctx context.Context, n *ticket.Notice) error {
	body, err := s.Render(n)
	if err != nil {
		s.invalid.Add(1)
		return ticket.Permanent("webhook "+s.o.Name+": payload not sent", err)
	}
	target := s.o.URL
	if n.URL != "" {
		target = n.URL
	}
	if target == "" {
		return ticket.Permanentf("webhook %s: no URL (neither configured nor carried by the notice)", s.o.Name)
	}
	if err := checkURL(target); err != nil {
		return ticket.Permanent("webhook "+s.o.Name, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, s.o.Method, target, bytes.NewReader(body))
	if err != nil {
		return ticket.Permanent("webhook "+s.o.Name, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "tfdrift")
	for k, v := range s.o.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set(IdempotencyHeader, IdempotencyKey(s.o.Name, n))
	if s.o.Secret != "" {
		req.Header.Set(SignatureHeader, Sign(s.o.Secret, body))
	}
	what := fmt.Sprintf("webhook %s: %s %s", s.o.Name, s.o.Method, redact(target))
	return ticket.Do(s.o.HTTPClient, req, what, s.o.Now)
}

// Sign returns the signature header value for body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// IdempotencyKey is stable across deliveries of one notice.
func IdempotencyKey(sink string, n *ticket.Notice) string {
	h := sha256.Sum256([]byte(strings.Join([]string{sink, string(n.Kind), n.Target, n.URL, n.Fingerprint}, "\x00")))
	return hex.EncodeToString(h[:16])
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("URL %q: %w", redact(raw), err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("URL %q: want http(s)://host/…", redact(raw))
	}
	return nil
}

// redact keeps a URL's scheme, host and path for messages; the query and
// user info often hold tokens.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	out := u.Scheme + "://" + u.Host + u.EscapedPath()
	if u.RawQuery != "" {
		out += "?…"
	}
	return out
}
