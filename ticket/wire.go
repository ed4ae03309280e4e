package ticket

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
)

// wireVersion is the version of the outbox's notice JSON. Decoding refuses
// other versions, so an old binary never half-reads a newer row; add fields
// freely, bump the version only for incompatible changes.
const wireVersion = 1

// wireNotice is a Notice as the outbox stores it.
type wireNotice struct {
	V           int         `json:"v"`
	Sink        string      `json:"sink"`
	Kind        Kind        `json:"kind"`
	Target      string      `json:"target,omitempty"`
	URL         string      `json:"url,omitempty"`
	Ticket      *TicketSpec `json:"ticket,omitempty"`
	Priority    string      `json:"priority,omitempty"`
	Reason      string      `json:"reason,omitempty"`
	Fingerprint string      `json:"fingerprint"`
	Drift       *wireDrift  `json:"drift,omitempty"`
	Group       *wireGroup  `json:"group,omitempty"`
}

type wireGroup struct {
	Actor  string       `json:"actor"`
	First  time.Time    `json:"first"`
	Last   time.Time    `json:"last"`
	Window string       `json:"window"`
	Drifts []*wireDrift `json:"drifts"`
}

// wireDrift is the drift's Record (the --format json contract) plus what
// the Record leaves out and sinks still use. The cloud request, response
// and raw record are not kept: no sink renders them, and they can be
// large.
type wireDrift struct {
	drift.Record
	// DetectedAtNanos keeps the sub-second part the Record's RFC 3339
	// time drops, so a decoded drift equals the original.
	DetectedAtNanos int64  `json:"detected_at_ns,omitempty"`
	EventTimeNanos  int64  `json:"event_time_ns,omitempty"`
	EventName       string `json:"event_name_normalized,omitempty"`
	Source          string `json:"source_format,omitempty"`
	Origin          string `json:"origin,omitempty"`
	ResourceName    string `json:"resource_name,omitempty"`
	HasEvent        bool   `json:"has_event"`
}

