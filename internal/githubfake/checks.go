package githubfake

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// CheckRun is a check run as a test sees it.
type CheckRun struct {
	ID          int64
	Name        string
	HeadSHA     string
	Status      string
	Conclusion  string
	ExternalID  string
	DetailsURL  string
	Title       string
	Summary     string
	Text        string
	Annotations []Annotation
	StartedAt   time.Time
	CompletedAt time.Time
	// App is the slug of the App that made it (or the token's login).
	App string
}

// Annotation is a check run annotation.
type Annotation struct {
	Path        string `json:"path"`
	StartLine   int    `json:"start_line"`
	EndLine     int    `json:"end_line"`
	StartColumn int    `json:"start_column,omitempty"`
	EndColumn   int    `json:"end_column,omitempty"`
	Level       string `json:"annotation_level"`
	Message     string `json:"message"`
	Title       string `json:"title,omitempty"`
	RawDetails  string `json:"raw_details,omitempty"`
}

// GitHub's limits on check runs.
const (
	maxAnnotationsPerRequest = 50
	maxCheckText             = 65535
)

var (
	checkStatuses    = []string{"queued", "in_progress", "completed"}
	checkConclusions = []string{"action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"}
	annotationLevels = []string{"notice", "warning", "failure"}
)

func (s *Server) registerCheckRoutes() {
	read, write := need{scope: "checks"}, need{scope: "checks", write: true}
	s.handle("POST /repos/{owner}/{repo}/check-runs", accRepo, write, func(c *call) { s.writeCheckRun(c, nil) })
	s.handle("PATCH /repos/{owner}/{repo}/check-runs/{id}", accRepo, write, func(c *call) {
		if cr := c.checkRun(); cr != nil {
			s.writeCheckRun(c, cr)
		}
	})
	s.handle("GET /repos/{owner}/{repo}/check-runs/{id}", accRepo, read, func(c *call) {
		if cr := c.checkRun(); cr != nil {
			c.json(http.StatusOK, s.ghCheckRun(c.repo, cr))
		}
	})
	s.handle("GET /repos/{owner}/{repo}/check-runs/{id}/annotations", accRepo, read, func(c *call) {
		if cr := c.checkRun(); cr != nil {
			c.json(http.StatusOK, nonNil(paginate(c, cr.Annotations)))
		}
	})
	s.handle("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", accRepo, read, func(c *call) {
		cm, ok := c.commitFor(c.r.PathValue("ref"))
		if !ok {
			return
		}
		name := c.r.URL.Query().Get("check_name")
		var list []*CheckRun
		for _, cr := range c.repo.checkRuns {
			if cr.HeadSHA == cm.SHA && (name == "" || cr.Name == name) {
				list = append(list, cr)
			}
		}
		total := len(list)
		var out []map[string]any
		for _, cr := range paginate(c, list) {
			out = append(out, s.ghCheckRun(c.repo, cr))
		}
		c.json(http.StatusOK, map[string]any{"total_count": total, "check_runs": nonNil(out)})
	})
}

func (c *call) checkRun() *CheckRun {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err == nil {
		for _, cr := range c.repo.checkRuns {
			if cr.ID == id {
				return cr
			}
		}
	}
	c.errorf(http.StatusNotFound, "Not Found")
	return nil
}

func (s *Server) ghCheckRun(r *repoState, cr *CheckRun) map[string]any {
	m := map[string]any{
		"id": cr.ID, "node_id": fmt.Sprintf("CR_%d", cr.ID), "name": cr.Name, "head_sha": cr.HeadSHA,
		"status": cr.Status, "conclusion": nullable(cr.Conclusion), "external_id": cr.ExternalID,
		"details_url": nullable(cr.DetailsURL), "started_at": nullTime(cr.StartedAt), "completed_at": nullTime(cr.CompletedAt),
		"url":      s.repoAPI(r, fmt.Sprintf("/check-runs/%d", cr.ID)),
		"html_url": s.htmlURL(fmt.Sprintf("/%s/runs/%d", r.fullName(), cr.ID)),
		"output": map[string]any{
			"title": nullable(cr.Title), "summary": nullable(cr.Summary), "text": nullable(cr.Text),
			"annotations_count": len(cr.Annotations),
			"annotations_url":   s.repoAPI(r, fmt.Sprintf("/check-runs/%d/annotations", cr.ID)),
		},
		"check_suite":   map[string]any{"id": cr.ID + 1},
		"pull_requests": []any{},
	}
	for _, a := range s.apps {
		if a.spec.Slug == cr.App {
			m["app"] = s.ghApp(a)
		}
	}
	return m
}

