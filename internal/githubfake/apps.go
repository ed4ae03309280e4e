package githubfake

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AppSpec registers a GitHub App.
type AppSpec struct {
	// ID is the App ID; 0 picks one.
	ID int64
	// Slug names the App's bot ("<slug>[bot]"); default "tfdrift".
	Slug  string
	Name  string
	Owner string // default "acme"
	// Key signs the App's JWTs; nil generates one (cached per process).
	Key *rsa.PrivateKey
	// Permissions default to what tfdrift's manifest asks for: contents,
	// issues, pull_requests and checks write, metadata read.
	Permissions map[string]string
	Events      []string
	// ClientID, ClientSecret and WebhookSecret default to random values.
	ClientID, ClientSecret, WebhookSecret string
	// WebhookURL is where the App's webhooks go (from a manifest).
	WebhookURL string
}

// App is a registered App as a test sees it.
type App struct {
	AppSpec
	CreatedAt time.Time
}

// PrivateKeyPEM is the App's key as GitHub hands it out (PKCS#1 PEM).
func (a App) PrivateKeyPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(a.Key)})
}

// BotLogin is the login of the App's bot user, the author of what the
// App writes.
func (a App) BotLogin() string { return a.Slug + "[bot]" }

type appState struct {
	spec    AppSpec
	created time.Time
	botID   int64
}

func (a *appState) botLogin() string { return a.spec.Slug + "[bot]" }

// DefaultPermissions are the App permissions AddApp grants unless told.
func DefaultPermissions() map[string]string {
	return map[string]string{"contents": "write", "issues": "write", "pull_requests": "write", "checks": "write", "metadata": "read"}
}

var (
	keyMu   sync.Mutex
	keyPool []*rsa.PrivateKey
)

// poolKey returns the i'th of a process-wide set of RSA keys: generating
// a 2048-bit key costs up to a second under -race, and distinct Apps of
// one fake still get distinct keys.
func poolKey(i int) *rsa.PrivateKey {
	keyMu.Lock()
	defer keyMu.Unlock()
	for len(keyPool) <= i {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keyPool = append(keyPool, k)
	}
	return keyPool[i]
}

// AddApp registers an App and returns it with its key.
func (s *Server) AddApp(spec AppSpec) App {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addApp(spec)
}

func (s *Server) addApp(spec AppSpec) App {
	if spec.ID == 0 {
		spec.ID = s.newID()
	}
	if _, dup := s.apps[spec.ID]; dup {
		s.tb.Fatalf("githubfake: App %d registered twice", spec.ID)
	}
	if spec.Slug == "" {
		spec.Slug = "tfdrift"
	}
	if spec.Name == "" {
		spec.Name = spec.Slug
	}
	if spec.Owner == "" {
		spec.Owner = "acme"
	}
	if spec.Key == nil {
		spec.Key = poolKey(len(s.apps))
	}
	if spec.Permissions == nil {
		spec.Permissions = DefaultPermissions()
	}
	if spec.ClientID == "" {
		spec.ClientID = "Iv1." + randomHex(8)
	}
	if spec.ClientSecret == "" {
		spec.ClientSecret = randomHex(20)
	}
	if spec.WebhookSecret == "" {
		spec.WebhookSecret = randomHex(16)
	}
	a := &appState{spec: spec, created: s.now()}
	s.apps[spec.ID] = a
	bot := s.user(a.botLogin())
	a.botID = bot.ID
	return App{AppSpec: spec, CreatedAt: a.created}
}

// App returns a registered App (one made by the manifest flow too).
func (s *Server) App(id int64) (App, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[id]
	if !ok {
		return App{}, false
	}
	return App{AppSpec: a.spec, CreatedAt: a.created}, true
}

// InstallationSpec installs an App on an account.
type InstallationSpec struct {
	ID    int64 // 0 picks one
	AppID int64 // 0: the only App registered
	// Account is the org or user installed on; default the owner of the
	// first repository.
	Account     string
	AccountType string // "Organization" (default) or "User"
	// Repos the installation reaches ("owner/name"): repository_selection
	// "selected". All reaches every repository of Account instead.
	Repos []string
	All   bool
}

