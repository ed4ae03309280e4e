package ghissue

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/gitops/ghapi"
	"github.com/tfdrift/tfdrift/ticket"
)

// writer is one drift's delivery to one repository, under the
// repository's lock.
type writer struct {
	s *Sink
	t Target
	r *repoState
	n *ticket.Notice
	d *drift.Drift
}

func (w *writer) gh() *github.Client { return w.t.Client.GitHub() }

// index is the repository's open tfdrift issues: by resource ID (the
// oldest wins should two carry one marker), the overflow issue, and how
// many count toward the cap.
type index struct {
	byResource map[string]*github.Issue
	overflow   *github.Issue
	count      int
}

// list reads the open issues labelled tfdrift (ETag-cached, so an
// unchanged list costs no rate limit) and indexes them by marker. The
// issues list is consistent at once, unlike the search API.
func (w *writer) list(ctx context.Context) (*index, error) {
	issues, err := w.t.Client.ListOpenIssues(ctx, w.t.Owner, w.t.Repo, LabelTfdrift)
	if err != nil {
		return nil, classify(w.t, "list open issues", err)
	}
	idx := &index{byResource: map[string]*github.Issue{}}
	for _, is := range issues {
		if !openedByApp(is) && !strings.EqualFold(is.GetUser().GetLogin(), w.t.Author) {
			// Anyone who may label issues could copy a marker into an
			// issue of their own and have tfdrift write there; only a
			// GitHub App (the tfdrift App, or Actions' GITHUB_TOKEN
			// for check --open-issues) opens the issues tfdrift keeps.
			continue
		}
		body := is.GetBody()
		if IsOverflow(body) {
			if idx.overflow == nil {
				idx.overflow = is
			}
			continue
		}
		id, ok := ParseMarker(body)
		if !ok {
			continue
		}
		idx.count++
		if _, dup := idx.byResource[id]; !dup {
			idx.byResource[id] = is
		}
	}
	return idx, nil
}

// openedByApp reports whether a GitHub App's bot account opened is:
// people cannot, so a marker in a person's issue is never trusted (but
// for Target.Author's, when tfdrift writes with that person's token).
func openedByApp(is *github.Issue) bool { return is.GetUser().GetType() == "Bot" }

func (w *writer) receipt(is *github.Issue) ticket.Receipt {
	return ticket.Receipt{System: ticket.TypeGitHub, ExternalID: fmt.Sprintf("%s#%d", w.t.FullName(), is.GetNumber()), URL: is.GetHTMLURL()}
}

// options are the body options for d in this repository.
func (w *writer) options(earlier *History) BodyOptions {
	o := BodyOptions{HTMLURL: w.codeURL(), Commands: w.t.Commands, Earlier: earlier}
	if ref, ok := w.n.SystemRef(ticket.TypeJira, w.d); ok {
		o.JiraKey, o.JiraURL = ref.ExternalID, ref.URL
	}
	return o
}

// codeURL is the html_url of the repository that holds d's code: the
// target's, or a sibling on the same server when the location names
// another repository.
func (w *writer) codeURL() string {
	repo := w.d.Terraform.Repo
	base := strings.TrimSuffix(w.t.HTMLURL, "/")
	if repo == "" || strings.EqualFold(repo, w.t.FullName()) {
		return base
	}
	server, ok := strings.CutSuffix(base, "/"+w.t.FullName())
	if !ok {
		return ""
	}
	return server + "/" + repo
}

// valueCaps are the per-value bounds tried, largest first, until a body
// fits GitHub's limit.
var valueCaps = []int{DefaultMaxValue, 4 << 10, 1 << 10, 256, 64}

// fit renders with the largest value bound under which the text fits.
func fit(render func(maxValue int) string) string {
	var out string
	for _, c := range valueCaps {
		if out = render(c); utf8.RuneCountInString(out) <= bodyBudget {
			break
		}
	}
	return out
}

