package decode

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/internal/jsonscan"
)

// kind is the shape of one record, found by looking at its top-level keys.
type kind uint8

const (
	kindUnknown     kind = iota
	kindCloudTrail       // a raw CloudTrail record
	kindLogFile          // {"Records":[...]}: a CloudTrail log file
	kindEventBridge      // an EventBridge envelope around a CloudTrail record
	kindFalco            // a Falco alert (http_output or falcosidekick)
	kindGCP              // a Cloud Logging LogEntry with an AuditLog payload
	kindPubSub           // a Pub/Sub push envelope around a LogEntry
)

// EventBridge detail-type of the only EventBridge events that carry a
// CloudTrail API record.
const detailTypeAPICall = "AWS API Call via CloudTrail"

// auditLogType is protoPayload.@type of a GCP audit log entry.
const auditLogType = "type.googleapis.com/google.cloud.audit.AuditLog"

// Falco event sources of the CloudTrail and GCP audit log plugins.
const (
	falcoSourceCloudTrail = "aws_cloudtrail"
	falcoSourceGCP        = "gcp_auditlog"
)

// class is what classify learns about a record without decoding it.
type class struct {
	kind     kind
	provider change.Provider
	// name is the raw JSON string of the event or method name, nil when
	// it cannot be known without a full decode.
	name []byte
	// readOnly is the record's explicit read-only flag: -1 when absent.
	readOnly int8
	// dataAccess is set for GCP entries from a data_access audit log.
	dataAccess bool
	// records is the Records array of a CloudTrail log file.
	records []byte
	// err, with the field at fault, marks a record that is malformed or
	// of an unsupported kind; such a record fails whatever Keep says.
	field string
	err   error
}

var errUnrecognised = errors.New("unrecognised record: expected a CloudTrail record (eventName), " +
	"a CloudTrail log file (Records), an EventBridge envelope (detail-type), a Falco alert (output_fields), " +
	"a GCP audit LogEntry (protoPayload) or a Pub/Sub push message (message.data)")

// ErrUnsupported is matched (errors.Is) by the error of a well-formed
// record of a kind that describes no cloud API call: an EventBridge event
// other than "AWS API Call via CloudTrail" (an EC2 state-change notice), a
// Falco alert from another source (syscall), a GCP log entry that is not
// an audit log. Callers may count such records as skipped rather than bad.
var ErrUnsupported = errors.New("unsupported record kind")

// UnsupportedError is the error of such a record; errors.Is(err,
// ErrUnsupported) holds. Reason says what the record is.
type UnsupportedError struct{ Reason string }

func (e *UnsupportedError) Error() string        { return e.Reason }
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

func unsupportedf(format string, args ...any) error {
	return &UnsupportedError{fmt.Sprintf(format, args...)}
}

// classify walks the top-level members of raw (one JSON value) and finds
// what kind of record it is, the event name and the read-only flag. It
// costs one structural pass and no allocation for well-formed input.
func classify(raw []byte) class {
	if len(raw) == 0 || raw[0] != '{' {
		return class{readOnly: -1, err: fmt.Errorf("a record must be a JSON object, not %s", kindOf(raw))}
	}
	c, _, err := classifyObject(raw)
	if err != nil {
		c.err = invalidJSON(err)
	}
	return c
}

// classifyObject classifies the object at the start of b, which may be
// followed by more data, and returns where the object ends. A structural
// error means the object's extent is unknown.
func classifyObject(b []byte) (c class, end int, err error) {
	c.readOnly = -1
	var (
		records, name, readOnly, source  []byte
		detailType, detail, outputFields []byte
		protoPayload, logName, message   []byte
		hasEventSource, topMethod        bool
		panther                          []byte
	)
	end, err = jsonscan.ObjectMembers(b, 0, func(key, val []byte) {
		switch string(key) {
		case "Records":
			records = val
		case "eventName":
			name = val
		case "eventSource":
			hasEventSource = true
		case "readOnly":
			readOnly = val
		case "source":
			source = val
		case "detail-type":
			detailType = val
		case "detail":
			detail = val
		case "output_fields":
			outputFields = val
		case "protoPayload":
			protoPayload = val
		case "logName":
			logName = val
		case "message":
			message = val
		case "methodName":
			topMethod = true
		case "eventname", "eventsource", "useridentity", "protopayload":
			// Panther's data lake lower-cases these keys.
			if panther == nil {
				panther = key
			}
		default:
			// Panther adds p_log_type, p_event_time, p_any_* ... to every
			// record it stores.
			if panther == nil && len(key) > 2 && key[0] == 'p' && key[1] == '_' {
				panther = key
			}
		}
	})
	if err != nil {
		return c, end, err
	}

	switch {
	case panther != nil:
		c.err = fmt.Errorf("record normalised by Panther (key %q): not raw CloudTrail or GCP audit JSON; "+
			"replay the original log records instead", panther)
	case records != nil:
		c.kind = kindLogFile
		if records[0] != '[' {
			c.field, c.err = "Records", fmt.Errorf("must be an array, not %s", kindOf(records))
		}
		c.records = records
	case outputFields != nil:
		c.classifyFalco(source, outputFields)
	case detailType != nil:
		c.kind, c.provider = kindEventBridge, change.AWS
		if dt, _ := stringValue(detailType); dt != detailTypeAPICall {
			c.field = "detail-type"
			c.err = unsupportedf("unsupported EventBridge detail-type %q: only %q carries a CloudTrail record", dt, detailTypeAPICall)
			return c, end, nil
		}
		if detail == nil || detail[0] != '{' {
			c.field, c.err = "detail", fmt.Errorf("must be an object, not %s", kindOf(detail))
			return c, end, nil
		}
		c.classifyCloudTrail(detail)
	case protoPayload != nil:
		c.kind, c.provider = kindGCP, change.GCP
		if ln, ok := stringValue(logName); ok {
			c.dataAccess = isDataAccessLog(ln)
		}
		if protoPayload[0] != '{' {
			c.field, c.err = "protoPayload", fmt.Errorf("must be an object, not %s", kindOf(protoPayload))
			return c, end, nil
		}
		var payloadType []byte
		// The structure was checked by the walk above, so errors cannot
		// happen here.
		_, _ = jsonscan.ObjectMembers(protoPayload, 0, func(key, val []byte) {
			switch string(key) {
			case "methodName":
				c.name = stringOrNil(val)
			case "@type":
				payloadType = val
			}
		})
		if payloadType != nil {
			if pt, _ := stringValue(payloadType); pt != auditLogType {
				c.field = "protoPayload.@type"
				c.err = unsupportedf("unsupported payload type %q: only audit logs (%s) are decoded", pt, auditLogType)
			}
		}
	case message != nil && message[0] == '{':
		c.kind = kindPubSub
	case name != nil || hasEventSource:
		c.kind, c.provider = kindCloudTrail, change.AWS
		c.name = stringOrNil(name)
		c.readOnly = readOnlyFlag(readOnly)
	case topMethod:
		c.err = errors.New("methodName outside protoPayload: not a Cloud Logging LogEntry " +
			"(flattened or Panther-normalised GCP audit record?)")
	default:
		c.err = errUnrecognised
	}
	return c, end, nil
}

