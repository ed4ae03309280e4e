package githubfake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// GitHub's page sizes.
const (
	defaultPerPage = 30
	maxPerPage     = 100
)

// paginate cuts one page out of items as GitHub does (per_page default
// 30, at most 100; page from 1) and sets the Link header: next and last
// while there are more pages, first and prev after the first.
func paginate[T any](c *call, items []T) []T {
	q := c.r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per <= 0 {
		per = defaultPerPage
	}
	per = min(per, maxPerPage)
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	last := max(1, (len(items)+per-1)/per)
	link := func(p int, rel string) string {
		q2 := c.r.URL.Query()
		q2.Set("page", strconv.Itoa(p))
		if q.Has("per_page") {
			q2.Set("per_page", strconv.Itoa(per))
		}
		return fmt.Sprintf(`<%s?%s>; rel="%s"`, c.apiURL(c.r.URL.EscapedPath()), q2.Encode(), rel)
	}
	var links []string
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(min(page-1, last), "prev"))
	}
	if len(links) > 0 {
		c.w.h.Set("Link", strings.Join(links, ", "))
	}
	start := (page - 1) * per
	if start >= len(items) {
		return nil
	}
	return items[start:min(start+per, len(items))]
}

// etagOf is a weak ETag of a representation, as GitHub sends for JSON.
func etagOf(contentType string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(contentType))
	h.Write([]byte{0})
	h.Write(body)
	return `W/"` + hex.EncodeToString(h.Sum(nil))[:32] + `"`
}

// etagMatches compares If-None-Match with weak comparison (RFC 9110).
func etagMatches(inm, etag string) bool {
	if inm == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(inm, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}
