package decode

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
)

// gcpLogEntry is the part of a Cloud Logging LogEntry that tfdrift uses.
type gcpLogEntry struct {
	InsertID         string        `json:"insertId"`
	LogName          string        `json:"logName"`
	Timestamp        string        `json:"timestamp"`
	ReceiveTimestamp string        `json:"receiveTimestamp"`
	Resource         gcpResource   `json:"resource"`
	ProtoPayload     *gcpAuditLog  `json:"protoPayload"`
	Operation        *gcpOperation `json:"operation"`
}

// gcpOperation marks the entries of a long-running operation. Compute logs
// the call when it starts (first) and again when it ends (last); the last
// entry repeats the same write without its request.
type gcpOperation struct {
	ID    string `json:"id"`
	First bool   `json:"first"`
	Last  bool   `json:"last"`
}

// completion reports an entry that only records the end of an operation
// logged before: processing it would report the same write twice.
func (e *gcpLogEntry) completion() bool {
	return e.Operation != nil && e.Operation.Last && !e.Operation.First
}

type gcpResource struct {
	Type   string         `json:"type"`
	Labels map[string]any `json:"labels"`
}

func (r *gcpResource) label(name string) string {
	switch v := r.Labels[name].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// gcpAuditLog is google.cloud.audit.AuditLog.
type gcpAuditLog struct {
	ServiceName        string          `json:"serviceName"`
	MethodName         string          `json:"methodName"`
	ResourceName       string          `json:"resourceName"`
	Status             *gcpStatus      `json:"status"`
	AuthenticationInfo gcpAuthInfo     `json:"authenticationInfo"`
	RequestMetadata    gcpRequestMeta  `json:"requestMetadata"`
	ResourceLocation   *gcpLocation    `json:"resourceLocation"`
	Request            json.RawMessage `json:"request"`
	Response           json.RawMessage `json:"response"`
}

type gcpStatus struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type gcpAuthInfo struct {
	PrincipalEmail               string          `json:"principalEmail"`
	PrincipalSubject             string          `json:"principalSubject"`
	ServiceAccountDelegationInfo []gcpDelegation `json:"serviceAccountDelegationInfo"`
}

// gcpDelegation is one step of service-account impersonation; the first
// entry is the original caller.
type gcpDelegation struct {
	PrincipalSubject    string `json:"principalSubject"`
	FirstPartyPrincipal *struct {
		PrincipalEmail string `json:"principalEmail"`
	} `json:"firstPartyPrincipal"`
}

type gcpRequestMeta struct {
	CallerIP                string `json:"callerIp"`
	CallerSuppliedUserAgent string `json:"callerSuppliedUserAgent"`
	RequestAttributes       struct {
		Time string `json:"time"`
	} `json:"requestAttributes"`
}

type gcpLocation struct {
	CurrentLocations []string `json:"currentLocations"`
}

// decodeGCP decodes a LogEntry whose payload is an AuditLog.
func decodeGCP(raw []byte) (*change.Change, string, error) {
	var e gcpLogEntry
	if field, err := unmarshalRecord(raw, &e); err != nil {
		return nil, field, err
	}
	p := e.ProtoPayload
	if p == nil {
		return nil, "protoPayload", errMissing
	}
	if p.MethodName == "" {
		return nil, "protoPayload.methodName", errMissing
	}
	if change.NormalizeGCPMethodName(p.MethodName) == "" {
		return nil, "protoPayload.methodName", errNoName
	}
	ch := &change.Change{
		Provider:     change.GCP,
		Source:       sourceGCPAudit,
		Service:      p.ServiceName,
		RawEventName: p.MethodName,
		EventName:    change.NormalizeGCPMethodName(p.MethodName),
		EventID:      e.InsertID,
		ResourceName: p.ResourceName,
		SourceIP:     p.RequestMetadata.CallerIP,
		UserAgent:    p.RequestMetadata.CallerSuppliedUserAgent,
		Request:      rawJSON(p.Request),
		Response:     rawJSON(p.Response),
		// A completion entry is treated like a read: the write was
		// reported from the operation's first entry.
		ReadOnly: isDataAccessLog(e.LogName) || gcpReadOnlyMethod(p.MethodName) || e.completion(),
	}
	// timestamp is when the call happened; the others are fallbacks for
	// trimmed exports.
	ts, field := e.Timestamp, "timestamp"
	if ts == "" {
		ts, field = p.RequestMetadata.RequestAttributes.Time, "protoPayload.requestMetadata.requestAttributes.time"
	}
	if ts == "" {
		ts, field = e.ReceiveTimestamp, "receiveTimestamp"
	}
	if ts == "" {
		return nil, "timestamp", errMissing
	}
	t, err := parseTime(ts)
	if err != nil {
		return nil, field, err
	}
	ch.Time = t
	if s := p.Status; s != nil && s.Code != 0 {
		ch.ErrorCode = gcpCodeName(s.Code)
		ch.ErrorMessage = s.Message
	}
	ch.Account = firstNonEmpty(e.Resource.label("project_id"), projectOf(e.LogName), projectOf(p.ResourceName))
	region := firstNonEmpty(e.Resource.label("region"), e.Resource.label("location"), e.Resource.label("zone"))
	if region == "" && p.ResourceLocation != nil && len(p.ResourceLocation.CurrentLocations) > 0 {
		region = p.ResourceLocation.CurrentLocations[0]
	}
	ch.Region = zoneToRegion(region)
	ch.Actor = gcpActor(p.AuthenticationInfo)
	return ch, "", nil
}

// gcpActor maps authenticationInfo onto an Actor: UserName is the email,
// ARN the IAM member string (user:…, serviceAccount:…), PrincipalID the
// principal subject, and IssuerARN the original caller of an
// impersonated service account.
func gcpActor(ai gcpAuthInfo) change.Actor {
	a := change.Actor{
		UserName:    firstNonEmpty(ai.PrincipalEmail, ai.PrincipalSubject),
		PrincipalID: ai.PrincipalSubject,
	}
	if ai.PrincipalEmail != "" {
		a.Type = memberType(ai.PrincipalEmail)
		a.ARN = a.Type + ":" + ai.PrincipalEmail
		a.AccountID = serviceAccountProject(ai.PrincipalEmail)
	}
	if typ, _, ok := strings.Cut(ai.PrincipalSubject, ":"); ok && !strings.Contains(typ, "/") {
		// principalSubject is already in member form ("user:alice@…").
		a.Type = typ
	}
	if a.ARN == "" {
		a.ARN = ai.PrincipalSubject
	}
	if len(ai.ServiceAccountDelegationInfo) > 0 {
		d := ai.ServiceAccountDelegationInfo[0]
		if d.FirstPartyPrincipal != nil && d.FirstPartyPrincipal.PrincipalEmail != "" {
			email := d.FirstPartyPrincipal.PrincipalEmail
			a.IssuerARN = memberType(email) + ":" + email
		} else {
			a.IssuerARN = d.PrincipalSubject
		}
	}
	return a
}

// memberType is the IAM member type of an email.
func memberType(email string) string {
	if strings.HasSuffix(email, ".gserviceaccount.com") {
		return "serviceAccount"
	}
	return "user"
}

// serviceAccountProject returns the project of a user-managed service
// account (name@PROJECT.iam.gserviceaccount.com).
func serviceAccountProject(email string) string {
	_, domain, ok := strings.Cut(email, "@")
	if !ok {
		return ""
	}
	project, ok := strings.CutSuffix(domain, ".iam.gserviceaccount.com")
	if !ok {
		return ""
	}
	return project
}

// projectOf returns P from a name starting with projects/P/ (a logName or
// a resourceName).
func projectOf(name string) string {
	rest, ok := strings.CutPrefix(name, "projects/")
	if !ok {
		return ""
	}
	project, _, _ := strings.Cut(rest, "/")
	return project
}

// zoneToRegion turns a zone (us-central1-a) into its region (us-central1)
// and leaves regions and other locations (global, us) unchanged.
func zoneToRegion(loc string) string {
	i := strings.LastIndexByte(loc, '-')
	if i <= 0 || len(loc)-i != 2 {
		return loc
	}
	if c := loc[i+1]; c < 'a' || c > 'z' {
		return loc
	}
	if c := loc[i-1]; c < '0' || c > '9' {
		return loc
	}
	return loc[:i]
}

// gcpCodeNames are the google.rpc.Code names.
var gcpCodeNames = [...]string{
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
	"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
	"ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
	"UNAUTHENTICATED",
}

// gcpCodeName names a status code, or spells out unknown ones.
func gcpCodeName(code int) string {
	if code > 0 && code < len(gcpCodeNames) {
		return gcpCodeNames[code]
	}
	return strconv.Itoa(code)
}

// pubSubPush is a Pub/Sub push request body.
type pubSubPush struct {
	Message *struct {
		Data string `json:"data"`
	} `json:"message"`
	Subscription string `json:"subscription"`
}

// pubSubData returns the payload of a Pub/Sub push envelope.
func pubSubData(raw []byte) ([]byte, string, error) {
	var env pubSubPush
	if field, err := unmarshalRecord(raw, &env); err != nil {
		return nil, field, err
	}
	if env.Message == nil || env.Message.Data == "" {
		return nil, "message.data", errMissing
	}
	data, err := base64.StdEncoding.DecodeString(env.Message.Data)
	if err != nil {
		// Some relays use the URL-safe alphabet.
		var err2 error
		if data, err2 = base64.URLEncoding.DecodeString(env.Message.Data); err2 != nil {
			return nil, "message.data", fmt.Errorf("is not base64: %w", err)
		}
	}
	return data, "", nil
}
