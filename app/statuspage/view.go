package statuspage

import (
	"cmp"
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/change"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

// pageView is everything the template shows. Values are plain strings:
// html/template escapes each for where it lands; URLs have been checked
// (safeURL, permalink) before they get here.
type pageView struct {
	Title string
	Style template.CSS
	// Error is a refused query (400) or a store failure (500).
	Error string
	Form  formView
	Chart *chartView
	// Groups are the page's drifts by severity, then repository and account.
	Groups []sevGroup
	Shown  int
	// Single is set when the page shows one drift (?drift=).
	Single bool
	// Scanned and Partial describe a page cut short by the scan budget.
	Scanned int
	Partial bool
	// NextURL and FirstURL are the pagination links ("" when none).
	NextURL, FirstURL string
	// LinkErrors counts rows whose issue/PR links could not be read.
	LinkErrors int
}

type sevGroup struct {
	Severity string // the class suffix: a known severity or "unknown"
	Label    string
	Count    int
	Sets     []rowSet
}

type rowSet struct {
	Repo, Account string
	Rows          []rowView
}

type rowView struct {
	Fingerprint string
	SelfURL     string
	Title       string // the address, or type and cloud ID when unmanaged
	Type        string
	ResourceID  string
	ChangeType  string
	Status      string
	Region      string
	Attributes  []string
	User        string
	Tags        []string
	Rules       []string
	FirstSeen   time.Time
	LastSeen    time.Time
	Count       int64
	Code        string // file:line
	CodeURL     string // permalink, "" when unknown
	Links       []linkView
	LinksFailed bool
}

type linkView struct {
	Kind  string
	Text  string
	URL   string // "" when the URL was not a safe http(s) link
	Title string
}

// formView fills the filter form with the query's values.
type formView struct {
	Statuses   []statusOption
	Severities []severityOption
	Repo       string
	Account    string
	Type       string
	Text       string
}

type statusOption struct {
	Value   string
	Checked bool
}

type severityOption struct {
	Value, Label string
	Selected     bool
}

var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)

// severityOrder is the order of the groups, most severe first.
var severityOrder = []drift.Severity{drift.Critical, drift.High, drift.Medium, drift.Low, drift.Info}

func newFormView(q query) formView {
	f := formView{Repo: q.repo, Account: q.account, Type: q.typ, Text: q.text}
	for _, st := range allStatuses {
		f.Statuses = append(f.Statuses, statusOption{Value: string(st), Checked: slices.Contains(q.statuses, st)})
	}
	f.Severities = append(f.Severities, severityOption{Value: "", Label: "any", Selected: q.severity == ""})
	for _, s := range slices.Backward(severityOrder) {
		f.Severities = append(f.Severities, severityOption{Value: string(s), Label: string(s) + " and above", Selected: q.severity == s})
	}
	return f
}

// build reads the store for q and returns the page with its status code.
func (h *Handler) build(ctx context.Context, q query) (*pageView, int) {
	v := &pageView{Title: h.title, Style: h.style, Form: newFormView(q)}
	var recs []store.Record
	if q.drift != "" {
		v.Single = true
		rec, err := h.drifts.Get(ctx, q.drift)
		switch {
		case errors.Is(err, store.ErrNotFound):
			v.Error = "no drift has the fingerprint " + q.drift
			return v, http.StatusNotFound
		case err != nil:
			return h.storeFailed(v, err)
		}
		recs = []store.Record{rec}
	} else {
		var next string
		var err error
		recs, next, v.Scanned, v.Partial, err = h.collect(ctx, q)
		if err != nil {
			return h.storeFailed(v, err)
		}
		base := q.values()
		if next != "" {
			nv := cloneValues(base)
			nv.Set(paramCursor, sealCursor(next))
			v.NextURL = "?" + nv.Encode()
		}
		if q.cursor != "" {
			v.FirstURL = "?" + base.Encode()
		}
	}
	chart, err := h.chart(ctx, q)
	if err != nil {
		return h.storeFailed(v, err)
	}
	v.Chart = chart
	v.Groups, v.LinkErrors = h.group(ctx, recs)
	v.Shown = len(recs)
	return v, http.StatusOK
}