// open delivers a drift: a comment on its resource's issue, a new issue,
// or an entry in the overflow issue at the cap.
func (w *writer) open(ctx context.Context) (ticket.Receipt, Outcome, error) {
	idx, err := w.list(ctx)
	if err != nil {
		return ticket.Receipt{}, "", err
	}
	if is := idx.byResource[ResourceID(w.d)]; is != nil {
		return w.update(ctx, is)
	}
	if idx.count >= w.t.maxOpen() {
		return w.overflow(ctx, idx)
	}
	if ov := idx.overflow; ov != nil {
		// The resource gets its own issue now: it leaves the overflow
		// list first, so a retry after a failed create still creates.
		if err := w.unlist(ctx, ov); err != nil {
			return ticket.Receipt{}, "", err
		}
	}
	rc, err := w.create(ctx)
	if err != nil {
		return ticket.Receipt{}, "", err
	}
	return rc, Opened, nil
}

func (w *writer) create(ctx context.Context) (ticket.Receipt, error) {
	labels := Labels(w.d, w.t.Labels)
	if err := w.ensureLabels(ctx, labels); err != nil {
		return ticket.Receipt{}, err
	}
	title := Title(w.d)
	body := fit(func(mv int) string { o := w.options(nil); o.MaxValue = mv; return Body(w.d, o) })
	req := &github.IssueRequest{Title: &title, Body: &body, Labels: &labels}
	if len(w.t.Assignees) > 0 {
		assignees := slices.Clone(w.t.Assignees)
		req.Assignees = &assignees
	}
	is, _, err := w.gh().Issues.Create(ctx, w.t.Owner, w.t.Repo, req)
	if err != nil && req.Assignees != nil && refusedAssignees(err) {
		// A login in the root's assignees that cannot be assigned (not a
		// collaborator, misspelt) must not keep the drift from its issue.
		w.s.o.Logger.Warn("github issues: assignees refused; opening the issue without them", "repo", w.t.FullName(),
			"assignees", strings.Join(*req.Assignees, ","), "error", err.Error())
		req.Assignees = nil
		is, _, err = w.gh().Issues.Create(ctx, w.t.Owner, w.t.Repo, req)
	}
	if err != nil {
		return ticket.Receipt{}, classify(w.t, "open an issue for "+ResourceID(w.d), err)
	}
	return w.receipt(is), nil
}

// refusedAssignees reports whether a create failed on its assignees.
func refusedAssignees(err error) bool {
	var ve *ghapi.ValidationError
	if !errors.As(ghapi.Wrap("create", err), &ve) {
		return false
	}
	return slices.ContainsFunc(ve.Errors, func(f ghapi.FieldError) bool { return f.Field == "assignees" || f.Field == "assignee" })
}

// update adds a later drift to its resource's issue: a comment (unless a
// retried delivery posted it already), then the body's table and the
// labels. The body's history records the delivery last, so its presence
// means the whole update happened.
func (w *writer) update(ctx context.Context, is *github.Issue) (ticket.Receipt, Outcome, error) {
	h, _ := ParseHistory(is.GetBody())
	if h.Has(w.d) {
		return w.receipt(is), Unchanged, nil
	}
	mark := eventMarker(w.d)
	posted, err := w.hasComment(ctx, is.GetNumber(), mark)
	if err != nil {
		return ticket.Receipt{}, "", err
	}
	if !posted {
		text := fit(func(mv int) string { o := w.options(nil); o.MaxValue = mv; return Comment(w.d, o) })
		if _, _, err := w.gh().Issues.CreateComment(ctx, w.t.Owner, w.t.Repo, is.GetNumber(), &github.IssueComment{Body: &text}); err != nil {
			return ticket.Receipt{}, "", classify(w.t, fmt.Sprintf("comment on #%d", is.GetNumber()), err)
		}
	}
	body := fit(func(mv int) string { o := w.options(h); o.MaxValue = mv; return Body(w.d, o) })
	req := &github.IssueRequest{Body: &body}
	if labels := relabel(is.Labels, w.d); labels != nil {
		if err := w.ensureLabels(ctx, labels); err != nil {
			return ticket.Receipt{}, "", err
		}
		req.Labels = &labels
	}
	if _, _, err := w.gh().Issues.Edit(ctx, w.t.Owner, w.t.Repo, is.GetNumber(), req); err != nil {
		return ticket.Receipt{}, "", classify(w.t, fmt.Sprintf("update #%d", is.GetNumber()), err)
	}
	return w.receipt(is), Commented, nil
}

