package githubapp

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/internal/githubfake"
)

// post sends a raw request to the webhook.
func (f *fixture) post(event, delivery, sig string, body io.Reader, length int64) (int, string) {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL, body)
	if err != nil {
		f.t.Fatal(err)
	}
	req.ContentLength = length
	req.Header.Set("Content-Type", "application/json")
	if event != "" {
		req.Header.Set("X-GitHub-Event", event)
	}
	if delivery != "" {
		req.Header.Set("X-GitHub-Delivery", delivery)
	}
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestWebhookAuthentication: only a body signed with the webhook secret
// is read; ping is answered, events the App does not use are 204, and
// a body over 25 MB is refused.
func TestWebhookAuthentication(t *testing.T) {
	f := newFixture(t, fixtureOptions{yml: tfdriftYML})
	secret := f.ghApp.WebhookSecret
	ping := []byte(`{"zen":"Keep it logically awesome.","hook_id":1}`)
	big := int64(MaxWebhookBytes + 1)
	for _, tt := range []struct {
		name            string
		event, delivery string
		sig             string
		body            io.Reader
		length          int64
		status          int
		outcome         string
	}{
		{"signed ping", "ping", "d-1", githubfake.Sign(secret, ping), bytes.NewReader(ping), int64(len(ping)), 200, "ping"},
		{"forged", "ping", "d-2", githubfake.Sign("not-the-secret", ping), bytes.NewReader(ping), int64(len(ping)), 401, "bad_signature"},
		{"unsigned", "ping", "d-3", "", bytes.NewReader(ping), int64(len(ping)), 401, "bad_signature"},
		{"sha1 only", "ping", "d-4", "sha1=" + strings.Repeat("0", 40), bytes.NewReader(ping), int64(len(ping)), 401, "bad_signature"},
		{"garbage signature", "ping", "d-5", "sha256=zz", bytes.NewReader(ping), int64(len(ping)), 401, "bad_signature"},
		{"event not used", "star", "d-6", githubfake.Sign(secret, ping), bytes.NewReader(ping), int64(len(ping)), 204, "ignored"},
		{"no delivery ID", "issues", "", githubfake.Sign(secret, ping), bytes.NewReader(ping), int64(len(ping)), 400, "bad_request"},
		{"not JSON", "issues", "d-7", githubfake.Sign(secret, []byte("[1,")), strings.NewReader("[1,"), 3, 400, "bad_request"},
		{"over 25 MB, declared", "push", "d-8", githubfake.Sign(secret, nil), io.LimitReader(zeros{}, big), big, 413, "too_large"},
		{"over 25 MB, chunked", "push", "d-9", githubfake.Sign(secret, nil), io.LimitReader(zeros{}, big), -1, 413, "too_large"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := f.counter(f.a.m.webhooks.WithLabelValues(eventLabel(tt.event), tt.outcome))
			status, body := f.post(tt.event, tt.delivery, tt.sig, tt.body, tt.length)
			if status != tt.status {
				t.Errorf("status %d (%q), want %d", status, body, tt.status)
			}
			if n := f.counter(f.a.m.webhooks.WithLabelValues(eventLabel(tt.event), tt.outcome)); n != before+1 {
				t.Errorf("%s/%s counted %v times, want once", tt.event, tt.outcome, n-before)
			}
		})
	}
	d := f.send("ping", f.gh.PingEvent(f.ghApp.ID))
	if d.Status != 200 {
		t.Errorf("the fake's ping: %d", d.Status)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}
