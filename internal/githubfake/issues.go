package githubfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Issue is an issue (or the issue side of a pull request) as a test
// sees it.
type Issue struct {
	Number      int
	ID          int64
	Title, Body string
	State       string // "open" or "closed"
	StateReason string // "", "completed", "not_planned", "reopened"
	Labels      []string
	Assignees   []string
	User        string
	IsPull      bool
	Locked      bool
	Comments    int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ClosedAt    time.Time
	ClosedBy    string
}

func (i *Issue) clone() Issue {
	c := *i
	c.Labels = slices.Clone(i.Labels)
	c.Assignees = slices.Clone(i.Assignees)
	return c
}

// Comment is an issue or pull request comment.
type Comment struct {
	ID        int64
	Issue     int
	Body      string
	User      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Label is a repository label.
type Label struct {
	ID          int64
	Name        string
	Color       string
	Description string
}

// Reaction is a reaction on an issue (CommentID 0) or on a comment.
type Reaction struct {
	ID        int64
	Issue     int
	CommentID int64
	Content   string
	User      string
	CreatedAt time.Time
}

// GitHub's limits on what an issue holds.
const (
	maxTitle     = 256
	maxBody      = 65536
	maxLabelName = 50
	maxLabelDesc = 100
)

var colorRe = regexp.MustCompile(`^[0-9a-fA-F]{6}$`)

var reactionContents = []string{"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"}

func (s *Server) registerIssueRoutes() {
	read, write := need{scope: "issues"}, need{scope: "issues", write: true}
	s.handle("GET /repos/{owner}/{repo}/issues", accRepo, read, s.listIssues)
	s.handle("POST /repos/{owner}/{repo}/issues", accRepo, write, s.createIssue)
	s.handle("GET /repos/{owner}/{repo}/issues/{number}", accRepo, read, func(c *call) {
		if is := c.issue(); is != nil {
			c.json(http.StatusOK, s.ghIssue(c.repo, is))
		}
	})
	s.handle("PATCH /repos/{owner}/{repo}/issues/{number}", accRepo, write, s.updateIssue)
	// Sub-resources share one pattern: ServeMux cannot hold both
	// issues/{number}/comments and issues/comments/{id} as literals.
	s.handle("GET /repos/{owner}/{repo}/issues/{number}/{sub...}", accRepo, read, s.issueSub)
	s.handle("POST /repos/{owner}/{repo}/issues/{number}/{sub...}", accRepo, write, s.issueSub)
	s.handle("PUT /repos/{owner}/{repo}/issues/{number}/{sub...}", accRepo, write, s.issueSub)
	s.handle("DELETE /repos/{owner}/{repo}/issues/{number}/{sub...}", accRepo, write, s.issueSub)
	s.handle("GET /repos/{owner}/{repo}/issues/comments/{id}", accRepo, read, func(c *call) {
		if cm := c.comment(); cm != nil {
			c.json(http.StatusOK, s.ghComment(c.repo, cm))
		}
	})
	s.handle("PATCH /repos/{owner}/{repo}/issues/comments/{id}", accRepo, write, s.updateComment)
	s.handle("GET /repos/{owner}/{repo}/issues/comments/{id}/reactions", accRepo, read, func(c *call) {
		if cm := c.comment(); cm != nil {
			s.listReactions(c, cm.Issue, cm.ID)
		}
	})
	s.handle("POST /repos/{owner}/{repo}/issues/comments/{id}/reactions", accRepo, write, func(c *call) {
		if cm := c.comment(); cm != nil {
			s.createReaction(c, cm.Issue, cm.ID)
		}
	})
	s.handle("GET /repos/{owner}/{repo}/labels", accRepo, read, func(c *call) {
		var list []map[string]any
		for _, l := range c.repo.labels {
			list = append(list, s.ghLabel(c.repo, l))
		}
		c.json(http.StatusOK, nonNil(paginate(c, list)))
	})
	s.handle("POST /repos/{owner}/{repo}/labels", accRepo, write, s.createLabel)
	s.handle("GET /repos/{owner}/{repo}/labels/{name}", accRepo, read, func(c *call) {
		if l := c.repo.label(c.r.PathValue("name")); l != nil {
			c.json(http.StatusOK, s.ghLabel(c.repo, l))
			return
		}
		c.errorf(http.StatusNotFound, "Not Found")
	})
	s.handle("PATCH /repos/{owner}/{repo}/labels/{name}", accRepo, write, s.updateLabel)
}

func (s *Server) ghLabel(r *repoState, l *Label) map[string]any {
	return map[string]any{
		"id": l.ID, "node_id": fmt.Sprintf("LA_%d", l.ID), "url": s.repoAPI(r, "/labels/"+l.Name),
		"name": l.Name, "color": l.Color, "description": l.Description, "default": false,
	}
}

func (s *Server) ghIssue(r *repoState, is *Issue) map[string]any {
	labels := []map[string]any{}
	for _, n := range is.Labels {
		if l := r.label(n); l != nil {
			labels = append(labels, s.ghLabel(r, l))
		}
	}
	assignees := []map[string]any{}
	for _, a := range is.Assignees {
		assignees = append(assignees, s.ghUser(s.user(a)))
	}
	base := fmt.Sprintf("/issues/%d", is.Number)
	m := map[string]any{
		"id": is.ID, "node_id": fmt.Sprintf("I_%d", is.ID), "number": is.Number, "title": is.Title,
		"body": nullable(is.Body), "state": is.State, "state_reason": nullable(is.StateReason), "locked": is.Locked,
		"user": s.ghUser(s.user(is.User)), "labels": labels, "assignees": assignees, "assignee": nil,
		"comments": is.Comments, "created_at": is.CreatedAt, "updated_at": is.UpdatedAt,
		"closed_at": nullTime(is.ClosedAt), "author_association": s.association(r, is.User),
		"url": s.repoAPI(r, base), "html_url": s.htmlURL("/" + r.fullName() + base),
		"comments_url": s.repoAPI(r, base+"/comments"), "labels_url": s.repoAPI(r, base+"/labels{/name}"),
		"repository_url": strings.TrimSuffix(s.URL, "/") + "/repos/" + r.fullName(),
	}
	if len(is.Assignees) > 0 {
		m["assignee"] = assignees[0]
	}
	if is.ClosedBy != "" {
		m["closed_by"] = s.ghUser(s.user(is.ClosedBy))
	}
	if is.IsPull {
		p := fmt.Sprintf("/pull/%d", is.Number)
		m["pull_request"] = map[string]any{
			"url": s.repoAPI(r, fmt.Sprintf("/pulls/%d", is.Number)), "html_url": s.htmlURL("/" + r.fullName() + p),
			"diff_url": s.htmlURL("/" + r.fullName() + p + ".diff"), "patch_url": s.htmlURL("/" + r.fullName() + p + ".patch"),
		}
		if pr := r.pulls[is.Number]; pr != nil && pr.merged {
			m["pull_request"].(map[string]any)["merged_at"] = pr.mergedAt
		}
	}
	return m
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// association is the author_association GitHub reports for a login.
func (s *Server) association(r *repoState, login string) string {
	switch {
	case strings.EqualFold(login, r.owner):
		return "OWNER"
	case r.perms[strings.ToLower(login)].name != "":
		return "COLLABORATOR"
	}
	return "NONE"
}

func (s *Server) ghComment(r *repoState, cm *Comment) map[string]any {
	return map[string]any{
		"id": cm.ID, "node_id": fmt.Sprintf("IC_%d", cm.ID), "body": cm.Body, "user": s.ghUser(s.user(cm.User)),
		"created_at": cm.CreatedAt, "updated_at": cm.UpdatedAt, "author_association": s.association(r, cm.User),
		"url":       s.repoAPI(r, fmt.Sprintf("/issues/comments/%d", cm.ID)),
		"html_url":  s.htmlURL(fmt.Sprintf("/%s/issues/%d#issuecomment-%d", r.fullName(), cm.Issue, cm.ID)),
		"issue_url": s.repoAPI(r, fmt.Sprintf("/issues/%d", cm.Issue)),
	}
}

func (r *repoState) label(name string) *Label {
	for _, l := range r.labels {
		if strings.EqualFold(l.Name, name) {
			return l
		}
	}
	return nil
}

// issue resolves {number} or answers 404.
func (c *call) issue() *Issue {
	n, err := strconv.Atoi(c.r.PathValue("number"))
	is, ok := c.repo.issues[n]
	if err != nil || !ok {
		c.errorf(http.StatusNotFound, "Not Found")
		return nil
	}
	return is
}

func (c *call) comment() *Comment {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err == nil {
		for _, cm := range c.repo.comments {
			if cm.ID == id {
				return cm
			}
		}
	}
	c.errorf(http.StatusNotFound, "Not Found")
	return nil
}

func (s *Server) listIssues(c *call) {
	q := c.r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	if state != "open" && state != "closed" && state != "all" {
		c.invalid(fieldError{Resource: "Issue", Field: "state", Code: "invalid", Value: state})
		return
	}
	var want []string
	if l := q.Get("labels"); l != "" {
		for _, n := range strings.Split(l, ",") {
			want = append(want, strings.TrimSpace(n))
		}
	}
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			c.invalid(fieldError{Resource: "Issue", Field: "since", Code: "invalid", Value: v})
			return
		}
		since = t
	}
	var list []*Issue
	for _, is := range c.repo.issues {
		if state != "all" && is.State != state {
			continue
		}
		if cr := q.Get("creator"); cr != "" && !strings.EqualFold(cr, is.User) {
			continue
		}
		if !since.IsZero() && is.UpdatedAt.Before(since) {
			continue
		}
		if !slices.ContainsFunc(want, func(w string) bool {
			return !slices.ContainsFunc(is.Labels, func(l string) bool { return strings.EqualFold(l, w) })
		}) {
			list = append(list, is)
		}
	}
	key := func(is *Issue) time.Time { return is.CreatedAt }
	if q.Get("sort") == "updated" {
		key = func(is *Issue) time.Time { return is.UpdatedAt }
	}
	asc := q.Get("direction") == "asc"
	sort.SliceStable(list, func(i, j int) bool {
		a, b := key(list[i]), key(list[j])
		if a.Equal(b) {
			return (list[i].Number < list[j].Number) == asc
		}
		return a.Before(b) == asc
	})
	var out []map[string]any
	for _, is := range paginate(c, list) {
		out = append(out, s.ghIssue(c.repo, is))
	}
	c.json(http.StatusOK, nonNil(out))
}

