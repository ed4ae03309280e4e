package statuspage

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/internal/golden"
)

// TestGolden pins the rendered HTML of the fixed datasets.
func TestGolden(t *testing.T) {
	fixed := fixedDataset()
	tests := []struct {
		name   string
		ds     dataset
		target string
		status int
	}{
		{"default", fixed, "/", 200},
		{"filtered", fixed, "/?severity=high&repo=acme%2Finfra&status=open&status=resolved", 200},
		{"all-statuses", fixed, "/?status=all", 200},
		{"single", fixed, "/?drift=" + fixed[1].drift().Fingerprint, 200},
		{"empty", fixed, "/?type=aws_lambda_function", 200},
		{"bad-query", fixed, "/?severity=%3Cscript%3Ealert(1)%3C/script%3E", 400},
		{"hostile", hostileDataset(), "/", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, l := tc.ds.fakes(t)
			w := get(t, newTestHandler(t, st, l, Options{}), tc.target)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			// The stylesheet is the same in every page (TestSecurityHeaders
			// checks it against the CSP); the golden files hold the rest.
			css, err := files.ReadFile("templates/style.css")
			if err != nil {
				t.Fatal(err)
			}
			body := strings.Replace(w.Body.String(), string(css), "/* templates/style.css */", 1)
			golden.CheckString(t, "testdata/"+tc.name+".html", body)
		})
	}
}

// fixedGroups are the tables of the fixed dataset's default page:
// "severity repo account rows".
var fixedGroups = []string{
	"critical acme/infra 111111111111 1",
	"high acme/infra 111111111111 1",
	"high acme/network 222222222222 1",
	"medium acme/infra 111111111111 1",
	"medium  111111111111 1",
	"low  333333333333 1",
	"info acme/gcp acme-prod 1",
}

