package githubfake

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Pull is a pull request as a test sees it. Title, body, state and
// labels live on its issue side (Repo.Issue) and are copied here.
type Pull struct {
	Number         int
	Title, Body    string
	State          string
	User           string
	Head, Base     string // branch names
	HeadSHA        string
	BaseSHA        string
	Draft          bool
	Merged         bool
	MergedBy       string
	MergeCommitSHA string
	// Mergeable is false when the head and base changed one file
	// differently since their merge base.
	Mergeable           bool
	Reviewers           []string
	TeamReviewers       []string
	Labels              []string
	MaintainerCanModify bool
}

type pullState struct {
	number              int
	head, base          string
	headSHA             string // last known; frozen once closed
	draft               bool
	merged              bool
	mergedAt            time.Time
	mergedBy            string
	mergeSHA            string
	reviewers, teams    []string
	maintainerCanModify bool
}

func (s *Server) registerPullRoutes() {
	read, write := need{scope: "pull_requests"}, need{scope: "pull_requests", write: true}
	s.handle("GET /repos/{owner}/{repo}/pulls", accRepo, read, s.listPulls)
	s.handle("POST /repos/{owner}/{repo}/pulls", accRepo, write, s.createPull)
	s.handle("GET /repos/{owner}/{repo}/pulls/{number}", accRepo, read, func(c *call) {
		if p, is := c.pull(); p != nil {
			c.json(http.StatusOK, s.ghPull(c.repo, p, is))
		}
	})
	s.handle("PATCH /repos/{owner}/{repo}/pulls/{number}", accRepo, write, s.updatePull)
	s.handle("GET /repos/{owner}/{repo}/pulls/{number}/requested_reviewers", accRepo, read, func(c *call) {
		if p, _ := c.pull(); p != nil {
			users := []map[string]any{}
			for _, u := range p.reviewers {
				users = append(users, s.ghUser(s.user(u)))
			}
			c.json(http.StatusOK, map[string]any{"users": users, "teams": s.ghTeams(p.teams)})
		}
	})
	s.handle("POST /repos/{owner}/{repo}/pulls/{number}/requested_reviewers", accRepo, write, s.requestReviewers)
}

func (c *call) pull() (*pullState, *Issue) {
	n, err := strconv.Atoi(c.r.PathValue("number"))
	p, ok := c.repo.pulls[n]
	if err != nil || !ok {
		c.errorf(http.StatusNotFound, "Not Found")
		return nil, nil
	}
	return p, c.repo.issues[n]
}

// liveHead is the pull's head SHA: the branch head while open.
func (r *repoState) liveHead(p *pullState) string {
	if !p.merged && r.issues[p.number].State == "open" {
		if sha, ok := r.refs["refs/heads/"+p.head]; ok {
			p.headSHA = sha
		}
	}
	return p.headSHA
}

// mergeable merges the pull's head into its base at file level and
// returns the tree files and the conflicting paths.
func (r *repoState) mergeable(p *pullState) (map[string]gitFile, []string, bool) {
	head := r.liveHead(p)
	base, ok := r.refs["refs/heads/"+p.base]
	if !ok {
		return nil, nil, false
	}
	mb, ok := r.obj.mergeBase(base, head)
	if !ok {
		return nil, nil, false
	}
	files, conflicts := merge3(
		r.obj.flatten(r.obj.commits[mb].Tree),
		r.obj.flatten(r.obj.commits[base].Tree),
		r.obj.flatten(r.obj.commits[head].Tree))
	return files, conflicts, true
}

func (s *Server) ghTeams(slugs []string) []map[string]any {
	out := []map[string]any{}
	for _, t := range slugs {
		out = append(out, map[string]any{"slug": t, "name": t})
	}
	return out
}

