package decode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/internal/jsonscan"
)

// Falco output fields read by the decoder. The names were checked against
// the cloudtrail (v0.17) and gcpaudit (v0.8) plugins' field lists and the
// json plugin's json.value[<JSON pointer>] field.
const (
	fieldCTName               = "ct.name"
	fieldCTID                 = "ct.id"
	fieldCTTime               = "ct.time"
	fieldCTSrc                = "ct.src"
	fieldCTRegion             = "ct.region"
	fieldCTSrcIP              = "ct.srcip"
	fieldCTUserAgent          = "ct.useragent"
	fieldCTUser               = "ct.user"
	fieldCTOriginalUser       = "ct.originaluser"
	fieldCTUserARN            = "ct.user.arn"
	fieldCTUserAccountID      = "ct.user.accountid"
	fieldCTUserIdentityType   = "ct.user.identitytype"
	fieldCTUserPrincipalID    = "ct.user.principalid"
	fieldCTRecipientAccountID = "ct.recipientaccountid"
	fieldCTReadOnly           = "ct.readonly"
	fieldCTError              = "ct.error"
	fieldCTErrorMessage       = "ct.errormessage"
	fieldCTRequest            = "ct.request"
	fieldCTResponse           = "ct.response"
	fieldCTResources          = "ct.resources"
	// The session issuer's ARN has no ct.* field; a rule can add it with
	// the json plugin.
	fieldCTIssuerARN = "json.value[/userIdentity/sessionContext/sessionIssuer/arn]"

	fieldGCPMethod       = "gcp.methodName"
	fieldGCPService      = "gcp.serviceName"
	fieldGCPResourceName = "gcp.resourceName"
	fieldGCPUser         = "gcp.user"
	fieldGCPCallerIP     = "gcp.callerIP"
	fieldGCPUserAgent    = "gcp.userAgent"
	fieldGCPProjectID    = "gcp.projectId"
	fieldGCPLocation     = "gcp.location"
	fieldGCPRequest      = "gcp.request"
	// gcpaudit has no fields for these; the json plugin supplies them.
	fieldGCPJSONRequest       = "json.value[/protoPayload/request]"
	fieldGCPJSONResponse      = "json.value[/protoPayload/response]"
	fieldGCPJSONStatusCode    = "json.value[/protoPayload/status/code]"
	fieldGCPJSONStatusMessage = "json.value[/protoPayload/status/message]"
	fieldGCPJSONInsertID      = "json.value[/insertId]"
	fieldGCPJSONTimestamp     = "json.value[/timestamp]"
	fieldGCPJSONLogName       = "json.value[/logName]"
)

// falcoFieldNames are the output fields the fillers read.
var falcoFieldNames = func() map[string]string {
	m := map[string]string{}
	for _, f := range []string{
		fieldCTName, fieldCTID, fieldCTTime, fieldCTSrc, fieldCTRegion, fieldCTSrcIP, fieldCTUserAgent,
		fieldCTUser, fieldCTOriginalUser, fieldCTUserARN, fieldCTUserAccountID, fieldCTUserIdentityType,
		fieldCTUserPrincipalID, fieldCTRecipientAccountID, fieldCTReadOnly, fieldCTError, fieldCTErrorMessage,
		fieldCTRequest, fieldCTResponse, fieldCTResources, fieldCTIssuerARN,
		fieldGCPMethod, fieldGCPService, fieldGCPResourceName, fieldGCPUser, fieldGCPCallerIP, fieldGCPUserAgent,
		fieldGCPProjectID, fieldGCPLocation, fieldGCPRequest, fieldGCPJSONRequest, fieldGCPJSONResponse,
		fieldGCPJSONStatusCode, fieldGCPJSONStatusMessage, fieldGCPJSONInsertID, fieldGCPJSONTimestamp, fieldGCPJSONLogName,
	} {
		m[f] = f
	}
	return m
}()

var falcoFieldMaps = sync.Pool{New: func() any { return make(map[string]json.RawMessage, len(falcoFieldNames)) }}

// falcoAlert is the part of a Falco JSON alert (as sent by http_output and
// forwarded by falcosidekick, which adds uuid) that the decoder reads; the
// source was read by classify. output_fields values may be strings,
// numbers, booleans or null, so they stay raw.
type falcoAlert struct {
	Time         string                     `json:"time"`
	OutputFields map[string]json.RawMessage `json:"output_fields"`
}

// falcoFields reads output_fields values.
type falcoFields map[string]json.RawMessage

// str returns a field as a string. Null, absent and Falco's "<NA>" (no
// value) all read as absent; numbers and booleans read as their JSON text.
func (f falcoFields) str(key string) string {
	raw := f[key]
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		s, _ := stringValue(raw)
		if s == "<NA>" {
			return ""
		}
		return s
	}
	return string(raw)
}

