package decode

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/internal/jsonscan"
)

// Source names written to change.Change.Source.
const (
	sourceCloudTrail  = "cloudtrail"
	sourceEventBridge = "eventbridge"
	sourceFalco       = "falco"
	sourceGCPAudit    = "gcp-audit"
)

// ctRecord is the part of a CloudTrail record that tfdrift uses. The
// payloads stay raw: the catalog reads them per event.
type ctRecord struct {
	EventTime          string
	EventSource        string
	EventName          string
	EventID            string
	AWSRegion          string
	SourceIPAddress    string
	UserAgent          string
	ErrorCode          string
	ErrorMessage       string
	ReadOnly           []byte
	RequestParameters  json.RawMessage
	ResponseElements   json.RawMessage
	ResourceARNs       []string
	RecipientAccountID string
	UserIdentity       *ctIdentity
}

// ctIdentity is CloudTrail's userIdentity element.
type ctIdentity struct {
	Type           string
	PrincipalID    string
	ARN            string
	AccountID      string
	UserName       string
	InvokedBy      string
	SessionContext *ctSessionContext
	OnBehalfOf     *ctOnBehalfOf

	// sessionHint is a session name known from elsewhere (Falco's
	// ct.originaluser), used when the ARN and principal ID lack one.
	sessionHint string
}

type ctSessionContext struct {
	SessionIssuer *ctSessionIssuer
}

type ctSessionIssuer struct {
	ARN string
}

// ctOnBehalfOf names the IAM Identity Center user a call was made for.
type ctOnBehalfOf struct {
	UserID           string
	IdentityStoreARN string
}

// CloudTrail records are the bulk of what tfdrift reads, so they are not
// decoded with encoding/json's reflection: the record is validated once
// (jsonscan.Valid), then walked with the structural scanner, and the
// payloads are kept as sub-slices of the record.

// decodeCloudTrail decodes a raw CloudTrail record. Request and Response
// alias raw.
func decodeCloudTrail(raw []byte) (*change.Change, string, error) {
	if err := validJSON(raw); err != nil {
		return nil, "", err
	}
	var r ctRecord
	var m memberReader
	r.read(&m, "", raw)
	if m.err != nil {
		return nil, m.field, m.err
	}
	ch := &change.Change{Source: sourceCloudTrail}
	field, err := r.fill(ch, "")
	return ch, field, err
}

// decodeEventBridge decodes an "AWS API Call via CloudTrail" event. The
// envelope fills in account, region, time and ID when the record lacks
// them.
func decodeEventBridge(raw []byte) (*change.Change, string, error) {
	if err := validJSON(raw); err != nil {
		return nil, "", err
	}
	var (
		m                         memberReader
		id, account, when, region string
		r                         ctRecord
		hasDetail                 bool
	)
	_, _ = jsonscan.ObjectMembers(raw, 0, func(key, val []byte) {
		switch string(key) {
		case "id":
			m.str("", "id", val, &id)
		case "account":
			m.str("", "account", val, &account)
		case "time":
			m.str("", "time", val, &when)
		case "region":
			m.str("", "region", val, &region)
		case "detail":
			hasDetail = m.object("", "detail", val) != nil
			r.read(&m, "detail.", val)
		}
	})
	if m.err != nil {
		return nil, m.field, m.err
	}
	if !hasDetail {
		return nil, "detail", errMissing
	}
	if r.EventTime == "" {
		r.EventTime = when
	}
	if r.AWSRegion == "" {
		r.AWSRegion = region
	}
	if r.EventID == "" {
		r.EventID = id
	}
	ch := &change.Change{Source: sourceEventBridge}
	field, err := r.fill(ch, account)
	if field != "" {
		field = "detail." + field
	}
	return ch, field, err
}