func (s *Server) ghPull(r *repoState, p *pullState, is *Issue) map[string]any {
	head := r.liveHead(p)
	baseSHA := r.refs["refs/heads/"+p.base]
	_, conflicts, ok := r.mergeable(p)
	mergeable := ok && len(conflicts) == 0
	state := "clean"
	if !mergeable {
		state = "dirty"
	}
	side := func(ref, sha string) map[string]any {
		return map[string]any{"label": r.owner + ":" + ref, "ref": ref, "sha": sha,
			"repo": s.ghRepo(r), "user": s.ghUser(s.user(r.owner))}
	}
	reviewers := []map[string]any{}
	for _, u := range p.reviewers {
		reviewers = append(reviewers, s.ghUser(s.user(u)))
	}
	m := s.ghIssue(r, is)
	delete(m, "pull_request")
	delete(m, "state_reason")
	base := fmt.Sprintf("/pull/%d", p.number)
	m["node_id"] = fmt.Sprintf("PR_%d", is.ID)
	m["url"] = s.repoAPI(r, fmt.Sprintf("/pulls/%d", p.number))
	m["html_url"] = s.htmlURL("/" + r.fullName() + base)
	m["diff_url"] = s.htmlURL("/" + r.fullName() + base + ".diff")
	m["issue_url"] = s.repoAPI(r, fmt.Sprintf("/issues/%d", p.number))
	m["head"], m["base"] = side(p.head, head), side(p.base, baseSHA)
	m["draft"], m["merged"] = p.draft, p.merged
	m["mergeable"], m["mergeable_state"] = mergeable, state
	m["merged_at"], m["merge_commit_sha"] = nullTime(p.mergedAt), nullable(p.mergeSHA)
	m["requested_reviewers"], m["requested_teams"] = reviewers, s.ghTeams(p.teams)
	m["maintainer_can_modify"] = p.maintainerCanModify
	if p.mergedBy != "" {
		m["merged_by"] = s.ghUser(s.user(p.mergedBy))
	}
	return m
}

func (s *Server) createPull(c *call) {
	m, ok := c.decode()
	if !ok {
		return
	}
	var title, body, head, base string
	var draft, mcm bool
	hasTitle, ok1 := c.field(m, "title", &title)
	_, ok2 := c.field(m, "body", &body)
	hasHead, ok3 := c.field(m, "head", &head)
	hasBase, ok4 := c.field(m, "base", &base)
	_, ok5 := c.field(m, "draft", &draft)
	_, ok6 := c.field(m, "maintainer_can_modify", &mcm)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
		return
	}
	r := c.repo
	switch {
	case !hasTitle || strings.TrimSpace(title) == "":
		c.invalid(fieldError{Resource: "PullRequest", Field: "title", Code: "missing_field"})
		return
	case !hasHead:
		c.invalid(fieldError{Resource: "PullRequest", Field: "head", Code: "missing_field"})
		return
	case !hasBase:
		c.invalid(fieldError{Resource: "PullRequest", Field: "base", Code: "missing_field"})
		return
	}
	if !c.checkText("PullRequest", "title", title, maxTitle) || !c.checkText("PullRequest", "body", body, maxBody) {
		return
	}
	if owner, branch, found := strings.Cut(head, ":"); found {
		if !strings.EqualFold(owner, r.owner) {
			c.invalid(fieldError{Resource: "PullRequest", Field: "head", Code: "invalid"})
			return
		}
		head = branch
	}
	headSHA, okHead := r.refs["refs/heads/"+head]
	baseSHA, okBase := r.refs["refs/heads/"+base]
	switch {
	case !okBase:
		c.invalid(fieldError{Resource: "PullRequest", Field: "base", Code: "invalid"})
		return
	case !okHead:
		c.invalid(fieldError{Resource: "PullRequest", Field: "head", Code: "invalid"})
		return
	}
	for _, p := range r.pulls {
		if p.head == head && p.base == base && r.issues[p.number].State == "open" {
			c.custom("PullRequest", "", fmt.Sprintf("A pull request already exists for %s:%s.", r.owner, head))
			return
		}
	}
	if r.obj.ancestors(baseSHA)[headSHA] {
		c.custom("PullRequest", "", fmt.Sprintf("No commits between %s and %s", base, head))
		return
	}
	now := s.now()
	is := &Issue{Number: r.nextNumber, ID: s.newID(), Title: title, Body: body, State: "open", IsPull: true,
		User: c.id.login, CreatedAt: now, UpdatedAt: now}
	r.nextNumber++
	r.issues[is.Number] = is
	p := &pullState{number: is.Number, head: head, base: base, headSHA: headSHA, draft: draft, maintainerCanModify: mcm}
	r.pulls[is.Number] = p
	c.json(http.StatusCreated, s.ghPull(r, p, is))
}

