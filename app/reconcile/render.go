package reconcile

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/edit"
)

// What the App writes on GitHub, as pure functions of what happened, so
// each is tested against a golden file.

// Marker is the hidden line that ties an issue or pull request to its
// resource, the one the drift issue carries (ticket/ghissue.Marker):
// <!-- tfdrift:resource=<state>[#<workspace>]/<address> -->, every value
// percent-encoded so that it holds no space, "<" or ">" and cannot end
// the comment early, and "/" (and "#" in the state) escaped so that two
// resources never share a marker.
func Marker(res Resource) string {
	id := markerValue(res.State, "#")
	if ws := res.Workspace; ws != "" && ws != "default" {
		id += "#" + markerValue(ws, "#/")
	}
	return "<!-- tfdrift:resource=" + id + "/" + markerValue(res.Address, "/") + " -->"
}

// markerValue percent-encodes "%", spaces and control bytes, "<" and ">",
// every byte outside ASCII, and the bytes of extra.
func markerValue(s, extra string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '%' || c == '<' || c == '>' || strings.IndexByte(extra, c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// acceptMarker tells an accept pull request from a drift issue.
const acceptMarker = "<!-- tfdrift:accept -->"

// acceptView is what an accept pull request shows.
type acceptView struct {
	Resource Resource
	// Drifts are the folded drifts, oldest first.
	Drifts []*drift.Drift
	// Changes are the folded attribute changes the edit was made from
	// (terraform's own values when it was asked).
	Changes map[string]drift.AttrChange
	Plan    *edit.Plan
	Skipped []string
	Issue   int
	// Link is a file's line at the edit's base commit.
	Link func(file string, line int) string
	// Proved says whether terraform proves the edit on this server; why
	// not, when not.
	Proved  bool
	NoProof string
}

// PullTitle is an accept pull request's title.
func PullTitle(address string) string { return "Accept drift: " + address }

// maxDiff bounds the diff in a pull request body; the whole diff is in
// the pull request's own Files tab.
const maxDiff = 40000

func (v acceptView) body() string {
	var b strings.Builder
	b.WriteString(Marker(v.Resource) + "\n" + acceptMarker + "\n")
	fmt.Fprintf(&b, "The cloud's %s changed outside Terraform. This pull request changes the code to match, so that `terraform plan` shows no changes for it.\n\n", code(v.Resource.Address))
	b.WriteString("### What changed in the cloud\n\n")
	b.WriteString(whoTable(v.Drifts))
	b.WriteString("\n")
	b.WriteString(changeTable(v.Changes))
	b.WriteString("\n### The edit\n\n")
	diff := v.Plan.Diff()
	if len(diff) > maxDiff {
		diff = clip(diff, maxDiff) + "\n(the diff is cut here; the Files changed tab has all of it)"
	}
	b.WriteString(fence("diff", diff))
	if len(v.Plan.Edits) > 0 {
		b.WriteString("\n")
	}
	for _, e := range v.Plan.Edits {
		for _, n := range e.Notes {
			fmt.Fprintf(&b, "- [%s](%s): %s\n", code(fmt.Sprintf("%s:%d", e.File, n.Line)), v.Link(e.File, n.Line), text(n.Text))
		}
	}
	if len(v.Plan.Refusals) > 0 {
		b.WriteString("\n### Not edited\n\nThese attributes still differ from the cloud; the edit leaves them alone:\n\n")
		b.WriteString(refusalList(v.Plan.Refusals, v.Link))
	}
	if len(v.Skipped) > 0 {
		b.WriteString("\n### Not accepted\n\n")
		for _, s := range v.Skipped {
			b.WriteString("- " + text(s) + "\n")
		}
	}
	b.WriteString("\n### Proof\n\n")
	if v.Proved {
		b.WriteString("The check run **tfdrift proof** runs `terraform plan -target=" + v.Resource.Address + "` on this branch: it passes when the plan shows no changes.\n")
	} else {
		b.WriteString("The check run **tfdrift proof** is neutral: " + text(v.NoProof) + " Run `terraform plan` on this branch to see that it shows no changes.\n")
	}
	if v.Issue > 0 {
		fmt.Fprintf(&b, "\nCloses #%d\n", v.Issue)
	}
	b.WriteString("\n---\nMerging resolves the drift as accepted. To put the cloud back instead, close this pull request and comment `/tfdrift revert` on the issue.\n")
	return b.String()
}

// whoTable lists each drift: when, who, from where, which call, which
// attributes.
func whoTable(ds []*drift.Drift) string {
	var b strings.Builder
	b.WriteString("| When | Who | From | Call | Attributes |\n|---|---|---|---|---|\n")
	for _, d := range ds {
		attrs := make([]string, 0, len(d.Changes))
		for _, a := range d.Attributes() {
			attrs = append(attrs, code(a))
		}
		call := d.CloudTrailEvent()
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", when(d), cell(who(d), 120), cell(d.SourceIP(), 60),
			cell(call, 80), strings.Join(attrs, ", "))
	}
	return b.String()
}

// changeTable lists each folded attribute change: what state has and
// what the cloud has now.
func changeTable(changes map[string]drift.AttrChange) string {
	names := make([]string, 0, len(changes))
	for n := range changes {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("| Attribute | Change |\n|---|---|\n")
	for _, n := range names {
		fmt.Fprintf(&b, "| %s | %s |\n", code(n), cell(changeText(changes[n]), 400))
	}
	return b.String()
}

// changeText is an attribute change in one line: its diff, else state's
// value → the cloud's.
func changeText(c drift.AttrChange) string {
	if c.Diff != "" {
		return c.Diff
	}
	return compact(c.Expected) + " → " + compact(c.Actual)
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// refusalList is the refusals with links to the expressions that stopped
// them.
func refusalList(rs []edit.Refusal, link func(string, int) string) string {
	var b strings.Builder
	for _, r := range rs {
		what := code(r.Address + "." + r.Attribute)
		if r.File == "" {
			fmt.Fprintf(&b, "- %s: %s\n", what, text(r.Reason))
			continue
		}
		fmt.Fprintf(&b, "- %s at [%s](%s): %s\n", what, code(fmt.Sprintf("%s:%d", r.File, r.Line)), link(r.File, r.Line), text(r.Reason))
	}
	return b.String()
}

func who(d *drift.Drift) string {
	if u := d.User(); u != "" {
		return u
	}
	return "unknown"
}

func when(d *drift.Drift) string {
	t := d.DetectedAt
	if d.Event != nil && !d.Event.Time.IsZero() {
		t = d.Event.Time
	}
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// commitMessage says who changed what in the cloud, and what the commit
// does about it.
func (v acceptView) commitMessage() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Accept drift of %s\n\n", v.Resource.Address)
	for _, d := range v.Drifts {
		call := d.CloudTrailEvent()
		if call == "" {
			call = "a call the audit log names no further"
		}
		fmt.Fprintf(&b, "%s changed %s in the cloud (%s, %s).\n", who(d), strings.Join(d.Attributes(), ", "), call, when(d))
	}
	b.WriteString("\nThis commit makes the code match, so that terraform plan shows no\nchanges for the resource.\n\nDrifts: ")
	fps := make([]string, len(v.Drifts))
	for i, d := range v.Drifts {
		fps[i] = d.Fingerprint
	}
	b.WriteString(strings.Join(fps, ", ") + "\n")
	return b.String()
}

// dryRun is accept's reply with --dry-run: the edit, and what it leaves.
func (v acceptView) dryRun() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Dry run: this edit would make the code match the cloud for %s; nothing was committed.\n\n", code(v.Resource.Address))
	b.WriteString(fence("diff", clip(v.Plan.Diff(), maxDiff)))
	if len(v.Plan.Refusals) > 0 {
		b.WriteString("\nNot edited:\n\n" + refusalList(v.Plan.Refusals, v.Link))
	}
	for _, s := range v.Skipped {
		b.WriteString("- " + text(s) + "\n")
	}
	return b.String()
}

// nothingToEdit explains why no pull request was opened: every
// attribute was refused (or nothing could be accepted at all).
func (v acceptView) nothingToEdit() string {
	var b strings.Builder
	fmt.Fprintf(&b, "No pull request: tfdrift cannot write an edit of the code that accepts the drift of %s.\n\n", code(v.Resource.Address))
	if len(v.Plan.Refusals) > 0 {
		b.WriteString(refusalList(v.Plan.Refusals, v.Link))
	}
	for _, s := range v.Skipped {
		b.WriteString("- " + text(s) + "\n")
	}
	b.WriteString("\nChange the code by hand, or comment `/tfdrift revert` to put the cloud back.\n")
	return b.String()
}

// updated is the comment on an open accept pull request that was made
// again.
func updated(why string, base string, drifts []*drift.Drift) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Updated: %s, so the edit was made again from %s (the default branch head) and the branch was force-pushed with one new commit. It now holds these drifts:\n\n", why, code(short(base)))
	b.WriteString(whoTable(drifts))
	return b.String()
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// untilText says how long an ignore lasts.
func untilText(expires time.Time) string {
	if expires.IsZero() {
		return "until the resource drifts to another value"
	}
	return "until " + expires.UTC().Format("2006-01-02 15:04 UTC") + ", or until the resource drifts to another value"
}