// read fills r from the members of a CloudTrail record object (already
// validated). prefix is prepended to field names in errors.
func (r *ctRecord) read(m *memberReader, prefix string, raw []byte) {
	if m.object(strings.TrimSuffix(prefix, "."), "", raw) == nil {
		return
	}
	_, _ = jsonscan.ObjectMembers(raw, 0, func(key, val []byte) {
		switch string(key) {
		case "eventTime":
			m.str(prefix, "eventTime", val, &r.EventTime)
		case "eventSource":
			m.str(prefix, "eventSource", val, &r.EventSource)
		case "eventName":
			m.str(prefix, "eventName", val, &r.EventName)
		case "eventID":
			m.str(prefix, "eventID", val, &r.EventID)
		case "awsRegion":
			m.str(prefix, "awsRegion", val, &r.AWSRegion)
		case "sourceIPAddress":
			m.str(prefix, "sourceIPAddress", val, &r.SourceIPAddress)
		case "userAgent":
			m.str(prefix, "userAgent", val, &r.UserAgent)
		case "errorCode":
			m.str(prefix, "errorCode", val, &r.ErrorCode)
		case "errorMessage":
			m.str(prefix, "errorMessage", val, &r.ErrorMessage)
		case "recipientAccountId":
			m.str(prefix, "recipientAccountId", val, &r.RecipientAccountID)
		case "readOnly":
			r.ReadOnly = val
		case "requestParameters":
			r.RequestParameters = val
		case "responseElements":
			r.ResponseElements = val
		case "resources":
			r.ResourceARNs = m.resourceARNs(prefix+"resources", val)
		case "userIdentity":
			r.UserIdentity = m.identity(prefix+"userIdentity", val)
		}
	})
}

// identity reads a userIdentity element.
func (m *memberReader) identity(field string, raw []byte) *ctIdentity {
	if m.object(field, "", raw) == nil {
		return nil
	}
	id := &ctIdentity{}
	prefix := field + "."
	_, _ = jsonscan.ObjectMembers(raw, 0, func(key, val []byte) {
		switch string(key) {
		case "type":
			m.str(prefix, "type", val, &id.Type)
		case "principalId":
			m.str(prefix, "principalId", val, &id.PrincipalID)
		case "arn":
			m.str(prefix, "arn", val, &id.ARN)
		case "accountId":
			m.str(prefix, "accountId", val, &id.AccountID)
		case "userName":
			m.str(prefix, "userName", val, &id.UserName)
		case "invokedBy":
			m.str(prefix, "invokedBy", val, &id.InvokedBy)
		case "sessionContext":
			if m.object(prefix, "sessionContext", val) == nil {
				return
			}
			_, _ = jsonscan.ObjectMembers(val, 0, func(key, val []byte) {
				if string(key) != "sessionIssuer" || m.object(prefix, "sessionContext.sessionIssuer", val) == nil {
					return
				}
				issuer := &ctSessionIssuer{}
				_, _ = jsonscan.ObjectMembers(val, 0, func(key, val []byte) {
					if string(key) == "arn" {
						m.str(prefix, "sessionContext.sessionIssuer.arn", val, &issuer.ARN)
					}
				})
				id.SessionContext = &ctSessionContext{SessionIssuer: issuer}
			})
		case "onBehalfOf":
			if m.object(prefix, "onBehalfOf", val) == nil {
				return
			}
			ob := &ctOnBehalfOf{}
			_, _ = jsonscan.ObjectMembers(val, 0, func(key, val []byte) {
				switch string(key) {
				case "userId":
					m.str(prefix, "onBehalfOf.userId", val, &ob.UserID)
				case "identityStoreArn":
					m.str(prefix, "onBehalfOf.identityStoreArn", val, &ob.IdentityStoreARN)
				}
			})
			id.OnBehalfOf = ob
		}
	})
	return id
}