// labelNames reads "labels" given as strings or as {"name": …} objects.
func (c *call) labelNames(m map[string]json.RawMessage) ([]string, bool, bool) {
	raw, found := m["labels"]
	if !found || string(raw) == "null" {
		return nil, false, true
	}
	var names []string
	if json.Unmarshal(raw, &names) == nil {
		return names, true, true
	}
	var objs []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(raw, &objs); err != nil {
		c.errorf(http.StatusUnprocessableEntity, "Invalid request.\n\nFor 'properties/labels', %s is not an array of strings or label objects.", raw)
		return nil, false, false
	}
	for _, o := range objs {
		names = append(names, o.Name)
	}
	return names, true, true
}

// labelBody reads the body of issues/{n}/labels: a bare array of names
// (what go-github sends) or {"labels": [...]}.
func (c *call) labelBody() ([]string, bool) {
	body, err := io.ReadAll(c.r.Body)
	if err != nil {
		c.errorf(http.StatusRequestEntityTooLarge, "request body: %v", err)
		return nil, false
	}
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '[' {
		var names []string
		if err := json.Unmarshal(trimmed, &names); err != nil {
			c.errorf(http.StatusUnprocessableEntity, "Invalid request.\n\nThe labels must be strings.")
			return nil, false
		}
		return names, true
	}
	c.r.Body = io.NopCloser(bytes.NewReader(body))
	m, ok := c.decode()
	if !ok {
		return nil, false
	}
	names, _, ok := c.labelNames(m)
	return names, ok
}

