package drift

import (
	"encoding/json"
	"time"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/internal/canonjson"
)

// EventType is the constant event_type of every drift record.
const EventType = "terraform_drift_detected"

// Record is the JSON form of a Drift: the keys of the audit log entry
// and the IAM alert the README shows (Output: the drift record). It is the contract for
// --format json, webhooks and the GitHub Action; add keys, never rename.
type Record struct {
	EventID         string                `json:"event_id"`
	EventType       string                `json:"event_type"`
	Timestamp       string                `json:"timestamp"`
	DetectedAt      string                `json:"detected_at"`
	Provider        string                `json:"provider"`
	AccountID       string                `json:"account_id"`
	Region          string                `json:"region"`
	ResourceType    string                `json:"resource_type"`
	ResourceID      string                `json:"resource_id"`
	ResourceAddress string                `json:"resource_address"`
	ChangeType      ChangeType            `json:"change_type"`
	Severity        Severity              `json:"severity"`
	Rules           []string              `json:"rules"`
	Tags            []string              `json:"tags"`
	User            string                `json:"user"`
	UserIdentity    change.Actor          `json:"user_identity"`
	CloudTrailEvent string                `json:"cloudtrail_event"`
	Changes         map[string]AttrChange `json:"changes"`
	Pending         bool                  `json:"pending,omitempty"`
	TakesEffect     string                `json:"takes_effect,omitempty"`
	CloudTrail      AuditRecord           `json:"cloudtrail"`
	Terraform       Location              `json:"terraform"`
	Fingerprint     string                `json:"fingerprint"`
}

// AuditRecord identifies the audit event (CloudTrail or GCP audit log).
type AuditRecord struct {
	EventID   string `json:"event_id"`
	EventName string `json:"event_name"`
	Source    string `json:"event_source,omitempty"`
	SourceIP  string `json:"source_ip"`
	UserAgent string `json:"user_agent"`
}

// ToRecord converts d to its JSON form.
func (d *Drift) ToRecord() Record {
	r := Record{
		EventID:         d.EventID,
		EventType:       EventType,
		DetectedAt:      formatTime(d.DetectedAt),
		Provider:        d.Provider(),
		AccountID:       d.Account(),
		Region:          d.Region(),
		ResourceType:    d.ResourceType,
		ResourceID:      d.ResourceID,
		ResourceAddress: d.ResourceAddress,
		ChangeType:      d.ChangeType,
		Severity:        d.Severity,
		Rules:           nonNil(d.Rules),
		Tags:            nonNil(d.Tags),
		User:            d.User(),
		CloudTrailEvent: d.CloudTrailEvent(),
		Changes:         d.Changes,
		Pending:         d.Pending,
		TakesEffect:     d.TakesEffect,
		Terraform:       d.Terraform,
		Fingerprint:     d.Fingerprint,
	}
	if r.Changes == nil {
		r.Changes = map[string]AttrChange{}
	}
	if e := d.Event; e != nil {
		r.Timestamp = formatTime(e.Time)
		r.UserIdentity = e.Actor
		r.CloudTrail = AuditRecord{
			EventID:   e.EventID,
			EventName: d.CloudTrailEvent(),
			Source:    e.Service,
			SourceIP:  e.SourceIP,
			UserAgent: e.UserAgent,
		}
	}
	return r
}

// MarshalJSON renders the Record form.
func (d Drift) MarshalJSON() ([]byte, error) { return json.Marshal(d.ToRecord()) }

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// canonicalJSON renders v with sorted keys, for fingerprints: scalars
// and keys as json.Marshal spells them, which stored fingerprints depend
// on.
func canonicalJSON(v any) string { return canonjson.Spelling{Scalar: marshalScalar}.String(v) }

func marshalScalar(b []byte, v any) []byte {
	vb, err := json.Marshal(v)
	if err != nil {
		return append(b, '?')
	}
	return append(b, vb...)
}