func (s *Server) listPulls(c *call) {
	q := c.r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	if state != "open" && state != "closed" && state != "all" {
		c.invalid(fieldError{Resource: "PullRequest", Field: "state", Code: "invalid", Value: state})
		return
	}
	head := q.Get("head")
	if owner, branch, found := strings.Cut(head, ":"); found {
		if !strings.EqualFold(owner, c.repo.owner) {
			c.json(http.StatusOK, []any{})
			return
		}
		head = branch
	}
	var list []*pullState
	for _, p := range c.repo.pulls {
		is := c.repo.issues[p.number]
		if (state == "all" || is.State == state) && (head == "" || p.head == head) && (q.Get("base") == "" || p.base == q.Get("base")) {
			list = append(list, p)
		}
	}
	asc := q.Get("direction") == "asc"
	sort.Slice(list, func(i, j int) bool { return (list[i].number < list[j].number) == asc })
	out := []map[string]any{}
	for _, p := range paginate(c, list) {
		out = append(out, s.ghPull(c.repo, p, c.repo.issues[p.number]))
	}
	c.json(http.StatusOK, out)
}

func (s *Server) updatePull(c *call) {
	p, is := c.pull()
	if p == nil {
		return
	}
	m, ok := c.decode()
	if !ok {
		return
	}
	title, body, state, base := is.Title, is.Body, "", p.base
	mcm := p.maintainerCanModify
	_, ok1 := c.field(m, "title", &title)
	_, ok2 := c.field(m, "body", &body)
	hasState, ok3 := c.field(m, "state", &state)
	_, ok4 := c.field(m, "base", &base)
	_, ok5 := c.field(m, "maintainer_can_modify", &mcm)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return
	}
	switch {
	case strings.TrimSpace(title) == "":
		c.invalid(fieldError{Resource: "PullRequest", Field: "title", Code: "missing_field"})
		return
	case !c.checkText("PullRequest", "title", title, maxTitle) || !c.checkText("PullRequest", "body", body, maxBody):
		return
	case hasState && state != "open" && state != "closed":
		c.invalid(fieldError{Resource: "PullRequest", Field: "state", Code: "invalid", Value: state})
		return
	case hasState && state == "open" && p.merged:
		c.custom("PullRequest", "state", "Cannot reopen a merged pull request")
		return
	}
	if _, ok := c.repo.refs["refs/heads/"+base]; !ok {
		c.invalid(fieldError{Resource: "PullRequest", Field: "base", Code: "invalid"})
		return
	}
	c.repo.liveHead(p) // freeze the head if this closes it
	now := s.now()
	is.Title, is.Body, p.base, p.maintainerCanModify = title, body, base, mcm
	if hasState {
		s.setState(is, c.id.login, state, "", now)
	}
	is.UpdatedAt = now
	c.json(http.StatusOK, s.ghPull(c.repo, p, is))
}