// ensureLabels creates labels an issue names that the repository lacks,
// as GitHub does (grey, "ededed"), and returns the names as stored.
func (s *Server) ensureLabels(r *repoState, names []string) []string {
	var out []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		l := r.label(n)
		if l == nil {
			l = &Label{ID: s.newID(), Name: n, Color: "ededed"}
			r.labels = append(r.labels, l)
		}
		if !slices.Contains(out, l.Name) {
			out = append(out, l.Name)
		}
	}
	return out
}

func (s *Server) assignable(r *repoState, login string) bool {
	_, known := s.users[strings.ToLower(login)]
	return known && (strings.EqualFold(login, r.owner) || r.perms[strings.ToLower(login)].name != "")
}

// checkText answers 422 for a title or body GitHub would refuse.
func (c *call) checkText(resource, field, v string, limit int) bool {
	if utf8.RuneCountInString(v) > limit {
		c.custom(resource, field, fmt.Sprintf("%s is too long (maximum is %d characters)", field, limit))
		return false
	}
	return true
}

func (s *Server) createIssue(c *call) {
	m, ok := c.decode()
	if !ok {
		return
	}
	var title, body string
	var assignees []string
	has, ok := c.field(m, "title", &title)
	if !ok {
		return
	}
	if !has || strings.TrimSpace(title) == "" {
		c.invalid(fieldError{Resource: "Issue", Field: "title", Code: "missing_field"})
		return
	}
	if _, ok := c.field(m, "body", &body); !ok {
		return
	}
	if _, ok := c.field(m, "assignees", &assignees); !ok {
		return
	}
	labels, _, ok := c.labelNames(m)
	if !ok || !c.checkText("Issue", "title", title, maxTitle) || !c.checkText("Issue", "body", body, maxBody) {
		return
	}
	for _, a := range assignees {
		if !s.assignable(c.repo, a) {
			c.invalid(fieldError{Resource: "Issue", Field: "assignees", Code: "invalid", Value: a})
			return
		}
	}
	now := s.now()
	is := &Issue{Number: c.repo.nextNumber, ID: s.newID(), Title: title, Body: body, State: "open",
		Labels: s.ensureLabels(c.repo, labels), Assignees: assignees, User: c.id.login, CreatedAt: now, UpdatedAt: now}
	c.repo.nextNumber++
	c.repo.issues[is.Number] = is
	c.json(http.StatusCreated, s.ghIssue(c.repo, is))
}

