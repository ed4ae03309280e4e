package pagerduty

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/cost"
)

// Event is an Events API v2 request body.
type Event struct {
	RoutingKey  string   `json:"routing_key"`
	EventAction string   `json:"event_action"`
	DedupKey    string   `json:"dedup_key"`
	Payload     *Payload `json:"payload,omitempty"`
	Links       []Link   `json:"links,omitempty"`
	Client      string   `json:"client,omitempty"`
	ClientURL   string   `json:"client_url,omitempty"`
}

// Payload is the trigger event's payload.
type Payload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	Timestamp     string         `json:"timestamp,omitempty"`
	Component     string         `json:"component,omitempty"`
	Group         string         `json:"group,omitempty"`
	Class         string         `json:"class,omitempty"`
	CustomDetails map[string]any `json:"custom_details,omitempty"`
}

// Link is a link shown on the incident.
type Link struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

// Event actions.
const (
	ActionTrigger = "trigger"
	ActionResolve = "resolve"
)

// Limits of the Events API.
const (
	maxSummary  = 1024
	maxDedupKey = 255
	// maxGroupListed keeps a storm's incident readable.
	maxGroupListed = 50
)

// DefaultSeverities maps drift severities to PagerDuty's four.
func DefaultSeverities() map[drift.Severity]string {
	return map[drift.Severity]string{
		drift.Critical: "critical",
		drift.High:     "error",
		drift.Medium:   "warning",
		drift.Low:      "info",
		drift.Info:     "info",
	}
}

// Renderer builds events. Its fields are Options' rendering half.
type Renderer struct {
	RoutingKey string
	Severities map[drift.Severity]string
	// Source overrides the event source; default "<provider>:<account>"
	// ("aws:123456789012"), or "tfdrift" when unknown.
	Source    string
	ClientURL string
	CodeLink  ticket.CodeLink
}

// Render builds the event for n: a trigger for a drift or a group, a
// resolve for a resolution.
func (r *Renderer) Render(n *ticket.Notice) (*Event, error) {
	key := n.Fingerprint
	if key == "" && n.Drift != nil {
		key = n.Drift.Fingerprint
	}
	if key == "" {
		return nil, fmt.Errorf("pagerduty: %s notice without a fingerprint for dedup_key", n.Kind)
	}
	if len(key) > maxDedupKey {
		key = key[:maxDedupKey]
	}
	ev := &Event{RoutingKey: r.RoutingKey, DedupKey: key}
	switch {
	case n.Kind == ticket.KindResolved:
		ev.EventAction = ActionResolve
		return ev, nil
	case n.Kind == ticket.KindGroup && n.Group != nil && len(n.Group.Drifts) > 0:
		ev.EventAction = ActionTrigger
		ev.Payload = r.groupPayload(n)
	case n.Drift != nil:
		ev.EventAction = ActionTrigger
		ev.Payload = r.driftPayload(n, n.Drift)
		if u := r.CodeLink.URL(n.Drift.Terraform); u != "" {
			ev.Links = []Link{{Href: u, Text: "Terraform code: " + ticket.CodeText(n.Drift.Terraform)}}
		}
	default:
		return nil, fmt.Errorf("pagerduty: %s notice without a drift", n.Kind)
	}
	ev.Client = "tfdrift"
	ev.ClientURL = r.ClientURL
	return ev, nil
}

func (r *Renderer) severity(s drift.Severity) string {
	if v, ok := r.Severities[s]; ok && v != "" {
		return v
	}
	if v, ok := DefaultSeverities()[s]; ok {
		return v
	}
	return "warning"
}

func (r *Renderer) source(d *drift.Drift) string {
	if r.Source != "" {
		return r.Source
	}
	if d.Provider() != "" && d.Account() != "" {
		return d.Provider() + ":" + d.Account()
	}
	return "tfdrift"
}

func (r *Renderer) driftPayload(n *ticket.Notice, d *drift.Drift) *Payload {
	what := "drift"
	switch d.ChangeType {
	case drift.Created:
		what = "unmanaged resource created"
	case drift.Deleted:
		what = "managed resource deleted"
	}
	summary := fmt.Sprintf("%s %s: %s", strings.ToUpper(string(d.Severity)), what, d.Title())
	if u := d.User(); u != "" {
		summary += " by " + u
	}
	if e := d.CloudTrailEvent(); e != "" {
		summary += " (" + e + ")"
	}
	details := map[string]any{
		"resource_type":    d.ResourceType,
		"resource_id":      d.ResourceID,
		"resource_address": d.ResourceAddress,
		"change_type":      d.ChangeType,
		"account":          d.Account(),
		"region":           d.Region(),
		"user":             d.User(),
		"source_ip":        d.SourceIP(),
		"event":            d.CloudTrailEvent(),
		"changes":          nonNilChanges(d.Changes),
		"rules":            nonNil(d.Rules),
		"tags":             nonNil(d.Tags),
		"event_id":         d.EventID,
	}
	if d.Event != nil {
		details["user_agent"] = d.Event.UserAgent
		details["user_arn"] = d.Event.Actor.ARN
	}
	if c := ticket.CodeText(d.Terraform); c != "" {
		details["code"] = c
	}
	if im, ok := cost.Estimate(d); ok {
		details["cost_impact"] = im
	}
	if n.Priority != "" {
		details["priority"] = n.Priority
	}
	return &Payload{
		Summary:       truncate(summary, maxSummary),
		Source:        r.source(d),
		Severity:      r.severity(d.Severity),
		Timestamp:     rfc3339(d.DetectedAt),
		Component:     d.ResourceType,
		Group:         d.Account(),
		Class:         string(d.ChangeType),
		CustomDetails: details,
	}
}

func (r *Renderer) groupPayload(n *ticket.Notice) *Payload {
	g := n.Group
	first := g.Drifts[0]
	sev := drift.Severity("")
	var listed []string
	for i, d := range g.Drifts {
		sev = drift.Max(sev, d.Severity)
		if i < maxGroupListed {
			listed = append(listed, fmt.Sprintf("%s %s: %s", d.Severity, d.Title(), strings.Join(d.Attributes(), ", ")))
		}
	}
	if extra := len(g.Drifts) - len(listed); extra > 0 {
		listed = append(listed, fmt.Sprintf("… and %d more", extra))
	}
	summary := fmt.Sprintf("%s: %d resources changed outside Terraform by %s within %s", strings.ToUpper(string(sev)), len(g.Drifts), g.Actor, g.Window)
	return &Payload{
		Summary:   truncate(summary, maxSummary),
		Source:    r.source(first),
		Severity:  r.severity(sev),
		Timestamp: rfc3339(g.First),
		Group:     first.Account(),
		Class:     "drift storm",
		CustomDetails: map[string]any{
			"actor":     g.Actor,
			"count":     len(g.Drifts),
			"first":     rfc3339(g.First),
			"last":      rfc3339(g.Last),
			"resources": listed,
		},
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilChanges(m map[string]drift.AttrChange) map[string]drift.AttrChange {
	if m == nil {
		return map[string]drift.AttrChange{}
	}
	return m
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
