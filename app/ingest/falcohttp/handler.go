package falcohttp

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/app/ingest"
)

// Source is the Message.Source of alerts received by this handler.
const Source = "falco-http"

// Defaults for Config.
const (
	DefaultPrefix       = "/falco"
	DefaultMaxBodyBytes = 1 << 20
	DefaultDedupSize    = 4096
)

// Config configures the handler. At least one of Secrets, BearerTokens and
// RequireClientCert must be set, or AllowUnauthenticated.
type Config struct {
	// Prefix is the path the daemon mounts the handler on (default
	// "/falco"). The handler serves Prefix and Prefix/<secret>; any other
	// path is 404.
	Prefix string
	// Secrets are the accepted shared secrets (several, to rotate one
	// without downtime). A request presents one as the path segment after
	// Prefix, as ?token=, or as "Authorization: Bearer <secret>". Each is
	// at least 16 characters and contains no '/'.
	Secrets []string
	// BearerTokens are accepted only in "Authorization: Bearer <token>"
	// (falcosidekick's webhook.customheaders): unlike Secrets they never
	// travel in a URL. Same length rules as Secrets.
	BearerTokens []string
	// RequireClientCert demands a client certificate verified by the
	// daemon's TLS config (r.TLS.VerifiedChains). With Secrets also set,
	// a request needs both.
	RequireClientCert bool
	// AllowUnauthenticated turns authentication off. Only for the quick
	// start on a loopback listener: the daemon decides when it is safe,
	// this package cannot see the listener.
	AllowUnauthenticated bool
	// MaxBodyBytes bounds a request body (default 1 MiB); larger is 413.
	MaxBodyBytes int64
	// DedupSize is how many recent alert IDs are remembered to absorb
	// duplicates (default 4096); negative turns de-duplication off.
	DedupSize int
	// MaxInflightBytes bounds the body bytes all requests hold at once
	// while they are read and checked (default DefaultMaxInflightBytes;
	// at least MaxBodyBytes). A body of known length takes its
	// Content-Length before a byte is read; a chunked or gzip body takes
	// 32 KiB at a time. Past it the request is answered 503 "busy" with
	// Retry-After: memory stays bounded however many senders hold a body
	// open.
	MaxInflightBytes int64
	// OnReject, when set, hears every refused request (status >= 400)
	// with its reason (a Reason* constant, or "overloaded"), for the
	// daemon's metrics and logs. It runs on the request's goroutine.
	OnReject func(r *http.Request, status int, reason string)
}

// Handler is the http.Handler for POST /falco. Create it with New.
type Handler struct {
	prefix       string
	secrets      secretSet // accepted in the path, the query and the header
	bearers      secretSet // accepted in the Authorization header: BearerTokens and Secrets
	requireCert  bool
	open         bool
	maxBody      int64
	recent       *recentSet
	next         ingest.Handler
	done         func(error)
	stats        counters
	budget       budget
	onReject     func(r *http.Request, status int, reason string)
	retryAfter   []string
	jsonType     []string
	acceptedBody []byte
}