// TestGrouping checks the sections and tables of the default page: most
// severe first, then by repository and account with the unnamed last.
func TestGrouping(t *testing.T) {
	ds := fixedDataset()
	st, l := ds.fakes(t)
	d := parse(t, get(t, newTestHandler(t, st, l, Options{}), "/").Body.String())
	if diff := cmp.Diff(fixedGroups, d.groups()); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(ds.fingerprintsOf(0, 1, 2, 8, 3, 4, 5), d.fingerprints()); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

// TestFilters runs each filter through the page: the rows shown, and what
// the store was asked to filter itself.
func TestFilters(t *testing.T) {
	ds := fixedDataset()
	tests := []struct {
		query string
		want  []int // dataset indexes, in page order
		// storeWant is the first List filter's store-side part.
		storeWant store.Filter
	}{
		{"", []int{0, 1, 2, 8, 3, 4, 5}, store.Filter{Status: defaultStatuses}},
		{"status=open", []int{0, 1, 2, 3, 4, 5}, store.Filter{Status: []store.Status{store.StatusOpen}}},
		{"status=resolved&status=ignored", []int{6, 7}, store.Filter{Status: []store.Status{store.StatusResolved, store.StatusIgnored}}},
		{"status=all&severity=high", []int{0, 1, 6, 2}, store.Filter{Status: allStatuses, Severity: drift.High}},
		{"severity=HIGH", []int{0, 1, 2}, store.Filter{Status: defaultStatuses, Severity: drift.High}},
		{"repo=acme/infra", []int{0, 1, 8}, store.Filter{Status: defaultStatuses}},
		{"account=111111111111", []int{0, 1, 8, 3}, store.Filter{Status: defaultStatuses}},
		{"account=acme-prod", []int{5}, store.Filter{Status: defaultStatuses}},
		{"type=aws_security_group", []int{1, 2}, store.Filter{Status: defaultStatuses, ResourceType: "aws_security_group"}},
		{"q=SECURITY_GROUP.W", []int{1}, store.Filter{Status: defaultStatuses}},
		{"q=i-0abc", []int{4}, store.Filter{Status: defaultStatuses}}, // an unmanaged resource by its cloud ID
		{"repo=acme/infra&account=222222222222", nil, store.Filter{Status: defaultStatuses}},
		// An HTML form sends its empty fields.
		{"severity=&repo=&account=&type=&q=", []int{0, 1, 2, 8, 3, 4, 5}, store.Filter{Status: defaultStatuses}},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			st, l := ds.fakes(t)
			w := get(t, newTestHandler(t, st, l, Options{}), "/?"+tc.query)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if diff := cmp.Diff(ds.fingerprintsOf(tc.want...), parse(t, w.Body.String()).fingerprints()); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			got := st.listCalls()[0]
			got.Limit = 0
			if diff := cmp.Diff(tc.storeWant, got); diff != "" {
				t.Errorf("store filter (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFormKeepsTheFilters: the form shows the query it was sent, so a
// second submit keeps them.
func TestFormKeepsTheFilters(t *testing.T) {
	st, l := fixedDataset().fakes(t)
	d := parse(t, get(t, newTestHandler(t, st, l, Options{}), "/?status=resolved&severity=low&repo=acme/infra&account=111111111111&type=aws_s3_bucket&q=tmp").Body.String())
	got := map[string][]string{}
	d.each(func(n *html.Node) {
		name, _ := attr(n, "name")
		switch n.Data {
		case "input":
			typ, _ := attr(n, "type")
			v, _ := attr(n, "value")
			if _, checked := attr(n, "checked"); typ != "checkbox" || checked {
				got[name] = append(got[name], v)
			}
		case "option":
			if _, sel := attr(n, "selected"); sel {
				v, _ := attr(n, "value")
				got["severity"] = append(got["severity"], v)
			}
		}
	})
	want := map[string][]string{"status": {"resolved"}, "severity": {"low"}, "repo": {"acme/infra"},
		"account": {"111111111111"}, "type": {"aws_s3_bucket"}, "q": {"tmp"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("form values (-want +got):\n%s", diff)
	}
}

// TestBadQueries: every unknown parameter or value is a 400 that says
// what is wrong, and a hostile value never comes back as markup.
func TestBadQueries(t *testing.T) {
	tests := []struct{ query, want string }{
		{"severity=urgent", `filter severity: unknown severity "urgent"`},
		{"status=closed", `filter status: unknown status "closed"`},
		{"status=open&status=done", `unknown status "done"`},
		{"repo=acme", `filter repo: "acme" is not a repository name`},
		{"repo=acme/infra/extra", `is not a repository name`},
		{"repo=acme/..", `is not a repository name`},
		{"account=111%20222", `filter account: "111 222" is not an account ID`},
		{"type=AWS_S3", `filter type: "AWS_S3" is not a resource type`},
		{"q=" + strings.Repeat("x", 201), "filter q: is 201 characters, at most 200"},
		{"q=a%00b", "filter q: value is not printable text"},
		{"q=%ff", "filter q: value is not printable text"},
		{"severity=high&severity=low", "filter severity: given 2 times, at most once"},
		{"color=red", `unknown filter "color" (want one of status, severity, repo, account, type, q, drift, cursor)`},
		{"drift=xyz", `filter drift: "xyz" is not a drift fingerprint`},
		{"drift=0123456789abcdef0123456789abcdef&severity=high", "filter drift: shows one drift; it cannot be combined"},
		{"cursor=42", "filter cursor: this page link is damaged"},
		{"cursor=42.000000000000", "filter cursor: this page link is damaged"},
		{"q=%zz", "query string is not URL-encoded"},
		{"q=" + strings.Repeat("a", 4100), "query string is 4102 bytes, at most 4096"},
		{"%3Cscript%3E=1", `unknown filter "\u003cscript\u003e"`},
		{"severity=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", `unknown severity "\"\u003e\u003cscript\u003ealert(1)\u003c/script\u003e"`},
		{"repo=javascript:alert(1)", `"javascript:alert(1)" is not a repository name`},
	}
	for _, tc := range tests {
		t.Run(tc.query[:min(len(tc.query), 40)], func(t *testing.T) {
			st, l := fixedDataset().fakes(t)
			w := get(t, newTestHandler(t, st, l, Options{}), "/?"+tc.query)
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", w.Code)
			}
			d := parse(t, w.Body.String())
			alert := ""
			d.each(func(n *html.Node) {
				if hasClass(n, "error") {
					alert = text(n)
				}
			})
			// The message is text: compare it as the browser shows it.
			if want := html.UnescapeString(strings.NewReplacer(`\u003c`, "<", `\u003e`, ">").Replace(tc.want)); !strings.Contains(alert, want) {
				t.Errorf("message %q does not contain %q", alert, want)
			}
			assertInert(t, w.Body.String())
			if calls := st.listCalls(); len(calls) != 0 {
				t.Errorf("a refused query read the store: %v", calls)
			}
		})
	}
}

// assertInert fails when a page holds anything that could run: a script
// element, an event-handler attribute, or a link that is not the page's
// own (?…) or an absolute http(s) URL.
func assertInert(t *testing.T, body string) {
	t.Helper()
	d := parse(t, body)
	d.each(func(n *html.Node) {
		switch n.Data {
		case "script", "iframe", "object", "embed", "img", "base", "link", "meta":
			if n.Data == "meta" {
				if _, ok := attr(n, "http-equiv"); !ok {
					return
				}
			}
			t.Errorf("page holds a <%s> element", n.Data)
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("<%s> has an event handler %s=%q", n.Data, a.Key, a.Val)
			}
			if a.Key == "style" {
				t.Errorf("<%s> has an inline style (the CSP forbids it)", n.Data)
			}
		}
	})
	for _, h := range d.hrefs() {
		if strings.HasPrefix(h, "?") {
			continue
		}
		u, err := url.Parse(h)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			t.Errorf("unsafe link %q", h)
		}
	}
}

// TestHostileValues renders values that users, cloud APIs and the link
// store control, made of markup, quotes and script URLs: they come out
// as text, and no script URL becomes a link.
func TestHostileValues(t *testing.T) {
	ds := hostileDataset()
	st, l := ds.fakes(t)
	w := get(t, newTestHandler(t, st, l, Options{}), "/")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	body := w.Body.String()
	assertInert(t, body)
	d := parse(t, body)
	page := text(d.root)
	for _, s := range []string{`aws_s3_bucket.b["<script>alert(1)</script>"]`, `"><img src=x onerror=alert(3)>`,
		"javascript:alert(4)", "<b>bold</b>", `'single' "double"`, `<svg onload=alert(5)>`, `us-east-1" onmouseover="alert(2)`,
		"<i>#1</i>", "javascript:alert(10)"} {
		if !strings.Contains(page, s) {
			t.Errorf("page text lacks %q (a value must show as text)", s)
		}
	}
	// The only links out are the one safe pull request link and the
	// traversal-free permalinks; every script, data, scheme-relative and
	// user-info URL stayed text.
	var out []string
	for _, h := range d.hrefs() {
		if !strings.HasPrefix(h, "?") {
			out = append(out, h)
		}
	}
	want := []string{"https://github.com/acme/infra/pull/2?a=%22%3e%3cscript%3e"}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("links out (-want +got):\n%s", diff)
	}
}

// TestSecurityHeaders: every answer carries them, and the CSP's style
// hash is the page's one stylesheet, so the page is styled and runs no
// script.
func TestSecurityHeaders(t *testing.T) {
	st, l := fixedDataset().fakes(t)
	open := newTestHandler(t, st, l, Options{})
	locked := newTestHandler(t, st, l, Options{Auth: Auth{Secrets: []string{"0123456789abcdef"}}})
	tests := []struct {
		name   string
		h      http.Handler
		method string
		target string
		status int
	}{
		{"page", open, "GET", "/", 200},
		{"head", open, "HEAD", "/", 200},
		{"bad query", open, "GET", "/?severity=x", 400},
		{"unknown drift", open, "GET", "/?drift=0123456789abcdef0123456789abcdef", 404},
		{"other path", open, "GET", "/other", 404},
		{"post", open, "POST", "/", 405},
		{"unauthorized", locked, "GET", "/", 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			tc.h.ServeHTTP(w, httptest.NewRequest(tc.method, tc.target, nil))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			h := w.Header()
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe") || strings.Contains(csp, "script-src") {
				t.Errorf("CSP %q allows scripts or unsafe sources", csp)
			}
			for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
				"X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
				if h.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, h.Get(k), v)
				}
			}
			if tc.status == 405 && h.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q", h.Get("Allow"))
			}
		})
	}
	// The hash in the CSP matches the inline stylesheet byte for byte.
	body := get(t, open, "/").Body.String()
	start := strings.Index(body, "<style>") + len("<style>")
	end := strings.Index(body, "</style>")
	sum := sha256.Sum256([]byte(body[start:end]))
	want := "style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	if csp := get(t, open, "/").Header().Get("Content-Security-Policy"); !strings.Contains(csp, want) {
		t.Errorf("CSP %q does not allow the page's stylesheet (%s)", csp, want)
	}
}

