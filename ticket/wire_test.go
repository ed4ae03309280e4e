package ticket_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
)

// stored is what the outbox keeps of a drift: everything but the event's
// request, response and raw record.
func stored(d *drift.Drift) *drift.Drift {
	c := *d
	if d.Event != nil {
		ev := *d.Event
		ev.Request, ev.Response, ev.Raw, ev.ResourceARNs = nil, nil, nil, nil
		ev.ReadOnly, ev.ErrorCode, ev.ErrorMessage = false, "", ""
		c.Event = &ev
	}
	return &c
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	sg := sample.SecurityGroup()
	sg.Event.Raw = json.RawMessage(`{"big":"record"}`)
	sg.Event.Request = json.RawMessage(`{"groupId":"sg-1"}`)
	sg.DetectedAt = sg.DetectedAt.Add(123456789 * time.Nanosecond)
	noEvent := sample.EBSVolume()
	noEvent.Event = nil
	pending := sample.EBSVolume()
	pending.Pending, pending.TakesEffect = true, "at the next maintenance window (sun:05:00-sun:06:00 UTC)"
	notices := []*ticket.Notice{
		{Sink: "slack", Kind: ticket.KindDrift, Target: "#prod", Priority: "p1", Drift: sg, Fingerprint: sg.Fingerprint},
		{Sink: "jira", Kind: ticket.KindResolved, Target: "INFRA", Ticket: &ticket.TicketSpec{System: "jira", Project: "INFRA", IssueType: "Task", Summary: "s"}, Drift: sample.IAMPolicy(), Fingerprint: "f"},
		{Sink: "github", Kind: ticket.KindResolved, Reason: `resolved by alice: "fixed" | <b>in the console</b>` + "\n@bob", Drift: sample.SecurityGroup(), Fingerprint: "g"},
		{Sink: "action-webhook", Kind: ticket.KindDrift, URL: "https://x.example/h", Drift: sample.Hostile(), Fingerprint: "h"},
		{Sink: "webhook", Kind: ticket.KindDrift, Drift: noEvent, Fingerprint: noEvent.Fingerprint},
		{Sink: "email", Kind: ticket.KindDrift, Drift: pending, Fingerprint: pending.Fingerprint},
		{Sink: "pagerduty", Kind: ticket.KindGroup, Fingerprint: "grp_1", Group: &ticket.Group{
			Actor: "developer@example.com", First: sample.When, Last: sample.When.Add(time.Minute), Window: 5 * time.Minute,
			Drifts: []*drift.Drift{sample.SecurityGroup(), sample.GCPFirewall(), sample.Unmanaged()},
		}},
	}
	for _, n := range notices {
		b, err := ticket.EncodeNotice(n)
		if err != nil {
			t.Fatalf("%s: encode: %v", n.Sink, err)
		}
		if strings.Contains(string(b), `"big"`) || strings.Contains(string(b), "groupId") {
			t.Errorf("%s: the raw record was stored: %s", n.Sink, b)
		}
		got, err := ticket.DecodeNotice(b)
		if err != nil {
			t.Fatalf("%s: decode: %v", n.Sink, err)
		}
		want := *n
		if want.Drift != nil {
			want.Drift = stored(want.Drift)
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("%s: round trip (-want +got):\n%s", n.Sink, diff)
		}
	}
}

func TestDecodeNoticeRejects(t *testing.T) {
	tests := map[string]string{
		"not json":        `{`,
		"future version":  `{"v":2,"sink":"s","kind":"drift","drift":{}}`,
		"unknown kind":    `{"v":1,"sink":"s","kind":"telegram","drift":{}}`,
		"drift missing":   `{"v":1,"sink":"s","kind":"drift"}`,
		"empty group":     `{"v":1,"sink":"s","kind":"group","group":{"drifts":[]}}`,
		"bad time":        `{"v":1,"sink":"s","kind":"drift","drift":{"detected_at":"yesterday"}}`,
		"bad window":      `{"v":1,"sink":"s","kind":"group","group":{"window":"soon","drifts":[{}]}}`,
		"bad event time":  `{"v":1,"sink":"s","kind":"drift","drift":{"has_event":true,"timestamp":"x"}}`,
		"wrong type kind": `{"v":1,"sink":"s","kind":3}`,
	}
	for name, in := range tests {
		if n, err := ticket.DecodeNotice([]byte(in)); err == nil {
			t.Errorf("%s: DecodeNotice(%s) = %+v, want an error", name, in, n)
		}
	}
}

// The stored drift is the --format json record, so the outbox row is
// readable with the same tools as the audit log.
func TestEncodedDriftIsTheRecord(t *testing.T) {
	d := sample.SecurityGroup()
	b, err := ticket.EncodeNotice(&ticket.Notice{Sink: "s", Kind: ticket.KindDrift, Drift: d, Fingerprint: d.Fingerprint})
	if err != nil {
		t.Fatal(err)
	}
	var row struct {
		Drift map[string]any `json:"drift"`
	}
	if err := json.Unmarshal(b, &row); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"event_id", "event_type", "resource_type", "resource_id", "changes", "user_identity", "cloudtrail", "terraform", "fingerprint"} {
		if _, ok := row.Drift[key]; !ok {
			t.Errorf("stored drift lacks the record key %q", key)
		}
	}
}

// A resolution's reason is stored; other notices carry no reason key.
func TestReasonStoredOnlyWhenSet(t *testing.T) {
	d := sample.SecurityGroup()
	for _, tt := range []struct {
		reason string
		want   string
	}{
		{"", ""},
		{"reverted in the cloud", `"reason":"reverted in the cloud"`},
	} {
		b, err := ticket.EncodeNotice(&ticket.Notice{Sink: "github", Kind: ticket.KindResolved, Reason: tt.reason, Drift: d, Fingerprint: d.Fingerprint})
		if err != nil {
			t.Fatal(err)
		}
		if tt.want == "" && strings.Contains(string(b), `"reason"`) || tt.want != "" && !strings.Contains(string(b), tt.want) {
			t.Errorf("reason %q stored as %s", tt.reason, b)
		}
	}
}
