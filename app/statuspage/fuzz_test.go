package statuspage

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// FuzzParseQuery: any query string is accepted or refused without a
// panic, and an accepted one survives the page's own links: rendering it
// back and parsing again gives the same filters.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "status=open&status=resolved", "status=all&severity=HIGH", "repo=acme/infra&account=1&type=aws_s3_bucket&q=web",
		"drift=0123456789abcdef0123456789abcdef", "cursor=" + sealCursor("42"), "q=%3Cscript%3E", "severity=&repo=", "x=1", "q=%ff", "status=open;x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := parseQuery(raw)
		if err != nil {
			if _, ok := err.(*QueryError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if len(q.statuses) == 0 {
			t.Fatal("accepted query with no status")
		}
		v := q.values()
		if q.cursor != "" {
			v.Set(paramCursor, sealCursor(q.cursor))
		}
		again, err := parseQuery(v.Encode())
		if err != nil {
			t.Fatalf("the page's own link %q is refused: %v", v.Encode(), err)
		}
		if !slices.Equal(q.statuses, again.statuses) || q.severity != again.severity || q.repo != again.repo ||
			q.account != again.account || q.typ != again.typ || q.text != again.text || q.drift != again.drift || q.cursor != again.cursor {
			t.Fatalf("round trip changed the query: %+v → %+v", q, again)
		}
	})
}

// FuzzRenderInert renders a drift whose every user-controlled value, and
// a link URL, come from the fuzzer: the page stays inert (no script, no
// handler attribute, no link but http(s) and its own).
func FuzzRenderInert(f *testing.F) {
	f.Add(`aws_s3_bucket.b["<script>"]`, `"><img onerror=x>`, "javascript:alert(1)", "acme/infra", "main.tf", "javascript:alert(1)")
	f.Add("a", "b", "c", `x"/y`, "../x", " JAVASCRIPT:x")
	f.Add("</td></tr></table><script>", "'", "</style><script>", "a/b", "a\x00b", "https://github.com/a?<script>")
	f.Fuzz(func(t *testing.T, addr, user, tag, repo, file, link string) {
		e := &entry{typ: "aws_s3_bucket", id: addr, addr: addr, sev: drift.High, acct: tag, region: user, user: user,
			tags: []string{tag}, loc: drift.Location{Repo: repo, Ref: tag, File: file, Line: 1},
			changes: map[string]drift.AttrChange{tag: {Expected: 1, Actual: 2}},
			links:   []Link{{Kind: LinkKind(tag), Label: user, URL: link}}}
		st, l := dataset{e}.fakes(t)
		l.keys = nil
		w := get(t, newTestHandler(t, st, l, Options{}), "/")
		if w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
		assertInert(t, w.Body.String())
		// Links out go to GitHub (the permalink) or to the link's own host.
		hosts := []string{"github.com"}
		if u, ok := safeURL(link); ok {
			p, _ := url.Parse(u)
			hosts = append(hosts, p.Host)
		}
		for _, h := range parse(t, w.Body.String()).hrefs() {
			if strings.HasPrefix(h, "?") {
				continue
			}
			if u, err := url.Parse(h); err != nil || !slices.ContainsFunc(hosts, func(s string) bool { return strings.EqualFold(s, u.Host) }) {
				t.Errorf("link %q goes to a host no value named (%q)", h, hosts)
			}
		}
	})
}
