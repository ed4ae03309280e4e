package drift

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/tfdrift/tfdrift/detector/change"
)

// This file renders a Drift's Record without reflection. The output is
// byte for byte what encoding/json's Encoder (SetEscapeHTML(false)) writes
// for d.ToRecord(): the same key order, omitempty fields, map key order,
// string escaping and number formatting. ndjson_test.go checks this against
// encoding/json (table, fuzz); a change to Record, AuditRecord, AttrChange,
// Location or change.Actor must be mirrored here.
//
// Expected and Actual values of the usual JSON-model types (nil, bool,
// string, json.Number, floats, ints, map[string]any, []any, []string,
// []map[string]any, map[string]string) are written here; any other type,
// an unsupported float (NaN, ±Inf), an invalid json.Number and values
// nested deeper than maxValueDepth go through encoding/json, which also
// gives its errors.
//
// Why it is kept (measured side by side on the 2-core machine, CPU time,
// AppendNDJSON against an encoder of d.ToRecord() on the same harness):
// the daemon without a store, the quick-start path, spends 22.6 CPU-µs per
// alert in BenchmarkPipelineFalcoAlert with it and 25.5 without (+13%),
// and BenchmarkReplayMix loses 9–13% of its events per CPU-second. Behind
// a store the drift then waits milliseconds for a SQL commit and this
// file saves nothing there; it is the output and replay paths it is for.

// ndjsonSizeHint is the room AppendNDJSON reserves before writing: a
// typical record is 1–2 KiB.
const ndjsonSizeHint = 2048

// maxValueDepth bounds the recursion into nested values; deeper values
// (and cyclic ones, which encoding/json rejects) go to encoding/json.
const maxValueDepth = 64

// AppendNDJSON appends d as one line of JSON (no HTML escaping) to buf.
func (d *Drift) AppendNDJSON(buf *bytes.Buffer) error {
	if buf.Available() < ndjsonSizeHint {
		buf.Grow(ndjsonSizeHint)
	}
	// Write into buf's spare capacity; buf itself only changes on success.
	b, err := d.appendRecord(buf.AvailableBuffer())
	if err != nil {
		return err
	}
	buf.Write(append(b, '\n'))
	return nil
}

// noEvent stands in for a missing Event: ToRecord leaves the event's
// fields empty.
var noEvent change.Change

// appendRecord appends d.ToRecord() as a JSON object, without a newline.
func (d *Drift) appendRecord(b []byte) ([]byte, error) {
	ev := d.Event
	if ev == nil {
		ev = &noEvent
	}
	b = appendKeyString(b, `{"event_id":`, d.EventID)
	b = appendKeyString(b, `,"event_type":`, EventType)
	b = append(b, `,"timestamp":`...)
	b = appendTime(b, ev.Time)
	b = append(b, `,"detected_at":`...)
	b = appendTime(b, d.DetectedAt)
	b = appendKeyString(b, `,"provider":`, d.Provider())
	b = appendKeyString(b, `,"account_id":`, d.Account())
	b = appendKeyString(b, `,"region":`, d.Region())
	b = appendKeyString(b, `,"resource_type":`, d.ResourceType)
	b = appendKeyString(b, `,"resource_id":`, d.ResourceID)
	b = appendKeyString(b, `,"resource_address":`, d.ResourceAddress)
	b = appendKeyString(b, `,"change_type":`, string(d.ChangeType))
	b = appendKeyString(b, `,"severity":`, string(d.Severity))
	b = append(b, `,"rules":`...)
	b = appendStringList(b, d.Rules)
	b = append(b, `,"tags":`...)
	b = appendStringList(b, d.Tags)
	b = appendKeyString(b, `,"user":`, d.User())
	b = append(b, `,"user_identity":`...)
	b = appendActor(b, &ev.Actor)
	b = appendKeyString(b, `,"cloudtrail_event":`, d.CloudTrailEvent())
	b = append(b, `,"changes":`...)
	b, err := appendChanges(b, d.Changes)
	if err != nil {
		return b, err
	}
	if d.Pending {
		b = append(b, `,"pending":true`...)
	}
	if d.TakesEffect != "" {
		b = appendKeyString(b, `,"takes_effect":`, d.TakesEffect)
	}
	b = append(b, `,"cloudtrail":`...)
	b = appendAudit(b, ev, d.CloudTrailEvent())
	b = append(b, `,"terraform":`...)
	b = appendLocation(b, &d.Terraform)
	b = appendKeyString(b, `,"fingerprint":`, d.Fingerprint)
	return append(b, '}'), nil
}