// TestPagination walks every page through the page's own Next links and
// sees every drift once, in the store's order, with bounded store calls.
func TestPagination(t *testing.T) {
	var ds dataset
	for i := range 130 {
		repo := "acme/infra"
		if i%10 != 0 {
			repo = "acme/other"
		}
		ds = append(ds, &entry{typ: "aws_security_group", id: fmt.Sprintf("sg-%03d", i), addr: fmt.Sprintf("aws_security_group.g%03d", i),
			sev: drift.High, acct: "111111111111", user: "u", loc: drift.Location{Repo: repo, Ref: "main", File: "sg.tf", Line: i + 1},
			hrsAgo: 130 - i})
	}
	newest := func(idx []int) []string { // the store's order: newest first
		out := ds.fingerprintsOf(idx...)
		slices.Reverse(out)
		return out
	}
	all := make([]int, len(ds))
	var infra []int
	for i := range ds {
		all[i] = i
		if i%10 == 0 {
			infra = append(infra, i)
		}
	}
	tests := []struct {
		name      string
		query     string
		opts      Options
		want      []string
		pages     int
		partial   bool
		maxLimit  int
		maxPerReq int // store rows read by one request, chart aside
	}{
		{"store filters only", "", Options{PageSize: 50}, newest(all), 3, false, 50, 50},
		// acme/infra is one drift in ten: each page reads on until full.
		{"in-memory filter", "repo=acme/infra", Options{PageSize: 5}, newest(infra), 3, false, 5, 130},
		// A small scan budget cuts pages short; the next page goes on.
		{"scan budget", "repo=acme/infra", Options{PageSize: 5, ScanLimit: 20}, newest(infra), 7, true, 5, 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, l := ds.fakes(t)
			h := newTestHandler(t, st, l, tc.opts)
			var got []string
			target := "/?" + tc.query
			pages, sawPartial := 0, false
			for target != "" {
				pages++
				if pages > 50 {
					t.Fatal("pagination does not end")
				}
				before := len(st.listCalls())
				w := get(t, h, target)
				if w.Code != 200 {
					t.Fatalf("page %d: status %d: %s", pages, w.Code, w.Body)
				}
				d := parse(t, w.Body.String())
				got = append(got, d.fingerprints()...)
				if strings.Contains(text(d.byID("summary")), "without filling the page") {
					sawPartial = true
				}
				read := 0
				for _, c := range st.listCalls()[before:] {
					if c.Since.IsZero() { // the chart reads with Since
						if c.Limit > tc.maxLimit {
							t.Errorf("page %d asked the store for %d rows, page size %d", pages, c.Limit, tc.maxLimit)
						}
						read += c.Limit
					}
				}
				if read > tc.maxPerReq {
					t.Errorf("page %d read up to %d rows, bound %d", pages, read, tc.maxPerReq)
				}
				target = ""
				d.each(func(n *html.Node) {
					if rel, _ := attr(n, "rel"); rel == "next" {
						next, _ := attr(n, "href")
						target = "/" + next
					}
				})
				if first := ""; pages > 1 {
					d.each(func(n *html.Node) {
						if rel, _ := attr(n, "rel"); rel == "first" {
							first, _ = attr(n, "href")
						}
					})
					if want, _ := url.ParseQuery(tc.query); first != "?"+want.Encode() {
						t.Errorf("page %d links to the first page as %q, want %q", pages, first, "?"+want.Encode())
					}
				}
			}
			// Within a page rows are grouped; across pages each drift
			// shows once.
			slices.Sort(got)
			slices.Sort(tc.want)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("drifts over all pages (-want +got):\n%s", diff)
			}
			if pages != tc.pages || sawPartial != tc.partial {
				t.Errorf("%d pages (partial %v), want %d (partial %v)", pages, sawPartial, tc.pages, tc.partial)
			}
		})
	}
}