// classifyCloudTrail reads the name and read-only flag of a CloudTrail
// record nested in an envelope.
func (c *class) classifyCloudTrail(rec []byte) {
	var name, readOnly []byte
	_, _ = jsonscan.ObjectMembers(rec, 0, func(key, val []byte) {
		switch string(key) {
		case "eventName":
			name = val
		case "readOnly":
			readOnly = val
		}
	})
	c.name = stringOrNil(name)
	c.readOnly = readOnlyFlag(readOnly)
}

// classifyFalco picks the provider of a Falco alert from its source, or
// from its fields for Falco versions whose JSON output has no source.
func (c *class) classifyFalco(source, outputFields []byte) {
	c.kind = kindFalco
	if outputFields[0] != '{' {
		c.field, c.err = "output_fields", fmt.Errorf("must be an object, not %s", kindOf(outputFields))
		return
	}
	var ctName, gcpMethod, ctReadOnly []byte
	_, _ = jsonscan.ObjectMembers(outputFields, 0, func(key, val []byte) {
		switch string(key) {
		case fieldCTName:
			ctName = val
		case fieldCTReadOnly:
			ctReadOnly = val
		case fieldGCPMethod:
			gcpMethod = val
		}
	})
	src, _ := stringValue(source)
	if src == "" {
		switch {
		case ctName != nil:
			src = falcoSourceCloudTrail
		case gcpMethod != nil:
			src = falcoSourceGCP
		}
	}
	switch src {
	case falcoSourceCloudTrail:
		c.provider = change.AWS
		c.name = stringOrNil(ctName)
		c.readOnly = readOnlyFlag(ctReadOnly)
	case falcoSourceGCP:
		c.provider = change.GCP
		c.name = stringOrNil(gcpMethod)
	case "":
		c.field, c.err = "source", fmt.Errorf("alert has no source and no %s or %s field", fieldCTName, fieldGCPMethod)
	default:
		c.field, c.err = "source", unsupportedf("unsupported Falco source %q: only %s and %s alerts describe cloud changes",
			src, falcoSourceCloudTrail, falcoSourceGCP)
	}
}

// stringOrNil returns raw when it is a JSON string, else nil (null, a
// number...: the full decode reports those).
func stringOrNil(raw []byte) []byte {
	if len(raw) >= 2 && raw[0] == '"' {
		return raw
	}
	return nil
}

// readOnlyFlag reads CloudTrail's readOnly, which is a boolean in log
// files and a string in some exports and in Falco's ct.readonly.
func readOnlyFlag(raw []byte) int8 {
	switch string(raw) {
	case "true", `"true"`:
		return 1
	case "false", `"false"`:
		return 0
	}
	return -1
}

// isDataAccessLog reports whether a GCP logName is a data-access audit log
// (cloudaudit.googleapis.com%2Fdata_access), which records reads.
func isDataAccessLog(logName string) bool {
	return strings.Contains(logName, "data_access")
}

// readOnlyFor decides the read-only flag of a classified record from its
// explicit flag or, failing that, its normalised name.
func (c *class) readOnlyFor(name string) bool {
	if c.readOnly >= 0 {
		return c.readOnly == 1
	}
	if c.provider == change.GCP {
		return c.dataAccess || gcpReadOnlyMethod(name)
	}
	return awsReadOnlyName(name)
}

// invalidJSON words a scanner error for a record.
func invalidJSON(err error) error {
	if errors.Is(err, jsonscan.ErrUnexpectedEnd) {
		return errors.New("invalid JSON: unexpected end of record")
	}
	return err
}
