// Package decode turns cloud audit records into change.Change values: one
// provider-neutral description per API call, with who made it, where, when,
// whether it only read or failed, and its request and response as JSON.
//
// It is the detector's only parser of outside input. It imports nothing
// from tfdrift but detector/change, and must not import the catalog,
// state, rules, app or any SDK: what a call changed is decided downstream.
//
// # Formats
//
// The format is detected per record (a record is one top-level JSON value or
// one element of a CloudTrail Records array), never from a file name:
//
//   - CloudTrail record (eventName, eventSource, ...). Account is
//     recipientAccountId, else userIdentity.accountId. EventName is
//     normalised (UpdateFunctionConfiguration20150331v2 →
//     UpdateFunctionConfiguration); RawEventName keeps the original.
//     ReadOnly comes from readOnly (true or "true"), or from the name
//     (Describe…, Get…, List…, Head…, Lookup…, Search…, BatchGet…) when the
//     record has no flag.
//   - CloudTrail log file: {"Records":[...]}, plain or gzip (detected by
//     its magic bytes 1f 8b). Stream reads its records one at a time, so a
//     log file's size is not bounded; each record is (MaxRecordSize).
//   - NDJSON, concatenated or pretty-printed JSON values, and JSON arrays of
//     records. In NDJSON a broken line fails one record and decoding goes
//     on with the next line.
//   - EventBridge "AWS API Call via CloudTrail" events: the CloudTrail record
//     in detail, with account, region, time and ID taken from the envelope
//     when the record lacks them. Other detail-types fail as unsupported.
//   - Falco alerts as sent by http_output and falcosidekick (which adds
//     uuid), from the cloudtrail plugin (source aws_cloudtrail) or the
//     gcpaudit plugin (source gcp_auditlog). Other sources fail as
//     unsupported.
//   - GCP Cloud Logging LogEntry with an AuditLog protoPayload, and the same
//     entry base64-encoded in a Pub/Sub push message ({"message":{"data":…},
//     "subscription":…}); Raw is then the LogEntry, not the envelope.
//
// Records that Panther's data lake has rewritten (lower-cased keys such as
// eventname, or p_log_type and other p_* keys) are not raw records and fail
// with an error that says so.
//
// # Who acted
//
// Actor.UserName names the person or service, never a role: for an
// AssumedRole (including AWSReservedSSO_… roles) it is the session name,
// the last segment of arn:aws:sts::…:assumed-role/Role/bob@example.com,
// with the role in IssuerARN. Root is "root", AWSService is invokedBy,
// FederatedUser the federated name, IdentityCenterUser onBehalfOf.userId.
// A record with a userIdentity always gets a UserName, falling back to the
// principal ID or ARN. For GCP, UserName is principalEmail, ARN the IAM
// member (user:…, serviceAccount:…) and IssuerARN the original caller of an
// impersonated service account.
//
// # Falco rule requirements
//
// A Falco alert carries only the fields its rule's output names or that
// append_output adds, so the Falco rules shipped with tfdrift must append
// (for example with append_output: [{match: {source: aws_cloudtrail},
// extra_fields: [...]}]) these output fields:
//
// source aws_cloudtrail (cloudtrail plugin):
//
//	ct.name ct.id ct.time ct.src ct.region ct.srcip ct.useragent
//	ct.user ct.originaluser ct.user.arn ct.user.accountid
//	ct.user.identitytype ct.user.principalid ct.recipientaccountid
//	ct.readonly ct.error ct.errormessage ct.request ct.response ct.resources
//	json.value[/userIdentity/sessionContext/sessionIssuer/arn]  (optional: IssuerARN)
//
// ct.user is the role name for AssumedRole callers; the decoder takes the
// person from ct.user.arn or ct.originaluser. ct.request and ct.response are
// the whole requestParameters/responseElements as JSON strings and are
// required for drift: the plugin's flat ct.request.* fields cover only a
// few keys. ct.time is the event time; without it the alert time is used.
//
// source gcp_auditlog (gcpaudit plugin, plus the json plugin):
//
//	gcp.methodName gcp.serviceName gcp.resourceName gcp.user gcp.callerIP
//	gcp.userAgent gcp.projectId gcp.location
//	json.value[/protoPayload/request] json.value[/protoPayload/response]
//	json.value[/protoPayload/status/code] json.value[/protoPayload/status/message]
//	json.value[/insertId] json.value[/timestamp] json.value[/logName]
//
// gcpaudit 0.8 delivers gcp.request as an empty string, so the request body
// only arrives through json.value[/protoPayload/request]. Consuming the
// LogEntry from Pub/Sub directly avoids the Falco hop altogether.
//
// # Speed
//
// Stream frames NDJSON by newline and classifies each record with one
// structural byte scan that finds its kind, event name and read-only flag
// without decoding it. Options.Keep is asked at that point, so that records
// the caller does not want (read-only calls, events no catalog entry
// covers) cost one scan and no allocation. Kept CloudTrail records (the
// bulk of any input) are checked by internal/jsonscan.Valid and walked with
// the same scanner, their request and response sharing the record's bytes;
// the rarer formats go through encoding/json into typed structs. Per CPU
// second this decodes about 500,000 mixed CloudTrail records, 6.8 times what
// json.Unmarshal of each record into its fields manages on the same data
// (BenchmarkStreamNDJSONMix against BenchmarkStreamNDJSONMixEncodingJSON).
package decode