// json returns a field that holds JSON: plugins deliver ct.request,
// ct.response and json.value[...] as strings of JSON text; a relay may
// have turned them into objects. "null" and empty mean absent.
func (f falcoFields) json(key string) (json.RawMessage, error) {
	raw := f[key]
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] != '"' {
		return raw, nil
	}
	s, _ := stringValue(raw)
	switch strings.TrimSpace(s) {
	case "", "null", "<NA>":
		return nil, nil
	}
	if !jsonscan.Valid([]byte(s)) {
		return nil, fmt.Errorf("is not JSON: %q", truncate([]byte(s), 40))
	}
	return json.RawMessage(s), nil
}

// decodeFalco decodes a Falco alert of the provider found by classify.
func decodeFalco(raw []byte, p change.Provider, valid bool) (*change.Change, string, error) {
	// The fields map is only read while filling ch (which copies what it
	// keeps), so it is reused across alerts.
	fields := falcoFieldMaps.Get().(map[string]json.RawMessage)
	defer func() {
		clear(fields)
		falcoFieldMaps.Put(fields)
	}()
	a := falcoAlert{OutputFields: fields}
	if ok := (valid || jsonscan.Valid(raw)) && fastFalco(raw, &a); !ok {
		a = falcoAlert{}
		if field, err := unmarshalRecord(raw, &a); err != nil {
			return nil, field, err
		}
	}
	ch := &change.Change{Provider: p, Source: sourceFalco}
	var field string
	var err error
	if p == change.GCP {
		field, err = fillFalcoGCP(ch, falcoFields(a.OutputFields))
	} else {
		field, err = fillFalcoAWS(ch, falcoFields(a.OutputFields))
	}
	if err != nil {
		return nil, "output_fields." + field, err
	}
	// Falco's time is when the alert fired; the fillers set the event
	// time when the rule output carries it.
	if ch.Time.IsZero() {
		if a.Time == "" {
			return nil, "time", errMissing
		}
		t, err := parseTime(a.Time)
		if err != nil {
			return nil, "time", err
		}
		ch.Time = t
	}
	return ch, "", nil
}

func fillFalcoAWS(ch *change.Change, f falcoFields) (string, error) {
	name := f.str(fieldCTName)
	if name == "" {
		return fieldCTName, errMissing
	}
	ch.RawEventName = name
	ch.EventName = change.NormalizeAWSEventName(name)
	if ch.EventName == "" {
		return fieldCTName, errNoName
	}
	ch.EventID = f.str(fieldCTID)
	ch.Service = f.str(fieldCTSrc)
	ch.Region = f.str(fieldCTRegion)
	ch.SourceIP = f.str(fieldCTSrcIP)
	ch.UserAgent = f.str(fieldCTUserAgent)
	ch.ErrorCode = f.str(fieldCTError)
	ch.ErrorMessage = f.str(fieldCTErrorMessage)
	if ts := f.str(fieldCTTime); ts != "" {
		t, err := parseTime(ts)
		if err != nil {
			return fieldCTTime, err
		}
		ch.Time = t
	}
	switch ro := f.str(fieldCTReadOnly); ro {
	case "true", "false":
		ch.ReadOnly = ro == "true"
	case "":
		ch.ReadOnly = awsReadOnlyName(ch.EventName)
	default:
		return fieldCTReadOnly, fmt.Errorf("is %q, want true or false", ro)
	}
	var err error
	if ch.Request, err = f.json(fieldCTRequest); err != nil {
		return fieldCTRequest, err
	}
	if ch.Response, err = f.json(fieldCTResponse); err != nil {
		return fieldCTResponse, err
	}
	ch.ResourceARNs = falcoResourceARNs(f.str(fieldCTResources))

	// ct.user is the role name for AssumedRole callers; the person is
	// ct.originaluser (the session name) and the session part of
	// ct.user.arn. Rebuild a userIdentity so that one function decides
	// who acted, for Falco and CloudTrail alike.
	id := &ctIdentity{
		Type:        f.str(fieldCTUserIdentityType),
		PrincipalID: f.str(fieldCTUserPrincipalID),
		ARN:         f.str(fieldCTUserARN),
		AccountID:   f.str(fieldCTUserAccountID),
	}
	user, original := f.str(fieldCTUser), f.str(fieldCTOriginalUser)
	switch id.Type {
	case "AssumedRole":
		id.sessionHint = original
	case "AWSService":
		id.InvokedBy = user
	default:
		id.UserName = firstNonEmpty(original, user)
	}
	if issuer := f.str(fieldCTIssuerARN); issuer != "" {
		id.SessionContext = &ctSessionContext{SessionIssuer: &ctSessionIssuer{ARN: issuer}}
	}
	if *id != (ctIdentity{}) {
		ch.Actor = awsActor(id)
	}
	ch.Account = firstNonEmpty(f.str(fieldCTRecipientAccountID), id.AccountID)
	return "", nil
}

