package statuspage

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// thousand is 1,000 unresolved drifts over every severity, 10 repositories
// and 5 accounts, each with an issue link and a permalink.
func thousand() dataset {
	sevs := []drift.Severity{drift.Critical, drift.High, drift.Medium, drift.Low, drift.Info}
	var ds dataset
	for i := range 1000 {
		ds = append(ds, &entry{
			typ: "aws_security_group", id: fmt.Sprintf("sg-%05d", i), addr: fmt.Sprintf("module.m%d.aws_security_group.g%d", i%10, i),
			sev: sevs[i%5], acct: fmt.Sprintf("%012d", i%5), region: "us-east-1", user: fmt.Sprintf("user%d@example.com", i%7),
			tags: []string{"network", "prod"},
			changes: map[string]drift.AttrChange{"ingress": {Expected: []any{}, Actual: []any{"22/tcp 0.0.0.0/0"}},
				"description": {Expected: "a", Actual: "b"}},
			loc:    drift.Location{Repo: fmt.Sprintf("acme/repo%d", i%10), Ref: sha, File: fmt.Sprintf("m%d/sg.tf", i%10), Line: i + 1, EndLine: i + 9},
			links:  []Link{{Kind: LinkIssue, Label: fmt.Sprintf("#%d", i), URL: fmt.Sprintf("https://github.com/acme/repo%d/issues/%d", i%10, i)}},
			hrsAgo: i % (24 * 30),
		})
	}
	return ds
}

// BenchmarkRender1000 serves the page of 1,000 drifts (grouping, links,
// the chart over the same records, the template) from an in-memory store,
// beside its baseline: encoding the same 1,000 records as JSON, the
// cheapest way any page could show them.
func BenchmarkRender1000(b *testing.B) {
	ds := thousand()
	st, l := ds.fakes(b)
	page := func(h http.Handler, rows int) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
				size = w.Body.Len()
			}
			if n := len(parse(b, w0(h)).fingerprints()); n != rows {
				b.Fatalf("%d rows, want %d", n, rows)
			}
			b.ReportMetric(float64(size), "bytes/page")
		}
	}
	b.Run("page", page(newTestHandler(b, st, l, Options{PageSize: 1000}), 1000))
	// The default page size: what one visit costs over a store of 1,000.
	b.Run("page-of-50", page(newTestHandler(b, st, l, Options{}), DefaultPageSize))
	b.Run("json-baseline", func(b *testing.B) {
		b.ReportAllocs()
		recs := make([]drift.Record, len(st.recs))
		for i, r := range st.recs {
			recs[i] = r.Drift
		}
		for b.Loop() {
			if _, err := json.Marshal(recs); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// w0 is one rendering of the page, for checking what was benchmarked.
func w0(h http.Handler) string {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	return w.Body.String()
}
