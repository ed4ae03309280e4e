// Package change defines Change, one provider-neutral cloud write decoded
// from an audit record (CloudTrail, EventBridge, Falco alert, GCP audit
// LogEntry).
//
// It is a leaf package: it imports nothing from tfdrift, so every other
// package may import it.
package change

import (
	"encoding/json"
	"time"
)

// Provider names the cloud a change happened in.
type Provider string

// Providers tfdrift understands.
const (
	AWS Provider = "aws"
	GCP Provider = "gcp"
)

// Actor is who made a change.
//
// UserName is always the human-meaningful name: for an AWS AssumedRole or
// SSO session it is the session name (for example bob@example.com), never
// the role name; the role is in ARN / IssuerARN.
type Actor struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principal_id"`
	ARN         string `json:"arn"`
	AccountID   string `json:"account_id"`
	UserName    string `json:"username"`
	// IssuerARN is the role (or user) behind a session, when there is one.
	IssuerARN string `json:"issuer_arn,omitempty"`
}

// Change is one cloud write (or read: decoders report read-only calls too,
// flagged, so that callers can count them).
type Change struct {
	Provider Provider
	// Account is the AWS account ID (recipientAccountId) or the GCP project ID.
	Account string
	Region  string
	// Service is the API's host name: ec2.amazonaws.com, compute.googleapis.com.
	Service string
	// EventName is normalised: API-version suffixes (Lambda's
	// UpdateFunctionConfiguration20150331v2) and version prefixes
	// (GCP's v1./beta.) are removed. RawEventName keeps the original.
	EventName    string
	RawEventName string
	EventID      string
	Time         time.Time
	Actor        Actor
	SourceIP     string
	UserAgent    string
	ReadOnly     bool
	ErrorCode    string
	ErrorMessage string
	// Request and Response hold the call's parameters and result as JSON
	// (CloudTrail requestParameters/responseElements, GCP
	// protoPayload.request/response). Either may be nil.
	Request  json.RawMessage
	Response json.RawMessage
	// ResourceName is GCP's protoPayload.resourceName
	// (projects/p/global/firewalls/fw), empty for AWS.
	ResourceName string
	// ResourceARNs lists CloudTrail's resources[].ARN, when present.
	ResourceARNs []string
	// Source is the input format: cloudtrail, eventbridge, falco, gcp-audit.
	Source string
	// Origin says where the record came from, for diagnostics: "file.json#12".
	Origin string
	// Raw is the original record, as received.
	Raw json.RawMessage
}

// Failed reports whether the call was rejected, so it changed nothing.
func (c *Change) Failed() bool { return c.ErrorCode != "" }
