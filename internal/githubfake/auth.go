package githubfake

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	jwt "github.com/golang-jwt/jwt/v4"
)

// identKind is what kind of credential a request carried.
type identKind int

const (
	identNone         identKind = iota // no Authorization header
	identBad                           // a credential that failed; err says why
	identApp                           // the App's JWT
	identInstallation                  // an installation token
	identToken                         // a plain token (PAT, GITHUB_TOKEN)
)

// identity is the authenticated caller of one request.
type identity struct {
	kind  identKind
	key   string // rate-limit bucket and the Request log's Identity
	login string // the actor that writes are attributed to
	app   *appState
	inst  *instState
	tok   *tokenState
	plain *plainToken
	err   string
}

// tokenState is an installation token the fake issued.
type tokenState struct {
	token   string
	inst    int64
	expires time.Time
	repos   map[string]bool // nil: every repository of the installation
}

// TokenSpec registers a plain token: a personal access token, or the
// GITHUB_TOKEN an Actions job gets (Actions: true, which acts as
// github-actions[bot] and may create check runs).
type TokenSpec struct {
	Token string
	// Login is who the token acts as; default "octocat", or
	// "github-actions[bot]" for an Actions token.
	Login string
	// Repos the token reaches ("owner/name"); empty reaches every one.
	Repos []string
	// ReadOnly tokens get 403 on writes.
	ReadOnly bool
	Actions  bool
}

type plainToken struct {
	spec  TokenSpec
	repos map[string]bool
}

// AuthFailure is one request the fake refused for its credentials.
type AuthFailure struct {
	Time   time.Time
	Method string
	Path   string
	Reason string
}

// AddToken registers a plain token accepted as "token X" or "Bearer X".
func (s *Server) AddToken(spec TokenSpec) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if spec.Token == "" {
		s.tb.Fatalf("githubfake: AddToken without a token")
	}
	if spec.Login == "" {
		spec.Login = "octocat"
		if spec.Actions {
			spec.Login = "github-actions[bot]"
		}
	}
	s.user(spec.Login)
	p := &plainToken{spec: spec}
	if len(spec.Repos) > 0 {
		p.repos = map[string]bool{}
		for _, r := range spec.Repos {
			p.repos[strings.ToLower(r)] = true
		}
	}
	s.plainTokens[spec.Token] = p
}

// identify reads the Authorization header. It never refuses: the route
// decides whether the identity is good enough.
func (s *Server) identify(r *http.Request, now time.Time) *identity {
	h := r.Header.Get("Authorization")
	if h == "" {
		return &identity{kind: identNone, key: "anonymous"}
	}
	scheme, cred, ok := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	if !ok || cred == "" || (!strings.EqualFold(scheme, "token") && !strings.EqualFold(scheme, "bearer")) {
		return &identity{kind: identBad, key: "anonymous", err: "unsupported Authorization scheme"}
	}
	if p, ok := s.plainTokens[cred]; ok {
		return &identity{kind: identToken, key: "token:" + p.spec.Login, login: p.spec.Login, plain: p}
	}
	if strings.HasPrefix(cred, "ghs_") {
		t, ok := s.tokens[cred]
		if !ok {
			return &identity{kind: identBad, key: "anonymous", err: "unknown installation token"}
		}
		if !now.Before(t.expires) {
			return &identity{kind: identBad, key: "anonymous", err: fmt.Sprintf("installation token expired at %s", t.expires.Format(time.RFC3339))}
		}
		inst, ok := s.installations[t.inst]
		if !ok {
			return &identity{kind: identBad, key: "anonymous", err: "installation removed"}
		}
		app := s.apps[inst.spec.AppID]
		return &identity{kind: identInstallation, key: fmt.Sprintf("installation:%d", inst.spec.ID),
			login: app.botLogin(), app: app, inst: inst, tok: t}
	}
	if strings.Count(cred, ".") == 2 && strings.EqualFold(scheme, "bearer") {
		app, err := s.verifyJWT(cred, now)
		if err != nil {
			return &identity{kind: identBad, key: "anonymous", err: err.Error()}
		}
		return &identity{kind: identApp, key: fmt.Sprintf("app:%d", app.spec.ID), login: app.botLogin(), app: app}
	}
	return &identity{kind: identBad, key: "anonymous", err: "Bad credentials"}
}

// jwtSkew is how far the fake forgives an iat or exp for clock drift.
const jwtSkew = 5 * time.Second