func (h *Handler) storeFailed(v *pageView, err error) (*pageView, int) {
	h.log.Error("status page: reading the drift store", "err", err)
	v.Error = "the drift store could not be read; see the server log"
	v.Groups, v.Chart = nil, nil
	return v, http.StatusInternalServerError
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v)+1)
	for k, s := range v {
		out[k] = slices.Clone(s)
	}
	return out
}

// collect reads one page of records matching q. The store applies status,
// severity and type; repository, account and text are applied here, so
// such a query may read several store pages, each asking only for the
// rows still missing (the page never overshoots, and the cursor of the
// last store page is exactly where the next page starts). The reading
// stops at the scan budget; partial then says the page may be short.
func (h *Handler) collect(ctx context.Context, q query) (recs []store.Record, next string, scanned int, partial bool, err error) {
	f := q.storeFilter()
	for calls := 1; ; calls++ {
		f.Limit = min(h.pageSize-len(recs), h.scanLimit-scanned)
		p, err := h.drifts.List(ctx, f)
		if err != nil {
			return nil, "", scanned, false, err
		}
		scanned += len(p.Records)
		for i := range p.Records {
			if q.match(&p.Records[i]) {
				recs = append(recs, p.Records[i])
			}
		}
		switch {
		case p.Next == "" || len(recs) >= h.pageSize:
			return recs, p.Next, scanned, false, nil
		case scanned >= h.scanLimit || calls >= maxListCalls:
			return recs, p.Next, scanned, true, nil
		}
		f.Cursor = p.Next
	}
}

// chart counts the drifts first detected on each of the last 30 days that
// match q's filters other than status: a resolved drift still happened.
func (h *Handler) chart(ctx context.Context, q query) (*chartView, error) {
	days := newDayCounts(h.now())
	f := store.Filter{Severity: q.severity, ResourceType: q.typ, Since: days.start}
	counted := 0
	for counted < h.chartMax {
		f.Limit = min(chartBatch, h.chartMax-counted)
		p, err := h.drifts.List(ctx, f)
		if err != nil {
			return nil, err
		}
		counted += len(p.Records)
		for i := range p.Records {
			if q.match(&p.Records[i]) {
				days.add(p.Records[i].FirstSeen)
			}
		}
		if p.Next == "" {
			c := days.view(counted, false)
			return &c, nil
		}
		f.Cursor = p.Next
	}
	c := days.view(counted, true)
	return &c, nil
}

// group sorts the records into severity sections, each split by
// repository and account, and looks up each row's links.
func (h *Handler) group(ctx context.Context, recs []store.Record) ([]sevGroup, int) {
	type key struct {
		rank          int
		repo, account string
	}
	keyOf := func(r *store.Record) key {
		return key{severityRank(r.Severity), r.Drift.Terraform.Repo, r.AccountID}
	}
	order := make([]int, len(recs))
	for i := range order {
		order[i] = i
	}
	// Most severe first; then repositories and accounts by name, with the
	// unnamed ones last; newest first within a set.
	slices.SortStableFunc(order, func(a, b int) int {
		ka, kb := keyOf(&recs[a]), keyOf(&recs[b])
		return cmp.Or(
			cmp.Compare(kb.rank, ka.rank),
			compareNamed(ka.repo, kb.repo),
			compareNamed(ka.account, kb.account),
			recs[b].LastSeen.Compare(recs[a].LastSeen),
			cmp.Compare(recs[b].ID, recs[a].ID),
		)
	})
	var groups []sevGroup
	linkErrs := 0
	var firstErr error
	for _, i := range order {
		r := &recs[i]
		k := keyOf(r)
		sev := severityName(r.Severity)
		if len(groups) == 0 || groups[len(groups)-1].Severity != sev {
			groups = append(groups, sevGroup{Severity: sev, Label: severityLabel(r.Severity)})
		}
		g := &groups[len(groups)-1]
		if len(g.Sets) == 0 || g.Sets[len(g.Sets)-1].Repo != k.repo || g.Sets[len(g.Sets)-1].Account != k.account {
			g.Sets = append(g.Sets, rowSet{Repo: k.repo, Account: k.account})
		}
		row, err := h.row(ctx, r)
		if err != nil {
			linkErrs++
			if firstErr == nil {
				firstErr = err
			}
		}
		s := &g.Sets[len(g.Sets)-1]
		s.Rows = append(s.Rows, row)
		g.Count++
	}
	if firstErr != nil {
		h.log.Warn("status page: drift links unavailable", "rows", linkErrs, "err", firstErr)
	}
	return groups, linkErrs
}