// TestChart counts drifts per day by their first sighting, over the last
// 30 days, with every filter but status, and says so when it stops at its
// limit.
func TestChart(t *testing.T) {
	ds := fixedDataset()
	counts := func(body string) map[string]string {
		out := map[string]string{}
		parse(t, body).each(func(n *html.Node) {
			if n.Data == "g" && hasClass(n, "day") {
				date, _ := attr(n, "data-date")
				c, _ := attr(n, "data-count")
				if c != "0" {
					out[date] = c + " " + text(n)
				}
			}
		})
		return out
	}
	tests := []struct {
		query string
		opts  Options
		want  map[string]string
		note  string
	}{
		{"", Options{}, map[string]string{
			"2026-03-14": "1 2026-03-14: 1 drift", "2026-03-13": "1 2026-03-13: 1 drift", "2026-03-12": "1 2026-03-12: 1 drift",
			"2026-03-11": "1 2026-03-11: 1 drift", "2026-03-09": "1 2026-03-09: 1 drift", "2026-03-06": "1 2026-03-06: 1 drift",
			"2026-02-27": "1 2026-02-27: 1 drift", "2026-02-22": "1 2026-02-22: 1 drift",
		}, "8 drifts first detected from 2026-02-13 to 2026-03-14"},
		// Status does not apply: the resolved drift of 02-22 still counts.
		{"severity=high&status=open", Options{}, map[string]string{
			"2026-03-14": "1 2026-03-14: 1 drift", "2026-03-13": "1 2026-03-13: 1 drift", "2026-03-12": "1 2026-03-12: 1 drift",
			"2026-02-22": "1 2026-02-22: 1 drift",
		}, "4 drifts"},
		{"repo=acme/infra", Options{}, map[string]string{
			"2026-03-14": "1 2026-03-14: 1 drift", "2026-03-13": "1 2026-03-13: 1 drift",
			"2026-03-09": "1 2026-03-09: 1 drift", "2026-02-22": "1 2026-02-22: 1 drift",
		}, "4 drifts"},
		// At its limit the chart counts the newest only, and says so.
		{"", Options{PageSize: 2, ScanLimit: 2, ChartLimit: 2}, map[string]string{
			"2026-03-14": "1 2026-03-14: 1 drift", "2026-03-13": "1 2026-03-13: 1 drift",
		}, "read only the 2 drifts recorded last"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			st, l := ds.fakes(t)
			body := get(t, newTestHandler(t, st, l, tc.opts), "/?"+tc.query).Body.String()
			if diff := cmp.Diff(tc.want, counts(body)); diff != "" {
				t.Errorf("bars (-want +got):\n%s", diff)
			}
			if fig := text(parse(t, body).byID("chart")); !strings.Contains(fig, tc.note) {
				t.Errorf("chart text %q lacks %q", fig, tc.note)
			}
			for _, c := range st.listCalls() {
				if !c.Since.IsZero() && (!c.Since.Equal(time.Date(2026, 2, 13, 0, 0, 0, 0, time.UTC)) || c.Status != nil) {
					t.Errorf("chart read %+v, want Since 2026-02-13 and every status", c)
				}
			}
		})
	}
}

