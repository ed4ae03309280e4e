package falcohttp

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tfdrift/tfdrift/app/ingest"
)

const testSecret = "s3cr3t-0123456789abcdef"

// recorder is an ingest.Handler that keeps what it is given. err, when
// set, is returned instead of taking the message.
type recorder struct {
	mu   sync.Mutex
	msgs []ingest.Message
	err  error
}

func (r *recorder) handle(_ context.Context, m ingest.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.msgs = append(r.msgs, m)
	return nil
}

func (r *recorder) setErr(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

func (r *recorder) bodies() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.msgs {
		out = append(out, string(m.Body))
	}
	return out
}

func readFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// response is what a test checks of an answer.
type response struct {
	Status     int
	Error      string // "error" of the JSON body
	Status2    string // "status" of the JSON body
	Accepted   int
	Duplicates int
	RetryAfter string
	Allow      string
}

func do(t *testing.T, h http.Handler, req *http.Request) response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
	var parsed struct {
		Error      string `json:"error"`
		Message    string `json:"message"`
		Status     string `json:"status"`
		Accepted   int    `json:"accepted"`
		Duplicates int    `json:"duplicates"`
	}
	if err := json.Unmarshal(body, &parsed); err != nil {
		t.Fatalf("response body %q is not JSON: %v", body, err)
	}
	if parsed.Error != "" && parsed.Message == "" {
		t.Errorf("error %q without a message", parsed.Error)
	}
	if strings.Contains(string(body), testSecret) {
		t.Errorf("response echoes the secret: %s", body)
	}
	return response{
		Status: res.StatusCode, Error: parsed.Error, Status2: parsed.Status,
		Accepted: parsed.Accepted, Duplicates: parsed.Duplicates,
		RetryAfter: res.Header.Get("Retry-After"), Allow: res.Header.Get("Allow"),
	}
}

func post(target, body string) *http.Request {
	return httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
}

