package statuspage

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// LinkKind says what a Link points at.
type LinkKind string

// Link kinds the page labels itself; any other kind is shown by its Label.
const (
	// LinkIssue is the drift's GitHub issue (or another tracker's ticket).
	LinkIssue LinkKind = "issue"
	// LinkPull is the reconciliation pull request.
	LinkPull LinkKind = "pull"
)

// Link is one place a drift is tracked: the GitHub issue the App opened,
// the accept PR, a Jira ticket.
type Link struct {
	Kind LinkKind
	// Label is the short text of the link ("#42", "OPS-7"); the kind's
	// name when empty.
	Label string
	// URL is where the link goes. Only absolute http and https URLs
	// become links; anything else (javascript:, data:, a relative path)
	// is shown as plain text.
	URL string
}

// Linker finds the links of a drift. The lead implements it over the
// store's sink receipts (keyed by drift fingerprint and resource key);
// NoLinks is the implementation for a deployment without receipts.
//
// Links is called once per row shown, with the request's context. An
// error does not fail the page: the row says its links are unavailable
// and the error is logged.
type Linker interface {
	Links(ctx context.Context, fingerprint, resourceKey string) ([]Link, error)
}

// NoLinks is a Linker that knows no links.
type NoLinks struct{}

// Links returns none.
func (NoLinks) Links(context.Context, string, string) ([]Link, error) { return nil, nil }

// safeURL returns u in normal form when it may become an href: an
// absolute http(s) URL with a host and no user info (a
// "https://github.com@evil.example" link reads as GitHub and is not).
func safeURL(u string) (string, bool) {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || p.Host == "" || p.User != nil || p.Opaque != "" {
		return "", false
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https":
	default:
		return "", false
	}
	if strings.Trim(p.Host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") != "" {
		return "", false // a host no browser resolves ("https://\"" parses, then prints as %22)
	}
	p.Scheme = strings.ToLower(p.Scheme)
	out := p.String()
	if q, err := url.Parse(out); err != nil || q.Host != p.Host {
		return "", false // what is written must read back as the same link
	}
	return out, true
}

// GitHub's rules for owner and repository names: an owner is letters,
// digits and hyphens; a repository also allows '.' and '_'.
var repoName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$`)

// validRepo reports whether repo is "owner/name" as GitHub spells it.
func validRepo(repo string) bool {
	if !repoName.MatchString(repo) {
		return false
	}
	name := repo[strings.IndexByte(repo, '/')+1:]
	return name != "." && name != ".."
}

// permalink is the URL of loc's lines at loc.Ref in loc.Repo:
// base/<owner>/<repo>/blob/<ref>/<file>#L<line>-L<end>. It returns "" when
// loc does not name a repository, a ref and a file, or when any of them
// could climb out of the blob path.
func permalink(base string, loc drift.Location) string {
	if base == "" || !validRepo(loc.Repo) || loc.Ref == "" || loc.File == "" {
		return ""
	}
	ref, ok := escapeSegments(loc.Ref)
	if !ok {
		return ""
	}
	file, ok := escapeSegments(strings.TrimPrefix(loc.File, "/"))
	if !ok {
		return ""
	}
	var b strings.Builder
	b.WriteString(base)
	b.WriteByte('/')
	b.WriteString(loc.Repo)
	b.WriteString("/blob/")
	b.WriteString(ref)
	b.WriteByte('/')
	b.WriteString(file)
	if loc.Line > 0 {
		b.WriteString("#L")
		b.WriteString(strconv.Itoa(loc.Line))
		if loc.EndLine > loc.Line {
			b.WriteString("-L")
			b.WriteString(strconv.Itoa(loc.EndLine))
		}
	}
	return b.String()
}

// escapeSegments path-escapes each '/'-separated segment of p, refusing
// empty, "." and ".." segments and control characters.
func escapeSegments(p string) (string, bool) {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if s == "" || s == "." || s == ".." || strings.ContainsFunc(s, isControl) {
			return "", false
		}
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/"), true
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// codeText is loc as "file:line" (or "file:line-end"), "" without a file.
func codeText(loc drift.Location) string {
	if loc.File == "" {
		return ""
	}
	s := loc.File
	if loc.Line > 0 {
		s += ":" + strconv.Itoa(loc.Line)
		if loc.EndLine > loc.Line {
			s += "-" + strconv.Itoa(loc.EndLine)
		}
	}
	return s
}
