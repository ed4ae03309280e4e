package jira

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	gojira "github.com/andygrunwald/go-jira"
	"github.com/tfdrift/tfdrift/detector/drift"
	"github.com/tfdrift/tfdrift/ticket"
)

// Defaults of the create_ticket action.
const (
	DefaultName           = "jira"
	DefaultProject        = "INFRA"
	DefaultIssueType      = "Task"
	DefaultDoneTransition = "Done"
	DefaultTimeout        = 20 * time.Second
)

// Search APIs. Jira Cloud retired /rest/api/2/search for
// /rest/api/2/search/jql; Server and Data Center only have the former.
const (
	SearchJQL    = "jql"
	SearchLegacy = "legacy"
)

// Options configure the Jira sink. Set Email and APIToken (Jira Cloud) or
// PersonalAccessToken (Server/Data Center), not both.
type Options struct {
	// Name is the sink's name; default "jira".
	Name string
	// URL is the site: https://example.atlassian.net.
	URL                 string
	Email               string
	APIToken            string
	PersonalAccessToken string
	// Project, IssueType and Summary are used when the notice's
	// create_ticket action does not set them. Summary is the text before
	// ": <resource>".
	Project   string
	IssueType string
	Summary   string
	// Labels and Components are set on every ticket, besides the marker
	// labels "tfdrift" and "tfdrift-<resource hash>".
	Labels     []string
	Components []string
	// CustomFields are set on every ticket: "customfield_10010": "x", or
	// an object where Jira wants one ({"value": "High"}).
	CustomFields map[string]any
	// DoneTransition is the transition a resolved drift runs (matched by
	// name, or by target status name, case-insensitively).
	DoneTransition string
	// Search picks the search endpoint; default SearchJQL with an API
	// token, SearchLegacy with a personal access token.
	Search     string
	CodeLink   ticket.CodeLink
	Timeout    time.Duration
	HTTPClient *http.Client
	Now        func() time.Time
}

// Sink opens, comments and transitions Jira issues.
type Sink struct {
	o      Options
	client *gojira.Client
	r      Renderer
}

