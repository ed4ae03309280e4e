package jira_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// fakeJira is a stateful Jira REST API v2: create, search (both
// endpoints), comment, transitions. It checks authentication and the
// shape of what arrives, and keeps issues the tests inspect.
type fakeJira struct {
	t *testing.T
	// Exactly one of basic (email:token) and bearer is accepted.
	basic, bearer string

	mu       sync.Mutex
	issues   []*fakeIssue
	calls    map[string]int // "METHOD path-pattern" → count
	failNext map[string]fault
	// searchLag hides every issue from search, as Jira Cloud's index does
	// for a few seconds after a create.
	searchLag bool
}

type fault struct {
	status     int
	retryAfter string
	times      int
}

type fakeIssue struct {
	Key, Project, IssueType, Summary, Description string
	Labels, Components                            []string
	Custom                                        map[string]any
	Comments                                      []string
	Status                                        string // "To Do" | "In Progress" | "Done"
}

var (
	jqlRe       = regexp.MustCompile(`^project = "([^"]+)" AND labels = "([^"]+)" AND statusCategory != Done ORDER BY created DESC$`)
	issuePathRe = regexp.MustCompile(`^/rest/api/2/issue/([A-Z]+-\d+)/(comment|transitions)$`)
	issueRe     = regexp.MustCompile(`^/rest/api/2/issue/([A-Z]+-\d+)$`)
	transitions = []map[string]any{
		{"id": "11", "name": "To Do", "to": map[string]any{"name": "To Do"}},
		{"id": "21", "name": "Start Progress", "to": map[string]any{"name": "In Progress"}},
		{"id": "31", "name": "Done", "to": map[string]any{"name": "Done"}},
	}
)

func newFakeJira(t *testing.T) *fakeJira {
	return &fakeJira{t: t, calls: map[string]int{}, failNext: map[string]fault{}}
}

func (f *fakeJira) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if f.basic != "" {
		return h == "Basic "+base64.StdEncoding.EncodeToString([]byte(f.basic))
	}
	return h == "Bearer "+f.bearer
}

