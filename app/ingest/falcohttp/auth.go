package falcohttp

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
)

// Falco's http_output cannot send headers, so the shared secret may also
// travel in the URL (path or ?token=). That puts it in access logs: the
// daemon logs RedactPath(r.URL.Path) and never the raw query.

// minSecretLen keeps guessable secrets out: the endpoint faces the network.
const minSecretLen = 16

// secretSet holds the accepted shared secrets as SHA-256 digests, so that
// every comparison has the same length and takes the same time whatever the
// presented token's length.
type secretSet [][sha256.Size]byte

// match reports whether token equals one of the secrets. It compares
// against every secret without stopping early.
func (s secretSet) match(token string) bool {
	if token == "" {
		return false
	}
	sum := sha256.Sum256([]byte(token))
	ok := 0
	for i := range s {
		ok |= subtle.ConstantTimeCompare(sum[:], s[i][:])
	}
	return ok == 1
}

// presentedTokens returns the credentials a request carries: the path
// segment after the prefix, the token query parameter and the bearer token.
// Any one that matches authenticates the request.
func presentedTokens(r *http.Request, pathSecret string) [3]string {
	var t [3]string
	t[0] = pathSecret
	t[1] = queryToken(r.URL.RawQuery)
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "Bearer ") {
		t[2] = strings.TrimSpace(a[7:])
	}
	return t
}

// queryToken finds the token parameter without building url.Values, which
// allocates a map per request.
func queryToken(raw string) string {
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(kv, "=")
		if k != "token" {
			continue
		}
		if strings.ContainsAny(v, "%+") {
			u, err := url.QueryUnescape(v)
			if err != nil {
				return ""
			}
			return u
		}
		return v
	}
	return ""
}

// RedactPath returns p with the shared secret after the mount prefix
// replaced, for access logs: "/falco/s3cr3t…" becomes "/falco/REDACTED".
func RedactPath(prefix, p string) string {
	rest, ok := strings.CutPrefix(p, strings.TrimSuffix(prefix, "/")+"/")
	if !ok || rest == "" {
		return p
	}
	return strings.TrimSuffix(prefix, "/") + "/REDACTED"
}

// Authorize reports whether r carries the credentials /falco demands, in
// any form but the path: ?token=, "Authorization: Bearer", a verified
// client certificate. The daemon guards /metrics and /readyz with it on a
// listener that faces the network.
func (h *Handler) Authorize(r *http.Request) bool { return h.authorized(r, "") }