// New checks o and returns the sink.
func New(o Options) (*Sink, error) {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if o.URL == "" {
		return nil, fmt.Errorf("jira %s: url is required", o.Name)
	}
	if u, err := url.Parse(o.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("jira %s: url %q: want https://your-site", o.Name, o.URL)
	}
	cloud := o.Email != "" || o.APIToken != ""
	switch {
	case cloud && o.PersonalAccessToken != "":
		return nil, fmt.Errorf("jira %s: set email and api_token (Jira Cloud) or personal_access_token (Server/Data Center), not both", o.Name)
	case cloud && (o.Email == "" || o.APIToken == ""):
		return nil, fmt.Errorf("jira %s: Jira Cloud needs both email and api_token", o.Name)
	case !cloud && o.PersonalAccessToken == "":
		return nil, fmt.Errorf("jira %s: set email and api_token, or personal_access_token", o.Name)
	}
	if o.Search == "" {
		o.Search = SearchLegacy
		if cloud {
			o.Search = SearchJQL
		}
	}
	if o.Search != SearchJQL && o.Search != SearchLegacy {
		return nil, fmt.Errorf("jira %s: search %q (want %s or %s)", o.Name, o.Search, SearchJQL, SearchLegacy)
	}
	if o.Project == "" {
		o.Project = DefaultProject
	}
	if o.IssueType == "" {
		o.IssueType = DefaultIssueType
	}
	if o.DoneTransition == "" {
		o.DoneTransition = DefaultDoneTransition
	}
	for _, l := range o.Labels {
		if l == "" || strings.ContainsAny(l, " \t\n") {
			return nil, fmt.Errorf("jira %s: label %q: Jira labels cannot be empty or hold spaces", o.Name, l)
		}
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	base := http.DefaultTransport
	if o.HTTPClient != nil && o.HTTPClient.Transport != nil {
		base = o.HTTPClient.Transport
	}
	var hc *http.Client
	if cloud {
		hc = (&gojira.BasicAuthTransport{Username: o.Email, Password: o.APIToken, Transport: base}).Client()
	} else {
		hc = (&gojira.BearerAuthTransport{Token: o.PersonalAccessToken, Transport: base}).Client()
	}
	client, err := gojira.NewClient(hc, o.URL)
	if err != nil {
		return nil, fmt.Errorf("jira %s: %w", o.Name, err)
	}
	return &Sink{o: o, client: client, r: Renderer{CodeLink: o.CodeLink}}, nil
}

// Name is the sink's name.
func (s *Sink) Name() string { return s.o.Name }

// Renderer returns the sink's renderer, for previews.
func (s *Sink) Renderer() *Renderer { return &s.r }

// Send applies n: a ticket (or a comment) per drifted resource, or the
// resolution of the open ticket. The receipt is the ticket's key and
// browse URL; for a group, each drift's ticket (Receipt.PerDrift).
//
// A receipt an earlier delivery left (n.Refs) names the ticket directly,
// so a resolve transitions exactly the ticket its drift opened, and a
// further drift comments on it without a search (Jira Cloud's search
// index lags behind a create by seconds). Without one, or when that
// ticket is gone or done, the sink searches by its marker label.
func (s *Sink) Send(ctx context.Context, n *ticket.Notice) (ticket.Receipt, error) {
	ctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	spec := s.spec(n)
	switch {
	case n.Kind == ticket.KindGroup && n.Group != nil:
		// Tickets stay one per resource, storm or not.
		return s.each(ctx, n, spec, n.Group.Drifts)
	case n.Drift == nil:
		return ticket.Receipt{}, ticket.Permanentf("jira %s: %s notice without a drift", s.o.Name, n.Kind)
	case n.Kind == ticket.KindResolved:
		return s.resolve(ctx, n, spec, n.Drift)
	default:
		return s.open(ctx, n, spec, n.Drift)
	}
}

// spec merges the notice's create_ticket fields over the defaults.
func (s *Sink) spec(n *ticket.Notice) ticket.TicketSpec {
	sp := ticket.TicketSpec{System: ticket.TypeJira, Project: s.o.Project, IssueType: s.o.IssueType, Summary: s.o.Summary}
	if n.Target != "" {
		sp.Project = n.Target
	}
	if t := n.Ticket; t != nil {
		if t.Project != "" {
			sp.Project = t.Project
		}
		if t.IssueType != "" {
			sp.IssueType = t.IssueType
		}
		if t.Summary != "" {
			sp.Summary = t.Summary
		}
	}
	return sp
}

// each handles a group's drifts one by one (ticket.SendEach).
func (s *Sink) each(ctx context.Context, n *ticket.Notice, spec ticket.TicketSpec, ds []*drift.Drift) (ticket.Receipt, error) {
	return ticket.SendEach(ds, ticket.TypeJira, "jira "+s.o.Name, func(d *drift.Drift) (ticket.Receipt, error) { return s.open(ctx, n, spec, d) })
}

// links are the receipts of other systems that a ticket about d shows:
// the GitHub issue of its resource.
func links(n *ticket.Notice, d *drift.Drift) []ticket.Ref {
	if ref, ok := n.SystemRef(ticket.TypeGitHub, d); ok {
		return []ticket.Ref{ref}
	}
	return nil
}

// receipt is the receipt of issue key.
func (s *Sink) receipt(key string) ticket.Receipt {
	return ticket.Receipt{System: ticket.TypeJira, ExternalID: key, URL: strings.TrimSuffix(s.o.URL, "/") + "/browse/" + url.PathEscape(key)}
}

func (s *Sink) open(ctx context.Context, n *ticket.Notice, spec ticket.TicketSpec, d *drift.Drift) (ticket.Receipt, error) {
	label := MarkerLabel(d)
	mark := eventMarker(ticket.KindDrift, d)
	is, err := s.known(ctx, n, spec, d)
	if err != nil {
		return ticket.Receipt{}, err
	}
	if is == nil {
		issues, err := s.search(ctx, spec.Project, label)
		if err != nil {
			return ticket.Receipt{}, err
		}
		if len(issues) > 0 {
			is = &issues[0]
		}
	}
	if is != nil {
		if recorded(is, mark) {
			return s.receipt(is.Key), nil
		}
		_, resp, err := s.client.Issue.AddCommentWithContext(ctx, is.Key, &gojira.Comment{Body: s.r.DriftComment(d, links(n, d)...)})
		if err := s.classify("comment on "+is.Key, resp, err); err != nil {
			return ticket.Receipt{}, err
		}
		return s.receipt(is.Key), nil
	}
	fields := &gojira.IssueFields{
		Project:     gojira.Project{Key: spec.Project},
		Type:        gojira.IssueType{Name: spec.IssueType},
		Summary:     s.r.Summary(spec.Summary, d),
		Description: s.r.Description(d, links(n, d)...),
		Labels:      append([]string{"tfdrift", label}, s.o.Labels...),
	}
	for _, c := range s.o.Components {
		fields.Components = append(fields.Components, &gojira.Component{Name: c})
	}
	if len(s.o.CustomFields) > 0 {
		fields.Unknowns = map[string]any{}
		for k, v := range s.o.CustomFields {
			fields.Unknowns[k] = v
		}
	}
	created, resp, err := s.client.Issue.CreateWithContext(ctx, &gojira.Issue{Fields: fields})
	if err := s.classify("create issue in "+spec.Project, resp, err); err != nil {
		return ticket.Receipt{}, err
	}
	if created == nil || created.Key == "" {
		// Created, but we cannot tell which: a retry finds it by label.
		return ticket.Receipt{}, fmt.Errorf("jira %s: create issue in %s: the answer named no issue key", s.o.Name, spec.Project)
	}
	return s.receipt(created.Key), nil
}

// known returns the open ticket a receipt of this sink names for d's
// resource in spec's project, or nil when there is none (no receipt, or
// its ticket was deleted, moved or is done).
func (s *Sink) known(ctx context.Context, n *ticket.Notice, spec ticket.TicketSpec, d *drift.Drift) (*gojira.Issue, error) {
	ref, ok := n.RefFrom(s.o.Name, d)
	if !ok || ref.ExternalID == "" || !strings.HasPrefix(ref.ExternalID, spec.Project+"-") {
		return nil, nil
	}
	is, resp, err := s.client.Issue.GetWithContext(ctx, ref.ExternalID, &gojira.GetQueryOptions{Fields: strings.Join(searchFields, ",")})
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if err := s.classify("get "+ref.ExternalID, resp, err); err != nil {
		return nil, err
	}
	if is == nil || is.Fields == nil || done(is) || !slices.Contains(is.Fields.Labels, MarkerLabel(d)) {
		return nil, nil
	}
	return is, nil
}

// done reports whether an issue's status is in the Done category.
func done(is *gojira.Issue) bool {
	st := is.Fields.Status
	return st != nil && (strings.EqualFold(st.StatusCategory.Key, "done") || strings.EqualFold(st.Name, "done"))
}

func (s *Sink) resolve(ctx context.Context, n *ticket.Notice, spec ticket.TicketSpec, d *drift.Drift) (ticket.Receipt, error) {
	var issues []gojira.Issue
	is, err := s.known(ctx, n, spec, d)
	if err != nil {
		return ticket.Receipt{}, err
	}
	if is != nil {
		issues = []gojira.Issue{*is}
	} else if issues, err = s.search(ctx, spec.Project, MarkerLabel(d)); err != nil {
		return ticket.Receipt{}, err
	}
	mark := eventMarker(ticket.KindResolved, d)
	for i := range issues {
		is := &issues[i]
		if !recorded(is, mark) {
			_, resp, err := s.client.Issue.AddCommentWithContext(ctx, is.Key, &gojira.Comment{Body: s.r.ResolvedComment(d)})
			if err := s.classify("comment on "+is.Key, resp, err); err != nil {
				return ticket.Receipt{}, err
			}
		}
		if err := s.transition(ctx, is.Key); err != nil {
			return ticket.Receipt{}, err
		}
	}
	if len(issues) == 0 {
		// Nothing open to resolve: the ticket was closed by hand, or never
		// opened. The receipt of an earlier delivery still stands.
		if ref, ok := n.RefFrom(s.o.Name, d); ok {
			return ref.Receipt, nil
		}
		return ticket.Receipt{}, nil
	}
	return s.receipt(issues[0].Key), nil
}

func (s *Sink) transition(ctx context.Context, key string) error {
	ts, resp, err := s.client.Issue.GetTransitionsWithContext(ctx, key)
	if err := s.classify("transitions of "+key, resp, err); err != nil {
		return err
	}
	var names []string
	for _, t := range ts {
		if strings.EqualFold(t.Name, s.o.DoneTransition) || strings.EqualFold(t.To.Name, s.o.DoneTransition) {
			resp, err := s.client.Issue.DoTransitionWithContext(ctx, key, t.ID)
			return s.classify(fmt.Sprintf("transition %s to %q", key, t.Name), resp, err)
		}
		names = append(names, t.Name)
	}
	return ticket.Permanentf("jira %s: %s has no transition %q (available: %s); set done_transition", s.o.Name, key, s.o.DoneTransition, strings.Join(names, ", "))
}

// searchFields are what a search returns: enough to find the markers.
var searchFields = []string{"summary", "status", "labels", "description", "comment"}

// search returns the open issues of project carrying label, newest first.
func (s *Sink) search(ctx context.Context, project, label string) ([]gojira.Issue, error) {
	jql := fmt.Sprintf("project = %s AND labels = %s AND statusCategory != Done ORDER BY created DESC", jqlString(project), jqlString(label))
	var issues []gojira.Issue
	var resp *gojira.Response
	var err error
	if s.o.Search == SearchJQL {
		issues, resp, err = s.client.Issue.SearchV2JQLWithContext(ctx, jql, &gojira.SearchOptionsV2{MaxResults: 10, Fields: searchFields})
	} else {
		issues, resp, err = s.client.Issue.SearchWithContext(ctx, jql, &gojira.SearchOptions{MaxResults: 10, Fields: searchFields})
	}
	if err := s.classify("search "+project, resp, err); err != nil {
		return nil, err
	}
	return issues, nil
}

// recorded reports whether the issue's description or comments hold mark.
func recorded(is *gojira.Issue, mark string) bool {
	if is.Fields == nil {
		return false
	}
	if strings.Contains(is.Fields.Description, mark) {
		return true
	}
	if is.Fields.Comments != nil {
		return slices.ContainsFunc(is.Fields.Comments.Comments, func(c *gojira.Comment) bool { return c != nil && strings.Contains(c.Body, mark) })
	}
	return false
}

// classify turns a go-jira result into the outbox's error kinds.
func (s *Sink) classify(what string, resp *gojira.Response, err error) error {
	if err == nil {
		return nil
	}
	what = fmt.Sprintf("jira %s: %s", s.o.Name, what)
	if resp == nil || resp.Response == nil || resp.StatusCode/100 == 2 {
		// No response (network), or a 2xx whose body did not decode:
		// both worth a retry.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	// Create leaves the body unread; other calls have read it into err.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	resp.Body.Close()
	reason := strings.TrimSpace(string(body))
	if reason == "" {
		reason = err.Error()
	}
	return ticket.StatusError(what, resp.StatusCode, resp.Header, []byte(reason), s.o.Now())
}

// jqlString quotes s for JQL.
func jqlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