func (s *Server) updateIssue(c *call) {
	is := c.issue()
	if is == nil {
		return
	}
	m, ok := c.decode()
	if !ok {
		return
	}
	upd := *is
	var title, body, state, reason string
	var assignees []string
	hasTitle, ok1 := c.field(m, "title", &title)
	hasBody, ok2 := c.field(m, "body", &body)
	hasState, ok3 := c.field(m, "state", &state)
	hasReason, ok4 := c.field(m, "state_reason", &reason)
	hasAssignees, ok5 := c.field(m, "assignees", &assignees)
	labels, hasLabels, ok6 := c.labelNames(m)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
		return
	}
	if hasTitle || isNull(m, "title") {
		if strings.TrimSpace(title) == "" {
			c.invalid(fieldError{Resource: "Issue", Field: "title", Code: "missing_field"})
			return
		}
		if !c.checkText("Issue", "title", title, maxTitle) {
			return
		}
		upd.Title = title
	}
	if hasBody || isNull(m, "body") {
		if !c.checkText("Issue", "body", body, maxBody) {
			return
		}
		upd.Body = body
	}
	if hasState && state != "open" && state != "closed" {
		c.invalid(fieldError{Resource: "Issue", Field: "state", Code: "invalid", Value: state})
		return
	}
	if hasReason && reason != "completed" && reason != "not_planned" && reason != "reopened" {
		c.invalid(fieldError{Resource: "Issue", Field: "state_reason", Code: "invalid", Value: reason})
		return
	}
	if hasAssignees || isNull(m, "assignees") {
		for _, a := range assignees {
			if !s.assignable(c.repo, a) {
				c.invalid(fieldError{Resource: "Issue", Field: "assignees", Code: "invalid", Value: a})
				return
			}
		}
		upd.Assignees = assignees
	}
	if hasLabels || isNull(m, "labels") {
		upd.Labels = s.ensureLabels(c.repo, labels)
	}
	now := s.now()
	if hasState {
		s.setState(&upd, c.id.login, state, reason, now)
	} else if hasReason && upd.State == "closed" {
		upd.StateReason = reason
	}
	upd.UpdatedAt = now
	*is = upd
	c.json(http.StatusOK, s.ghIssue(c.repo, is))
}

// setState opens or closes an issue as GitHub does: closing defaults the
// reason to "completed", reopening sets "reopened".
func (s *Server) setState(is *Issue, actor, state, reason string, now time.Time) {
	switch {
	case state == "closed" && is.State != "closed":
		is.State, is.ClosedAt, is.ClosedBy = "closed", now, actor
		is.StateReason = reason
		if reason == "" || reason == "reopened" {
			is.StateReason = "completed"
		}
	case state == "closed":
		if reason != "" && reason != "reopened" {
			is.StateReason = reason
		}
	case state == "open" && is.State != "open":
		is.State, is.StateReason, is.ClosedAt, is.ClosedBy = "open", "reopened", time.Time{}, ""
	}
}