// Installation is an installation as a test sees it.
type Installation struct {
	InstallationSpec
	TokensIssued int
}

type instState struct {
	spec   InstallationSpec
	repos  map[string]bool
	tokens int
	at     time.Time
}

func (i *instState) reaches(r *repoState) bool {
	if i.spec.All {
		return strings.EqualFold(r.owner, i.spec.Account)
	}
	return i.repos[r.key()]
}

// AddInstallation installs an App.
func (s *Server) AddInstallation(spec InstallationSpec) Installation {
	s.mu.Lock()
	defer s.mu.Unlock()
	if spec.AppID == 0 {
		if len(s.apps) != 1 {
			s.tb.Fatalf("githubfake: AddInstallation without AppID needs exactly one App, have %d", len(s.apps))
		}
		for id := range s.apps {
			spec.AppID = id
		}
	}
	if _, ok := s.apps[spec.AppID]; !ok {
		s.tb.Fatalf("githubfake: AddInstallation: no App %d", spec.AppID)
	}
	if spec.ID == 0 {
		spec.ID = s.newID()
	}
	if _, dup := s.installations[spec.ID]; dup {
		s.tb.Fatalf("githubfake: installation %d registered twice", spec.ID)
	}
	if spec.Account == "" {
		spec.Account = "acme"
		if len(spec.Repos) > 0 {
			spec.Account, _, _ = strings.Cut(spec.Repos[0], "/")
		}
	}
	if spec.AccountType == "" {
		spec.AccountType = "Organization"
	}
	s.user(spec.Account).Type = spec.AccountType
	inst := &instState{spec: spec, at: s.now()}
	s.setRepos(inst, spec.Repos)
	s.installations[spec.ID] = inst
	return Installation{InstallationSpec: inst.spec}
}

func (s *Server) setRepos(inst *instState, repos []string) {
	inst.repos = map[string]bool{}
	for _, r := range repos {
		if _, ok := s.repos[strings.ToLower(r)]; !ok {
			s.tb.Fatalf("githubfake: installation %d: no repository %q (AddRepo first)", inst.spec.ID, r)
		}
		inst.repos[strings.ToLower(r)] = true
	}
	inst.spec.Repos = slices.Clone(repos)
}

// SetInstallationRepos changes which repositories an installation
// reaches, as a user editing the installation does (send an
// installation_repositories webhook to tell the App).
func (s *Server) SetInstallationRepos(id int64, repos []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, ok := s.installations[id]
	if !ok {
		s.tb.Fatalf("githubfake: no installation %d", id)
	}
	s.setRepos(inst, repos)
}

// RemoveInstallation uninstalls: its tokens stop working at once.
func (s *Server) RemoveInstallation(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.installations, id)
}

// Installation returns an installation with how many tokens it was issued.
func (s *Server) Installation(id int64) (Installation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, ok := s.installations[id]
	if !ok {
		return Installation{}, false
	}
	return Installation{InstallationSpec: inst.spec, TokensIssued: inst.tokens}, true
}

func (s *Server) ghApp(a *appState) map[string]any {
	return map[string]any{
		"id": a.spec.ID, "slug": a.spec.Slug, "name": a.spec.Name, "node_id": fmt.Sprintf("A_%d", a.spec.ID),
		"client_id": a.spec.ClientID, "owner": s.ghUser(s.user(a.spec.Owner)),
		"html_url":    s.htmlURL("/apps/" + a.spec.Slug),
		"permissions": a.spec.Permissions, "events": nonNil(a.spec.Events),
		"created_at": a.created, "updated_at": a.created,
	}
}