// New validates cfg and returns a handler that passes each alert to next.
func New(cfg Config, next ingest.Handler) (*Handler, error) {
	if next == nil {
		return nil, errors.New("falcohttp: nil ingest.Handler")
	}
	h := &Handler{
		prefix:      strings.TrimSuffix(cfg.Prefix, "/"),
		requireCert: cfg.RequireClientCert,
		open:        cfg.AllowUnauthenticated,
		maxBody:     cfg.MaxBodyBytes,
		next:        next,
		retryAfter:  []string{"1"},
		jsonType:    []string{"application/json"},
		onReject:    cfg.OnReject,
	}
	if cfg.Prefix == "" {
		h.prefix = DefaultPrefix
	}
	if !strings.HasPrefix(h.prefix, "/") {
		return nil, fmt.Errorf("falcohttp: prefix %q must start with '/' and not be the root", cfg.Prefix)
	}
	if h.maxBody == 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.maxBody < 0 {
		return nil, fmt.Errorf("falcohttp: max body bytes %d is negative", cfg.MaxBodyBytes)
	}
	h.budget.max = cfg.MaxInflightBytes
	if h.budget.max == 0 {
		h.budget.max = max(DefaultMaxInflightBytes, h.maxBody)
	}
	if h.budget.max < h.maxBody {
		return nil, fmt.Errorf("falcohttp: max in-flight bytes %d is less than max body bytes %d: a largest body could never be read", h.budget.max, h.maxBody)
	}
	var err error
	if h.secrets, err = hashSecrets("secret", cfg.Secrets); err != nil {
		return nil, err
	}
	if h.bearers, err = hashSecrets("bearer token", cfg.BearerTokens); err != nil {
		return nil, err
	}
	// A secret may also come as a bearer token.
	h.bearers = append(h.bearers, h.secrets...)
	switch {
	case h.open && (len(h.bearers) > 0 || h.requireCert):
		return nil, errors.New("falcohttp: AllowUnauthenticated together with secrets or client certificates; choose one")
	case !h.open && len(h.bearers) == 0 && !h.requireCert:
		return nil, errors.New("falcohttp: no authentication configured: set a secret, require client certificates, or allow unauthenticated access (loopback only)")
	}
	size := cfg.DedupSize
	if size == 0 {
		size = DefaultDedupSize
	}
	if size > 0 {
		h.recent = newRecentSet(size)
	}
	// Bound once: a method value built per request would allocate.
	h.done = h.onDone
	h.acceptedBody = []byte(`{"status":"accepted"}` + "\n")
	return h, nil
}

// hashSecrets checks and hashes configured secrets. The values never
// appear in an error: errors end up in logs.
func hashSecrets(what string, in []string) (secretSet, error) {
	var out secretSet
	for i, s := range in {
		switch {
		case len(s) < minSecretLen:
			return nil, fmt.Errorf("falcohttp: %s #%d is %d characters, want at least %d", what, i+1, len(s), minSecretLen)
		case strings.ContainsAny(s, "/ \t\r\n"):
			return nil, fmt.Errorf("falcohttp: %s #%d contains '/' or white space, which cannot travel in a URL path or a bearer token", what, i+1)
		}
		out = append(out, sha256.Sum256([]byte(s)))
	}
	return out, nil
}

// Stats returns the counters.
func (h *Handler) Stats() Stats { return h.stats.snapshot() }

func (h *Handler) onDone(err error) {
	if err != nil {
		h.stats.failed.Add(1)
		return
	}
	h.stats.completed.Add(1)
}

// ServeHTTP answers one request. Falco does not retry, so it answers as soon
// as the pipeline has taken the alerts: 202 accepted, 200 all duplicates,
// 503 with Retry-After when the pipeline is full, 4xx with a JSON reason.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	received := time.Now()
	pathSecret, ok := h.matchPath(r.URL.Path)
	if !ok {
		h.fail(w, r, http.StatusNotFound, ReasonNotFound, "no such path; POST alerts to "+h.prefix)
		return
	}
	if r.Method != http.MethodPost {
		w.Header()["Allow"] = []string{http.MethodPost}
		h.fail(w, r, http.StatusMethodNotAllowed, ReasonMethod, "method "+r.Method+" not allowed; use POST")
		return
	}
	if !h.authorized(r, pathSecret) {
		w.Header()["Www-Authenticate"] = []string{`Bearer realm="tfdrift"`}
		h.fail(w, r, http.StatusUnauthorized, ReasonUnauthorized, h.authHint())
		return
	}
	// The body is read into a pooled buffer within the in-flight budget;
	// enqueue copies each alert out, so the buffer goes back at once.
	bb := h.getBuf()
	defer h.putBuf(bb)
	body, aerr := h.readBody(w, r, bb)
	if aerr != nil {
		status := http.StatusBadRequest
		switch aerr.reason {
		case ReasonTooLarge:
			status = http.StatusRequestEntityTooLarge
		case ReasonEncoding:
			status = http.StatusUnsupportedMediaType
		case ReasonBusy:
			status = http.StatusServiceUnavailable
			w.Header()["Retry-After"] = h.retryAfter
		}
		h.fail(w, r, status, aerr.reason, aerr.msg)
		return
	}
	// Every alert is checked before any is taken, so a bad batch is
	// refused whole. one keeps the common single alert off the heap.
	var one [1]alert
	alerts, aerr := parseAlerts(one[:0], body)
	if aerr != nil {
		h.fail(w, r, http.StatusBadRequest, aerr.reason, aerr.msg)
		return
	}
	// The request's context ends with the response: the pipeline may use it
	// to enqueue, never to process.
	accepted, duplicates := 0, 0
	for _, a := range alerts {
		err := h.enqueue(r.Context(), a.raw, a.p, received)
		switch {
		case err == nil:
			accepted++
		case errors.Is(err, errDuplicate):
			duplicates++
		default:
			// Alerts already taken stay taken; a retry of the whole batch
			// finds them as duplicates.
			h.refuse(w, r, err)
			return
		}
	}
	h.answer(w, len(alerts), accepted, duplicates)
}