// resourceARNs reads resources[].ARN.
func (m *memberReader) resourceARNs(field string, raw []byte) []string {
	if string(raw) == "null" {
		return nil
	}
	if raw[0] != '[' {
		m.fail(field, raw, "array")
		return nil
	}
	var arns []string
	_, _ = jsonscan.ArrayElements(raw, 0, func(elem []byte) error {
		if m.object(field, "", elem) == nil {
			return nil
		}
		_, _ = jsonscan.ObjectMembers(elem, 0, func(key, val []byte) {
			if string(key) == "ARN" {
				var arn string
				m.str(field, ".ARN", val, &arn)
				if arn != "" {
					arns = append(arns, arn)
				}
			}
		})
		return nil
	})
	return arns
}

// memberReader collects the first type error met while reading members.
type memberReader struct {
	field string
	err   error
}

// str stores a JSON string member in dst; null leaves dst alone. The
// field's name is prefix+name, built only for an error.
func (m *memberReader) str(prefix, name string, raw []byte, dst *string) {
	if m.err != nil {
		return
	}
	switch raw[0] {
	case '"':
		*dst, _ = stringValue(raw)
	case 'n':
		// null, as encoding/json treats it
	default:
		m.fail(prefix+name, raw, "string")
	}
}

// object returns raw when it is a JSON object, nil for null, and records
// a type error (for field prefix+name) for anything else.
func (m *memberReader) object(prefix, name string, raw []byte) []byte {
	switch raw[0] {
	case '{':
		return raw
	case 'n':
		return nil
	}
	m.fail(prefix+name, raw, "object")
	return nil
}

func (m *memberReader) fail(field string, raw []byte, want string) {
	if m.err == nil {
		m.field, m.err = field, fmt.Errorf("is %s, want %s", jsonType(raw), want)
	}
}

