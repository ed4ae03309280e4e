package githubfake_test

import (
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/tfdrift/tfdrift/internal/githubfake"
)

func TestCheckRuns(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	c := ctx(t)
	cr := must[*github.CheckRun](t)(f.gh.Checks.CreateCheckRun(c, "acme", "infra", github.CreateCheckRunOptions{
		Name: "tfdrift config", HeadSHA: f.head, Status: github.String("in_progress"),
	}))
	if cr.GetStatus() != "in_progress" || cr.GetApp().GetSlug() != "tfdrift" {
		t.Fatalf("created %+v", cr)
	}
	ann := &github.CheckRunAnnotation{Path: github.String(".tfdrift.yml"), StartLine: github.Int(3), EndLine: github.Int(3),
		AnnotationLevel: github.String("failure"), Message: github.String("unknown key \"rots\""), Title: github.String("config")}
	upd := must[*github.CheckRun](t)(f.gh.Checks.UpdateCheckRun(c, "acme", "infra", cr.GetID(), github.UpdateCheckRunOptions{
		Name: "tfdrift config", Conclusion: github.String("failure"),
		Output: &github.CheckRunOutput{Title: github.String("1 error"), Summary: github.String(".tfdrift.yml:3"), Annotations: []*github.CheckRunAnnotation{ann}},
	}))
	if upd.GetStatus() != "completed" || upd.GetConclusion() != "failure" || upd.GetOutput().GetAnnotationsCount() != 1 || upd.CompletedAt == nil {
		t.Fatalf("updated %+v", upd)
	}
	got := f.repo.CheckRuns()
	if len(got) != 1 || got[0].Name != "tfdrift config" || got[0].HeadSHA != f.head || got[0].Summary != ".tfdrift.yml:3" ||
		len(got[0].Annotations) != 1 || got[0].Annotations[0].StartLine != 3 || got[0].Annotations[0].Level != "failure" {
		t.Fatalf("stored %+v", got)
	}
	anns := must[[]*github.CheckRunAnnotation](t)(f.gh.Checks.ListCheckRunAnnotations(c, "acme", "infra", cr.GetID(), nil))
	if len(anns) != 1 || anns[0].GetMessage() != "unknown key \"rots\"" {
		t.Fatalf("annotations %v", anns)
	}
	list := must[*github.ListCheckRunsResults](t)(f.gh.Checks.ListCheckRunsForRef(c, "acme", "infra", f.head, &github.ListCheckRunsOptions{CheckName: github.String("tfdrift config")}))
	if list.GetTotal() != 1 {
		t.Fatalf("check runs for ref: %+v", list)
	}
}

func TestCheckRunValidation(t *testing.T) {
	f := newFixture(t, githubfake.Options{})
	ann := func(mod func(a *github.CheckRunAnnotation)) []*github.CheckRunAnnotation {
		a := &github.CheckRunAnnotation{Path: github.String("a.tf"), StartLine: github.Int(1), EndLine: github.Int(1),
			AnnotationLevel: github.String("warning"), Message: github.String("m")}
		mod(a)
		return []*github.CheckRunAnnotation{a}
	}
	var many []*github.CheckRunAnnotation
	for range 51 {
		many = append(many, ann(func(*github.CheckRunAnnotation) {})...)
	}
	out := func(anns []*github.CheckRunAnnotation) *github.CheckRunOutput {
		return &github.CheckRunOutput{Title: github.String("t"), Summary: github.String("s"), Annotations: anns}
	}
	tests := []struct {
		name string
		opts github.CreateCheckRunOptions
		want string
	}{
		{"no name", github.CreateCheckRunOptions{HeadSHA: f.head}, "name"},
		{"unknown SHA", github.CreateCheckRunOptions{Name: "n", HeadSHA: strings.Repeat("a", 40)}, "No commit found"},
		{"bad status", github.CreateCheckRunOptions{Name: "n", HeadSHA: f.head, Status: github.String("done")}, "status"},
		{"completed without a conclusion", github.CreateCheckRunOptions{Name: "n", HeadSHA: f.head, Status: github.String("completed")}, "conclusion"},
		{"bad conclusion", github.CreateCheckRunOptions{Name: "n", HeadSHA: f.head, Conclusion: github.String("ok")}, "conclusion"},
		{"output without summary", github.CreateCheckRunOptions{Name: "n", HeadSHA: f.head, Output: &github.CheckRunOutput{Title: github.String("t")}}, "output.summary"},
		{"51 annotations", github.CreateCheckRunOptions{Name: "n", HeadSHA: f.head, Output: out(many)}, "at most 50"},
		{"bad level", github.CreateCheckRunOptions{Name: "n", HeadSHA: f.head, Output: out(ann(func(a *github.CheckRunAnnotation) { a.AnnotationLevel = github.String("error") }))}, "annotation_level"},
		{"end before start", github.CreateCheckRunOptions{Name: "n", HeadSHA: f.head, Output: out(ann(func(a *github.CheckRunAnnotation) { a.StartLine = github.Int(5) }))}, "end_line"},
		{"columns across lines", github.CreateCheckRunOptions{Name: "n", HeadSHA: f.head, Output: out(ann(func(a *github.CheckRunAnnotation) {
			a.EndLine, a.StartColumn = github.Int(2), github.Int(1)
		}))}, "start_column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := f.gh.Checks.CreateCheckRun(ctx(t), "acme", "infra", tt.opts)
			if status(err) != 422 || !strings.Contains(err.Error()+errorDetail(err), tt.want) {
				t.Fatalf("err = %v %s, want 422 about %q", err, errorDetail(err), tt.want)
			}
		})
	}
	if len(f.repo.CheckRuns()) != 0 {
		t.Fatal("a refused check run was stored")
	}
	// Personal tokens cannot create check runs; an Actions token can.
	f.s.AddToken(githubfake.TokenSpec{Token: "ghp_pat"})
	f.s.AddToken(githubfake.TokenSpec{Token: "ghs_actions", Actions: true})
	opts := github.CreateCheckRunOptions{Name: "n", HeadSHA: f.head}
	if _, _, err := tokenClient(t, f.s, "ghp_pat").Checks.CreateCheckRun(ctx(t), "acme", "infra", opts); status(err) != 403 {
		t.Fatalf("PAT: %v", err)
	}
	cr := must[*github.CheckRun](t)(tokenClient(t, f.s, "ghs_actions").Checks.CreateCheckRun(ctx(t), "acme", "infra", opts))
	if got := f.repo.CheckRuns(); len(got) != 1 || got[0].App != "github-actions[bot]" || cr.GetStatus() != "queued" {
		t.Fatalf("Actions check run: %+v", got)
	}
}

// errorDetail flattens a 422's field errors for matching.
func errorDetail(err error) string {
	er, ok := err.(*github.ErrorResponse)
	if !ok {
		return ""
	}
	var b strings.Builder
	for _, e := range er.Errors {
		b.WriteString(" " + e.Field + " " + e.Code + " " + e.Message)
	}
	return b.String()
}