// verifyJWT checks the App's JWT as GitHub documents it: RS256 signed by
// the App's key, iss the App ID (or client ID), integer iat and exp, iat
// not in the future, exp in the future and at most 10 minutes after now
// and after iat.
func (s *Server) verifyJWT(raw string, now time.Time) (*appState, error) {
	var app *appState
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		iss, err := issuer(claims["iss"])
		if err != nil {
			return nil, err
		}
		for _, a := range s.apps {
			if strconv.FormatInt(a.spec.ID, 10) == iss || (a.spec.ClientID != "" && a.spec.ClientID == iss) {
				app = a
				return &a.spec.Key.PublicKey, nil
			}
		}
		return nil, fmt.Errorf("integration %s not found", iss)
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithJSONNumber(), jwt.WithoutClaimsValidation())
	if err != nil {
		return nil, fmt.Errorf("a JSON web token could not be decoded: %w", err)
	}
	iat, err := intClaim(claims, "iat")
	if err != nil {
		return nil, err
	}
	exp, err := intClaim(claims, "exp")
	if err != nil {
		return nil, err
	}
	switch {
	case iat.After(now.Add(jwtSkew)):
		return nil, fmt.Errorf("'Issued at' claim ('iat') must be an Integer representing a time in the past (iat %s, now %s)", iat.Format(time.RFC3339), now.Format(time.RFC3339))
	case !exp.After(now.Add(-jwtSkew)):
		return nil, fmt.Errorf("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires (exp %s, now %s)", exp.Format(time.RFC3339), now.Format(time.RFC3339))
	case exp.After(now.Add(10*time.Minute+jwtSkew)) || exp.Sub(iat) > 10*time.Minute:
		return nil, fmt.Errorf("'Expiration time' claim ('exp') is too far in the future (exp %s, iat %s, now %s)", exp.Format(time.RFC3339), iat.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	return app, nil
}

func issuer(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	}
	return "", fmt.Errorf("'Issuer' claim ('iss') must be the App ID or client ID")
}

func intClaim(c jwt.MapClaims, name string) (time.Time, error) {
	n, ok := c[name].(json.Number)
	if !ok {
		return time.Time{}, fmt.Errorf("claim %q is missing or not a number", name)
	}
	i, err := n.Int64()
	if err != nil || i <= 0 || i > math.MaxInt32*4 {
		return time.Time{}, fmt.Errorf("claim %q must be an Integer, got %s", name, n)
	}
	return time.Unix(i, 0), nil
}

// authorize checks the caller against the route; it answers the refusal
// itself and reports whether the handler may run.
func (c *call) authorize(rt *route) bool {
	id := c.id
	if rt.access == accNone {
		return true
	}
	refuse := func(status int, reason, msg string) bool {
		c.s.authFailures = append(c.s.authFailures, AuthFailure{Time: c.s.now(), Method: c.r.Method, Path: c.path, Reason: reason})
		c.s.stats.AuthFailures++
		c.errorf(status, "%s", msg)
		return false
	}
	switch id.kind {
	case identNone:
		if rt.access == accApp {
			return refuse(http.StatusUnauthorized, "no credentials", "A JSON web token could not be decoded")
		}
		return refuse(http.StatusUnauthorized, "no credentials", "Requires authentication")
	case identBad:
		return refuse(http.StatusUnauthorized, id.err, id.err)
	}
	switch rt.access {
	case accApp:
		if id.kind != identApp {
			return refuse(http.StatusUnauthorized, "not an App JWT", "A JSON web token could not be decoded")
		}
		return true
	case accInstallation:
		if id.kind != identInstallation {
			return refuse(http.StatusForbidden, "not an installation token",
				"You must authenticate with an installation access token in order to list repositories for an installation.")
		}
		return true
	}
	// accRepo: resolve {owner}/{repo} and check the token reaches it.
	owner, name := c.r.PathValue("owner"), c.r.PathValue("repo")
	full := strings.ToLower(owner + "/" + name)
	repo, ok := c.s.repos[full]
	if !ok {
		c.errorf(http.StatusNotFound, "Not Found")
		return false
	}
	switch id.kind {
	case identApp:
		return refuse(http.StatusForbidden, "App JWT on a repository endpoint", "Resource not accessible by integration")
	case identInstallation:
		if !id.inst.reaches(repo) || (id.tok.repos != nil && !id.tok.repos[full]) {
			c.errorf(http.StatusNotFound, "Not Found")
			return false
		}
		if rt.need.scope != "" {
			have := id.app.spec.Permissions[rt.need.scope]
			if have == "" && rt.need.scope == "metadata" {
				have = "read" // every App has metadata read
			}
			if have == "" || (rt.need.write && have != "write" && have != "admin") {
				return refuse(http.StatusForbidden, fmt.Sprintf("App lacks %s:%s", rt.need.scope, map[bool]string{true: "write", false: "read"}[rt.need.write]),
					"Resource not accessible by integration")
			}
		}
	case identToken:
		if id.plain.repos != nil && !id.plain.repos[full] {
			c.errorf(http.StatusNotFound, "Not Found")
			return false
		}
		if id.plain.spec.ReadOnly && rt.need.write {
			return refuse(http.StatusForbidden, "read-only token", "Resource not accessible by personal access token")
		}
	}
	c.repo = repo
	return true
}

// AuthFailures lists the requests refused for their credentials, with
// the reason.
func (s *Server) AuthFailures() []AuthFailure {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]AuthFailure(nil), s.authFailures...)
}