// EncodeNotice renders n as the outbox stores it: JSON holding the drift
// in its Record form (see drift.Record) plus the routing fields.
func EncodeNotice(n *Notice) ([]byte, error) {
	w := wireNotice{
		V: wireVersion, Sink: n.Sink, Kind: n.Kind, Target: n.Target, URL: n.URL,
		Ticket: n.Ticket, Priority: n.Priority, Reason: n.Reason, Fingerprint: n.Fingerprint,
	}
	if n.Drift != nil {
		w.Drift = toWire(n.Drift)
	}
	if g := n.Group; g != nil {
		w.Group = &wireGroup{Actor: g.Actor, First: g.First, Last: g.Last, Window: g.Window.String()}
		for _, d := range g.Drifts {
			w.Group.Drifts = append(w.Group.Drifts, toWire(d))
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&w); err != nil {
		return nil, fmt.Errorf("encode notice for %s: %w", n.Sink, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// DecodeNotice reads what EncodeNotice wrote. The decoded drift equals the
// original except for the event's request, response, raw record and error
// fields, which are not stored; attribute values, which come back as JSON
// values (float64 numbers, []any, map[string]any); and empty rule and tag
// lists, which come back nil.
func DecodeNotice(b []byte) (*Notice, error) {
	var w wireNotice
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("decode notice: %w", err)
	}
	if w.V != wireVersion {
		return nil, fmt.Errorf("decode notice: version %d, this build reads version %d", w.V, wireVersion)
	}
	n := &Notice{
		Sink: w.Sink, Kind: w.Kind, Target: w.Target, URL: w.URL,
		Ticket: w.Ticket, Priority: w.Priority, Reason: w.Reason, Fingerprint: w.Fingerprint,
	}
	switch w.Kind {
	case KindDrift, KindResolved:
		if w.Drift == nil {
			return nil, fmt.Errorf("decode notice for %s: a %s notice without a drift", w.Sink, w.Kind)
		}
	case KindGroup:
		if w.Group == nil || len(w.Group.Drifts) == 0 {
			return nil, fmt.Errorf("decode notice for %s: a group notice without drifts", w.Sink)
		}
	default:
		return nil, fmt.Errorf("decode notice for %s: unknown kind %q", w.Sink, w.Kind)
	}
	var err error
	if w.Drift != nil {
		if n.Drift, err = fromWire(w.Drift); err != nil {
			return nil, fmt.Errorf("decode notice for %s: %w", w.Sink, err)
		}
	}
	if g := w.Group; g != nil {
		n.Group = &Group{Actor: g.Actor, First: g.First, Last: g.Last}
		if g.Window != "" {
			if n.Group.Window, err = time.ParseDuration(g.Window); err != nil {
				return nil, fmt.Errorf("decode notice for %s: group window: %w", w.Sink, err)
			}
		}
		for i, wd := range g.Drifts {
			d, err := fromWire(wd)
			if err != nil {
				return nil, fmt.Errorf("decode notice for %s: group drift %d: %w", w.Sink, i, err)
			}
			n.Group.Drifts = append(n.Group.Drifts, d)
		}
	}
	return n, nil
}

func toWire(d *drift.Drift) *wireDrift {
	w := &wireDrift{Record: d.ToRecord(), DetectedAtNanos: nanos(d.DetectedAt)}
	if e := d.Event; e != nil {
		w.HasEvent = true
		w.EventTimeNanos = nanos(e.Time)
		w.EventName = e.EventName
		w.Source = e.Source
		w.Origin = e.Origin
		w.ResourceName = e.ResourceName
		// ToRecord names the event by its raw name; keep the raw name
		// exactly, even when empty.
		w.CloudTrail.EventName = e.RawEventName
	}
	return w
}

func fromWire(w *wireDrift) (*drift.Drift, error) {
	r := &w.Record
	d := &drift.Drift{
		EventID:         r.EventID,
		ChangeType:      r.ChangeType,
		ResourceType:    r.ResourceType,
		ResourceID:      r.ResourceID,
		ResourceAddress: r.ResourceAddress,
		Severity:        r.Severity,
		Rules:           emptyToNil(r.Rules),
		Tags:            emptyToNil(r.Tags),
		Terraform:       r.Terraform,
		Fingerprint:     r.Fingerprint,
		Pending:         r.Pending,
		TakesEffect:     r.TakesEffect,
	}
	var err error
	if d.DetectedAt, err = parseTime(r.DetectedAt, w.DetectedAtNanos); err != nil {
		return nil, fmt.Errorf("detected_at: %w", err)
	}
	if len(r.Changes) > 0 {
		d.Changes = r.Changes
	}
	if w.HasEvent {
		e := &change.Change{
			Provider:     change.Provider(r.Provider),
			Account:      r.AccountID,
			Region:       r.Region,
			Service:      r.CloudTrail.Source,
			EventName:    w.EventName,
			RawEventName: r.CloudTrail.EventName,
			EventID:      r.CloudTrail.EventID,
			Actor:        r.UserIdentity,
			SourceIP:     r.CloudTrail.SourceIP,
			UserAgent:    r.CloudTrail.UserAgent,
			Source:       w.Source,
			Origin:       w.Origin,
			ResourceName: w.ResourceName,
		}
		if e.Time, err = parseTime(r.Timestamp, w.EventTimeNanos); err != nil {
			return nil, fmt.Errorf("timestamp: %w", err)
		}
		d.Event = e
	}
	return d, nil
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// parseTime prefers the exact nanoseconds and falls back to the Record's
// RFC 3339 text (rows written by other producers).
func parseTime(s string, ns int64) (time.Time, error) {
	if ns != 0 {
		return time.Unix(0, ns).UTC(), nil
	}
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, s)
}

func emptyToNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// DriftFromRecord rebuilds a drift from its JSON record (as the store
// keeps it), for notices about a stored drift: a resolution.
func DriftFromRecord(r drift.Record) (*drift.Drift, error) {
	return fromWire(&wireDrift{Record: r, HasEvent: r.Provider != "" || r.CloudTrail.EventID != "", EventName: r.CloudTrail.EventName})
}