// relabel returns an issue's labels after d: the severity label raised to
// d's when d is more severe, d's change type added. nil when nothing
// changes; labels people added are kept.
func relabel(current []*github.Label, d *drift.Drift) []string {
	var names []string
	sev := severity(d)
	for _, l := range current {
		name := l.GetName()
		if s, ok := strings.CutPrefix(strings.ToLower(name), severityPrefix); ok {
			sev = drift.Max(sev, drift.Severity(s))
			continue
		}
		names = append(names, name)
	}
	names = append(names, severityPrefix+string(sev))
	if ct := changePrefix + string(d.ChangeType); !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, ct) }) {
		names = append(names, ct)
	}
	if sameLabels(current, names) {
		return nil
	}
	return names
}

func sameLabels(current []*github.Label, names []string) bool {
	if len(current) != len(names) {
		return false
	}
	for _, l := range current {
		if !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, l.GetName()) }) {
			return false
		}
	}
	return true
}

// overflow lists the drift in the overflow issue, opening it if needed.
func (w *writer) overflow(ctx context.Context, idx *index) (ticket.Receipt, Outcome, error) {
	limit := w.t.maxOpen()
	if ov := idx.overflow; ov != nil {
		st := parseOverflow(ov.GetBody())
		if st.covers(w.d) {
			return w.receipt(ov), Overflowed, nil
		}
		body := fitOverflow(st.upsert(w.d), limit)
		if _, _, err := w.gh().Issues.Edit(ctx, w.t.Owner, w.t.Repo, ov.GetNumber(), &github.IssueRequest{Body: &body}); err != nil {
			return ticket.Receipt{}, "", classify(w.t, fmt.Sprintf("update the overflow issue #%d", ov.GetNumber()), err)
		}
		return w.receipt(ov), Overflowed, nil
	}
	labels := []string{LabelTfdrift}
	if err := w.ensureLabels(ctx, labels); err != nil {
		return ticket.Receipt{}, "", err
	}
	title := OverflowTitle
	body := fitOverflow((&overflowState{}).upsert(w.d), limit)
	is, _, err := w.gh().Issues.Create(ctx, w.t.Owner, w.t.Repo, &github.IssueRequest{Title: &title, Body: &body, Labels: &labels})
	if err != nil {
		return ticket.Receipt{}, "", classify(w.t, "open the overflow issue", err)
	}
	return w.receipt(is), Overflowed, nil
}

// unlist removes d's resource from the overflow issue, closing it when
// nothing is left.
func (w *writer) unlist(ctx context.Context, ov *github.Issue) error {
	st, found := parseOverflow(ov.GetBody()).remove(ResourceID(w.d))
	if !found {
		return nil
	}
	body := fitOverflow(st, w.t.maxOpen())
	req := &github.IssueRequest{Body: &body}
	if len(st.Entries) == 0 {
		closed, completed := "closed", "completed"
		req.State, req.StateReason = &closed, &completed
	}
	if _, _, err := w.gh().Issues.Edit(ctx, w.t.Owner, w.t.Repo, ov.GetNumber(), req); err != nil {
		return classify(w.t, fmt.Sprintf("update the overflow issue #%d", ov.GetNumber()), err)
	}
	return nil
}