// TestLinkErrors: a row whose links cannot be read still shows, says so,
// and keeps its permalink.
func TestLinkErrors(t *testing.T) {
	ds := fixedDataset()
	ds[0].failLinks = true
	st, l := ds.fakes(t)
	w := get(t, newTestHandler(t, st, l, Options{}), "/")
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	d := parse(t, w.Body.String())
	if len(d.fingerprints()) != 7 {
		t.Errorf("rows %d, want 7", len(d.fingerprints()))
	}
	if s := text(d.byID("summary")); !strings.Contains(s, "links of 1 drift could not be read") {
		t.Errorf("summary %q", s)
	}
	if !strings.Contains(w.Body.String(), "links unavailable") || !slices.Contains(d.hrefs(),
		"https://github.com/acme/infra/blob/"+sha+"/prod/iam.tf#L12-L30") {
		t.Error("the failed row lost its note or its permalink")
	}
	if len(l.asked) != 7 {
		t.Errorf("links asked %d times, want once per row (7)", len(l.asked))
	}
}

// TestStoreErrors: a failing store is a 500 that leaks nothing of the
// error.
func TestStoreErrors(t *testing.T) {
	st, l := fixedDataset().fakes(t)
	st.listErr = errors.New("pq: password authentication failed for user \"tfdrift\"")
	w := get(t, newTestHandler(t, st, l, Options{}), "/")
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", w.Code)
	}
	if b := w.Body.String(); strings.Contains(b, "password") || !strings.Contains(b, "the drift store could not be read") {
		t.Errorf("body: %s", b)
	}
}