func TestServeHTTP(t *testing.T) {
	alert := readFixture(t, "alert_cloudtrail.json")
	sidekick := readFixture(t, "sidekick.json")
	bearer := func(r *http.Request, tok string) *http.Request {
		r.Header.Set("Authorization", "Bearer "+tok)
		return r
	}
	chunked := func(r *http.Request) *http.Request {
		r.ContentLength = -1
		return r
	}
	tests := []struct {
		name   string
		req    *http.Request
		want   response
		bodies []string
		ids    []string
	}{
		{
			name:   "secret in path",
			req:    post("/falco/"+testSecret, alert),
			want:   response{Status: 202, Status2: "accepted"},
			bodies: []string{alert}, ids: []string{""},
		},
		{
			name:   "secret in query",
			req:    post("/falco?token="+testSecret, alert),
			want:   response{Status: 202, Status2: "accepted"},
			bodies: []string{alert}, ids: []string{""},
		},
		{
			name:   "bearer token, falcosidekick uuid",
			req:    bearer(post("/falco", sidekick), testSecret),
			want:   response{Status: 202, Status2: "accepted"},
			bodies: []string{sidekick}, ids: []string{"5a3e2c1b-8f7d-4e6a-9b0c-1d2e3f4a5b6c"},
		},
		{
			name: "lower-case bearer scheme",
			req: func() *http.Request {
				r := post("/falco/", alert)
				r.Header.Set("Authorization", "bearer "+testSecret)
				return r
			}(),
			want:   response{Status: 202, Status2: "accepted"},
			bodies: []string{alert}, ids: []string{""},
		},
		{
			name:   "chunked body",
			req:    chunked(post("/falco/"+testSecret, alert)),
			want:   response{Status: 202, Status2: "accepted"},
			bodies: []string{alert}, ids: []string{""},
		},
		{
			name:   "JSON array batch",
			req:    post("/falco/"+testSecret, "[ "+alert+" ,\n"+sidekick+"]"),
			want:   response{Status: 202, Status2: "accepted", Accepted: 2},
			bodies: []string{alert, sidekick}, ids: []string{"", "5a3e2c1b-8f7d-4e6a-9b0c-1d2e3f4a5b6c"},
		},
		{
			name:   "NDJSON batch",
			req:    post("/falco/"+testSecret, alert+"\n"+sidekick+"\n"),
			want:   response{Status: 202, Status2: "accepted", Accepted: 2},
			bodies: []string{alert, sidekick}, ids: []string{"", "5a3e2c1b-8f7d-4e6a-9b0c-1d2e3f4a5b6c"},
		},
		{name: "no credentials", req: post("/falco", alert), want: response{Status: 401, Error: ReasonUnauthorized}},
		{name: "wrong path secret", req: post("/falco/wrong-secret-0123456789", alert), want: response{Status: 401, Error: ReasonUnauthorized}},
		{name: "wrong bearer", req: bearer(post("/falco", alert), "nope"), want: response{Status: 401, Error: ReasonUnauthorized}},
		{name: "secret prefix only", req: post("/falco/"+testSecret[:10], alert), want: response{Status: 401, Error: ReasonUnauthorized}},
		{name: "GET", req: httptest.NewRequest(http.MethodGet, "/falco/"+testSecret, nil), want: response{Status: 405, Error: ReasonMethod, Allow: "POST"}},
		{name: "path below the secret", req: post("/falco/"+testSecret+"/x", alert), want: response{Status: 404, Error: ReasonNotFound}},
		{name: "other path", req: post("/falcon", alert), want: response{Status: 404, Error: ReasonNotFound}},
		{name: "too large by length", req: post("/falco/"+testSecret, alert+strings.Repeat(" ", 4096)), want: response{Status: 413, Error: ReasonTooLarge}},
		{name: "too large chunked", req: chunked(post("/falco/"+testSecret, alert+strings.Repeat(" ", 4096))), want: response{Status: 413, Error: ReasonTooLarge}},
		{name: "empty body", req: post("/falco/"+testSecret, " \n"), want: response{Status: 400, Error: ReasonEmpty}},
		{name: "empty array", req: post("/falco/"+testSecret, "[]"), want: response{Status: 400, Error: ReasonEmpty}},
		{name: "text output (json_output off)", req: post("/falco/"+testSecret, "14:32:15: Warning something happened"), want: response{Status: 400, Error: ReasonBadJSON}},
		{name: "broken JSON", req: post("/falco/"+testSecret, `{"rule":"r","output_fields":{`), want: response{Status: 400, Error: ReasonBadJSON}},
		{name: "no rule", req: post("/falco/"+testSecret, `{"output_fields":{"ct.id":"1"}}`), want: response{Status: 400, Error: ReasonNotAlert}},
		{name: "no output_fields", req: post("/falco/"+testSecret, `{"rule":"r","output":"x"}`), want: response{Status: 400, Error: ReasonNotAlert}},
		{name: "output_fields not an object", req: post("/falco/"+testSecret, `{"rule":"r","output_fields":"x"}`), want: response{Status: 400, Error: ReasonNotAlert}},
		{name: "JSON string", req: post("/falco/"+testSecret, `"alert"`), want: response{Status: 400, Error: ReasonNotAlert}},
		{name: "batch with one bad alert is refused whole", req: post("/falco/"+testSecret, "["+alert+`,{"rule":"r"}]`), want: response{Status: 400, Error: ReasonNotAlert}},
		{name: "NDJSON with a broken line", req: post("/falco/"+testSecret, alert+"\n{oops}\n"), want: response{Status: 400, Error: ReasonBadJSON}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			h, err := New(Config{Secrets: []string{"another-secret-for-rotation", testSecret}, MaxBodyBytes: 4096}, rec.handle)
			if err != nil {
				t.Fatal(err)
			}
			got := do(t, h, tc.req)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.bodies, rec.bodies()); diff != "" {
				t.Errorf("delivered bodies (-want +got):\n%s", diff)
			}
			var ids []string
			for _, m := range rec.msgs {
				ids = append(ids, m.ID)
				if m.Source != Source || m.Done == nil || m.Received.IsZero() {
					t.Errorf("message %+v: want Source %q, Done and Received set", m, Source)
				}
			}
			if diff := cmp.Diff(tc.ids, ids); diff != "" {
				t.Errorf("message IDs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDuplicates(t *testing.T) {
	alert := readFixture(t, "alert_cloudtrail.json")
	sidekick := readFixture(t, "sidekick.json")
	otherRule := strings.Replace(alert, `"rule":"Terraform-managed resource changed"`, `"rule":"Security group opened to the world"`, 1)
	sameUUIDOtherEvent := strings.Replace(sidekick, `-a1b2c3d4e5f6`, `-ffffffffffff`, 1)
	steps := []struct {
		body string
		want response
	}{
		{alert, response{Status: 202, Status2: "accepted"}},
		{alert, response{Status: 200, Status2: "duplicate", Duplicates: 1}},
		{otherRule, response{Status: 202, Status2: "accepted"}},
		{sidekick, response{Status: 202, Status2: "accepted"}},
		{sameUUIDOtherEvent, response{Status: 200, Status2: "duplicate", Duplicates: 1}},
		{"[" + alert + "," + sidekick + "]", response{Status: 200, Status2: "duplicate", Duplicates: 2}},
		{`{"rule":"no ids","output_fields":{}}`, response{Status: 202, Status2: "accepted"}},
		{`{"rule":"no ids","output_fields":{}}`, response{Status: 202, Status2: "accepted"}},
		{`{"rule":"null id","output_fields":{"ct.id":null}}`, response{Status: 202, Status2: "accepted"}},
		{`{"rule":"null id","output_fields":{"ct.id":null}}`, response{Status: 202, Status2: "accepted"}},
	}
	rec := &recorder{}
	h, err := New(Config{AllowUnauthenticated: true}, rec.handle)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range steps {
		if diff := cmp.Diff(s.want, do(t, h, post("/falco", s.body))); diff != "" {
			t.Errorf("step %d (-want +got):\n%s", i, diff)
		}
	}
	st := h.Stats()
	if st.Accepted != 7 || st.Duplicates != 4 {
		t.Errorf("stats accepted=%d duplicates=%d, want 7 and 4", st.Accepted, st.Duplicates)
	}
}

func TestDedupOff(t *testing.T) {
	alert := readFixture(t, "alert_cloudtrail.json")
	rec := &recorder{}
	h, err := New(Config{AllowUnauthenticated: true, DedupSize: -1}, rec.handle)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if got := do(t, h, post("/falco", alert)); got.Status != 202 {
			t.Fatalf("status %d, want 202", got.Status)
		}
	}
}

func TestOverloaded(t *testing.T) {
	alert := readFixture(t, "alert_cloudtrail.json")
	rec := &recorder{}
	h, err := New(Config{Secrets: []string{testSecret}}, rec.handle)
	if err != nil {
		t.Fatal(err)
	}
	rec.setErr(ingest.ErrOverloaded)
	got := do(t, h, post("/falco/"+testSecret, alert))
	if diff := cmp.Diff(response{Status: 503, Error: "overloaded", RetryAfter: "1"}, got); diff != "" {
		t.Errorf("overloaded (-want +got):\n%s", diff)
	}
	// The retry must not be mistaken for a duplicate of the refused alert.
	rec.setErr(nil)
	if got := do(t, h, post("/falco/"+testSecret, alert)); got.Status != 202 {
		t.Errorf("retry after overload: status %d, want 202", got.Status)
	}
	rec.setErr(errors.New("pipeline closed"))
	got = do(t, h, post("/falco/"+testSecret, strings.ReplaceAll(alert, "6c4d7b1a", "00000000")))
	if diff := cmp.Diff(response{Status: 503, Error: ReasonPipeline, RetryAfter: "1"}, got); diff != "" {
		t.Errorf("pipeline error (-want +got):\n%s", diff)
	}
	st := h.Stats()
	if st.Overloaded != 1 || st.Accepted != 1 || st.Rejected[ReasonPipeline] != 1 {
		t.Errorf("stats %+v: want 1 overloaded, 1 accepted, 1 pipeline error", st)
	}
}

func TestClientCertificate(t *testing.T) {
	alert := readFixture(t, "alert_cloudtrail.json")
	verified := &tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{{}}}}
	unverified := &tls.ConnectionState{}
	tests := []struct {
		name    string
		secrets []string
		tls     *tls.ConnectionState
		target  string
		want    int
	}{
		{name: "verified chain", tls: verified, target: "/falco", want: 202},
		{name: "TLS without client certificate", tls: unverified, target: "/falco", want: 401},
		{name: "plain HTTP", target: "/falco", want: 401},
		{name: "cert and secret both required: both", secrets: []string{testSecret}, tls: verified, target: "/falco/" + testSecret, want: 202},
		{name: "cert and secret both required: no secret", secrets: []string{testSecret}, tls: verified, target: "/falco", want: 401},
		{name: "cert and secret both required: no cert", secrets: []string{testSecret}, target: "/falco/" + testSecret, want: 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := New(Config{RequireClientCert: true, Secrets: tc.secrets}, (&recorder{}).handle)
			if err != nil {
				t.Fatal(err)
			}
			req := post(tc.target, alert)
			req.TLS = tc.tls
			if got := do(t, h, req); got.Status != tc.want {
				t.Errorf("status %d, want %d", got.Status, tc.want)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		frag string
	}{
		{"no authentication", Config{}, "no authentication configured"},
		{"short secret", Config{Secrets: []string{"short"}}, "secret #1 is 5 characters"},
		{"slash in secret", Config{Secrets: []string{testSecret, "abc/defghijklmnopq"}}, "secret #2 contains '/'"},
		{"open and secret", Config{AllowUnauthenticated: true, Secrets: []string{testSecret}}, "choose one"},
		{"open and bearer", Config{AllowUnauthenticated: true, BearerTokens: []string{testSecret}}, "choose one"},
		{"short bearer", Config{BearerTokens: []string{"tiny"}}, "bearer token #1 is 4 characters"},
		{"negative body", Config{AllowUnauthenticated: true, MaxBodyBytes: -1}, "negative"},
		{"relative prefix", Config{AllowUnauthenticated: true, Prefix: "falco"}, "must start with '/'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg, (&recorder{}).handle)
			if err == nil || !strings.Contains(err.Error(), tc.frag) {
				t.Fatalf("error %v, want it to contain %q", err, tc.frag)
			}
			if strings.Contains(err.Error(), "abc/defghijklmnopq") {
				t.Errorf("error %q reveals a secret", err)
			}
		})
	}
	if _, err := New(Config{AllowUnauthenticated: true}, nil); err == nil {
		t.Error("New with a nil handler: want an error")
	}
}

func TestBearerTokenOnlyInHeader(t *testing.T) {
	alert := readFixture(t, "alert_cloudtrail.json")
	const token = "sidekick-token-0123456789"
	h, err := New(Config{BearerTokens: []string{token}}, (&recorder{}).handle)
	if err != nil {
		t.Fatal(err)
	}
	req := post("/falco", alert)
	req.Header.Set("Authorization", "Bearer "+token)
	if got := do(t, h, req); got.Status != 202 {
		t.Errorf("bearer header: status %d, want 202", got.Status)
	}
	for _, target := range []string{"/falco/" + token, "/falco?token=" + token} {
		if got := do(t, h, post(target, alert)); got.Status != 401 {
			t.Errorf("%s: status %d, want 401: a bearer token does not travel in URLs", target, got.Status)
		}
	}
}

func gzipped(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestContentEncoding(t *testing.T) {
	alert := readFixture(t, "alert_cloudtrail.json")
	tests := []struct {
		name, encoding, body string
		want                 response
		delivered            []string
	}{
		{name: "gzip (compress_uploads)", encoding: "gzip", body: gzipped(t, alert), want: response{Status: 202, Status2: "accepted"}, delivered: []string{alert}},
		{name: "identity", encoding: "identity", body: alert, want: response{Status: 202, Status2: "accepted"}, delivered: []string{alert}},
		{name: "bomb", encoding: "gzip", body: gzipped(t, alert+strings.Repeat(" ", 1<<16)), want: response{Status: 413, Error: ReasonTooLarge}},
		{name: "not gzip", encoding: "gzip", body: alert, want: response{Status: 400, Error: ReasonReadError}},
		{name: "brotli", encoding: "br", body: alert, want: response{Status: 415, Error: ReasonEncoding}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			h, err := New(Config{AllowUnauthenticated: true, MaxBodyBytes: 8192}, rec.handle)
			if err != nil {
				t.Fatal(err)
			}
			req := post("/falco", tc.body)
			req.Header.Set("Content-Encoding", tc.encoding)
			if diff := cmp.Diff(tc.want, do(t, h, req)); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.delivered, rec.bodies()); diff != "" {
				t.Errorf("delivered (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCustomPrefix(t *testing.T) {
	alert := readFixture(t, "alert_cloudtrail.json")
	h, err := New(Config{Prefix: "/hooks/falco/", Secrets: []string{testSecret}}, (&recorder{}).handle)
	if err != nil {
		t.Fatal(err)
	}
	if got := do(t, h, post("/hooks/falco/"+testSecret, alert)); got.Status != 202 {
		t.Errorf("status %d, want 202", got.Status)
	}
	if got := do(t, h, post("/falco/"+testSecret, alert)); got.Status != 404 {
		t.Errorf("old prefix: status %d, want 404", got.Status)
	}
}

func TestStatsAndDone(t *testing.T) {
	alert := readFixture(t, "alert_cloudtrail.json")
	rec := &recorder{}
	h, err := New(Config{Secrets: []string{testSecret}, MaxBodyBytes: 4096}, rec.handle)
	if err != nil {
		t.Fatal(err)
	}
	do(t, h, post("/falco/"+testSecret, "["+alert+","+readFixture(t, "sidekick.json")+"]"))
	do(t, h, post("/falco/"+testSecret, alert))
	do(t, h, post("/falco", alert))
	do(t, h, post("/falco/"+testSecret, "nope"))
	do(t, h, post("/falco/"+testSecret, strings.Repeat("x", 5000)))
	do(t, h, httptest.NewRequest(http.MethodPut, "/falco", nil))
	rec.msgs[0].Done(nil)
	rec.msgs[1].Done(errors.New("state not loaded"))

	want := Stats{
		Accepted: 2, Duplicates: 1, Completed: 1, Failed: 1,
		Rejected: map[string]uint64{
			ReasonNotFound: 0, ReasonMethod: 1, ReasonUnauthorized: 1, ReasonTooLarge: 1,
			ReasonReadError: 0, ReasonEncoding: 0, ReasonEmpty: 0, ReasonBadJSON: 1, ReasonNotAlert: 0, ReasonPipeline: 0, ReasonBusy: 0,
		},
	}
	if diff := cmp.Diff(want, h.Stats(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestRedactPath(t *testing.T) {
	tests := []struct{ prefix, in, want string }{
		{"/falco", "/falco/" + testSecret, "/falco/REDACTED"},
		{"/falco/", "/falco/" + testSecret, "/falco/REDACTED"},
		{"/falco", "/falco", "/falco"},
		{"/falco", "/falco/", "/falco/"},
		{"/falco", "/metrics", "/metrics"},
	}
	for _, tc := range tests {
		if got := RedactPath(tc.prefix, tc.in); got != tc.want {
			t.Errorf("RedactPath(%q, %q) = %q, want %q", tc.prefix, tc.in, got, tc.want)
		}
	}
}

func TestQueryToken(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"token=abc", "abc"},
		{"a=1&token=abc&b=2", "abc"},
		{"token=a%2Bb", "a+b"},
		{"token=a+b", "a b"},
		{"token=%zz", ""},
		{"tokens=abc", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := queryToken(tc.raw); got != tc.want {
			t.Errorf("queryToken(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}