var errDuplicate = errors.New("duplicate alert")

func (h *Handler) enqueue(ctx context.Context, alert []byte, p probe, received time.Time) error {
	var keys alertKeys
	if h.recent != nil {
		keys = h.recent.keysOf(p)
		if h.recent.addIfAbsent(keys) {
			h.stats.duplicates.Add(1)
			return errDuplicate
		}
	}
	// parseAlerts validated the alert with json.Valid's grammar. The
	// body buffer is reused once the request ends: the pipeline gets a
	// copy of just this alert.
	m := ingest.Message{Source: Source, Body: bytes.Clone(alert), ValidJSON: true, Received: received, Done: h.done}
	if len(p.uuid) > 0 {
		m.ID = stringValue(p.uuid)
	}
	if err := h.next(ctx, m); err != nil {
		if h.recent != nil {
			h.recent.remove(keys)
		}
		return err
	}
	h.stats.accepted.Add(1)
	return nil
}

// refuse answers 503 when the pipeline did not take an alert.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, err error) {
	w.Header()["Retry-After"] = h.retryAfter
	if errors.Is(err, ingest.ErrOverloaded) {
		h.stats.overloaded.Add(1)
		if h.onReject != nil {
			h.onReject(r, http.StatusServiceUnavailable, ReasonOverloaded)
		}
		writeJSON(w, h.jsonType, http.StatusServiceUnavailable, errorBody("overloaded", "pipeline is full; retry shortly"))
		return
	}
	h.fail(w, r, http.StatusServiceUnavailable, ReasonPipeline, "pipeline refused the alert: "+err.Error())
}

func (h *Handler) answer(w http.ResponseWriter, total, accepted, duplicates int) {
	switch {
	case total == 1 && accepted == 1:
		writeJSON(w, h.jsonType, http.StatusAccepted, h.acceptedBody)
		return
	case accepted == 0:
		// Everything was a duplicate: nothing new to do, and the sender
		// must not retry.
		writeJSON(w, h.jsonType, http.StatusOK, countBody("duplicate", accepted, duplicates))
		return
	}
	writeJSON(w, h.jsonType, http.StatusAccepted, countBody("accepted", accepted, duplicates))
}

// matchPath accepts Prefix and Prefix/<secret> and returns the secret.
func (h *Handler) matchPath(p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, h.prefix)
	switch {
	case !ok:
		return "", false
	case rest == "" || rest == "/":
		return "", true
	case rest[0] != '/' || strings.IndexByte(rest[1:], '/') >= 0:
		return "", false
	}
	return rest[1:], true
}

func (h *Handler) authorized(r *http.Request, pathSecret string) bool {
	if h.open {
		return true
	}
	if h.requireCert && (r.TLS == nil || len(r.TLS.VerifiedChains) == 0) {
		return false
	}
	if len(h.bearers) == 0 {
		return true
	}
	// No early exit: every presented token costs the same.
	t := presentedTokens(r, pathSecret)
	inURL := h.secrets.match(t[0])
	inQuery := h.secrets.match(t[1])
	inHeader := h.bearers.match(t[2])
	return inURL || inQuery || inHeader
}

