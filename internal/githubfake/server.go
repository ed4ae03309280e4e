package githubfake

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configure a fake. The zero value is github.com's behaviour.
type Options struct {
	// PathPrefix serves the REST API below a prefix, as GitHub Enterprise
	// Server does ("/api/v3"). Empty serves it at the root, like
	// api.github.com. Web pages (the manifest flow, archive downloads)
	// are always at the root.
	PathPrefix string
	// TokenLifetime is how long an installation token lives; GitHub's is
	// an hour. A test proves refresh with a lifetime just over the
	// minute ghinstallation refreshes ahead of expiry.
	TokenLifetime time.Duration
	// RateLimit is each identity's primary limit per hour; default 5000.
	RateLimit int
	// Now is the fake's clock (default time.Now); Advance moves it on.
	Now func() time.Time
}

// maxRequestBody bounds a request body; GitHub's blobs may be larger, tests'
// are not.
const maxRequestBody = 32 << 20

// Server is the fake. Its methods are safe for concurrent use; the HTTP
// handlers hold one lock, so the state a test reads is always consistent.
type Server struct {
	// URL is the API base with a trailing slash, what go-github's BaseURL
	// and ghinstallation's BaseURL (without the slash) are set to.
	URL string
	// WebURL is the web root with a trailing slash: html_url values, the
	// manifest form (WebURL+"settings/apps/new") and archive downloads.
	WebURL string

	tb     testing.TB
	ts     *httptest.Server
	opts   Options
	api    *http.ServeMux
	web    *http.ServeMux
	routes map[string]*route

	mu             sync.Mutex
	offset         time.Duration
	nextID         int64
	apps           map[int64]*appState
	installations  map[int64]*instState
	tokens         map[string]*tokenState
	plainTokens    map[string]*plainToken
	users          map[string]*User
	repos          map[string]*repoState
	faults         []*Fault
	buckets        map[string]*bucket
	exhaustedUntil time.Time
	manifestCodes  map[string]int64
	manifests      []ManifestSubmission
	requests       []Request
	writes         []Write
	stats          Stats
	authFailures   []AuthFailure
	deliveries     []Delivery
	downloads      map[string]download
}

// New starts a fake on a loopback httptest server, closed when the test
// ends.
func New(tb testing.TB, opts Options) *Server {
	tb.Helper()
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	if opts.RateLimit <= 0 {
		opts.RateLimit = 5000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.PathPrefix = strings.TrimRight(opts.PathPrefix, "/")
	if opts.PathPrefix != "" && !strings.HasPrefix(opts.PathPrefix, "/") {
		opts.PathPrefix = "/" + opts.PathPrefix
	}
	s := &Server{
		tb:            tb,
		opts:          opts,
		api:           http.NewServeMux(),
		web:           http.NewServeMux(),
		routes:        map[string]*route{},
		nextID:        1000,
		apps:          map[int64]*appState{},
		installations: map[int64]*instState{},
		tokens:        map[string]*tokenState{},
		plainTokens:   map[string]*plainToken{},
		users:         map[string]*User{},
		repos:         map[string]*repoState{},
		buckets:       map[string]*bucket{},
		manifestCodes: map[string]int64{},
		downloads:     map[string]download{},
	}
	s.registerRoutes()
	s.ts = httptest.NewServer(s)
	s.WebURL = s.ts.URL + "/"
	s.URL = s.ts.URL + opts.PathPrefix + "/"
	tb.Cleanup(s.ts.Close)
	return s
}

// Close stops the server (New also arranges this at the test's end).
func (s *Server) Close() { s.ts.Close() }

// HTTPClient returns a client for the fake's listener (plain HTTP; any
// client works).
func (s *Server) HTTPClient() *http.Client { return s.ts.Client() }

// Now is the fake's current time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func (s *Server) now() time.Time { return s.opts.Now().Add(s.offset).UTC() }

// Advance moves the fake's clock on: tokens expire, rate limits reset.
// The App's JWTs are signed with the real clock, so advancing more than
// a minute makes GitHub (and the fake) see them as from the past.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	s.offset += d
	s.mu.Unlock()
}

