package ghapi

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"
)

// DefaultAPIURL is github.com's REST API.
const DefaultAPIURL = "https://api.github.com/"

// Options configure the clients of an App or a token. The zero value is
// github.com with tfdrift's defaults.
type Options struct {
	// APIURL is the REST API base: "https://api.github.com/" (default),
	// or "https://HOST/api/v3/" for GitHub Enterprise Server. It is used
	// as given (a missing trailing slash is added): nothing is appended
	// or guessed, so a wrong URL fails at the first call.
	APIURL string
	// Transport is the base HTTP transport; default http.DefaultTransport.
	// Installation token requests and archive downloads use it as is.
	Transport http.RoundTripper
	// UserAgent; default "tfdrift".
	UserAgent string
	// Cache keeps GET bodies and ETags; nil makes one of
	// DefaultCacheBytes, shared by all clients of one NewApp.
	Cache *ETagCache
	// Pacing paces each installation's (or the token's) writes; nil is
	// DefaultPacing().
	Pacing *Pacing
	// MaxRateLimitWait is the longest the transport sleeps through a rate
	// limit before retrying. A longer wait, or any wait when zero (the
	// default, for the outbox), returns a *RateLimitError instead.
	MaxRateLimitWait time.Duration
	// Clock drives the pacer and the rate-limit layer; nil is the real
	// clock.
	Clock Clock
}

// resolved is Options with defaults filled in and APIURL parsed.
type resolved struct {
	Options
	base *url.URL
}

func (o Options) resolve() (*resolved, error) {
	base, err := ParseAPIURL(o.APIURL)
	if err != nil {
		return nil, err
	}
	if o.Transport == nil {
		o.Transport = http.DefaultTransport
	}
	if o.UserAgent == "" {
		o.UserAgent = "tfdrift"
	}
	if o.Cache == nil {
		o.Cache = NewETagCache(DefaultCacheBytes)
	}
	if o.Pacing == nil {
		p := DefaultPacing()
		o.Pacing = &p
	}
	if o.Clock == nil {
		o.Clock = RealClock()
	}
	return &resolved{Options: o, base: base}, nil
}

// ParseAPIURL checks an api_url: absolute http(s), no query or fragment,
// ending in a slash ("" is DefaultAPIURL). github.com's web address is
// refused with the API's address in the message.
func ParseAPIURL(raw string) (*url.URL, error) {
	if raw == "" {
		raw = DefaultAPIURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("api_url %q: %w", raw, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("api_url %q: want %s or https://HOST/api/v3/ for GitHub Enterprise Server", raw, DefaultAPIURL)
	}
	if h := strings.ToLower(u.Hostname()); h == "github.com" || h == "www.github.com" {
		return nil, fmt.Errorf("api_url %q is GitHub's web address; the API is %s", raw, DefaultAPIURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// Client is one authenticated go-github client with its transport
// layers: the App's, an installation's, or a token's.
type Client struct {
	gh             *github.Client
	installationID int64
	download       *http.Client
	pacer          *Pacer
}

// GitHub is the go-github client, for calls without a helper here. Wrap
// its errors with Wrap.
func (c *Client) GitHub() *github.Client { return c.gh }

// InstallationID is the installation the client acts for (0 for the App
// itself and for a token).
func (c *Client) InstallationID() int64 { return c.installationID }

// Pacer is the client's write pacer (nil for the App's own client).
func (c *Client) Pacer() *Pacer { return c.pacer }

// newClient stacks the layers over auth: pacer → rate limit → ETag → auth.
func newClient(o *resolved, auth http.RoundTripper, scope string, pacer *Pacer) *Client {
	var rt http.RoundTripper = &etagTransport{next: auth, cache: o.Cache, scope: scope}
	rt = newRateLimitTransport(rt, o.Clock, o.MaxRateLimitWait)
	if pacer != nil {
		rt = &pacerTransport{next: rt, pacer: pacer}
	}
	gh := github.NewClient(&http.Client{Transport: rt})
	u := *o.base
	gh.BaseURL = &u
	gh.UserAgent = o.UserAgent
	return &Client{gh: gh, download: &http.Client{Transport: o.Transport}, pacer: pacer}
}

// App is a GitHub App: its own client (JWT) and one client per
// installation, made once and kept.
type App struct {
	id   int64
	opts *resolved
	atr  *ghinstallation.AppsTransport
	app  *Client

	mu       sync.Mutex
	installs map[int64]*Client
}

// NewApp makes the App's clients from its ID and private key (PEM, as
// GitHub hands it out). The key is parsed here, so a bad one fails at
// start; its bytes never appear in errors.
func NewApp(appID int64, privateKeyPEM []byte, opts Options) (*App, error) {
	if appID <= 0 {
		return nil, fmt.Errorf("github app: app_id %d: want the App's positive ID", appID)
	}
	o, err := opts.resolve()
	if err != nil {
		return nil, fmt.Errorf("github app: %w", err)
	}
	atr, err := ghinstallation.NewAppsTransport(o.Transport, appID, privateKeyPEM)
	if err != nil {
		return nil, errors.New("github app: private key: not an RSA private key in PEM form")
	}
	// ghinstallation joins BaseURL and "/app/installations/…" itself.
	atr.BaseURL = strings.TrimSuffix(o.base.String(), "/")
	a := &App{id: appID, opts: o, atr: atr, installs: map[int64]*Client{}}
	a.app = newClient(o, atr, "app:"+strconv.FormatInt(appID, 10), nil)
	return a, nil
}

// ID is the App's ID.
func (a *App) ID() int64 { return a.id }

// Client is the App's own client (GET /app, /app/installations).
func (a *App) Client() *Client { return a.app }

// Installation returns the client of an installation, made on first use
// with its own token (refreshed by ghinstallation a minute before it
// expires) and its own write pacer.
func (a *App) Installation(id int64) *Client {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.installs[id]; ok {
		return c
	}
	itr := ghinstallation.NewFromAppsTransport(a.atr, id)
	itr.BaseURL = a.atr.BaseURL
	c := newClient(a.opts, itr, "installation:"+strconv.FormatInt(id, 10), NewPacer(*a.opts.Pacing, a.opts.Clock))
	c.installationID = id
	a.installs[id] = c
	return c
}

// Forget drops an installation's client (after an uninstall), with its
// token and pacer.
func (a *App) Forget(id int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.installs, id)
}

// NewTokenClient makes a client for a token: a personal access token or
// the Action's GITHUB_TOKEN, sent as "Bearer <token>". Its writes are
// paced like an installation's.
func NewTokenClient(token string, opts Options) (*Client, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, errors.New("github token: empty")
	}
	o, err := opts.resolve()
	if err != nil {
		return nil, fmt.Errorf("github token: %w", err)
	}
	sum := sha256.Sum256([]byte(token))
	auth := &tokenTransport{next: o.Transport, header: "Bearer " + token}
	return newClient(o, auth, "token:"+hex.EncodeToString(sum[:8]), NewPacer(*o.Pacing, o.Clock)), nil
}

// tokenTransport sets the Authorization header.
type tokenTransport struct {
	next   http.RoundTripper
	header string
}

func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", t.header)
	return t.next.RoundTrip(r)
}
