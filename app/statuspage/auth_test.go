package statuspage

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const (
	secret  = "s3cret-s3cret-s3cret"
	rotated = "another-secret-0123"
	bearer  = "bearer-only-token-0123"
)

// TestAuth runs the page with and without the /falco rules: open on a
// loopback listener, a secret (Basic password or Bearer token) elsewhere,
// a client certificate with mTLS.
func TestAuth(t *testing.T) {
	withSecret := Auth{Secrets: []string{secret, rotated}, BearerTokens: []string{bearer}}
	tests := []struct {
		name   string
		auth   Auth
		req    func(r *http.Request)
		status int
	}{
		{"open: no credentials", Auth{AllowUnauthenticated: true}, func(*http.Request) {}, 200},
		{"secret: none", withSecret, func(*http.Request) {}, 401},
		{"secret: basic password, any user", withSecret, func(r *http.Request) { r.SetBasicAuth("anyone", secret) }, 200},
		{"secret: basic, rotated secret", withSecret, func(r *http.Request) { r.SetBasicAuth("", rotated) }, 200},
		{"secret: basic, bearer token as password", withSecret, func(r *http.Request) { r.SetBasicAuth("x", bearer) }, 200},
		{"secret: basic, wrong password", withSecret, func(r *http.Request) { r.SetBasicAuth(secret, "wrong-wrong-wrong-wrong") }, 401},
		{"secret: bearer", withSecret, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+secret) }, 200},
		{"secret: bearer, lower case scheme", withSecret, func(r *http.Request) { r.Header.Set("Authorization", "bearer "+bearer) }, 200},
		{"secret: bearer, prefix of the secret", withSecret, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+secret[:16]) }, 401},
		{"secret: in the query is refused", withSecret, func(r *http.Request) { r.URL.RawQuery = "token=" + secret }, 401},
		{"secret: in the path is refused", withSecret, func(r *http.Request) { r.URL.Path = "/" + secret }, 401},
		{"mtls: no certificate", Auth{RequireClientCert: true}, func(*http.Request) {}, 401},
		{"mtls: verified certificate", Auth{RequireClientCert: true}, verifiedCert, 200},
		{"mtls and secret: certificate only", Auth{RequireClientCert: true, Secrets: []string{secret}}, verifiedCert, 401},
		{"mtls and secret: both", Auth{RequireClientCert: true, Secrets: []string{secret}}, func(r *http.Request) {
			verifiedCert(r)
			r.SetBasicAuth("", secret)
		}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, l := fixedDataset().fakes(t)
			h := newTestHandler(t, st, l, Options{Auth: tc.auth})
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			tc.req(r)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			body := w.Body.String()
			if tc.status == 401 {
				if strings.Contains(body, secret) || strings.Contains(body, "acme") {
					t.Errorf("401 body shows a secret or data: %q", body)
				}
				if len(st.listCalls()) != 0 {
					t.Error("an unauthorized request read the store")
				}
				// A browser asks for the password only when told to.
				if got := w.Header().Get("WWW-Authenticate"); len(tc.auth.Secrets) > 0 && got != `Basic realm="tfdrift", charset="UTF-8"` {
					t.Errorf("WWW-Authenticate %q", got)
				}
			} else if !strings.Contains(body, "aws_iam_role_policy.admin") {
				t.Error("the page lacks its drifts")
			}
		})
	}
}

func verifiedCert(r *http.Request) {
	r.TLS = &tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{{}}}}
}

func TestProtectRefusesUnsafeConfig(t *testing.T) {
	tests := []struct {
		name string
		auth Auth
		want string
	}{
		{"nothing", Auth{}, "no authentication configured"},
		{"short secret", Auth{Secrets: []string{"short"}}, "auth secret #1 is 5 characters, want at least 16"},
		{"short bearer", Auth{Secrets: []string{secret}, BearerTokens: []string{"tiny"}}, "auth secret #2 is 4 characters"},
		{"open and secret", Auth{AllowUnauthenticated: true, Secrets: []string{secret}}, "choose one"},
		{"open and mtls", Auth{AllowUnauthenticated: true, RequireClientCert: true}, "choose one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Protect(tc.auth, http.NotFoundHandler())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "short") && tc.name == "short secret" {
				t.Error("the error shows the secret")
			}
		})
	}
}