func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// ServeHTTP splits the API from the web pages.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
	p := r.URL.Path
	if s.opts.PathPrefix == "" {
		if isWebPath(p) {
			s.web.ServeHTTP(w, r)
			return
		}
		s.serveAPI(w, r, p)
		return
	}
	if rest, ok := strings.CutPrefix(p, s.opts.PathPrefix); ok && strings.HasPrefix(rest, "/") {
		s.serveAPI(w, r, rest)
		return
	}
	s.web.ServeHTTP(w, r)
}

func isWebPath(p string) bool {
	for _, pre := range []string{"/settings/", "/organizations/", "/_codeload/"} {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}

// recorder buffers a handler's answer so the middleware can add ETags,
// turn a match into 304 and charge the rate limit afterwards.
type recorder struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

type ctxKey struct{}

// call is one API request as the handlers see it.
type call struct {
	s       *Server
	w       *recorder
	r       *http.Request
	id      *identity
	repo    *repoState
	path    string // below PathPrefix
	pattern string
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, apiPath string) {
	r2 := r.Clone(r.Context())
	r2.URL.Path = apiPath
	if r.URL.RawPath != "" {
		r2.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, s.opts.PathPrefix)
	}
	_, pattern := s.api.Handler(r2)

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	id := s.identify(r2, now)
	rec := &recorder{h: http.Header{}}
	c := &call{s: s, w: rec, r: r2, id: id, path: apiPath, pattern: pattern}
	b := s.bucket(id.key, now)
	charge := true
	s.stats.Requests++
	switch f := s.takeFault(r2.Method, apiPath); {
	case f != nil:
		charge = f.Kind == BadGateway
		s.stats.Faults++
		c.fault(f, b, now)
	case pattern == "":
		c.errorf(http.StatusNotFound, "Not Found")
	case b.remaining <= 0 && id.kind != identNone:
		charge = false
		c.primaryLimit(b.reset)
	default:
		s.api.ServeHTTP(rec, r2.WithContext(context.WithValue(r2.Context(), ctxKey{}, c)))
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	conditional := r2.Header.Get("If-None-Match") != ""
	if r2.Method == http.MethodGet && rec.status == http.StatusOK {
		etag := rec.h.Get("ETag")
		if etag == "" {
			etag = etagOf(rec.h.Get("Content-Type"), rec.body.Bytes())
			rec.h.Set("ETag", etag)
		}
		if etagMatches(r2.Header.Get("If-None-Match"), etag) {
			rec.status = http.StatusNotModified
			rec.body.Reset()
			charge = false
			s.stats.NotModified++
		}
	}
	if charge && id.kind != identNone {
		b.remaining = max(b.remaining-1, 0)
		s.stats.Spent++
	}
	if rec.h.Get("X-RateLimit-Limit") == "" {
		b.setHeaders(rec.h, now)
	}
	rec.h.Set("X-GitHub-Request-Id", strings.ToUpper(randomHex(8)))
	rec.h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	s.requests = append(s.requests, Request{
		Time: now, Method: r2.Method, Path: apiPath, Query: r2.URL.RawQuery, Pattern: pattern,
		Identity: id.key, Status: rec.status, Conditional: conditional,
	})
	if r2.Method != http.MethodGet && r2.Method != http.MethodHead && rec.status < 300 {
		s.writes = append(s.writes, Write{
			Time: now, Method: r2.Method, Path: apiPath, Pattern: pattern, Status: rec.status, Actor: id.login,
		})
	}
	for k, v := range rec.h {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

// Access is who may call a route.
type access int

const (
	accNone         access = iota // no credentials: the manifest conversion
	accApp                        // the App's JWT
	accInstallation               // an installation token, not a plain token
	accRepo                       // a token that reaches {owner}/{repo}
)

// need is the App permission a route needs ("issues" write, …).
type need struct {
	scope string
	write bool
}

type route struct {
	s      *Server
	access access
	need   need
	h      func(*call)
}

func (rt *route) ServeHTTP(_ http.ResponseWriter, r *http.Request) {
	c := r.Context().Value(ctxKey{}).(*call)
	c.r = r
	if !c.authorize(rt) {
		return
	}
	rt.h(c)
}

// handle registers an API route: pattern is a ServeMux pattern with a
// method; access and need say what credentials it takes.
func (s *Server) handle(pattern string, a access, n need, h func(*call)) {
	rt := &route{s: s, access: a, need: n, h: h}
	s.routes[pattern] = rt
	s.api.Handle(pattern, rt)
}

// GitHub's error documentation links; go-github recognises a secondary
// rate limit by the suffix of the latter.
const (
	docsURL          = "https://docs.github.com/rest"
	secondaryDocsURL = "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)

func (c *call) json(status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		c.s.tb.Errorf("githubfake: encode %T: %v", v, err)
		c.errorf(http.StatusInternalServerError, "encode: %v", err)
		return
	}
	c.w.h.Set("Content-Type", "application/json; charset=utf-8")
	c.w.WriteHeader(status)
	_, _ = c.w.Write(b)
}

func (c *call) errorf(status int, format string, args ...any) {
	c.json(status, map[string]any{"message": fmt.Sprintf(format, args...), "documentation_url": docsURL})
}

// fieldError is one entry of a 422's "errors", as GitHub writes it.
type fieldError struct {
	Resource string `json:"resource"`
	Field    string `json:"field"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
	Value    any    `json:"value,omitempty"`
}

// invalid answers 422 Validation Failed with GitHub's error entries.
func (c *call) invalid(errs ...fieldError) {
	c.json(http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation Failed", "errors": errs, "documentation_url": docsURL,
	})
}

// custom is a 422 whose one error has code "custom" and a message.
func (c *call) custom(resource, field, msg string) {
	c.invalid(fieldError{Resource: resource, Field: field, Code: "custom", Message: msg})
}

// decode reads a JSON object body into a map of raw members, so PATCH
// handlers can tell an absent member from a null one. GitHub answers 400
// to a body that is not JSON and 422 to one that is not an object.
func (c *call) decode() (map[string]json.RawMessage, bool) {
	body, err := io.ReadAll(c.r.Body)
	if err != nil {
		c.errorf(http.StatusRequestEntityTooLarge, "request body: %v", err)
		return nil, false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]json.RawMessage{}, true
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		if json.Valid(body) {
			c.errorf(http.StatusUnprocessableEntity, "Invalid request.\n\nThe body must be a JSON object.")
		} else {
			c.errorf(http.StatusBadRequest, "Problems parsing JSON")
		}
		return nil, false
	}
	return m, true
}

// field decodes member name of m into dst; present reports whether it was
// there and not null. A wrong type answers 422 as GitHub's schema check.
func (c *call) field(m map[string]json.RawMessage, name string, dst any) (present, ok bool) {
	raw, found := m[name]
	if !found || string(raw) == "null" {
		return false, true
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		c.errorf(http.StatusUnprocessableEntity, "Invalid request.\n\nFor 'properties/%s', %s is not of the expected type.", name, raw)
		return false, false
	}
	return true, true
}

// isNull reports whether member name is present with a JSON null.
func isNull(m map[string]json.RawMessage, name string) bool {
	raw, ok := m[name]
	return ok && string(raw) == "null"
}

func (c *call) apiURL(p string) string { return strings.TrimSuffix(c.s.URL, "/") + p }

func (s *Server) htmlURL(p string) string { return strings.TrimSuffix(s.WebURL, "/") + p }

func (s *Server) registerRoutes() {
	s.registerAppRoutes()
	s.registerRepoRoutes()
	s.registerIssueRoutes()
	s.registerCheckRoutes()
	s.registerGitRoutes()
	s.registerPullRoutes()
	s.registerCollaboratorRoutes()
}
