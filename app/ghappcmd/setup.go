package ghappcmd

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/app/githubapp"
	"github.com/tfdrift/tfdrift/app/job"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
)

// SetupArgs are the inputs of `tfdrift app setup`.
type SetupArgs struct {
	// Listen is the local page's address (loopback: the browser that
	// creates the App runs on this machine).
	Listen string
	// Org creates the App in an organisation ("" is the signed-in user).
	Org string
	// GitHubURL is GitHub's web address (a GitHub Enterprise Server's
	// for GHES); APIURL its REST API ("" derives it).
	GitHubURL, APIURL string
	// URL is where GitHub reaches tfdrift serve; Name the App's name.
	URL, Name string
	// KeyFile and SecretFile receive the private key and the webhook
	// secret (mode 0600); neither may exist yet.
	KeyFile, SecretFile string

	// Started, when set, is called with the page's bound address.
	Started func(addr string)
}

// RegisterFlags binds every flag of `app setup` to a.
func (a *SetupArgs) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.Listen, "listen", "127.0.0.1:3000", "address of the local page that starts the flow (open it in a browser on this machine)")
	fs.StringVar(&a.Org, "org", "", "create the App in this organisation (default: your own account)")
	fs.StringVar(&a.GitHubURL, "github-url", "https://github.com", "GitHub's web address (a GitHub Enterprise Server's: https://HOST)")
	fs.StringVar(&a.APIURL, "api-url", "", "GitHub's REST API (default: https://api.github.com/ for github.com, else GITHUB-URL/api/v3/)")
	fs.StringVar(&a.URL, "url", "", "the address GitHub reaches tfdrift serve at (https://tfdrift.example.com); the webhook is URL/webhooks/github")
	fs.StringVar(&a.Name, "name", DefaultName, "the App's name (unique across GitHub)")
	fs.StringVar(&a.KeyFile, "key-file", "github-app.pem", "where to write the App's private key (mode 0600; must not exist)")
	fs.StringVar(&a.SecretFile, "secret-file", "github-webhook-secret", "where to write the App's webhook secret (mode 0600; must not exist)")
}

// apiURLFor derives the REST API from GitHub's web address.
func apiURLFor(web string) string {
	u, err := url.Parse(web)
	if err == nil && (strings.EqualFold(u.Hostname(), "github.com") || strings.EqualFold(u.Hostname(), "www.github.com")) {
		return ghapi.DefaultAPIURL
	}
	return strings.TrimSuffix(web, "/") + "/api/v3/"
}

// created is what the flow ends with.
type created struct {
	cfg *github.AppConfig
	err error
}

// Setup runs GitHub's manifest flow: it serves a page whose button posts
// the manifest to GitHub, receives the code on the redirect, exchanges
// it (POST <api>/app-manifests/{code}/conversions) and writes the key
// and the secret. It prints the github: block, never the key or the
// secret.
func Setup(ctx context.Context, env job.Env, a SetupArgs) error {
	env = env.Complete()
	if a.URL == "" {
		return ErrNoURL
	}
	web, err := url.Parse(a.GitHubURL)
	if err != nil || (web.Scheme != "https" && web.Scheme != "http") || web.Host == "" {
		return fmt.Errorf("--github-url %q: want GitHub's web address, such as https://github.com", a.GitHubURL)
	}
	api := a.APIURL
	if api == "" {
		api = apiURLFor(a.GitHubURL)
	}
	base, err := ghapi.ParseAPIURL(api)
	if err != nil {
		return fmt.Errorf("--api-url: %w", err)
	}
	keyFile, err := freshFile("--key-file", a.KeyFile)
	if err != nil {
		return err
	}
	secretFile, err := freshFile("--secret-file", a.SecretFile)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.Listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", a.Listen, err)
	}
	addr := ln.Addr().String()
	if _, err := githubapp.NewManifest(a.Name, a.URL, ""); err != nil {
		ln.Close()
		return err
	}
	manifest, _ := githubapp.NewManifest(a.Name, a.URL, "http://"+addr+"/callback")
	manifestJSON, err := json.Marshal(manifest)
	if err != nil {
		ln.Close()
		return err
	}
	state := randomHex(16)
	action := strings.TrimSuffix(web.String(), "/") + "/settings/apps/new"
	if a.Org != "" {
		action = strings.TrimSuffix(web.String(), "/") + "/organizations/" + url.PathEscape(a.Org) + "/settings/apps/new"
	}
	action += "?state=" + state

	exchange := github.NewClient(&http.Client{Timeout: 30 * time.Second})
	exchange.BaseURL = base
	done := make(chan created, 1)
	var once sync.Once
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; form-action "+web.Scheme+"://"+web.Host+"; base-uri 'none'; frame-ancestors 'none'")
		page(w, http.StatusOK, startPage, map[string]any{"Name": a.Name, "Action": action, "Manifest": string(manifestJSON), "Org": a.Org, "GitHub": web.Host})
	})
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 || q.Get("code") == "" {
			page(w, http.StatusBadRequest, failPage, map[string]any{"Why": "this link did not come from the page tfdrift served; start again from it"})
			return
		}
		ran := false
		once.Do(func() {
			ran = true
			cfg, _, err := exchange.Apps.CompleteAppManifest(r.Context(), q.Get("code"))
			if err != nil {
				err = ghapi.Wrap("exchange the manifest code", err)
				page(w, http.StatusBadGateway, failPage, map[string]any{"Why": err.Error()})
				done <- created{err: err}
				return
			}
			if err := writeSecrets(cfg, keyFile, secretFile); err != nil {
				page(w, http.StatusInternalServerError, failPage, map[string]any{"Why": err.Error()})
				done <- created{err: err}
				return
			}
			page(w, http.StatusOK, donePage, map[string]any{"Name": cfg.GetName(), "Install": installURL(cfg)})
			done <- created{cfg: cfg}
		})
		if !ran {
			page(w, http.StatusGone, failPage, map[string]any{"Why": "the App is already created; this page is done"})
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	fmt.Fprintf(env.Stderr, "Open http://%s/ in a browser on this machine to create the GitHub App %q on %s.\n", addr, a.Name, web.Host)
	if a.Started != nil {
		a.Started(addr)
	}
	var res created
	select {
	case <-ctx.Done():
		return fmt.Errorf("app setup: stopped before GitHub sent the App back: %w", ctx.Err())
	case res = <-done:
	}
	if res.err != nil {
		return fmt.Errorf("app setup: %w", res.err)
	}
	return printBlock(env, res.cfg, base.String(), keyFile, secretFile)
}