func (h *Handler) authHint() string {
	var creds string
	switch {
	case len(h.secrets) > 0:
		creds = "a shared secret (" + h.prefix + "/<secret>, ?token=<secret> or Authorization: Bearer <secret>)"
	case len(h.bearers) > 0:
		creds = "a bearer token (Authorization: Bearer <token>)"
	}
	switch {
	case h.requireCert && creds != "":
		return "a verified client certificate and " + creds + " are required"
	case h.requireCert:
		return "a verified client certificate is required"
	}
	return creds + " is required"
}

// readBody reads the whole body within MaxBodyBytes into bb, within the
// in-flight budget. A gzip body (Falco's http_output compress_uploads) is
// bounded after decompression too, so a small bomb cannot expand past the
// limit. The slice returned is bb's: valid until bb goes back to the pool.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request, bb *bodyBuf) ([]byte, *alertError) {
	tooLarge := func() *alertError {
		return &alertError{reason: ReasonTooLarge, msg: "body exceeds " + strconv.FormatInt(h.maxBody, 10) + " bytes"}
	}
	readErr := func(err error) *alertError {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) || errors.Is(err, errInflatedTooLarge) {
			return tooLarge()
		}
		return &alertError{reason: ReasonReadError, msg: "reading body: " + err.Error()}
	}
	done := func(ok bool, err error) ([]byte, *alertError) {
		switch {
		case !ok:
			return nil, &alertError{reason: ReasonBusy, msg: "too many request bodies in flight; retry shortly"}
		case err != nil:
			return nil, readErr(err) // kept apart: its errors.As target escapes
		}
		return bb.b, nil
	}
	if r.ContentLength > h.maxBody {
		return nil, tooLarge()
	}
	rd := http.MaxBytesReader(w, r.Body, h.maxBody)
	switch enc := r.Header.Get("Content-Encoding"); {
	case enc == "" || strings.EqualFold(enc, "identity"):
	case strings.EqualFold(enc, "gzip"):
		zr, err := gzip.NewReader(rd)
		if err != nil {
			return done(true, err)
		}
		return done(h.readChunked(bb, zr, h.maxBody))
	default:
		return nil, &alertError{reason: ReasonEncoding, msg: "Content-Encoding " + strconv.Quote(enc) + " is not supported; send identity or gzip"}
	}
	if r.ContentLength >= 0 {
		// The common case: the budget is taken for the whole body before
		// a buffer is allocated, so a sender that announces a large body
		// and sends it slowly holds nothing it was not granted.
		return done(h.readKnown(bb, rd, r.ContentLength))
	}
	return done(h.readChunked(bb, rd, h.maxBody))
}

var errInflatedTooLarge = errors.New("decompressed body too large")

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, reason, msg string) {
	h.stats.reject(reason)
	if h.onReject != nil {
		h.onReject(r, status, reason)
	}
	writeJSON(w, h.jsonType, status, errorBody(reason, msg))
}

func writeJSON(w http.ResponseWriter, contentType []string, status int, body []byte) {
	hdr := w.Header()
	// Assigned, not Set: Set allocates a slice per response.
	hdr["Content-Type"] = contentType
	hdr["X-Content-Type-Options"] = nosniff
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client has gone; nothing to do about it
}

var nosniff = []string{"nosniff"}

func errorBody(reason, msg string) []byte {
	b := make([]byte, 0, 48+len(msg))
	b = append(b, `{"error":`...)
	b = appendJSONString(b, reason)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, msg)
	return append(b, "}\n"...)
}

func countBody(status string, accepted, duplicates int) []byte {
	b := make([]byte, 0, 64)
	b = append(b, `{"status":"`...)
	b = append(b, status...)
	b = append(b, `","accepted":`...)
	b = strconv.AppendInt(b, int64(accepted), 10)
	b = append(b, `,"duplicates":`...)
	b = strconv.AppendInt(b, int64(duplicates), 10)
	return append(b, "}\n"...)
}

// appendJSONString quotes s as a JSON string. Messages may quote client
// input, so every control character and quote is escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, c := range []byte(strings.ToValidUTF8(s, "\uFFFD")) {
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20 || c == '<' || c == '>' || c == '&':
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