func (s *Server) ghInstallation(inst *instState) map[string]any {
	a := s.apps[inst.spec.AppID]
	sel := "selected"
	if inst.spec.All {
		sel = "all"
	}
	return map[string]any{
		"id": inst.spec.ID, "app_id": a.spec.ID, "app_slug": a.spec.Slug,
		"account":              s.ghUser(s.user(inst.spec.Account)),
		"target_type":          inst.spec.AccountType,
		"repository_selection": sel,
		"access_tokens_url":    strings.TrimSuffix(s.URL, "/") + fmt.Sprintf("/app/installations/%d/access_tokens", inst.spec.ID),
		"repositories_url":     strings.TrimSuffix(s.URL, "/") + "/installation/repositories",
		"html_url":             s.htmlURL(fmt.Sprintf("/organizations/%s/settings/installations/%d", inst.spec.Account, inst.spec.ID)),
		"permissions":          a.spec.Permissions, "events": nonNil(a.spec.Events),
		"created_at": inst.at, "updated_at": inst.at,
	}
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func (s *Server) registerAppRoutes() {
	s.handle("GET /app", accApp, need{}, func(c *call) { c.json(http.StatusOK, s.ghApp(c.id.app)) })
	s.handle("GET /app/installations", accApp, need{}, func(c *call) {
		var list []map[string]any
		for _, inst := range s.sortedInstallations() {
			if inst.spec.AppID == c.id.app.spec.ID {
				list = append(list, s.ghInstallation(inst))
			}
		}
		c.json(http.StatusOK, paginate(c, list))
	})
	s.handle("GET /app/installations/{id}", accApp, need{}, func(c *call) {
		if inst := c.appInstallation(); inst != nil {
			c.json(http.StatusOK, s.ghInstallation(inst))
		}
	})
	s.handle("POST /app/installations/{id}/access_tokens", accApp, need{}, s.createAccessToken)
	s.handle("GET /installation/repositories", accInstallation, need{}, func(c *call) {
		var list []map[string]any
		for _, r := range s.sortedRepos() {
			if c.id.inst.reaches(r) && (c.id.tok.repos == nil || c.id.tok.repos[r.key()]) {
				list = append(list, s.ghRepo(r))
			}
		}
		total := len(list)
		page := paginate(c, list)
		sel := "selected"
		if c.id.inst.spec.All {
			sel = "all"
		}
		c.json(http.StatusOK, map[string]any{"total_count": total, "repositories": nonNil(page), "repository_selection": sel})
	})
	s.handle("POST /app-manifests/{code}/conversions", accNone, need{}, s.convertManifest)
	// GET /user answers for a person's token; an App's tokens (the App's
	// installation tokens and Actions' GITHUB_TOKEN) get GitHub's 403.
	s.handle("GET /user", accNone, need{}, func(c *call) {
		switch {
		case c.id.kind == identToken && !c.id.plain.spec.Actions:
			c.json(http.StatusOK, s.ghUser(s.user(c.id.login)))
		case c.id.kind == identNone || c.id.kind == identBad:
			c.errorf(http.StatusUnauthorized, "Requires authentication")
		default:
			c.errorf(http.StatusForbidden, "Resource not accessible by integration")
		}
	})
	s.web.HandleFunc("POST /settings/apps/new", s.newAppForm)
	s.web.HandleFunc("POST /organizations/{org}/settings/apps/new", s.newAppForm)
}

func (s *Server) sortedInstallations() []*instState {
	var out []*instState
	for _, inst := range s.installations {
		out = append(out, inst)
	}
	slices.SortFunc(out, func(a, b *instState) int { return int(a.spec.ID - b.spec.ID) })
	return out
}

// appInstallation resolves {id} to one of the calling App's
// installations, or answers 404.
func (c *call) appInstallation() *instState {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	inst, ok := c.s.installations[id]
	if err != nil || !ok || inst.spec.AppID != c.id.app.spec.ID {
		c.errorf(http.StatusNotFound, "Not Found")
		return nil
	}
	return inst
}

var tokenAlphabet = []byte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

func newInstallationToken() string {
	b := make([]byte, 36)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = tokenAlphabet[int(b[i])%len(tokenAlphabet)]
	}
	return "ghs_" + string(b)
}

