package serve

import (
	"context"
	"strings"

	"github.com/tfdrift/tfdrift/app/statuspage"
	"github.com/tfdrift/tfdrift/app/store"
	"github.com/tfdrift/tfdrift/ticket"
)

// receiptLinks is the status page's Linker over the sinks' receipts: a
// drift's GitHub issue (or, later, its pull request) and its Jira
// ticket, found by its fingerprint or its resource.
type receiptLinks struct{ st store.Receipts }

var _ statuspage.Linker = receiptLinks{}

// maxLinks bounds the links of one row.
const maxLinks = 6

func (l receiptLinks) Links(ctx context.Context, fingerprint, resourceKey string) ([]statuspage.Link, error) {
	own, err := l.st.ReceiptsFor(ctx, fingerprint)
	if err != nil {
		return nil, err
	}
	byResource, err := l.st.ReceiptsForResource(ctx, resourceKey)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []statuspage.Link
	for _, r := range append(own, byResource...) {
		link, ok := linkOf(r)
		if !ok || seen[link.URL] || len(out) == maxLinks {
			continue
		}
		seen[link.URL] = true
		out = append(out, link)
	}
	return out, nil
}

// linkOf is the link a receipt makes: GitHub issues and pull requests,
// Jira tickets. Receipts without a URL (a PagerDuty dedup key, a Slack
// message) make none.
func linkOf(r store.Receipt) (statuspage.Link, bool) {
	if r.URL == "" {
		return statuspage.Link{}, false
	}
	switch r.System {
	case ticket.TypeGitHub:
		label := r.ExternalID
		if i := strings.LastIndexByte(label, '#'); i >= 0 {
			label = label[i:]
		} else if label != "" {
			label = "#" + label
		}
		kind := statuspage.LinkIssue
		if strings.Contains(r.URL, "/pull/") {
			kind = statuspage.LinkPull
		}
		return statuspage.Link{Kind: kind, Label: label, URL: r.URL}, true
	case ticket.TypeJira:
		return statuspage.Link{Kind: "jira", Label: r.ExternalID, URL: r.URL}, true
	}
	return statuspage.Link{}, false
}