func (f *fakeJira) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	path := r.URL.Path
	route := path
	if m := issuePathRe.FindStringSubmatch(path); m != nil {
		route = "/rest/api/2/issue/{key}/" + m[2]
	} else if issueRe.MatchString(path) {
		route = "/rest/api/2/issue/{key}"
	}
	op := r.Method + " " + route
	f.calls[op]++
	w.Header().Set("Content-Type", "application/json")
	reply := func(status int, v any) {
		w.WriteHeader(status)
		if v != nil {
			json.NewEncoder(w).Encode(v)
		}
	}
	fail := func(status int, msg string) {
		reply(status, map[string]any{"errorMessages": []string{msg}, "errors": map[string]string{}})
	}
	if !f.authorized(r) {
		fail(http.StatusUnauthorized, "You are not authenticated. Authentication required to perform this operation.")
		return
	}
	if ft, ok := f.failNext[op]; ok && ft.times > 0 {
		ft.times--
		f.failNext[op] = ft
		if ft.retryAfter != "" {
			w.Header().Set("Retry-After", ft.retryAfter)
		}
		fail(ft.status, "injected failure")
		return
	}
	switch {
	case op == "POST /rest/api/2/issue":
		var body struct {
			Fields map[string]json.RawMessage `json:"fields"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			fail(http.StatusBadRequest, "bad JSON")
			return
		}
		is := &fakeIssue{Status: "To Do", Custom: map[string]any{}}
		var proj struct{ Key string }
		var typ struct{ Name string }
		var comps []struct{ Name string }
		json.Unmarshal(body.Fields["project"], &proj)
		json.Unmarshal(body.Fields["issuetype"], &typ)
		json.Unmarshal(body.Fields["summary"], &is.Summary)
		json.Unmarshal(body.Fields["description"], &is.Description)
		json.Unmarshal(body.Fields["labels"], &is.Labels)
		json.Unmarshal(body.Fields["components"], &comps)
		for _, c := range comps {
			is.Components = append(is.Components, c.Name)
		}
		for k, v := range body.Fields {
			if strings.HasPrefix(k, "customfield_") {
				var x any
				json.Unmarshal(v, &x)
				is.Custom[k] = x
			}
		}
		switch {
		case proj.Key != "INFRA" && proj.Key != "SEC":
			fail(http.StatusBadRequest, "project: valid project is required")
			return
		case typ.Name != "Task" && typ.Name != "Bug":
			fail(http.StatusBadRequest, "issuetype: valid issue type is required")
			return
		case is.Summary == "" || len(is.Summary) > 255 || strings.ContainsAny(is.Summary, "\n"):
			fail(http.StatusBadRequest, "summary: must be one line of at most 255 characters")
			return
		}
		for _, l := range is.Labels {
			if strings.ContainsAny(l, " \t") {
				fail(http.StatusBadRequest, "labels: cannot contain spaces")
				return
			}
		}
		n := 0
		for _, o := range f.issues {
			if o.Project == proj.Key {
				n++
			}
		}
		is.Project, is.IssueType = proj.Key, typ.Name
		is.Key = fmt.Sprintf("%s-%d", proj.Key, n+1)
		f.issues = append(f.issues, is)
		reply(http.StatusCreated, map[string]string{"id": fmt.Sprint(10000 + len(f.issues)), "key": is.Key, "self": "http://jira/rest/api/2/issue/" + is.Key})
	case op == "GET /rest/api/2/search" || op == "GET /rest/api/2/search/jql":
		m := jqlRe.FindStringSubmatch(r.URL.Query().Get("jql"))
		if m == nil {
			fail(http.StatusBadRequest, "unexpected JQL: "+r.URL.Query().Get("jql"))
			return
		}
		if !strings.Contains(r.URL.Query().Get("fields"), "comment") {
			fail(http.StatusBadRequest, "the sink must ask for the comment field")
			return
		}
		out := []map[string]any{}
		for i := len(f.issues) - 1; i >= 0 && !f.searchLag; i-- { // newest first
			is := f.issues[i]
			if is.Project != m[1] || is.Status == "Done" || !contains(is.Labels, m[2]) {
				continue
			}
			out = append(out, is.json())
		}
		reply(http.StatusOK, map[string]any{"issues": out, "isLast": true, "total": len(out)})
	case op == "GET /rest/api/2/issue/{key}":
		is := f.find(issueRe.FindStringSubmatch(path)[1])
		if is == nil {
			fail(http.StatusNotFound, "Issue does not exist or you do not have permission to see it.")
			return
		}
		for _, want := range []string{"comment", "labels", "status"} {
			if !strings.Contains(r.URL.Query().Get("fields"), want) {
				fail(http.StatusBadRequest, "the sink must ask for the "+want+" field")
				return
			}
		}
		reply(http.StatusOK, is.json())
	case op == "POST /rest/api/2/issue/{key}/comment":
		is := f.find(issuePathRe.FindStringSubmatch(path)[1])
		var c struct{ Body string }
		if is == nil {
			fail(http.StatusNotFound, "Issue does not exist")
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&c); err != nil || c.Body == "" {
			fail(http.StatusBadRequest, "comment body is required")
			return
		}
		is.Comments = append(is.Comments, c.Body)
		reply(http.StatusCreated, map[string]string{"id": fmt.Sprint(len(is.Comments)), "body": c.Body})
	case op == "GET /rest/api/2/issue/{key}/transitions":
		if f.find(issuePathRe.FindStringSubmatch(path)[1]) == nil {
			fail(http.StatusNotFound, "Issue does not exist")
			return
		}
		reply(http.StatusOK, map[string]any{"transitions": transitions})
	case op == "POST /rest/api/2/issue/{key}/transitions":
		is := f.find(issuePathRe.FindStringSubmatch(path)[1])
		var body struct {
			Transition struct{ ID string } `json:"transition"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		for _, tr := range transitions {
			if tr["id"] == body.Transition.ID && is != nil {
				is.Status = tr["to"].(map[string]any)["name"].(string)
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		fail(http.StatusBadRequest, "transition is not valid")
	default:
		fail(http.StatusNotFound, "no route "+op)
	}
}

// json is the issue as search and get return it.
func (is *fakeIssue) json() map[string]any {
	comments := []map[string]string{}
	for j, c := range is.Comments {
		comments = append(comments, map[string]string{"id": fmt.Sprint(j + 1), "body": c})
	}
	category := "new"
	if is.Status == "Done" {
		category = "done"
	}
	return map[string]any{"key": is.Key, "fields": map[string]any{
		"summary": is.Summary, "description": is.Description, "labels": is.Labels,
		"status":  map[string]any{"name": is.Status, "statusCategory": map[string]any{"key": category}},
		"comment": map[string]any{"comments": comments, "total": len(comments)},
	}}
}

func (f *fakeJira) find(key string) *fakeIssue {
	for _, is := range f.issues {
		if is.Key == key {
			return is
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