func (s *Server) requestReviewers(c *call) {
	p, is := c.pull()
	if p == nil {
		return
	}
	m, ok := c.decode()
	if !ok {
		return
	}
	var users, teams []string
	_, ok1 := c.field(m, "reviewers", &users)
	_, ok2 := c.field(m, "team_reviewers", &teams)
	if !ok1 || !ok2 {
		return
	}
	for _, u := range users {
		if strings.EqualFold(u, is.User) {
			c.custom("PullRequest", "reviewers", "Review cannot be requested from pull request author.")
			return
		}
		if !s.assignable(c.repo, u) {
			c.custom("PullRequest", "reviewers", fmt.Sprintf("Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the %s repository.", c.repo.fullName()))
			return
		}
	}
	for _, u := range users {
		if !slices.ContainsFunc(p.reviewers, func(x string) bool { return strings.EqualFold(x, u) }) {
			p.reviewers = append(p.reviewers, s.user(u).Login)
		}
	}
	for _, t := range teams {
		if !slices.Contains(p.teams, t) {
			p.teams = append(p.teams, t)
		}
	}
	c.json(http.StatusCreated, s.ghPull(c.repo, p, is))
}

func (h *Repo) pullOf(r *repoState, number int) *pullState {
	p, ok := r.pulls[number]
	if !ok {
		h.s.tb.Fatalf("githubfake: %s has no pull request #%d", r.fullName(), number)
	}
	return p
}

func (r *repoState) pullView(p *pullState) Pull {
	is := r.issues[p.number]
	_, conflicts, ok := r.mergeable(p)
	return Pull{
		Number: p.number, Title: is.Title, Body: is.Body, State: is.State, User: is.User,
		Head: p.head, Base: p.base, HeadSHA: r.liveHead(p), BaseSHA: r.refs["refs/heads/"+p.base],
		Draft: p.draft, Merged: p.merged, MergedBy: p.mergedBy, MergeCommitSHA: p.mergeSHA,
		Mergeable: ok && len(conflicts) == 0, Reviewers: slices.Clone(p.reviewers), TeamReviewers: slices.Clone(p.teams),
		Labels: slices.Clone(is.Labels), MaintainerCanModify: p.maintainerCanModify,
	}
}

// Pulls returns the repository's pull requests by number.
func (h *Repo) Pulls() []Pull {
	var out []Pull
	h.with(func(r *repoState) {
		for _, p := range r.pulls {
			out = append(out, r.pullView(p))
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// Pull returns one pull request.
func (h *Repo) Pull(number int) (Pull, bool) {
	var out Pull
	var ok bool
	h.with(func(r *repoState) {
		var p *pullState
		if p, ok = r.pulls[number]; ok {
			out = r.pullView(p)
		}
	})
	return out, ok
}

// MergePull merges a pull request as login with a merge commit on its
// base branch and returns the merge commit's SHA. A conflicting pull
// fails the test.
func (h *Repo) MergePull(login string, number int) string {
	var sha string
	h.with(func(r *repoState) {
		p := h.pullOf(r, number)
		is := r.issues[number]
		if p.merged || is.State != "open" {
			h.s.tb.Fatalf("githubfake: pull #%d is not open", number)
		}
		files, conflicts, ok := r.mergeable(p)
		if !ok || len(conflicts) > 0 {
			h.s.tb.Fatalf("githubfake: pull #%d cannot be merged; conflicts: %v", number, conflicts)
		}
		now := h.s.now().Truncate(time.Second)
		sig := h.s.signature(login, now)
		m := &Commit{Tree: r.obj.buildTree(files), Parents: []string{r.refs["refs/heads/"+p.base], r.liveHead(p)},
			Message: fmt.Sprintf("Merge pull request #%d from %s/%s", number, r.owner, p.head), Author: sig, Committer: sig, Verified: true}
		sha = r.obj.putCommit(m)
		r.refs["refs/heads/"+p.base] = sha
		p.merged, p.mergedAt, p.mergedBy, p.mergeSHA = true, now, sig.Name, sha
		h.s.setState(is, sig.Name, "closed", "", now)
		is.UpdatedAt = now
	})
	return sha
}

// ClosePull closes a pull request unmerged, as login.
func (h *Repo) ClosePull(login string, number int) {
	h.with(func(r *repoState) {
		p := h.pullOf(r, number)
		r.liveHead(p)
		is := r.issues[number]
		now := h.s.now()
		h.s.setState(is, h.s.user(login).Login, "closed", "", now)
		is.UpdatedAt = now
	})
}
