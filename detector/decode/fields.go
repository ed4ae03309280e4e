package decode

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// errMissing marks a required field that is absent or empty.
var errMissing = errors.New("missing")

// errNoName marks an event or method name that normalises to nothing
// ("v1.").
var errNoName = errors.New("is not an event name")

// timeLayouts are the timestamp forms seen in audit records: RFC 3339 in
// CloudTrail, EventBridge, Falco and Cloud Logging; a space-separated form
// without zone (UTC) in some exports.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

// parseTime parses an audit timestamp and returns it in UTC.
func parseTime(s string) (time.Time, error) {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse %q as a timestamp (want RFC 3339)", s)
}

// awsReadPrefixes are event-name prefixes of calls that only read. They
// are used only when a record has no readOnly flag, and are kept short on
// purpose: calling a write "read-only" would hide drift, while calling a
// read a write only costs a catalog miss.
var awsReadPrefixes = []string{"Describe", "Get", "List", "Head", "Lookup", "Search", "BatchGet", "BatchDescribe"}

// awsReadOnlyName infers read-only from a CloudTrail event name.
func awsReadOnlyName(name string) bool {
	return hasVerbPrefix(name, awsReadPrefixes)
}

// gcpReadVerbs are the method verbs of GCP calls that only read.
var gcpReadVerbs = []string{"get", "list", "aggregatedList", "testIamPermissions", "search"}

// gcpReadOnlyMethod infers read-only from a GCP methodName by its last
// segment: compute.instances.get, storage.buckets.getIamPolicy,
// google.container.v1.ClusterManager.ListClusters.
func gcpReadOnlyMethod(method string) bool {
	verb := method[strings.LastIndexByte(method, '.')+1:]
	if verb == "" {
		return false
	}
	if c := verb[0]; c >= 'A' && c <= 'Z' {
		verb = string(c+'a'-'A') + verb[1:]
	}
	return hasVerbPrefix(verb, gcpReadVerbs)
}

// hasVerbPrefix reports whether name starts with one of prefixes followed
// by the end of the name or an upper-case letter, so that "Get" matches
// GetObject but not Getaway.
func hasVerbPrefix(name string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(name, p) && (len(name) == len(p) || (name[len(p)] >= 'A' && name[len(p)] <= 'Z')) {
			return true
		}
	}
	return false
}

// rawJSON returns v unless it is absent or JSON null.
func rawJSON(v json.RawMessage) json.RawMessage {
	if len(v) == 0 || string(v) == "null" {
		return nil
	}
	return v
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// unmarshalRecord decodes raw into v and, on failure, names the field at
// fault when encoding/json knows it.
func unmarshalRecord(raw []byte, v any) (field string, err error) {
	err = json.Unmarshal(raw, v)
	if err == nil {
		return "", nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return typeErr.Field, fmt.Errorf("is %s, want %s", typeErr.Value, typeErr.Type)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return "", fmt.Errorf("invalid JSON at offset %d: %w", syntaxErr.Offset, err)
	}
	return "", err
}