// jsonType names the type of a raw value as encoding/json does.
func jsonType(raw []byte) string {
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// validJSON checks a record and, when it is not valid JSON, lets
// encoding/json word the error.
func validJSON(raw []byte) error {
	if jsonscan.Valid(raw) {
		return nil
	}
	var v any
	err := json.Unmarshal(raw, &v)
	if err == nil {
		// jsonscan.Valid is meant to agree with encoding/json; if it ever
		// does not, encoding/json wins.
		return nil
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return fmt.Errorf("invalid JSON at offset %d: %w", syntaxErr.Offset, err)
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

// fill copies the record into ch. envAccount is the account of an
// enclosing envelope, preferred over the caller's account because it is
// where the record was delivered.
func (r *ctRecord) fill(ch *change.Change, envAccount string) (string, error) {
	switch {
	case r.EventName == "":
		return "eventName", errMissing
	case r.EventSource == "":
		return "eventSource", errMissing
	case r.EventTime == "":
		return "eventTime", errMissing
	}
	t, err := parseTime(r.EventTime)
	if err != nil {
		return "eventTime", err
	}
	ch.Provider = change.AWS
	ch.Service = r.EventSource
	ch.RawEventName = r.EventName
	ch.EventName = change.NormalizeAWSEventName(r.EventName)
	if ch.EventName == "" {
		return "eventName", errNoName
	}
	ch.EventID = r.EventID
	ch.Time = t
	ch.Region = r.AWSRegion
	ch.SourceIP = r.SourceIPAddress
	ch.UserAgent = r.UserAgent
	ch.ErrorCode = r.ErrorCode
	ch.ErrorMessage = r.ErrorMessage
	ch.Request = rawJSON(r.RequestParameters)
	ch.Response = rawJSON(r.ResponseElements)
	switch ro := readOnlyFlag(r.ReadOnly); {
	case ro >= 0:
		ch.ReadOnly = ro == 1
	case len(r.ReadOnly) == 0 || string(r.ReadOnly) == "null":
		ch.ReadOnly = awsReadOnlyName(ch.EventName)
	default:
		return "readOnly", fmt.Errorf("is %s, want true or false", r.ReadOnly)
	}
	ch.ResourceARNs = r.ResourceARNs
	var identityAccount string
	if r.UserIdentity != nil {
		ch.Actor = awsActor(r.UserIdentity)
		identityAccount = r.UserIdentity.AccountID
	}
	ch.Account = firstNonEmpty(r.RecipientAccountID, envAccount, identityAccount)
	return "", nil
}

// awsActor turns a userIdentity into an Actor whose UserName names the
// person (or service) behind the call. For roles that is the session name
// (bob@example.com for an SSO session), never the role's name: the role is
// kept in IssuerARN.
func awsActor(id *ctIdentity) change.Actor {
	a := change.Actor{
		Type:        id.Type,
		PrincipalID: id.PrincipalID,
		ARN:         id.ARN,
		AccountID:   id.AccountID,
	}
	if sc := id.SessionContext; sc != nil && sc.SessionIssuer != nil {
		a.IssuerARN = sc.SessionIssuer.ARN
	}
	switch id.Type {
	case "IAMUser", "SAMLUser", "WebIdentityUser":
		a.UserName = firstNonEmpty(id.UserName, arnResourceName(id.ARN))
	case "AssumedRole":
		a.UserName = firstNonEmpty(assumedRoleSession(id.ARN), id.sessionHint, principalSession(id.PrincipalID))
	case "Root":
		a.UserName = "root"
	case "AWSService":
		a.UserName = id.InvokedBy
	case "FederatedUser":
		// arn:aws:sts::123456789012:federated-user/Bob; the caller of
		// GetFederationToken is the session issuer.
		a.UserName = firstNonEmpty(federatedUserName(id.ARN), principalSession(id.PrincipalID), id.UserName)
	case "IdentityCenterUser":
		if ob := id.OnBehalfOf; ob != nil {
			a.UserName = ob.UserID
			a.PrincipalID = firstNonEmpty(a.PrincipalID, ob.UserID)
			if a.IssuerARN == "" {
				a.IssuerARN = ob.IdentityStoreARN
			}
		}
	case "AWSAccount":
		a.UserName = firstNonEmpty(id.PrincipalID, id.AccountID)
	default:
		a.UserName = firstNonEmpty(assumedRoleSession(id.ARN), id.UserName, id.sessionHint, id.InvokedBy)
	}
	// A record with a userIdentity always names someone: fall back to
	// the most specific identifier there is.
	if a.UserName == "" {
		a.UserName = firstNonEmpty(id.UserName, id.sessionHint, id.InvokedBy, id.PrincipalID, id.ARN, id.AccountID, id.Type, "unknown")
	}
	return a
}

// arnResource returns the resource part of an ARN (after the fifth colon).
func arnResource(arn string) string {
	rest := arn
	for range 5 {
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return ""
		}
		rest = rest[i+1:]
	}
	return rest
}

// arnResourceName returns the last path segment of an ARN's resource:
// arn:aws:iam::1:user/division/Alice → Alice.
func arnResourceName(arn string) string {
	res := arnResource(arn)
	return res[strings.LastIndexByte(res, '/')+1:]
}

// assumedRoleSession returns the session name of an assumed-role ARN:
// arn:aws:sts::1:assumed-role/Role/bob@example.com → bob@example.com.
func assumedRoleSession(arn string) string {
	res, ok := strings.CutPrefix(arnResource(arn), "assumed-role/")
	if !ok {
		return ""
	}
	_, session, ok := strings.Cut(res, "/")
	if !ok {
		return ""
	}
	return session
}

// federatedUserName returns the name in a federated-user ARN.
func federatedUserName(arn string) string {
	name, ok := strings.CutPrefix(arnResource(arn), "federated-user/")
	if !ok {
		return ""
	}
	return name
}

// principalSession returns the session part of a role or federated
// principal ID (AROAEXAMPLE:bob@example.com → bob@example.com).
func principalSession(principalID string) string {
	_, session, _ := strings.Cut(principalID, ":")
	return session
}
