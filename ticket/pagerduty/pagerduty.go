package pagerduty

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

// Defaults.
const (
	DefaultName    = "pagerduty"
	DefaultBaseURL = "https://events.pagerduty.com"
	DefaultTimeout = 10 * time.Second
)

// Options configure the PagerDuty sink.
type Options struct {
	// Name is the sink's name; default "pagerduty".
	Name string
	// RoutingKey is the service integration's key (required).
	RoutingKey string
	// BaseURL is the Events API host; default DefaultBaseURL. Tests
	// point it at a local fake.
	BaseURL string
	// Severities maps drift severities to critical, error, warning or
	// info; missing entries use DefaultSeverities.
	Severities map[drift.Severity]string
	// Source overrides the event source (see Renderer.Source).
	Source    string
	ClientURL string
	CodeLink  ticket.CodeLink
	// Timeout bounds each request; default 10s.
	Timeout    time.Duration
	HTTPClient *http.Client
	Now        func() time.Time
}

// Sink sends Events API v2 events.
type Sink struct {
	name     string
	endpoint string
	timeout  time.Duration
	client   *http.Client
	now      func() time.Time
	r        Renderer
}

// New checks o and returns the sink.
func New(o Options) (*Sink, error) {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if strings.TrimSpace(o.RoutingKey) == "" {
		return nil, fmt.Errorf("pagerduty %s: routing_key is required", o.Name)
	}
	for sev, v := range o.Severities {
		switch v {
		case "critical", "error", "warning", "info":
		default:
			return nil, fmt.Errorf("pagerduty %s: severity_map.%s = %q (want critical, error, warning or info)", o.Name, sev, v)
		}
	}
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(o.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("pagerduty %s: base URL %q: want http(s)://host", o.Name, o.BaseURL)
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
	return &Sink{
		name:     o.Name,
		endpoint: strings.TrimSuffix(o.BaseURL, "/") + "/v2/enqueue",
		timeout:  o.Timeout,
		client:   o.HTTPClient,
		now:      o.Now,
		r:        Renderer{RoutingKey: o.RoutingKey, Severities: o.Severities, Source: o.Source, ClientURL: o.ClientURL, CodeLink: o.CodeLink},
	}, nil
}

// Name is the sink's name.
func (s *Sink) Name() string { return s.name }

// Render returns the event Send would post.
func (s *Sink) Render(n *ticket.Notice) (*Event, error) { return s.r.Render(n) }

// Send posts n's event. PagerDuty answers 202; a 400 (invalid event) is
// permanent, 429 and 5xx are retried. The receipt is the event's
// dedup_key, the incident's identity for a later resolve.
func (s *Sink) Send(ctx context.Context, n *ticket.Notice) (ticket.Receipt, error) {
	ev, err := s.r.Render(n)
	if err != nil {
		return ticket.Receipt{}, ticket.Permanent("pagerduty "+s.name, err)
	}
	body, err := ticket.MarshalJSON(ev)
	if err != nil {
		return ticket.Receipt{}, ticket.Permanent("pagerduty "+s.name, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(body))
	if err != nil {
		return ticket.Receipt{}, ticket.Permanent("pagerduty "+s.name, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "tfdrift")
	what := fmt.Sprintf("pagerduty %s: %s %s", s.name, ev.EventAction, ev.DedupKey)
	if err := ticket.Do(s.client, req, what, s.now); err != nil {
		return ticket.Receipt{}, err
	}
	return ticket.Receipt{System: ticket.TypePagerDuty, ExternalID: ev.DedupKey}, nil
}
