package statuspage

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/drift"
)

// Query parameters of the page. Every one is optional and appears at most
// once, except status, which may repeat; an empty value is the same as
// none (an HTML form sends its empty fields).
const (
	paramStatus   = "status"   // open|acknowledged|resolved|ignored|all, repeatable
	paramSeverity = "severity" // minimum severity
	paramRepo     = "repo"     // owner/name, exact
	paramAccount  = "account"  // AWS account ID or GCP project, exact
	paramType     = "type"     // Terraform resource type, exact
	paramText     = "q"        // substring of the address (or cloud ID), any case
	paramDrift    = "drift"    // one record by fingerprint
	paramCursor   = "cursor"   // the next page, as the page linked it
)

var knownParams = []string{paramStatus, paramSeverity, paramRepo, paramAccount, paramType, paramText, paramDrift, paramCursor}

// Bounds on what a query may carry: the page never holds, matches or
// echoes more than this per value.
const (
	maxRawQuery = 4096
	maxText     = 200
	maxAccount  = 128
	maxType     = 128
	maxCursor   = 128
)

var (
	accountPattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]*$`)
	typePattern        = regexp.MustCompile(`^[a-z0-9][a-z0-9_]*$`)
	fingerprintPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

// defaultStatuses are the drifts still in the cloud: open, and seen by
// someone but not yet resolved.
var defaultStatuses = []store.Status{store.StatusOpen, store.StatusAcknowledged}

var allStatuses = []store.Status{store.StatusOpen, store.StatusAcknowledged, store.StatusResolved, store.StatusIgnored}

// query is a validated set of filters.
type query struct {
	// statuses is never empty: defaultStatuses when the query names none.
	statuses []store.Status
	severity drift.Severity
	repo     string
	account  string
	typ      string
	text     string
	// textFold is text lower-cased once, for matching.
	textFold string
	drift    string
	cursor   string
}

// QueryError is a query the page refuses; the handler answers 400 with
// its message.
type QueryError struct {
	Param string
	Msg   string
}

func (e *QueryError) Error() string {
	if e.Param == "" {
		return e.Msg
	}
	return "filter " + e.Param + ": " + e.Msg
}

func badParam(param, format string, args ...any) *QueryError {
	return &QueryError{Param: param, Msg: fmt.Sprintf(format, args...)}
}

// parseQuery validates a raw query string. Unknown parameters, repeated
// single-valued ones and unknown values are errors.
func parseQuery(raw string) (query, error) {
	if len(raw) > maxRawQuery {
		return query{}, &QueryError{Msg: fmt.Sprintf("query string is %d bytes, at most %d", len(raw), maxRawQuery)}
	}
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return query{}, &QueryError{Msg: "query string is not URL-encoded"}
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	q := query{}
	for _, k := range keys {
		if !slices.Contains(knownParams, k) {
			return query{}, &QueryError{Msg: fmt.Sprintf("unknown filter %s (want one of %s)", quote(k, 40), strings.Join(knownParams, ", "))}
		}
		vs := vals[k]
		for _, v := range vs {
			if !utf8.ValidString(v) || strings.ContainsFunc(v, isControl) {
				return query{}, badParam(k, "value is not printable text")
			}
		}
		if k != paramStatus {
			if len(vs) > 1 {
				return query{}, badParam(k, "given %d times, at most once", len(vs))
			}
			if err := q.set(k, vs[0]); err != nil {
				return query{}, err
			}
			continue
		}
		if err := q.setStatuses(vs); err != nil {
			return query{}, err
		}
	}
	if len(q.statuses) == 0 {
		q.statuses = defaultStatuses
	}
	if q.drift != "" && (q.severity != "" || q.repo != "" || q.account != "" || q.typ != "" || q.text != "" || q.cursor != "") {
		return query{}, badParam(paramDrift, "shows one drift; it cannot be combined with other filters")
	}
	return q, nil
}

func (q *query) setStatuses(vs []string) error {
	for _, v := range vs {
		switch {
		case v == "":
		case v == "all":
			q.statuses = allStatuses
		default:
			st, err := store.ParseStatus(v)
			if err != nil {
				return badParam(paramStatus, "unknown status %s (want open, acknowledged, resolved, ignored or all)", quote(v, 40))
			}
			if !slices.Contains(q.statuses, st) {
				q.statuses = append(q.statuses, st)
			}
		}
	}
	// One order whatever the URL's: the store query and the links built
	// from q are then the same for equal sets.
	q.statuses = sortedStatuses(q.statuses)
	return nil
}

func sortedStatuses(in []store.Status) []store.Status {
	var out []store.Status
	for _, st := range allStatuses {
		if slices.Contains(in, st) {
			out = append(out, st)
		}
	}
	return out
}

func (q *query) set(k, v string) error {
	if v == "" {
		return nil
	}
	switch k {
	case paramSeverity:
		sev, err := drift.ParseSeverity(v)
		if err != nil {
			return badParam(k, "unknown severity %s (want info, low, medium, high or critical)", quote(v, 40))
		}
		q.severity = sev
	case paramRepo:
		if !validRepo(v) {
			return badParam(k, "%s is not a repository name (want owner/name)", quote(v, 60))
		}
		q.repo = v
	case paramAccount:
		if len(v) > maxAccount || !accountPattern.MatchString(v) {
			return badParam(k, "%s is not an account ID or project (letters, digits, '.', '_', ':', '-'; at most %d)", quote(v, 60), maxAccount)
		}
		q.account = v
	case paramType:
		if len(v) > maxType || !typePattern.MatchString(v) {
			return badParam(k, "%s is not a resource type (like aws_security_group)", quote(v, 60))
		}
		q.typ = v
	case paramText:
		if utf8.RuneCountInString(v) > maxText {
			return badParam(k, "is %d characters, at most %d", utf8.RuneCountInString(v), maxText)
		}
		q.text, q.textFold = v, strings.ToLower(v)
	case paramDrift:
		if !fingerprintPattern.MatchString(v) {
			return badParam(k, "%s is not a drift fingerprint (32 hex digits)", quote(v, 60))
		}
		q.drift = v
	case paramCursor:
		c, ok := openCursor(v)
		if !ok {
			return badParam(k, "this page link is damaged; start again from the first page")
		}
		q.cursor = c
	}
	return nil
}

// quote renders a user's value for an error message, cut to max runes:
// Go quoting makes every byte visible, the template escapes the rest.
func quote(v string, max int) string {
	if utf8.RuneCountInString(v) > max {
		v = string([]rune(v)[:max]) + "…"
	}
	return fmt.Sprintf("%q", v)
}

// storeFilter is the part of q the store can apply itself.
func (q query) storeFilter() store.Filter {
	return store.Filter{Status: q.statuses, Severity: q.severity, ResourceType: q.typ, Cursor: q.cursor}
}

// match applies the filters the store cannot: repository, account and
// text. The store has already applied status, severity and type.
func (q query) match(r *store.Record) bool {
	if q.repo != "" && r.Drift.Terraform.Repo != q.repo {
		return false
	}
	if q.account != "" && r.AccountID != q.account {
		return false
	}
	if q.textFold != "" &&
		!strings.Contains(strings.ToLower(r.ResourceAddress), q.textFold) &&
		!strings.Contains(strings.ToLower(r.ResourceID), q.textFold) {
		return false
	}
	return true
}

// values renders q back as a query, without the cursor: the base of the
// page's own links. Default statuses are left out, so the plain page's
// links stay short.
func (q query) values() url.Values {
	v := url.Values{}
	if !slices.Equal(q.statuses, defaultStatuses) {
		if slices.Equal(q.statuses, allStatuses) {
			v.Set(paramStatus, "all")
		} else {
			for _, st := range q.statuses {
				v.Add(paramStatus, string(st))
			}
		}
	}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set(paramSeverity, string(q.severity))
	set(paramRepo, q.repo)
	set(paramAccount, q.account)
	set(paramType, q.typ)
	set(paramText, q.text)
	set(paramDrift, q.drift)
	return v
}

// A cursor travels with a checksum, so that a damaged or invented one is
// refused with 400 here instead of failing in the store. It is not a
// secret and needs none: the store still validates what it receives.
func sealCursor(c string) string {
	sum := sha256.Sum256([]byte("tfdrift statuspage cursor\x00" + c))
	return c + "." + hex.EncodeToString(sum[:6])
}

func openCursor(s string) (string, bool) {
	if len(s) > maxCursor {
		return "", false
	}
	i := strings.LastIndexByte(s, '.')
	if i <= 0 {
		return "", false
	}
	c := s[:i]
	return c, sealCursor(c) == s
}