// TestOneDrift: ?drift= shows one record whatever its status; each row
// links to it.
func TestOneDrift(t *testing.T) {
	ds := fixedDataset()
	st, l := ds.fakes(t)
	h := newTestHandler(t, st, l, Options{})
	resolved := ds[6].drift().Fingerprint
	d := parse(t, get(t, h, "/").Body.String())
	if !slices.Contains(d.hrefs(), "?drift="+ds[0].drift().Fingerprint) {
		t.Error("rows do not link to themselves")
	}
	w := get(t, h, "/?drift="+resolved)
	if got := parse(t, w.Body.String()).fingerprints(); w.Code != 200 || !slices.Equal(got, []string{resolved}) {
		t.Errorf("status %d rows %v, want the resolved drift alone", w.Code, got)
	}
	if w := get(t, h, "/?drift=00000000000000000000000000000000"); w.Code != 404 || !strings.Contains(w.Body.String(), "no drift has the fingerprint") {
		t.Errorf("unknown drift: status %d", w.Code)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	st, l := fixedDataset().fakes(t)
	open := Auth{AllowUnauthenticated: true}
	tests := []struct {
		name string
		d    Drifts
		l    Linker
		o    Options
		want string
	}{
		{"nil store", nil, l, Options{Auth: open}, "nil Drifts"},
		{"nil linker", st, nil, Options{Auth: open}, "nil Linker"},
		{"script base", st, l, Options{Auth: open, BaseURL: "javascript:alert(1)"}, "base URL"},
		{"relative base", st, l, Options{Auth: open, BaseURL: "/github"}, "base URL"},
		{"base with query", st, l, Options{Auth: open, BaseURL: "https://ghe.example?x=1"}, "base URL"},
		{"page size", st, l, Options{Auth: open, PageSize: 1001}, "page size 1001"},
		{"scan limit", st, l, Options{Auth: open, PageSize: 100, ScanLimit: 10}, "scan limit 10 below the page size 100"},
		{"no auth", st, l, Options{}, "no authentication configured"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.d, tc.l, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestBaseURL: a GitHub Enterprise Server address prefixes permalinks.
func TestBaseURL(t *testing.T) {
	st, l := fixedDataset().fakes(t)
	h := newTestHandler(t, st, l, Options{BaseURL: "https://ghe.example.com/"})
	d := parse(t, get(t, h, "/").Body.String())
	if !slices.Contains(d.hrefs(), "https://ghe.example.com/acme/infra/blob/"+sha+"/prod/iam.tf#L12-L30") {
		t.Errorf("no GHES permalink in %v", d.hrefs())
	}
}

func TestPermalink(t *testing.T) {
	tests := []struct {
		loc  drift.Location
		want string
	}{
		{drift.Location{Repo: "acme/infra", Ref: "abc", File: "main.tf", Line: 3, EndLine: 9}, "https://github.com/acme/infra/blob/abc/main.tf#L3-L9"},
		{drift.Location{Repo: "acme/infra", Ref: "abc", File: "main.tf", Line: 3}, "https://github.com/acme/infra/blob/abc/main.tf#L3"},
		{drift.Location{Repo: "acme/infra", Ref: "abc", File: "main.tf", Line: 3, EndLine: 3}, "https://github.com/acme/infra/blob/abc/main.tf#L3"},
		{drift.Location{Repo: "acme/infra", Ref: "abc", File: "main.tf"}, "https://github.com/acme/infra/blob/abc/main.tf"},
		{drift.Location{Repo: "acme/infra", Ref: "release/v1", File: "dir with space/a#b.tf", Line: 1}, "https://github.com/acme/infra/blob/release/v1/dir%20with%20space/a%23b.tf#L1"},
		{drift.Location{Repo: "acme/infra.tf", Ref: "abc", File: "/main.tf", Line: 1}, "https://github.com/acme/infra.tf/blob/abc/main.tf#L1"},
		{drift.Location{Repo: "", Ref: "abc", File: "main.tf", Line: 1}, ""},
		{drift.Location{Repo: "acme/infra", Ref: "", File: "main.tf", Line: 1}, ""},
		{drift.Location{Repo: "acme/infra", Ref: "abc", File: "", Line: 1}, ""},
		{drift.Location{Repo: "acme/infra", Ref: "..", File: "main.tf"}, ""},
		{drift.Location{Repo: "acme/infra", Ref: "abc", File: "a/../../x.tf"}, ""},
		{drift.Location{Repo: "acme/infra", Ref: "abc", File: "a//b.tf"}, ""},
		{drift.Location{Repo: "acme/infra", Ref: "abc", File: "a\nb.tf"}, ""},
		{drift.Location{Repo: "acme/../x", Ref: "abc", File: "main.tf"}, ""},
		{drift.Location{Repo: "-acme/infra", Ref: "abc", File: "main.tf"}, ""},
		{drift.Location{Repo: "acme/infra?x", Ref: "abc", File: "main.tf"}, ""},
	}
	for _, tc := range tests {
		if got := permalink(DefaultBaseURL, tc.loc); got != tc.want {
			t.Errorf("permalink(%+v) = %q, want %q", tc.loc, got, tc.want)
		}
	}
}

func TestSafeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://github.com/acme/infra/issues/1", "https://github.com/acme/infra/issues/1"},
		{"HTTP://Example.com/x", "http://Example.com/x"},
		{" https://github.com/x ", "https://github.com/x"},
		{"javascript:alert(1)", ""},
		{"JavaScript:alert(1)", ""},
		{"java\tscript:alert(1)", ""},
		{"data:text/html,x", ""},
		{"vbscript:x", ""},
		{"//evil.example/x", ""},
		{"/relative", ""},
		{"https://user:pw@github.com/", ""},
		{"https:///nohost", ""},
		{"mailto:a@b.c", ""},
		{"https://%zz", ""},
		{`https://"`, ""}, // parses, but prints as https://%22, which does not (a fuzz finding)
		{"https://a b/", ""},
		{"https://[::1]:8443/x", "https://[::1]:8443/x"},
	}
	for _, tc := range tests {
		got, ok := safeURL(tc.in)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("safeURL(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}