func (s *Server) createAccessToken(c *call) {
	inst := c.appInstallation()
	if inst == nil {
		return
	}
	m, ok := c.decode()
	if !ok {
		return
	}
	var names []string
	var ids []int64
	if _, ok := c.field(m, "repositories", &names); !ok {
		return
	}
	if _, ok := c.field(m, "repository_ids", &ids); !ok {
		return
	}
	tok := &tokenState{token: newInstallationToken(), inst: inst.spec.ID,
		expires: s.now().Add(s.opts.TokenLifetime).Truncate(time.Second)}
	var restricted []map[string]any
	if len(names) > 0 || len(ids) > 0 {
		tok.repos = map[string]bool{}
		for _, r := range s.sortedRepos() {
			if !inst.reaches(r) {
				continue
			}
			if slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, r.name) }) || slices.Contains(ids, r.id) {
				tok.repos[r.key()] = true
				restricted = append(restricted, s.ghRepo(r))
			}
		}
		if len(tok.repos) != len(names)+len(ids) {
			c.errorf(http.StatusUnprocessableEntity, "There is at least one repository that does not exist or is not accessible to the parent installation.")
			return
		}
	}
	s.tokens[tok.token] = tok
	inst.tokens++
	s.stats.TokensIssued++
	sel := "selected"
	if inst.spec.All && tok.repos == nil {
		sel = "all"
	}
	resp := map[string]any{
		"token": tok.token, "expires_at": tok.expires.Format(time.RFC3339),
		"permissions": s.apps[inst.spec.AppID].spec.Permissions, "repository_selection": sel,
	}
	if restricted != nil {
		resp["repositories"] = restricted
	}
	c.json(http.StatusCreated, resp)
}

// ExpireTokens makes every installation token issued so far expire now,
// as if an hour had passed for them alone.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.expires = s.now()
	}
}

// ManifestSubmission is one App manifest posted to the fake's
// /settings/apps/new form.
type ManifestSubmission struct {
	Org      string // "" for the user's page
	State    string
	Manifest json.RawMessage
	Code     string
	AppID    int64
}

// Manifests lists what the manifest form received.
func (s *Server) Manifests() []ManifestSubmission {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.manifests)
}

// RegisterManifestCode makes code exchangeable once at
// POST /app-manifests/{code}/conversions for a new App.
func (s *Server) RegisterManifestCode(code string, spec AppSpec) App {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.addApp(spec)
	s.manifestCodes[code] = a.ID
	return a
}

// manifest is GitHub's App manifest.
type manifest struct {
	Name           string `json:"name"`
	URL            string `json:"url"`
	HookAttributes *struct {
		URL    string `json:"url"`
		Active *bool  `json:"active"`
	} `json:"hook_attributes"`
	RedirectURL        string            `json:"redirect_url"`
	CallbackURLs       []string          `json:"callback_urls"`
	SetupURL           string            `json:"setup_url"`
	Description        string            `json:"description"`
	Public             *bool             `json:"public"`
	DefaultEvents      []string          `json:"default_events"`
	DefaultPermissions map[string]string `json:"default_permissions"`
}

// eventPermission is the permission a webhook event needs; events not
// listed need none beyond metadata.
var eventPermission = map[string]string{
	"check_run": "checks", "check_suite": "checks", "issues": "issues", "issue_comment": "issues",
	"label": "metadata", "pull_request": "pull_requests", "pull_request_review": "pull_requests",
	"pull_request_review_comment": "pull_requests", "push": "contents", "create": "contents",
	"delete": "contents", "release": "contents", "repository": "metadata", "status": "statuses",
	"workflow_run": "actions",
}

var knownPermissions = map[string]bool{
	"actions": true, "administration": true, "checks": true, "contents": true, "deployments": true,
	"issues": true, "metadata": true, "pull_requests": true, "statuses": true, "members": true,
	"workflows": true, "pages": true, "security_events": true, "repository_projects": true,
}

var slugRe = regexp.MustCompile(`[^a-z0-9]+`)