// appendActor appends change.Actor's JSON form.
func appendActor(b []byte, a *change.Actor) []byte {
	b = appendKeyString(b, `{"type":`, a.Type)
	b = appendKeyString(b, `,"principal_id":`, a.PrincipalID)
	b = appendKeyString(b, `,"arn":`, a.ARN)
	b = appendKeyString(b, `,"account_id":`, a.AccountID)
	b = appendKeyString(b, `,"username":`, a.UserName)
	if a.IssuerARN != "" {
		b = appendKeyString(b, `,"issuer_arn":`, a.IssuerARN)
	}
	return append(b, '}')
}

// appendAudit appends the AuditRecord ToRecord builds from ev.
func appendAudit(b []byte, ev *change.Change, eventName string) []byte {
	b = appendKeyString(b, `{"event_id":`, ev.EventID)
	b = appendKeyString(b, `,"event_name":`, eventName)
	if ev.Service != "" {
		b = appendKeyString(b, `,"event_source":`, ev.Service)
	}
	b = appendKeyString(b, `,"source_ip":`, ev.SourceIP)
	b = appendKeyString(b, `,"user_agent":`, ev.UserAgent)
	return append(b, '}')
}

// appendLocation appends l; every field is omitempty.
func appendLocation(b []byte, l *Location) []byte {
	b = append(b, '{')
	start := len(b)
	b = appendOptString(b, start, `"state":`, l.State)
	b = appendOptString(b, start, `"workspace":`, l.Workspace)
	b = appendOptString(b, start, `"module":`, l.Module)
	b = appendOptString(b, start, `"module_address":`, l.ModuleAddress)
	b = appendOptString(b, start, `"file":`, l.File)
	if l.Line != 0 {
		b = appendComma(b, start)
		b = append(b, `"line":`...)
		b = strconv.AppendInt(b, int64(l.Line), 10)
	}
	if l.EndLine != 0 {
		b = appendComma(b, start)
		b = append(b, `"end_line":`...)
		b = strconv.AppendInt(b, int64(l.EndLine), 10)
	}
	b = appendOptString(b, start, `"remote_source":`, l.Remote)
	b = appendOptString(b, start, `"repo":`, l.Repo)
	b = appendOptString(b, start, `"root":`, l.Root)
	b = appendOptString(b, start, `"ref":`, l.Ref)
	return append(b, '}')
}

// appendChanges appends m as an object with sorted keys; nil is {}.
func appendChanges(b []byte, m map[string]AttrChange) ([]byte, error) {
	return appendMembers(b, m, 0, func(b []byte, c AttrChange, _ int) ([]byte, error) { return appendAttrChange(b, c) })
}

// appendMembers appends m as an object with sorted keys, each value with
// elem.
func appendMembers[V any](b []byte, m map[string]V, depth int, elem func([]byte, V, int) ([]byte, error)) ([]byte, error) {
	var scratch [16]string
	b = append(b, '{')
	for i, k := range sortedKeys(m, scratch[:0]) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		var err error
		if b, err = elem(b, m[k], depth); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// appendAttrChange appends c; Diff and Unknown are omitempty.
func appendAttrChange(b []byte, c AttrChange) ([]byte, error) {
	var err error
	b = append(b, `{"expected":`...)
	if b, err = appendValue(b, c.Expected, 0); err != nil {
		return b, err
	}
	b = append(b, `,"actual":`...)
	if b, err = appendValue(b, c.Actual, 0); err != nil {
		return b, err
	}
	if c.Diff != "" {
		b = appendKeyString(b, `,"diff":`, c.Diff)
	}
	if c.Unknown {
		b = append(b, `,"unknown":true`...)
	}
	return append(b, '}'), nil
}

// AppendJSON appends v as encoding/json's Marshal (without HTML escaping)
// would, without reflection for the JSON-model types: the detector stores
// the cloud's values with it.
func AppendJSON(b []byte, v any) ([]byte, error) { return appendValue(b, v, 0) }

// appendValue appends an Expected or Actual value (or one nested in it)
// as encoding/json would; depth is its nesting level.
func appendValue(b []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case string:
		return appendString(b, v), nil
	case json.Number:
		return appendNumber(b, v)
	case float64:
		return appendFloat(b, v, 64)
	case float32:
		return appendFloat(b, float64(v), 32)
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int8:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case uint:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint8:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint16:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint32:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint64:
		return strconv.AppendUint(b, v, 10), nil
	case []string:
		if v == nil {
			return append(b, "null"...), nil
		}
		return appendStringList(b, v), nil
	case map[string]string:
		return appendStringMap(b, v), nil
	}
	if depth >= maxValueDepth {
		return appendFallback(b, v)
	}
	switch v := v.(type) {
	case map[string]any:
		return appendObject(b, v, depth+1)
	case []any:
		return appendList(b, v, depth+1, appendValue)
	case []map[string]any:
		return appendList(b, v, depth+1, appendObject)
	}
	return appendFallback(b, v)
}