// writeCheckRun creates (cr nil) or updates a check run after checking
// the body as GitHub does.
func (s *Server) writeCheckRun(c *call, cr *CheckRun) {
	if c.id.kind == identToken && !c.id.plain.spec.Actions {
		c.errorf(http.StatusForbidden, "You must authenticate via a GitHub App.")
		return
	}
	m, ok := c.decode()
	if !ok {
		return
	}
	upd := CheckRun{}
	if cr != nil {
		upd = *cr
		upd.Annotations = slices.Clone(cr.Annotations)
	}
	var output *struct {
		Title       *string      `json:"title"`
		Summary     *string      `json:"summary"`
		Text        *string      `json:"text"`
		Annotations []Annotation `json:"annotations"`
	}
	var startedAt, completedAt time.Time
	hasName, ok1 := c.field(m, "name", &upd.Name)
	hasSHA, ok2 := c.field(m, "head_sha", &upd.HeadSHA)
	hasStatus, ok3 := c.field(m, "status", &upd.Status)
	hasConclusion, ok4 := c.field(m, "conclusion", &upd.Conclusion)
	_, ok5 := c.field(m, "external_id", &upd.ExternalID)
	_, ok6 := c.field(m, "details_url", &upd.DetailsURL)
	_, ok7 := c.field(m, "output", &output)
	hasStarted, ok8 := c.field(m, "started_at", &startedAt)
	hasCompleted, ok9 := c.field(m, "completed_at", &completedAt)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || !ok7 || !ok8 || !ok9 {
		return
	}
	if cr == nil {
		switch {
		case !hasName || upd.Name == "":
			c.invalid(fieldError{Resource: "CheckRun", Field: "name", Code: "missing_field"})
			return
		case !hasSHA || upd.HeadSHA == "":
			c.invalid(fieldError{Resource: "CheckRun", Field: "head_sha", Code: "missing_field"})
			return
		}
		if _, ok := c.repo.obj.commits[upd.HeadSHA]; !ok {
			c.errorf(http.StatusUnprocessableEntity, "No commit found for SHA: %s", upd.HeadSHA)
			return
		}
		if !hasStatus {
			upd.Status = "queued"
		}
	} else if hasSHA && upd.HeadSHA != cr.HeadSHA {
		c.invalid(fieldError{Resource: "CheckRun", Field: "head_sha", Code: "invalid"})
		return
	}
	if hasStatus && !slices.Contains(checkStatuses, upd.Status) {
		c.invalid(fieldError{Resource: "CheckRun", Field: "status", Code: "invalid", Value: upd.Status})
		return
	}
	if hasConclusion {
		if !slices.Contains(checkConclusions, upd.Conclusion) {
			c.invalid(fieldError{Resource: "CheckRun", Field: "conclusion", Code: "invalid", Value: upd.Conclusion})
			return
		}
		upd.Status = "completed"
	}
	if upd.Status == "completed" && upd.Conclusion == "" {
		c.invalid(fieldError{Resource: "CheckRun", Field: "conclusion", Code: "missing_field"})
		return
	}
	if output != nil {
		switch {
		case output.Title == nil || *output.Title == "":
			c.invalid(fieldError{Resource: "CheckRun", Field: "output.title", Code: "missing_field"})
			return
		case output.Summary == nil || *output.Summary == "":
			c.invalid(fieldError{Resource: "CheckRun", Field: "output.summary", Code: "missing_field"})
			return
		case utf8.RuneCountInString(*output.Summary) > maxCheckText:
			c.custom("CheckRun", "output.summary", fmt.Sprintf("summary is too long (maximum is %d characters)", maxCheckText))
			return
		case output.Text != nil && utf8.RuneCountInString(*output.Text) > maxCheckText:
			c.custom("CheckRun", "output.text", fmt.Sprintf("text is too long (maximum is %d characters)", maxCheckText))
			return
		case len(output.Annotations) > maxAnnotationsPerRequest:
			c.custom("CheckRun", "output.annotations", fmt.Sprintf("at most %d annotations may be sent per request", maxAnnotationsPerRequest))
			return
		}
		for i, a := range output.Annotations {
			if msg := checkAnnotation(a); msg != "" {
				c.invalid(fieldError{Resource: "CheckRun", Field: fmt.Sprintf("output.annotations[%d]", i), Code: "invalid", Message: msg})
				return
			}
		}
		upd.Title, upd.Summary = *output.Title, *output.Summary
		if output.Text != nil {
			upd.Text = *output.Text
		}
		upd.Annotations = append(upd.Annotations, output.Annotations...)
	}
	now := s.now()
	if hasStarted {
		upd.StartedAt = startedAt
	} else if upd.StartedAt.IsZero() {
		upd.StartedAt = now
	}
	if hasCompleted {
		upd.CompletedAt = completedAt
	} else if upd.Status == "completed" && upd.CompletedAt.IsZero() {
		upd.CompletedAt = now
	}
	if cr == nil {
		upd.ID = s.newID()
		upd.App = c.id.login
		if c.id.app != nil {
			upd.App = c.id.app.spec.Slug
		}
		cr = &CheckRun{}
		c.repo.checkRuns = append(c.repo.checkRuns, cr)
		*cr = upd
		c.json(http.StatusCreated, s.ghCheckRun(c.repo, cr))
		return
	}
	*cr = upd
	c.json(http.StatusOK, s.ghCheckRun(c.repo, cr))
}

func checkAnnotation(a Annotation) string {
	switch {
	case a.Path == "":
		return "path is required"
	case a.StartLine <= 0 || a.EndLine <= 0:
		return "start_line and end_line are required"
	case a.EndLine < a.StartLine:
		return "end_line must not be before start_line"
	case !slices.Contains(annotationLevels, a.Level):
		return fmt.Sprintf("annotation_level %q is not notice, warning or failure", a.Level)
	case a.Message == "":
		return "message is required"
	case (a.StartColumn != 0 || a.EndColumn != 0) && a.StartLine != a.EndLine:
		return "start_column and end_column may only be given when start_line equals end_line"
	}
	return ""
}

// CheckRuns returns the repository's check runs in creation order.
func (h *Repo) CheckRuns() []CheckRun {
	var out []CheckRun
	h.with(func(r *repoState) {
		for _, cr := range r.checkRuns {
			cp := *cr
			cp.Annotations = slices.Clone(cr.Annotations)
			out = append(out, cp)
		}
	})
	return out
}