// compareNamed orders names alphabetically with "" last.
func compareNamed(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	return strings.Compare(a, b)
}

// severityRank treats a missing severity as the default one, as the store
// does when it records a drift; an unknown one sorts last.
func severityRank(s drift.Severity) int {
	if s == "" {
		return drift.DefaultSeverity.Rank()
	}
	return s.Rank()
}

func severityName(s drift.Severity) string {
	if s == "" {
		return string(drift.DefaultSeverity)
	}
	if s.Rank() == 0 {
		return "unknown"
	}
	return string(s)
}

func severityLabel(s drift.Severity) string {
	n := severityName(s)
	if n == "unknown" {
		return "Unknown severity"
	}
	return strings.ToUpper(n[:1]) + n[1:]
}

func (h *Handler) row(ctx context.Context, r *store.Record) (rowView, error) {
	d := &r.Drift
	v := rowView{
		Fingerprint: r.Fingerprint,
		SelfURL:     "?" + paramDrift + "=" + r.Fingerprint,
		Title:       r.ResourceAddress,
		Type:        r.ResourceType,
		ResourceID:  r.ResourceID,
		ChangeType:  string(r.ChangeType),
		Status:      string(r.Status),
		Region:      r.Region,
		User:        d.User,
		Tags:        d.Tags,
		Rules:       d.Rules,
		FirstSeen:   r.FirstSeen,
		LastSeen:    r.LastSeen,
		Count:       r.Count,
		Code:        codeText(d.Terraform),
		CodeURL:     permalink(h.baseURL, d.Terraform),
	}
	if !fingerprintPattern.MatchString(r.Fingerprint) {
		v.SelfURL = "" // not one the page could look up again
	}
	if v.Title == "" {
		v.Title = strings.TrimSpace(r.ResourceType + " " + r.ResourceID)
	}
	for name := range d.Changes {
		v.Attributes = append(v.Attributes, name)
	}
	slices.Sort(v.Attributes)
	links, err := h.links.Links(ctx, r.Fingerprint, resourceKey(r))
	if err != nil {
		v.LinksFailed = true
		return v, err
	}
	for _, l := range links {
		v.Links = append(v.Links, linkOf(l))
	}
	return v, nil
}

// resourceKey is ticket.ResourceKey of the record's drift, the key the
// sinks' receipts are filed under.
func resourceKey(r *store.Record) string {
	return ticket.ResourceKey(&drift.Drift{
		ResourceType:    r.ResourceType,
		ResourceID:      r.ResourceID,
		ResourceAddress: r.ResourceAddress,
		Terraform:       r.Drift.Terraform,
		Event:           &change.Change{Provider: change.Provider(r.Provider), Account: r.AccountID},
	})
}

func linkOf(l Link) linkView {
	v := linkView{Kind: "other", Text: l.Label}
	if kindPattern.MatchString(string(l.Kind)) {
		v.Kind = string(l.Kind) // a CSS class: link-issue, link-pull
	}
	switch l.Kind {
	case LinkIssue:
		v.Title = "issue"
	case LinkPull:
		v.Title = "pull request"
	default:
		v.Title = string(l.Kind)
	}
	if v.Text == "" {
		v.Text = v.Title
	}
	if u, ok := safeURL(l.URL); ok {
		v.URL = u
	}
	return v
}