// issueSub serves issues/{number}/comments, /labels, /labels/{name} and
// /reactions.
func (s *Server) issueSub(c *call) {
	is := c.issue()
	if is == nil {
		return
	}
	sub := c.r.PathValue("sub")
	switch {
	case sub == "comments" && c.r.Method == http.MethodGet:
		var since time.Time
		if v := c.r.URL.Query().Get("since"); v != "" {
			since, _ = time.Parse(time.RFC3339, v)
		}
		var list []*Comment
		for _, cm := range c.repo.comments {
			if cm.Issue == is.Number && !cm.UpdatedAt.Before(since) {
				list = append(list, cm)
			}
		}
		var out []map[string]any
		for _, cm := range paginate(c, list) {
			out = append(out, s.ghComment(c.repo, cm))
		}
		c.json(http.StatusOK, nonNil(out))
	case sub == "comments" && c.r.Method == http.MethodPost:
		m, ok := c.decode()
		if !ok {
			return
		}
		var body string
		has, ok := c.field(m, "body", &body)
		if !ok {
			return
		}
		if !has || body == "" {
			c.invalid(fieldError{Resource: "IssueComment", Field: "body", Code: "missing_field"})
			return
		}
		if !c.checkText("IssueComment", "body", body, maxBody) {
			return
		}
		if is.Locked {
			c.errorf(http.StatusForbidden, "Unable to create comment because issue is locked.")
			return
		}
		cm := s.addComment(c.repo, is, c.id.login, body)
		c.json(http.StatusCreated, s.ghComment(c.repo, cm))
	case sub == "labels" && c.r.Method == http.MethodGet:
		var out []map[string]any
		for _, n := range is.Labels {
			out = append(out, s.ghLabel(c.repo, c.repo.label(n)))
		}
		c.json(http.StatusOK, nonNil(out))
	case sub == "labels" && (c.r.Method == http.MethodPost || c.r.Method == http.MethodPut):
		names, ok := c.labelBody()
		if !ok {
			return
		}
		if c.r.Method == http.MethodPut {
			is.Labels = nil
		}
		is.Labels = s.ensureLabels(c.repo, append(slices.Clone(is.Labels), names...))
		is.UpdatedAt = s.now()
		var out []map[string]any
		for _, n := range is.Labels {
			out = append(out, s.ghLabel(c.repo, c.repo.label(n)))
		}
		c.json(http.StatusOK, nonNil(out))
	case strings.HasPrefix(sub, "labels/") && c.r.Method == http.MethodDelete:
		name := strings.TrimPrefix(sub, "labels/")
		i := slices.IndexFunc(is.Labels, func(l string) bool { return strings.EqualFold(l, name) })
		if i < 0 {
			c.errorf(http.StatusNotFound, "Label does not exist")
			return
		}
		is.Labels = slices.Delete(is.Labels, i, i+1)
		var out []map[string]any
		for _, n := range is.Labels {
			out = append(out, s.ghLabel(c.repo, c.repo.label(n)))
		}
		c.json(http.StatusOK, nonNil(out))
	case sub == "reactions" && c.r.Method == http.MethodGet:
		s.listReactions(c, is.Number, 0)
	case sub == "reactions" && c.r.Method == http.MethodPost:
		s.createReaction(c, is.Number, 0)
	default:
		c.errorf(http.StatusNotFound, "Not Found")
	}
}

func (s *Server) addComment(r *repoState, is *Issue, login, body string) *Comment {
	now := s.now()
	cm := &Comment{ID: s.newID(), Issue: is.Number, Body: body, User: s.user(login).Login, CreatedAt: now, UpdatedAt: now}
	r.comments = append(r.comments, cm)
	is.Comments++
	is.UpdatedAt = now
	return cm
}

