package statuspage

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Auth is who may read the page. It mirrors the rules of POST /falco
// (falcohttp.Config): the serve job fills it from the same settings, so
// the page is open exactly where /falco is (a loopback listener with no
// secret) and needs the /falco secret everywhere else.
//
// A browser presents a secret through HTTP Basic authentication: any user
// name, the secret as the password (the 401 asks for it). Scripts may send
// "Authorization: Bearer <secret>". Unlike /falco, the page accepts no
// secret in the URL path or query: its links would carry the secret into
// browser history and every filter link.
type Auth struct {
	// Secrets are the /falco shared secrets (falco.http.secret,
	// --falco-secret): each at least 16 characters.
	Secrets []string
	// BearerTokens are the /falco bearer tokens; accepted the same way as
	// Secrets here, since a browser can only send a password.
	BearerTokens []string
	// RequireClientCert demands a client certificate verified by the
	// listener's TLS config (mTLS). With secrets also set, a request needs
	// both.
	RequireClientCert bool
	// AllowUnauthenticated serves everyone. Only for a loopback listener:
	// set it exactly when /falco's AllowUnauthenticated is set.
	AllowUnauthenticated bool
}

// minSecretLen is /falco's: the page faces the same network.
const minSecretLen = 16

// Protect returns next behind a. It fails when a configures nothing (no
// secret, no client certificate and not AllowUnauthenticated) or both
// open access and credentials: a page that shows every drift must not be
// public by omission.
func Protect(a Auth, next http.Handler) (http.Handler, error) {
	g := &guard{next: next, requireCert: a.RequireClientCert, open: a.AllowUnauthenticated}
	for i, s := range append(append([]string(nil), a.Secrets...), a.BearerTokens...) {
		// The value never appears in an error: errors end up in logs.
		if len(s) < minSecretLen {
			return nil, fmt.Errorf("statuspage: auth secret #%d is %d characters, want at least %d", i+1, len(s), minSecretLen)
		}
		g.secrets = append(g.secrets, sha256.Sum256([]byte(s)))
	}
	switch {
	case g.open && (len(g.secrets) > 0 || g.requireCert):
		return nil, errors.New("statuspage: AllowUnauthenticated together with secrets or client certificates; choose one")
	case !g.open && len(g.secrets) == 0 && !g.requireCert:
		return nil, errors.New("statuspage: no authentication configured: set a secret, require client certificates, or allow unauthenticated access (loopback only)")
	}
	return g, nil
}

type guard struct {
	next        http.Handler
	secrets     [][sha256.Size]byte
	requireCert bool
	open        bool
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !g.authorized(r) {
		if len(g.secrets) > 0 {
			w.Header().Set("WWW-Authenticate", `Basic realm="tfdrift", charset="UTF-8"`)
		}
		plainError(w, http.StatusUnauthorized, "unauthorized: "+g.hint())
		return
	}
	g.next.ServeHTTP(w, r)
}

func (g *guard) authorized(r *http.Request) bool {
	if g.open {
		return true
	}
	if g.requireCert && (r.TLS == nil || len(r.TLS.VerifiedChains) == 0) {
		return false
	}
	if len(g.secrets) == 0 {
		return true
	}
	return g.match(presented(r))
}

func (g *guard) hint() string {
	switch {
	case g.requireCert && len(g.secrets) > 0:
		return "present a client certificate and the /falco secret (as the Basic password or a Bearer token)"
	case g.requireCert:
		return "present a client certificate"
	default:
		return "sign in with the /falco secret as the password, or send it as a Bearer token"
	}
}

// presented is the secret a request carries: the Basic password or the
// Bearer token.
func presented(r *http.Request) string {
	if _, pw, ok := r.BasicAuth(); ok {
		return pw
	}
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "Bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

// match compares the token's digest with every secret's, in constant time
// and without stopping early, so neither the length nor the position of a
// match shows in the timing.
func (g *guard) match(token string) bool {
	if token == "" {
		return false
	}
	sum := sha256.Sum256([]byte(token))
	ok := 0
	for i := range g.secrets {
		ok |= subtle.ConstantTimeCompare(sum[:], g.secrets[i][:])
	}
	return ok == 1
}