// appendObject appends m with sorted keys; nil is null.
func appendObject(b []byte, m map[string]any, depth int) ([]byte, error) {
	if m == nil {
		return append(b, "null"...), nil
	}
	return appendMembers(b, m, depth, appendValue)
}

// appendList appends s, each element with elem; nil is null.
func appendList[E any](b []byte, s []E, depth int, elem func([]byte, E, int) ([]byte, error)) ([]byte, error) {
	if s == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	for i, e := range s {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = elem(b, e, depth); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// appendStringMap appends m with sorted keys; nil is null.
func appendStringMap(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	b, _ = appendMembers(b, m, 0, func(b []byte, v string, _ int) ([]byte, error) { return appendString(b, v), nil })
	return b
}

// appendStringList appends s as an array; nil is [] (as nonNil makes it).
func appendStringList(b []byte, s []string) []byte {
	b = append(b, '[')
	for i, e := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, e)
	}
	return append(b, ']')
}

// appendNumber appends n as is, "" as 0; an invalid number is
// encoding/json's error.
func appendNumber(b []byte, n json.Number) ([]byte, error) {
	s := string(n)
	if s == "" {
		s = "0"
	}
	if !isValidNumber(s) {
		return appendFallback(b, n)
	}
	return append(b, s...), nil
}

// appendFloat formats f like encoding/json: as ES6 does, 'f' format
// unless the exponent is small or large, exponents unpadded. NaN and ±Inf
// are encoding/json's error.
func appendFloat(b []byte, f float64, bits int) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		if bits == 32 {
			return appendFallback(b, float32(f))
		}
		return appendFallback(b, f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// e-09 becomes e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendTime appends formatTime(t) as a JSON string. RFC 3339 text is
// digits, '-', '+', ':', 'T' and 'Z', none of which needs escaping.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	if !t.IsZero() {
		b = t.UTC().AppendFormat(b, time.RFC3339)
	}
	return append(b, '"')
}

// appendKeyString appends key (already JSON, with its punctuation) and s.
func appendKeyString(b []byte, key, s string) []byte {
	return appendString(append(b, key...), s)
}

// appendOptString appends `,"key":s` for an omitempty field of an object
// opened at start, leaving out the comma for the first field.
func appendOptString(b []byte, start int, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendKeyString(appendComma(b, start), key, s)
}

// appendComma appends a comma unless nothing follows start yet.
func appendComma(b []byte, start int) []byte {
	if len(b) > start {
		b = append(b, ',')
	}
	return b
}

// noEscape lists the ASCII bytes encoding/json writes as is when HTML
// escaping is off: all but control characters, '"' and '\\'.
var noEscape = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString appends s quoted as encoding/json does without HTML
// escaping: short escapes for \" \\ \b \f \n \r \t, \u00XX for other
// control characters, \ufffd for each invalid UTF-8 byte, and \u2028,
// \u2029 escaped.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Skip runs of bytes written as is, 8 at a time.
		for i+8 <= len(s) && plainWord(word(s, i)) {
			i += 8
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			if noEscape[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// word returns s[i:i+8] as a little-endian number (one load).
func word(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// plainWord reports whether the 8 bytes of x are all written as is: none
// is a control character, '"', '\\' or non-ASCII.
func plainWord(x uint64) bool {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	// With every byte below 0x80, a byte-wise subtraction sets a high bit
	// exactly where it borrows: where a byte of x is below 0x20, or a byte
	// of x^c (zero where x has c) is below 1.
	return (x|(x-0x20*ones)|((x^'"'*ones)-ones)|((x^'\\'*ones)-ones))&high == 0
}

// sortedKeys appends m's keys to dst, sorted as encoding/json sorts them.
func sortedKeys[V any](m map[string]V, dst []string) []string {
	for k := range m {
		dst = append(dst, k)
	}
	slices.Sort(dst)
	return dst
}

// isValidNumber reports whether s is a JSON number literal (RFC 8259), as
// encoding/json checks a json.Number.
func isValidNumber(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	switch {
	case s == "":
		return false
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = skipDigits(s[1:])
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && isDigit(s[1]) {
		s = skipDigits(s[2:])
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
			if s == "" {
				return false
			}
		}
		s = skipDigits(s)
	}
	return s == ""
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func skipDigits(s string) string {
	for s != "" && isDigit(s[0]) {
		s = s[1:]
	}
	return s
}

// appendFallback appends v as encoding/json (without HTML escaping)
// renders it, for the types and values the appenders above leave to it.
func appendFallback(b []byte, v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return b, err
	}
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})...), nil
}