func (s *Server) updateComment(c *call) {
	cm := c.comment()
	if cm == nil {
		return
	}
	m, ok := c.decode()
	if !ok {
		return
	}
	var body string
	has, ok := c.field(m, "body", &body)
	if !ok {
		return
	}
	if !has || body == "" {
		c.invalid(fieldError{Resource: "IssueComment", Field: "body", Code: "missing_field"})
		return
	}
	if !c.checkText("IssueComment", "body", body, maxBody) {
		return
	}
	cm.Body, cm.UpdatedAt = body, s.now()
	c.json(http.StatusOK, s.ghComment(c.repo, cm))
}

func (s *Server) ghReaction(rc *Reaction) map[string]any {
	return map[string]any{"id": rc.ID, "node_id": fmt.Sprintf("REA_%d", rc.ID), "user": s.ghUser(s.user(rc.User)),
		"content": rc.Content, "created_at": rc.CreatedAt}
}

func (s *Server) listReactions(c *call, issue int, comment int64) {
	var list []*Reaction
	for _, rc := range c.repo.reactions {
		if rc.Issue == issue && rc.CommentID == comment {
			list = append(list, rc)
		}
	}
	var out []map[string]any
	for _, rc := range paginate(c, list) {
		out = append(out, s.ghReaction(rc))
	}
	c.json(http.StatusOK, nonNil(out))
}

func (s *Server) createReaction(c *call, issue int, comment int64) {
	m, ok := c.decode()
	if !ok {
		return
	}
	var content string
	if _, ok := c.field(m, "content", &content); !ok {
		return
	}
	if !slices.Contains(reactionContents, content) {
		c.invalid(fieldError{Resource: "Reaction", Field: "content", Code: "invalid", Value: content})
		return
	}
	for _, rc := range c.repo.reactions {
		if rc.Issue == issue && rc.CommentID == comment && rc.Content == content && strings.EqualFold(rc.User, c.id.login) {
			c.json(http.StatusOK, s.ghReaction(rc))
			return
		}
	}
	rc := &Reaction{ID: s.newID(), Issue: issue, CommentID: comment, Content: content, User: c.id.login, CreatedAt: s.now()}
	c.repo.reactions = append(c.repo.reactions, rc)
	c.json(http.StatusCreated, s.ghReaction(rc))
}

// checkLabel validates a label's name, colour and description.
func (c *call) checkLabel(name, color, desc string) bool {
	switch {
	case utf8.RuneCountInString(name) > maxLabelName:
		c.custom("Label", "name", fmt.Sprintf("name is too long (maximum is %d characters)", maxLabelName))
	case !colorRe.MatchString(color):
		c.invalid(fieldError{Resource: "Label", Field: "color", Code: "invalid", Value: color})
	case utf8.RuneCountInString(desc) > maxLabelDesc:
		c.custom("Label", "description", fmt.Sprintf("description is too long (maximum is %d characters)", maxLabelDesc))
	default:
		return true
	}
	return false
}

func (s *Server) createLabel(c *call) {
	m, ok := c.decode()
	if !ok {
		return
	}
	var name, color, desc string
	hasName, ok1 := c.field(m, "name", &name)
	hasColor, ok2 := c.field(m, "color", &color)
	_, ok3 := c.field(m, "description", &desc)
	if !ok1 || !ok2 || !ok3 {
		return
	}
	if !hasName || strings.TrimSpace(name) == "" {
		c.invalid(fieldError{Resource: "Label", Field: "name", Code: "missing_field"})
		return
	}
	if !hasColor {
		color = "ededed"
	}
	if !c.checkLabel(name, color, desc) {
		return
	}
	if c.repo.label(name) != nil {
		c.invalid(fieldError{Resource: "Label", Field: "name", Code: "already_exists"})
		return
	}
	l := &Label{ID: s.newID(), Name: name, Color: strings.ToLower(color), Description: desc}
	c.repo.labels = append(c.repo.labels, l)
	c.json(http.StatusCreated, s.ghLabel(c.repo, l))
}