// freshFile makes a path absolute and checks nothing is there: the key
// of another App is never overwritten.
func freshFile(flagName, p string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("%s: empty", flagName)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("%s: %w", flagName, err)
	}
	if _, err := os.Lstat(abs); err == nil {
		return "", fmt.Errorf("%s %s already exists: move it away or name another file (tfdrift never overwrites a key)", flagName, abs)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s: %w", flagName, err)
	}
	return abs, nil
}

// writeSecrets writes the key and the secret, readable by the owner
// only.
func writeSecrets(cfg *github.AppConfig, keyFile, secretFile string) error {
	if cfg.GetID() == 0 || cfg.GetPEM() == "" || cfg.GetWebhookSecret() == "" {
		return errors.New("GitHub's answer lacks the App's ID, key or webhook secret")
	}
	for _, f := range []struct{ path, data string }{{keyFile, cfg.GetPEM()}, {secretFile, cfg.GetWebhookSecret()}} {
		fh, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		_, werr := fh.WriteString(f.data)
		if err := errors.Join(werr, fh.Sync(), fh.Close()); err != nil {
			return fmt.Errorf("writing %s: %w", f.path, err)
		}
	}
	return nil
}

func installURL(cfg *github.AppConfig) string {
	if u := cfg.GetHTMLURL(); u != "" {
		return strings.TrimSuffix(u, "/") + "/installations/new"
	}
	return ""
}

// printBlock prints the github: block and what to do next: no key, no
// secret.
func printBlock(env job.Env, cfg *github.AppConfig, api, keyFile, secretFile string) error {
	w := env.Stdout
	fmt.Fprintf(w, "Created the GitHub App %s (ID %d)", cfg.GetName(), cfg.GetID())
	if u := cfg.GetHTMLURL(); u != "" {
		fmt.Fprintf(w, ": %s", u)
	}
	fmt.Fprintf(w, "\nIts private key is in %s and its webhook secret in %s (both mode 0600).\n\n", keyFile, secretFile)
	fmt.Fprintf(w, "Add this block to tfdrift's config:\n\ngithub:\n  app_id: %d\n  private_key_file: %s\n  webhook_secret: \"${GITHUB_WEBHOOK_SECRET}\"\n  api_url: %q\n\n",
		cfg.GetID(), yamlString(keyFile), api)
	fmt.Fprintf(w, "and give tfdrift serve the secret in its environment:\n\n  export GITHUB_WEBHOOK_SECRET=\"$(cat %s)\"\n\n", shellQuote(secretFile))
	if u := installURL(cfg); u != "" {
		fmt.Fprintf(w, "Then install the App on the repositories that hold your Terraform code: %s\n", u)
	}
	return nil
}

// yamlString writes a path as a YAML scalar: plain when it can be.
func yamlString(s string) string {
	if strings.ContainsAny(s, ":#'\"{}[],&*!|>%@` \t") {
		b, _ := json.Marshal(s)
		return string(b)
	}
	return s
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// The flow's pages: no script, a form a person submits.
var (
	startPage = template.Must(template.New("start").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Create the GitHub App {{.Name}}</title></head>
<body>
<h1>Create the GitHub App {{.Name}}</h1>
<p>The button sends tfdrift's App manifest to {{.GitHub}}{{if .Org}}, for the organisation {{.Org}}{{end}}. GitHub shows what the App may do and creates it when you confirm; it then sends you back here, and tfdrift writes the App's key and webhook secret to files.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="manifest" value="{{.Manifest}}">
<button type="submit">Create the GitHub App on {{.GitHub}}</button>
</form>
</body></html>
`))
	donePage = template.Must(template.New("done").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>GitHub App created</title></head>
<body>
<h1>The GitHub App {{.Name}} is created</h1>
<p>The terminal shows the <code>github:</code> block for tfdrift's config.{{if .Install}} Next, <a href="{{.Install}}">install the App</a> on the repositories that hold your Terraform code.{{end}} You may close this page.</p>
</body></html>
`))
	failPage = template.Must(template.New("fail").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>GitHub App not created</title></head>
<body><h1>The GitHub App was not created</h1><p>{{.Why}}</p></body></html>
`))
)

func page(w http.ResponseWriter, status int, t *template.Template, data any) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Content-Security-Policy") == "" {
		h.Set("Content-Security-Policy", "default-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	t.Execute(w, data)
}
