// Package naivejson is the baseline the README's decode and replay ratios
// are measured against: CloudTrail records decoded the way a
// straightforward program would, json.Unmarshal of each record into the
// fields a detector reads. It is one definition, so that
// detector/decode's and app's benchmarks measure against the same thing.
//
// Benchmarks only; it imports only the standard library.
package naivejson

import (
	"encoding/json"
	"time"
)

// CloudTrail is what the naive decoder reads of a record.
type CloudTrail struct {
	EventName          string          `json:"eventName"`
	EventSource        string          `json:"eventSource"`
	EventTime          time.Time       `json:"eventTime"`
	EventID            string          `json:"eventID"`
	AWSRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	UserAgent          string          `json:"userAgent"`
	ReadOnly           *bool           `json:"readOnly"`
	ErrorCode          string          `json:"errorCode"`
	ErrorMessage       string          `json:"errorMessage"`
	RecipientAccountID string          `json:"recipientAccountId"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	ResponseElements   json.RawMessage `json:"responseElements"`
	UserIdentity       struct {
		Type           string `json:"type"`
		PrincipalID    string `json:"principalId"`
		ARN            string `json:"arn"`
		AccountID      string `json:"accountId"`
		UserName       string `json:"userName"`
		SessionContext struct {
			SessionIssuer struct {
				ARN string `json:"arn"`
			} `json:"sessionIssuer"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
}

// Decode decodes each line and calls fn with it; the first error stops.
func Decode(lines [][]byte, fn func(*CloudTrail)) error {
	for _, l := range lines {
		var r CloudTrail
		if err := json.Unmarshal(l, &r); err != nil {
			return err
		}
		fn(&r)
	}
	return nil
}
