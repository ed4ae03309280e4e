package statuspage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
)

// Drifts is what the page reads from the store; store.Store satisfies it.
type Drifts interface {
	// List returns records matching the filter, newest first, one page at
	// a time (store.Drifts.List).
	List(ctx context.Context, f store.Filter) (store.Page, error)
	// Get returns one record, or an error wrapping store.ErrNotFound.
	Get(ctx context.Context, fingerprint string) (store.Record, error)
}

// Options configure the page. Auth has no default: see Auth.
type Options struct {
	// Title heads the page (default "tfdrift status").
	Title string
	// BaseURL is the web address of the code host, for permalinks:
	// https://github.com (the default) or a GitHub Enterprise Server's.
	BaseURL string
	// Now is the clock (default time.Now): it decides "today" for the
	// chart.
	Now func() time.Time
	// Auth decides who may read the page.
	Auth Auth
	// Logger receives store and link errors (default: discarded).
	Logger *slog.Logger
	// PageSize is how many drifts a page shows (default 50, at most 1000).
	PageSize int
	// ScanLimit bounds how many records one request reads to fill a page
	// when filtering by repository, account or text, which the store
	// cannot do itself (default 5000). A page that reaches it says so and
	// links to the next page, which goes on from there.
	ScanLimit int
	// ChartLimit bounds how many records the chart reads (default
	// 10000); a chart that reaches it says so.
	ChartLimit int
}

// Defaults and bounds of Options.
const (
	DefaultTitle      = "tfdrift status"
	DefaultBaseURL    = "https://github.com"
	DefaultPageSize   = 50
	MaxPageSize       = 1000
	DefaultScanLimit  = 5000
	DefaultChartLimit = 10000
	// maxListCalls bounds the store calls one page may make when it
	// filters in memory: each call asks only for the rows still missing,
	// so a page nearly full could otherwise read one row per call.
	maxListCalls = 25
	// chartBatch is the store's largest page.
	chartBatch = 1000
)

//go:embed templates/page.html.tmpl templates/style.css
var files embed.FS

// Handler serves the status page. Create it with New.
type Handler struct {
	drifts    Drifts
	links     Linker
	title     string
	baseURL   string
	now       func() time.Time
	log       *slog.Logger
	pageSize  int
	scanLimit int
	chartMax  int
	tmpl      *template.Template
	style     template.CSS
	csp       string
	served    http.Handler // the page behind Auth
}

// New returns the page over drifts and links. It fails on a bad option,
// including an Auth that configures nothing.
func New(drifts Drifts, links Linker, o Options) (*Handler, error) {
	if drifts == nil {
		return nil, errors.New("statuspage: nil Drifts")
	}
	if links == nil {
		return nil, errors.New("statuspage: nil Linker (use NoLinks{})")
	}
	h := &Handler{drifts: drifts, links: links, title: o.Title, now: o.Now, log: o.Logger,
		pageSize: o.PageSize, scanLimit: o.ScanLimit, chartMax: o.ChartLimit}
	if h.title == "" {
		h.title = DefaultTitle
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var err error
	if h.baseURL, err = checkBaseURL(o.BaseURL); err != nil {
		return nil, err
	}
	if h.pageSize == 0 {
		h.pageSize = DefaultPageSize
	}
	if h.pageSize < 0 || h.pageSize > MaxPageSize {
		return nil, fmt.Errorf("statuspage: page size %d out of range 1..%d", o.PageSize, MaxPageSize)
	}
	if h.scanLimit == 0 {
		h.scanLimit = DefaultScanLimit
	}
	if h.chartMax == 0 {
		h.chartMax = DefaultChartLimit
	}
	if h.scanLimit < h.pageSize || h.chartMax < 0 {
		return nil, fmt.Errorf("statuspage: scan limit %d below the page size %d, or chart limit %d negative", h.scanLimit, h.pageSize, h.chartMax)
	}
	css, err := files.ReadFile("templates/style.css")
	if err != nil {
		return nil, err
	}
	h.style = template.CSS(css)
	// The stylesheet is inline and allowed by its hash: no 'unsafe-inline',
	// no second request, and no script of any kind.
	sum := sha256.Sum256(css)
	h.csp = "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
		"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
	h.tmpl, err = template.New("page.html.tmpl").Funcs(template.FuncMap{
		"utc": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	}).ParseFS(files, "templates/page.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("statuspage: template: %w", err)
	}
	page := http.HandlerFunc(h.servePage)
	if h.served, err = Protect(o.Auth, page); err != nil {
		return nil, err
	}
	return h, nil
}

func checkBaseURL(s string) (string, error) {
	if s == "" {
		return DefaultBaseURL, nil
	}
	u, ok := safeURL(s)
	p, _ := url.Parse(u)
	if !ok || p.RawQuery != "" || p.Fragment != "" {
		return "", fmt.Errorf("statuspage: base URL %q is not an http(s) address without query or fragment", s)
	}
	return strings.TrimSuffix(u, "/"), nil
}

// ServeHTTP answers GET and HEAD on "/" with the page. Every answer,
// refusals included, carries the security headers.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	// Drift data is private and changes by the second.
	hd.Set("Cache-Control", "no-store")
	h.served.ServeHTTP(w, r)
}

func (h *Handler) servePage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		plainError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed; the status page is read-only")
		return
	}
	if r.URL.Path != "/" {
		plainError(w, http.StatusNotFound, "no such page; the status page is at /")
		return
	}
	q, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		h.render(w, http.StatusBadRequest, &pageView{Title: h.title, Style: h.style, Error: err.Error(), Form: newFormView(query{statuses: defaultStatuses})})
		return
	}
	v, status := h.build(r.Context(), q)
	h.render(w, status, v)
}

// render executes the template into a buffer first, so that a failure
// half-way is a clean 500 and not half a page.
func (h *Handler) render(w http.ResponseWriter, status int, v *pageView) {
	var buf bytes.Buffer
	if err := h.tmpl.Execute(&buf, v); err != nil {
		h.log.Error("status page: render", "err", err)
		plainError(w, http.StatusInternalServerError, "the status page could not be rendered")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// plainError answers with a short text message. msg is the page's own
// text, never a user's value unquoted.
func plainError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}