// validateManifest checks a manifest as GitHub's form does and returns
// the problems.
func validateManifest(m *manifest) []string {
	var errs []string
	if strings.TrimSpace(m.Name) == "" {
		errs = append(errs, "name can't be blank")
	}
	if u, err := url.Parse(m.URL); m.URL == "" || err != nil || !u.IsAbs() {
		errs = append(errs, "url must be an absolute URL")
	}
	if m.HookAttributes != nil {
		if u, err := url.Parse(m.HookAttributes.URL); err != nil || !u.IsAbs() {
			errs = append(errs, "hook_attributes.url must be an absolute URL")
		}
	}
	if u, err := url.Parse(m.RedirectURL); m.RedirectURL == "" || err != nil || !u.IsAbs() {
		errs = append(errs, "redirect_url must be an absolute URL")
	}
	for p, level := range m.DefaultPermissions {
		if !knownPermissions[p] {
			errs = append(errs, fmt.Sprintf("default_permissions: unknown permission %q", p))
		}
		if level != "read" && level != "write" && level != "admin" {
			errs = append(errs, fmt.Sprintf("default_permissions.%s: %q is not read, write or admin", p, level))
		}
	}
	for _, e := range m.DefaultEvents {
		if p, ok := eventPermission[e]; ok && p != "metadata" && m.DefaultPermissions[p] == "" {
			errs = append(errs, fmt.Sprintf("default_events: %q needs the %s permission", e, p))
		}
	}
	if len(m.DefaultEvents) > 0 && (m.HookAttributes == nil || m.HookAttributes.URL == "") {
		errs = append(errs, "default_events need hook_attributes.url")
	}
	return errs
}

// newAppForm is the web page a manifest is posted to. GitHub shows the
// user a confirmation; the fake confirms at once and redirects to the
// manifest's redirect_url with a one-time code.
func (s *Server) newAppForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form: "+err.Error(), http.StatusBadRequest)
		return
	}
	raw := r.PostForm.Get("manifest")
	var m manifest
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		http.Error(w, "Invalid GitHub App configuration: manifest is not JSON: "+err.Error(), http.StatusUnprocessableEntity)
		return
	}
	if errs := validateManifest(&m); len(errs) > 0 {
		http.Error(w, "Invalid GitHub App configuration:\n"+strings.Join(errs, "\n"), http.StatusUnprocessableEntity)
		return
	}
	s.mu.Lock()
	org := r.PathValue("org")
	owner := org
	if owner == "" {
		owner = "octocat"
	}
	spec := AppSpec{Slug: strings.Trim(slugRe.ReplaceAllString(strings.ToLower(m.Name), "-"), "-"), Name: m.Name,
		Owner: owner, Permissions: m.DefaultPermissions, Events: m.DefaultEvents}
	if m.HookAttributes != nil {
		spec.WebhookURL = m.HookAttributes.URL
	}
	if spec.Permissions == nil {
		spec.Permissions = map[string]string{}
	}
	if spec.Permissions["metadata"] == "" {
		spec.Permissions["metadata"] = "read"
	}
	a := s.addApp(spec)
	code := randomHex(10)
	s.manifestCodes[code] = a.ID
	state := r.URL.Query().Get("state")
	s.manifests = append(s.manifests, ManifestSubmission{Org: org, State: state, Manifest: json.RawMessage(raw), Code: code, AppID: a.ID})
	s.mu.Unlock()
	u, _ := url.Parse(m.RedirectURL)
	q := u.Query()
	q.Set("code", code)
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (s *Server) convertManifest(c *call) {
	code := c.r.PathValue("code")
	id, ok := s.manifestCodes[code]
	if !ok {
		c.errorf(http.StatusNotFound, "Not Found")
		return
	}
	delete(s.manifestCodes, code)
	a := s.apps[id]
	app := App{AppSpec: a.spec}
	c.json(http.StatusCreated, map[string]any{
		"id": a.spec.ID, "slug": a.spec.Slug, "node_id": fmt.Sprintf("A_%d", a.spec.ID), "name": a.spec.Name,
		"owner":        s.ghUser(s.user(a.spec.Owner)),
		"external_url": "https://tfdrift.example", "html_url": s.htmlURL("/apps/" + a.spec.Slug),
		"created_at": a.created, "updated_at": a.created,
		"permissions": a.spec.Permissions, "events": nonNil(a.spec.Events),
		"client_id": a.spec.ClientID, "client_secret": a.spec.ClientSecret,
		"webhook_secret": a.spec.WebhookSecret, "pem": string(app.PrivateKeyPEM()),
	})
}