// resolve closes the resource's issue with a comment that says why. No
// open issue is nothing to do: closed by a person, or by an earlier
// delivery of this resolution.
func (w *writer) resolve(ctx context.Context) (ticket.Receipt, Outcome, error) {
	idx, err := w.list(ctx)
	if err != nil {
		return ticket.Receipt{}, "", err
	}
	is := idx.byResource[ResourceID(w.d)]
	if is == nil {
		if ov := idx.overflow; ov != nil {
			if err := w.unlist(ctx, ov); err != nil {
				return ticket.Receipt{}, "", err
			}
		}
		var rc ticket.Receipt
		if ref, ok := w.n.RefFrom(w.s.o.Name, w.d); ok {
			rc = ref.Receipt
		}
		return rc, NotOpen, nil
	}
	posted, err := w.hasComment(ctx, is.GetNumber(), resolvedMarker(w.d))
	if err != nil {
		return ticket.Receipt{}, "", err
	}
	if !posted {
		text := ResolvedComment(w.d, w.n.Reason)
		if _, _, err := w.gh().Issues.CreateComment(ctx, w.t.Owner, w.t.Repo, is.GetNumber(), &github.IssueComment{Body: &text}); err != nil {
			return ticket.Receipt{}, "", classify(w.t, fmt.Sprintf("comment on #%d", is.GetNumber()), err)
		}
	}
	closed, completed := "closed", "completed"
	if _, _, err := w.gh().Issues.Edit(ctx, w.t.Owner, w.t.Repo, is.GetNumber(), &github.IssueRequest{State: &closed, StateReason: &completed}); err != nil {
		return ticket.Receipt{}, "", classify(w.t, fmt.Sprintf("close #%d", is.GetNumber()), err)
	}
	return w.receipt(is), Closed, nil
}

// commentWindow is how long before a drift's detection its comments are
// looked for: clocks differ, and the comment always comes after.
const commentWindow = 24 * time.Hour

// hasComment reports whether the issue has a comment holding mark. It
// reads only comments updated since a day before the drift was detected
// (or before now, for a drift without a time), page by page
// (ETag-cached), and stops at the first match.
func (w *writer) hasComment(ctx context.Context, number int, mark string) (bool, error) {
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	at := w.d.DetectedAt
	if at.IsZero() {
		at = w.s.o.Now()
	}
	since := at.Add(-commentWindow).UTC().Truncate(time.Second)
	opts.Since = &since
	for pages := 0; pages < maxPages; pages++ {
		cs, resp, err := w.gh().Issues.ListComments(ctx, w.t.Owner, w.t.Repo, number, opts)
		if err != nil {
			return false, classify(w.t, fmt.Sprintf("list comments of #%d", number), err)
		}
		if slices.ContainsFunc(cs, func(c *github.IssueComment) bool { return strings.Contains(c.GetBody(), mark) }) {
			return true, nil
		}
		if resp == nil || resp.NextPage == 0 || resp.NextPage <= opts.Page {
			return false, nil
		}
		opts.Page = resp.NextPage
	}
	return false, classify(w.t, fmt.Sprintf("list comments of #%d", number), fmt.Errorf("more than %d pages", maxPages))
}

// maxPages bounds a listing: 100 pages of 100.
const maxPages = 100

// ensureLabels creates the labels the repository lacks, with their
// colours. The repository's labels are listed once, on its first drift,
// and remembered; a label someone else created meanwhile ("already
// exists") counts as there.
func (w *writer) ensureLabels(ctx context.Context, names []string) error {
	if w.r.labels == nil {
		known := map[string]bool{}
		opts := &github.ListOptions{PerPage: 100}
		for pages := 0; ; pages++ {
			ls, resp, err := w.gh().Issues.ListLabels(ctx, w.t.Owner, w.t.Repo, opts)
			if err != nil {
				return classify(w.t, "list labels", err)
			}
			for _, l := range ls {
				known[strings.ToLower(l.GetName())] = true
			}
			if resp == nil || resp.NextPage == 0 || resp.NextPage <= opts.Page || pages >= maxPages {
				break
			}
			opts.Page = resp.NextPage
		}
		w.r.labels = known
	}
	for _, name := range names {
		if w.r.labels[strings.ToLower(name)] {
			continue
		}
		color, desc := labelStyle(name)
		l := &github.Label{Name: &name, Color: &color}
		if desc != "" {
			l.Description = &desc
		}
		if _, _, err := w.gh().Issues.CreateLabel(ctx, w.t.Owner, w.t.Repo, l); err != nil && !alreadyExists(err) {
			return classify(w.t, fmt.Sprintf("create the label %q", name), err)
		}
		w.r.labels[strings.ToLower(name)] = true
	}
	return nil
}

func alreadyExists(err error) bool {
	var ve *ghapi.ValidationError
	return errors.As(ghapi.Wrap("create label", err), &ve) &&
		slices.ContainsFunc(ve.Errors, func(f ghapi.FieldError) bool { return f.Code == "already_exists" })
}