func (s *Server) updateLabel(c *call) {
	l := c.repo.label(c.r.PathValue("name"))
	if l == nil {
		c.errorf(http.StatusNotFound, "Not Found")
		return
	}
	m, ok := c.decode()
	if !ok {
		return
	}
	name, color, desc := l.Name, l.Color, l.Description
	// The documented member is new_name; go-github (and older clients)
	// send name, which GitHub also honours.
	_, ok0 := c.field(m, "name", &name)
	_, ok1 := c.field(m, "new_name", &name)
	ok1 = ok0 && ok1
	_, ok2 := c.field(m, "color", &color)
	_, ok3 := c.field(m, "description", &desc)
	if !ok1 || !ok2 || !ok3 || !c.checkLabel(name, color, desc) {
		return
	}
	if other := c.repo.label(name); other != nil && other != l {
		c.invalid(fieldError{Resource: "Label", Field: "name", Code: "already_exists"})
		return
	}
	for _, is := range c.repo.issues {
		for i, n := range is.Labels {
			if n == l.Name {
				is.Labels[i] = name
			}
		}
	}
	l.Name, l.Color, l.Description = name, strings.ToLower(color), desc
	c.json(http.StatusOK, s.ghLabel(c.repo, l))
}

// Issues returns the repository's issues (not pull requests) by number.
func (h *Repo) Issues() []Issue {
	var out []Issue
	h.with(func(r *repoState) {
		for _, is := range r.issues {
			if !is.IsPull {
				out = append(out, is.clone())
			}
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// Issue returns one issue or pull request's issue side by number.
func (h *Repo) Issue(number int) (Issue, bool) {
	var is Issue
	var ok bool
	h.with(func(r *repoState) {
		var p *Issue
		if p, ok = r.issues[number]; ok {
			is = p.clone()
		}
	})
	return is, ok
}

// copies returns copies of the items keep accepts (all when keep is nil).
func copies[T any](items []*T, keep func(*T) bool) []T {
	var out []T
	for _, it := range items {
		if keep == nil || keep(it) {
			out = append(out, *it)
		}
	}
	return out
}

// Comments returns an issue's or pull request's comments in order.
func (h *Repo) Comments(number int) []Comment {
	var out []Comment
	h.with(func(r *repoState) { out = copies(r.comments, func(c *Comment) bool { return c.Issue == number }) })
	return out
}

// Labels returns the repository's labels in creation order.
func (h *Repo) Labels() []Label {
	var out []Label
	h.with(func(r *repoState) { out = copies(r.labels, nil) })
	return out
}

// Reactions returns every reaction in the repository in order.
func (h *Repo) Reactions() []Reaction {
	var out []Reaction
	h.with(func(r *repoState) { out = copies(r.reactions, nil) })
	return out
}

// CreateIssueAs opens an issue as a person would (not through the API
// under test) and returns its number.
func (h *Repo) CreateIssueAs(login, title, body string, labels ...string) int {
	var n int
	h.with(func(r *repoState) {
		now := h.s.now()
		is := &Issue{Number: r.nextNumber, ID: h.s.newID(), Title: title, Body: body, State: "open",
			Labels: h.s.ensureLabels(r, labels), User: h.s.user(login).Login, CreatedAt: now, UpdatedAt: now}
		r.nextNumber++
		r.issues[is.Number] = is
		n = is.Number
	})
	return n
}

// CommentAs adds a comment by login to an issue or pull request, as a
// person (or another bot) would.
func (h *Repo) CommentAs(login string, number int, body string) Comment {
	var cm Comment
	h.with(func(r *repoState) {
		is, ok := r.issues[number]
		if !ok {
			h.s.tb.Fatalf("githubfake: %s has no issue #%d", r.fullName(), number)
		}
		cm = *h.s.addComment(r, is, login, body)
	})
	return cm
}

// EditCommentAs changes a comment's body, as its author editing it.
func (h *Repo) EditCommentAs(login string, id int64, body string) Comment {
	var cm Comment
	h.with(func(r *repoState) {
		for _, p := range r.comments {
			if p.ID == id {
				p.Body, p.UpdatedAt = body, h.s.now()
				cm = *p
				return
			}
		}
		h.s.tb.Fatalf("githubfake: %s has no comment %d", r.fullName(), id)
	})
	return cm
}

// SetIssueStateAs closes ("closed", with reason "completed" or
// "not_planned") or reopens ("open") an issue as login.
func (h *Repo) SetIssueStateAs(login string, number int, state, reason string) Issue {
	var out Issue
	h.with(func(r *repoState) {
		is, ok := r.issues[number]
		if !ok {
			h.s.tb.Fatalf("githubfake: %s has no issue #%d", r.fullName(), number)
		}
		now := h.s.now()
		h.s.setState(is, h.s.user(login).Login, state, reason, now)
		is.UpdatedAt = now
		out = is.clone()
	})
	return out
}
