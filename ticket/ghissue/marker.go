package ghissue

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// Hidden markers. They are HTML comments, which GitHub does not show, and
// the API returns the body exactly as written, so they are read back
// verbatim. Every value is escaped (markerValue) so that it holds no
// space and no ">" and cannot end the comment early.
const (
	resourcePrefix = "<!-- tfdrift:resource="
	eventPrefix    = "<!-- tfdrift:event="
	resolvedPrefix = "<!-- tfdrift:resolved="
	historyPrefix  = "<!-- tfdrift:history="
	overflowMarker = "<!-- tfdrift:overflow -->"
	overflowPrefix = "<!-- tfdrift:overflow-state="
	markerEnd      = " -->"
)

// markerValue percent-encodes what could break a marker or make two
// resources look alike: "%", spaces and control bytes, "<" and ">", every
// byte outside ASCII (so the value is plain ASCII whatever the input),
// and the characters in extra.
func markerValue(s, extra string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '%' || c == '<' || c == '>' || strings.IndexByte(extra, c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// ResourceID is the value of d's resource marker: "<state>/<address>" for
// a managed resource, with "#<workspace>" after the state when the
// workspace is not the default; "cloud:<provider>/<account>/<type>/<id>"
// for an unmanaged one (ticket.ResourceKey's parts). Values are escaped
// as in markerValue; "/" inside an address, and "#" and "/" where they
// would be ambiguous, are escaped too, so two resources never share an ID.
func ResourceID(d *drift.Drift) string {
	if d.ResourceAddress != "" {
		id := markerValue(d.Terraform.State, "#")
		if ws := d.Terraform.Workspace; ws != "" && ws != "default" {
			id += "#" + markerValue(ws, "#/")
		}
		return id + "/" + markerValue(d.ResourceAddress, "/")
	}
	return "cloud:" + markerValue(d.Provider(), "/") + "/" + markerValue(d.Account(), "/") + "/" +
		markerValue(d.ResourceType, "/") + "/" + markerValue(d.ResourceID, "")
}

// Marker is the hidden marker that identifies d's resource in an issue
// body: <!-- tfdrift:resource=<state>/<address> --> (see ResourceID). The
// App and `tfdrift check --open-issues` write the same marker, so they
// find each other's issues.
func Marker(d *drift.Drift) string { return resourcePrefix + ResourceID(d) + markerEnd }

// ParseMarker returns the resource ID of the first resource marker in an
// issue body, or false when there is none: an issue tfdrift did not open
// for a resource (the overflow issue, a person's issue).
func ParseMarker(body string) (string, bool) {
	return markerIn(body, resourcePrefix)
}

// IsOverflow reports whether an issue body is the overflow issue's.
func IsOverflow(body string) bool { return strings.Contains(body, overflowMarker) }

// markerIn returns the value of the first marker with prefix in s. A
// value runs to the first space or ">", and must be followed by the
// marker's end.
func markerIn(s, prefix string) (string, bool) {
	for {
		i := strings.Index(s, prefix)
		if i < 0 {
			return "", false
		}
		s = s[i+len(prefix):]
		end := strings.IndexAny(s, " >\r\n\t")
		if end > 0 && strings.HasPrefix(s[end:], markerEnd) {
			return s[:end], true
		}
	}
}

// deliveryKey identifies one drift's delivery: its event ID and its
// fingerprint. The event ID alone is not enough for drifts without an
// audit event (tfdrift check's, whose ID names only the resource): a
// second run finding new values must not look like a retry of the first.
func deliveryKey(d *drift.Drift) string {
	fp := d.Fingerprint
	if fp == "" {
		fp = d.ComputeFingerprint()
	}
	return markerValue(d.EventID, "") + " fingerprint=" + markerValue(fp, "")
}

// eventMarker marks the comment (or body) that delivered d:
// <!-- tfdrift:event=<event_id> fingerprint=<fingerprint> -->. A retried
// delivery finds it and does not write again.
func eventMarker(d *drift.Drift) string { return eventPrefix + deliveryKey(d) + markerEnd }

// resolvedMarker marks the comment that closed an issue for d.
func resolvedMarker(d *drift.Drift) string { return resolvedPrefix + deliveryKey(d) + markerEnd }

// maxBlob bounds what a hidden state marker may inflate to: a body is at
// most 64 KiB, and state that claims more is not ours.
const maxBlob = 1 << 20

// encodeBlob writes v as a marker value: JSON, gzipped, base64url. The
// alphabet has no space and no ">", so the comment cannot end early.
func encodeBlob(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	zw := gzipPool.Get().(*gzip.Writer)
	defer gzipPool.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(raw); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// gzipPool keeps compressors: each holds hundreds of kilobytes of tables,
// and a body is rendered for every delivery.
var gzipPool = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestCompression)
	return zw
}}

var errNoBlob = errors.New("no state marker")

// decodeBlob reads a value encodeBlob wrote into v, within maxBlob.
func decodeBlob(body, prefix string, v any) error {
	val, ok := markerIn(body, prefix)
	if !ok {
		return errNoBlob
	}
	gz, err := base64.RawURLEncoding.DecodeString(val)
	if err != nil {
		return fmt.Errorf("state marker: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return fmt.Errorf("state marker: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, maxBlob+1))
	if err != nil {
		return fmt.Errorf("state marker: %w", err)
	}
	if len(raw) > maxBlob {
		return fmt.Errorf("state marker: over %d bytes", maxBlob)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("state marker: %w", err)
	}
	return nil
}