// falcoResourceARNs reads ct.resources: the record's resources as JSON
// objects joined by commas (newer plugins), a JSON array, or bare ARNs.
func falcoResourceARNs(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	var res []struct {
		ARN string `json:"ARN"`
	}
	list := s
	if !strings.HasPrefix(list, "[") {
		list = "[" + list + "]"
	}
	if json.Unmarshal([]byte(list), &res) == nil {
		var arns []string
		for _, r := range res {
			if r.ARN != "" {
				arns = append(arns, r.ARN)
			}
		}
		return arns
	}
	var arns []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); strings.HasPrefix(part, "arn:") {
			arns = append(arns, part)
		}
	}
	return arns
}

func fillFalcoGCP(ch *change.Change, f falcoFields) (string, error) {
	method := f.str(fieldGCPMethod)
	if method == "" {
		return fieldGCPMethod, errMissing
	}
	ch.RawEventName = method
	ch.EventName = change.NormalizeGCPMethodName(method)
	if ch.EventName == "" {
		return fieldGCPMethod, errNoName
	}
	ch.Service = f.str(fieldGCPService)
	ch.ResourceName = f.str(fieldGCPResourceName)
	ch.SourceIP = f.str(fieldGCPCallerIP)
	ch.UserAgent = f.str(fieldGCPUserAgent)
	ch.EventID = f.str(fieldGCPJSONInsertID)
	ch.Account = firstNonEmpty(f.str(fieldGCPProjectID), projectOf(ch.ResourceName))
	ch.Region = zoneToRegion(f.str(fieldGCPLocation))
	if user := f.str(fieldGCPUser); user != "" {
		ch.Actor = gcpActor(gcpAuthInfo{PrincipalEmail: user})
	}
	if ts := f.str(fieldGCPJSONTimestamp); ts != "" {
		t, err := parseTime(ts)
		if err != nil {
			return fieldGCPJSONTimestamp, err
		}
		ch.Time = t
	}
	var err error
	// gcpaudit 0.8 sends gcp.request as an empty string; the request body
	// only arrives through the json plugin.
	if ch.Request, err = f.json(fieldGCPJSONRequest); err != nil {
		return fieldGCPJSONRequest, err
	}
	if ch.Request == nil {
		if req, err := f.json(fieldGCPRequest); err == nil {
			ch.Request = req
		}
	}
	if ch.Response, err = f.json(fieldGCPJSONResponse); err != nil {
		return fieldGCPJSONResponse, err
	}
	if code := f.str(fieldGCPJSONStatusCode); code != "" && code != "0" {
		n, err := strconv.Atoi(code)
		if err != nil {
			return fieldGCPJSONStatusCode, fmt.Errorf("is %q, want a number", code)
		}
		ch.ErrorCode = gcpCodeName(n)
		ch.ErrorMessage = f.str(fieldGCPJSONStatusMessage)
	}
	ch.ReadOnly = isDataAccessLog(f.str(fieldGCPJSONLogName)) || gcpReadOnlyMethod(method)
	return "", nil
}

// isLowerKey reports whether lower-casing key leaves it unchanged, without
// allocating for the usual all-ASCII key.
func isLowerKey(key []byte) bool {
	for _, c := range key {
		if c >= 0x80 {
			return bytes.Equal(bytes.ToLower(key), key)
		}
		if 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// fastFalco reads time and output_fields with the structural scanner; false
// sends the record to encoding/json (for its error, or an unusual shape).
// raw must be valid JSON: the caller checks it, or knows it.
func fastFalco(raw []byte, a *falcoAlert) bool {
	ok := true
	_, err := jsonscan.ObjectMembers(raw, jsonscan.SkipSpace(raw, 0), func(key, val []byte) {
		switch string(key) {
		case "time":
			if string(val) == "null" {
				return
			}
			t, isStr := stringValue(val)
			if !isStr {
				ok = false
			}
			a.Time = t
		case "output_fields":
			if string(val) == "null" {
				return
			}
			if val[0] != '{' {
				ok = false
				return
			}
			if a.OutputFields == nil {
				// A repeated key merges, as encoding/json does.
				a.OutputFields = make(map[string]json.RawMessage, len(falcoFieldNames))
			}
			_, err := jsonscan.ObjectMembers(val, 0, func(k, v []byte) {
				if bytes.IndexByte(k, '\\') >= 0 {
					ok = false
				}
				// Only the fields the fillers read are kept, under the
				// constant's own string: no allocation per key.
				if name, known := falcoFieldNames[string(k)]; known {
					a.OutputFields[name] = v
				}
			})
			if err != nil {
				ok = false
			}
		default:
			if bytes.IndexByte(key, '\\') >= 0 || !isLowerKey(key) {
				ok = false // encoding/json matches field names case-insensitively
			}
		}
	})
	return ok && err == nil
}
