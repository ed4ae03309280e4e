package statuspage

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// newTestHandler is the page over the fakes with the test clock, open
// access (a loopback listener) unless o says otherwise.
func newTestHandler(t testing.TB, d Drifts, l Linker, o Options) *Handler {
	t.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return testNow }
	}
	if o.Auth.Secrets == nil && o.Auth.BearerTokens == nil && !o.Auth.RequireClientCert {
		o.Auth.AllowUnauthenticated = true
	}
	h, err := New(d, l, o)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// get serves one GET of target.
func get(t testing.TB, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

// doc is a parsed page.
type doc struct{ root *html.Node }

func parse(t testing.TB, body string) doc {
	t.Helper()
	n, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc{n}
}

// each calls fn for every element node.
func (d doc) each(fn func(n *html.Node)) {
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			fn(n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(d.root)
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(n *html.Node, class string) bool {
	v, _ := attr(n, "class")
	return slices.Contains(strings.Fields(v), class)
}

// fingerprints lists the rows' fingerprints in page order.
func (d doc) fingerprints() []string {
	var out []string
	d.each(func(n *html.Node) {
		if n.Data == "tr" && hasClass(n, "drift") {
			v, _ := attr(n, "data-fingerprint")
			out = append(out, v)
		}
	})
	return out
}

// groups lists "severity repo account count" for each table, in order.
func (d doc) groups() []string {
	var out []string
	var sev string
	d.each(func(n *html.Node) {
		switch {
		case n.Data == "section" && hasClass(n, "sev"):
			sev, _ = attr(n, "data-severity")
		case n.Data == "table" && hasClass(n, "drifts"):
			repo, _ := attr(n, "data-repo")
			acct, _ := attr(n, "data-account")
			rows := 0
			doc{n}.each(func(m *html.Node) {
				if m.Data == "tr" && hasClass(m, "drift") {
					rows++
				}
			})
			out = append(out, sev+" "+repo+" "+acct+" "+strconv.Itoa(rows))
		}
	})
	return out
}

// hrefs lists every href in the page.
func (d doc) hrefs() []string {
	var out []string
	d.each(func(n *html.Node) {
		if v, ok := attr(n, "href"); ok {
			out = append(out, v)
		}
	})
	return out
}

// byID finds the element with id.
func (d doc) byID(id string) *html.Node {
	var found *html.Node
	d.each(func(n *html.Node) {
		if v, _ := attr(n, "id"); v == id && found == nil {
			found = n
		}
	})
	return found
}

// text is the text content of n.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// fingerprintsOf returns the fingerprints of the dataset entries at idx.
func (ds dataset) fingerprintsOf(idx ...int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, ds[i].drift().Fingerprint)
	}
	return out
}
