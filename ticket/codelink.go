package ticket

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/tfdrift/tfdrift/detector/drift"
)

// CodeLink turns a drift's code location into a URL, for "see
// modules/network/sg.tf:12" links in Slack, Jira and email.
//
// Template holds placeholders: {owner}, {repo}, {ref}, {file}, {line};
// for GitHub, "https://github.com/{owner}/{repo}/blob/{ref}/{file}#L{line}".
// Owner, Repo and Ref fill the first three (they may also be written into
// the template directly). {file} is the path relative to the repository
// root, each segment escaped.
type CodeLink struct {
	Template string
	Owner    string
	Repo     string
	Ref      string
}

// GitHubBlobTemplate is the URL template of a file line on GitHub.
const GitHubBlobTemplate = "https://github.com/{owner}/{repo}/blob/{ref}/{file}#L{line}"

// URL returns the link to loc, or "" when there is no template or the
// location has no file. For a resource inside a remote module the location
// is the module call, which is in this repository, so it is linked too.
func (c CodeLink) URL(loc drift.Location) string {
	if c.Template == "" || loc.File == "" {
		return ""
	}
	segs := strings.Split(strings.TrimPrefix(loc.File, "/"), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	line := ""
	if loc.Line > 0 {
		line = strconv.Itoa(loc.Line)
	}
	r := strings.NewReplacer(
		"{owner}", url.PathEscape(c.Owner),
		"{repo}", url.PathEscape(c.Repo),
		"{ref}", url.PathEscape(c.Ref),
		"{file}", strings.Join(segs, "/"),
		"{line}", line,
	)
	u := r.Replace(c.Template)
	if line == "" {
		u = strings.TrimSuffix(u, "#L")
	}
	return u
}

// CodeText is the location as text: "modules/network/sg.tf:12", or "" when
// unknown.
func CodeText(loc drift.Location) string {
	if loc.File == "" {
		return ""
	}
	if loc.Line > 0 {
		return loc.File + ":" + strconv.Itoa(loc.Line)
	}
	return loc.File
}
