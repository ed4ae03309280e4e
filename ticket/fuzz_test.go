package ticket_test

import (
	"testing"
	"time"

	"github.com/tfdrift/tfdrift/ticket"
	"github.com/tfdrift/tfdrift/ticket/internal/sample"
)

// FuzzDecodeNotice: outbox rows may be corrupt or written by another
// version. Decoding never panics, and what decodes re-encodes.
func FuzzDecodeNotice(f *testing.F) {
	for _, sm := range sample.All() {
		b, err := ticket.EncodeNotice(&ticket.Notice{Sink: "s", Kind: ticket.KindDrift, Drift: sm.Drift, Fingerprint: sm.Drift.Fingerprint})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"v":1,"sink":"s","kind":"group","group":{"window":"1m","drifts":[{"has_event":true}]}}`))
	f.Add([]byte(`{"v":1,"kind":"resolved","drift":{"changes":{"a":{"expected":1e400}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := ticket.DecodeNotice(b)
		if err != nil {
			return
		}
		if _, err := ticket.EncodeNotice(n); err != nil {
			t.Fatalf("a decoded notice does not encode: %v", err)
		}
		_ = ticket.NewTemplateData(n, ticket.CodeLink{Template: ticket.GitHubBlobTemplate})
		_ = n.Key()
	})
}

// FuzzParseRetryAfter: a header from any server.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "0", "-5", "Mon, 20 Jan 2025 12:00:10 GMT", "soon", "99999999999999999999", " 7 "} {
		f.Add(s)
	}
	now := time.Date(2025, 1, 20, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ticket.ParseRetryAfter(s, now)
		if ok && (d < 0 || d > 24*time.Hour) {
			t.Fatalf("ParseRetryAfter(%q) = %v", s, d)
		}
		if !ok && d != 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v without ok", s, d)
		}
	})
}
